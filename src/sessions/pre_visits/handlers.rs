//! `POST /referrals/{id}/pre-visits`, `GET /referrals/{id}/pre-visits`,
//! `POST /referrals/{id}/pre-visits/{visit_id}/outcome`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::PreVisitResponse;
use super::dto::{BookPreVisitRequest, Booking, PreVisitOutcome, PreVisitOutcomeRequest};
use super::repo::{self, NewPreVisit, PreVisit};
use super::rules::Instants;
use super::PreVisitStatus;
use crate::audit::{self, Event};
use crate::centres::model::Venue;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::roles::Role;
use crate::identity::{Caller, Principal};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::access::{self, Viewer};
use crate::referrals::decisions;
use crate::referrals::letters::{self, Draft, LetterKind, Recipient};
use crate::referrals::model::{Adult, ReferralBundle};
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, format_time};
use crate::vocabulary::{ReferralId, VenueId};

/// A pre-visit as `viewer` sees it: the referrer's side sees no time.
fn view(v: PreVisit, viewer: &Viewer) -> PreVisitResponse {
    let times = !matches!(viewer, Viewer::Referrer);
    PreVisitResponse {
        id: v.id,
        referral_id: v.referral_id.into(),
        adult_id: v.adult_id.into(),
        with_children: v.with_children,
        venue_id: v.venue_id.into(),
        date: format_date(v.on_date),
        starts: times.then(|| format_time(v.starts)),
        ends: times.then(|| format_time(v.ends)),
        starts_at: times.then(|| timestamp(v.starts_at)),
        ends_at: times.then(|| timestamp(v.ends_at)),
        status: v.status,
        identity_checked: v.identity_checked,
    }
}

/// What a booking is checked against, found under the referral's lock.
struct Checked<'a> {
    adult: &'a Adult,
    venue: Venue,
    keep_apart: bool,
}

/// The booking's rules against the case: a party of this referral, a venue
/// of its centre, a date from today that is not a closure, and at least the
/// family's stagger minutes from every other party's visit that day.
async fn check_booking<'a>(
    conn: &mut AsyncPgConnection,
    b: &'a ReferralBundle,
    body: &BookPreVisitRequest,
    booking: Booking,
) -> Result<Checked<'a>, ApiError> {
    let centre_id = b.referral.centre_id;
    let mut errors = FieldErrors::default();
    let adult = b.adults.iter().find(|a| Uuid::from(a.id) == body.adult_id);
    if adult.is_none() {
        errors.push(
            "adult_id",
            "unknown_adult",
            "is not an adult of this referral",
        );
    }
    let venue =
        crate::centres::repo::find_venue(conn, centre_id, VenueId::from(body.venue_id)).await?;
    if venue.is_none() {
        errors.push("venue_id", "unknown_venue", "is not a venue of this centre");
    }
    let today = crate::vocabulary::calendar::uk_today(conn).await?;
    if booking.date < today {
        errors.push("date", "past", "must be today or later");
    }
    let closed =
        crate::centres::repo::closures_of(conn, centre_id, Some((booking.date, booking.date)))
            .await?
            .into_iter()
            .find(|c| c.venue_id.is_none() || c.venue_id == venue.as_ref().map(|v| v.id));
    if let Some(closure) = closed {
        errors.push(
            "date",
            "closed",
            format!("the centre is closed that day ({})", closure.reason),
        );
    }
    let (adult, venue) = errors.finish_both(adult, venue)?;
    let when = repo::instants(conn, booking.date, booking.span.starts, booking.span.ends)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "starts",
                "no_such_time",
                "the clocks skip this time that day",
            )
        })?;
    if when.starts <= OffsetDateTime::now_utc() {
        return Err(ApiError::field("starts", "past", "must be later than now"));
    }
    // Apart in real time, not on the clock: a change of the clocks between
    // two visits never brings the parties together.
    let stagger = stagger_minutes(conn, b).await?;
    let others = repo::of_referral(conn, b.referral.id).await?;
    let clash = others.iter().any(|o| {
        o.adult_id != adult.id
            && matches!(o.status, PreVisitStatus::Booked | PreVisitStatus::Done)
            && !when.apart(
                &Instants {
                    starts: o.starts_at,
                    ends: o.ends_at,
                },
                stagger.into(),
            )
    });
    if clash {
        return Err(ApiError::field(
            "starts",
            "too_close",
            format!("must be at least {stagger} minutes from another party's pre-visit"),
        ));
    }
    // No two families whose parties must not meet arrive or leave together
    // at a venue (DOMAIN.md, "Do-not-meet"): refused naming the time, never
    // the family.
    let keep_apart = keeps_apart(conn, b).await?;
    if keep_apart {
        repo::lock_venue(conn, venue.id).await?;
        let near =
            repo::kept_apart_near(conn, venue.id, b.referral.id, when, stagger.into()).await?;
        if let Some(other) = near.first() {
            return Err(ApiError::field(
                "starts",
                "venue_busy",
                format!(
                    "another family kept apart is at this venue from {} to {} that day: \
                     keep {stagger} minutes from it",
                    format_time(other.starts),
                    format_time(other.ends)
                ),
            ));
        }
    }
    Ok(Checked {
        adult,
        venue,
        keep_apart,
    })
}

/// Whether the family's parties must not meet: the referral says so (a
/// party's request, the referrer's word), or the assessment's conditions do.
async fn keeps_apart(conn: &mut AsyncPgConnection, b: &ReferralBundle) -> Result<bool, ApiError> {
    if b.referral.parties_must_not_meet {
        return Ok(true);
    }
    Ok(
        crate::referrals::assessment::repo::find(conn, b.referral.id, None)
            .await?
            .is_some_and(|a| a.parties_must_not_meet),
    )
}

/// The family's stagger: the assessment's conditions, else the centre's.
async fn stagger_minutes(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
) -> Result<i32, ApiError> {
    if let Some(a) = crate::referrals::assessment::repo::find(conn, b.referral.id, None).await? {
        return Ok(a.stagger_minutes);
    }
    Ok(
        crate::centres::repo::find_centre(conn, b.referral.centre_id)
            .await?
            .map_or(15, |c| c.stagger_minutes),
    )
}

/// The party's invitation: their own time and venue, nobody else's.
fn invitation(centre: &str, venue: &Venue, v: &PreVisit) -> (String, String) {
    let children = match v.with_children {
        true => "Please bring the children with you. ",
        false => "",
    };
    let body = format!(
        "Your pre-visit to {centre} is on {} from {} to {} at {}, {}, {}.\n\n\
         {children}Please bring photo identification: we check it at the visit. \
         This time is yours alone: please arrive and leave at it.\n",
        format_date(v.on_date),
        format_time(v.starts),
        format_time(v.ends),
        venue.name,
        venue.address_line1,
        venue.town,
    );
    (format!("Your pre-visit to {centre}"), body)
}

const ID: &str = "The referral's id";

/// A coordinator books a party's pre-visit. The first one moves an accepted
/// referral to `pre_visits`. The party gets a letter with their own time
/// only.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse the booking (412) if the case changed since"),
    ),
    request_body = BookPreVisitRequest,
    responses(
        (status = 201, description = "Booked", body = PreVisitResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The referral's pre-visits"),
            )),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not accepted yet (`/problems/illegal-move`), or the party already has a booked pre-visit", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: not a party or venue of this referral, a past date, a closure, too close to another party's visit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/pre-visits")]
pub async fn book_pre_visit(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<BookPreVisitRequest>,
) -> Result<HttpResponse, ApiError> {
    let booking = body.parse()?;
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let (visit, version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            // 404 and 403 before anything else; 409 unless accepted.
            let b = decisions::handlers::book_pre_visit(conn, &caller, id, &if_match).await?;
            let Principal::User(booker) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let Checked {
                adult,
                venue,
                keep_apart,
            } = check_booking(conn, &b, &body, booking).await?;
            let with_children = b
                .relations
                .iter()
                .any(|r| r.adult_id == adult.id && r.lives_with);
            let visit = repo::insert(
                conn,
                &NewPreVisit {
                    id: Uuid::now_v7(),
                    referral_id: id,
                    centre_id: b.referral.centre_id,
                    adult_id: adult.id,
                    venue_id: venue.id,
                    with_children,
                    keep_apart,
                    on_date: booking.date,
                    starts: booking.span.starts,
                    ends: booking.span.ends,
                    booked_by: booker.id,
                },
            )
            .await?;
            let centre = crate::centres::repo::find_centre(conn, b.referral.centre_id)
                .await?
                .map(|c| c.name)
                .unwrap_or_default();
            let (subject, text) = invitation(&centre, &venue, &visit);
            let draft = Draft {
                kind: LetterKind::PreVisit,
                to: Recipient::Party(adult),
                subject,
                body: text,
            };
            letters::send(conn, &b.referral, draft).await?;
            record(
                conn,
                &caller,
                &b,
                &visit,
                "book_pre_visit",
                "pre_visit.booked",
            )
            .await?;
            let version = referrals_repo::version_of(conn, id).await?;
            Ok((visit, version))
        })
        .await?;
    let location = format!("/api/v1/referrals/{id}/pre-visits");
    Ok(preconditions::created(
        version,
        &view(visit, &Viewer::Centre),
        &location,
    ))
}

/// The audit row and domain event of a change to a pre-visit (the event
/// names the party, never a time).
async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    b: &ReferralBundle,
    visit: &PreVisit,
    action: &str,
    event_type: &'static str,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event::new(caller, action, "pre_visit")
            .resource(visit.id)
            .centre(Some(b.referral.centre_id)),
    )
    .await?;
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "pre_visit",
            resource_id: visit.id,
            centre_id: Some(b.referral.centre_id),
            organisation_id: None,
            payload: serde_json::json!({
                "referral_id": b.referral.id,
                "pre_visit_id": visit.id,
                "adult_id": visit.adult_id,
                "status": visit.status,
            }),
        },
    )
    .await
}

/// A referral's pre-visits as the caller may see them: the centre's people
/// every one with its times; a party their own; the referrer's side each
/// one's date and status, never a time. Every read is audited.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID), PageParams),
    responses(
        (status = 200, description = "A page of pre-visits, by time", body = Page<PreVisitResponse>),
        (status = 403, description = "A network admin (no family detail)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/pre-visits")]
pub async fn list_pre_visits(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<ReferralId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<PreVisitResponse>>, ApiError> {
    let id = id.into_inner();
    // Each kind of page has its own cursors (by time, or by date).
    let page = page.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            let viewer = access::viewer(reader, &b)?;
            let visits: Vec<PreVisit> = repo::of_referral(conn, id)
                .await?
                .into_iter()
                .filter(|v| match &viewer {
                    Viewer::Parent { adult_ids } => adult_ids.contains(&v.adult_id),
                    _ => true,
                })
                .collect();
            audit::record(
                conn,
                Event::new(reader, "list_pre_visits", "referral")
                    .resource(id)
                    .centre(b.referral.centre_if_sent()),
            )
            .await?;
            Ok((visits, viewer))
        })
        .await;
    let event = Event::new(&caller, "list_pre_visits", "referral").resource(id);
    let (mut visits, viewer) = refusal_audited(&mut conn, event, outcome).await?;
    // The referrer's side pages by date and booking, never by time: a
    // cursor (signed, not secret) must not carry what the page hides.
    let by_date = viewer == Viewer::Referrer;
    let seal = match by_date {
        true => cursors.seal("pre_visits_by_date", &id),
        false => cursors.seal("pre_visits", &id),
    };
    let page = page.parse::<i64>(seal)?;
    if by_date {
        visits.sort_by_key(|v| (v.on_date, v.id));
    }
    let cursor = |v: &PreVisit| Cursor {
        key: match by_date {
            true => i64::from(v.on_date.to_julian_day()),
            false => i64::try_from(v.starts_at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX),
        },
        id: v.id,
    };
    Ok(web::Json(Page::of_sorted(visits, &page, cursor, |v| {
        view(v, &viewer)
    })))
}

/// The centre's coordinators or staff record what happened at a pre-visit,
/// on its day or after: `done` (the party's identity checked against photo
/// identification) or `missed` (another may then be booked).
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = ID),
        ("visit_id" = Uuid, Path, description = "The pre-visit's id"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse the change (412) if the case changed since"),
    ),
    request_body = PreVisitOutcomeRequest,
    responses(
        (status = 200, description = "Recorded", body = PreVisitResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Not a coordinator or staff member of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or pre-visit the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already recorded", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`done` without the identity checked, or a pre-visit still to come", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/pre-visits/{visit_id}/outcome")]
pub async fn record_outcome(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, Uuid)>,
    body: web::Json<PreVisitOutcomeRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, visit_id) = path.into_inner();
    match (body.outcome, body.identity_checked) {
        (PreVisitOutcome::Done, false) => {
            return Err(ApiError::field(
                "identity_checked",
                "required",
                "a pre-visit is done only once the party's identity was checked",
            ))
        }
        (PreVisitOutcome::Missed, true) => {
            return Err(ApiError::field(
                "identity_checked",
                "missed",
                "nobody's identity is checked at a missed pre-visit",
            ))
        }
        _ => {}
    }
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let (visit, version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            let viewer = access::viewer(&caller, &b)?;
            let recorder = match (&*caller, viewer) {
                (Principal::User(u), Viewer::Centre | Viewer::Staff)
                    if matches!(u.role, Role::Coordinator | Role::Staff) =>
                {
                    u.id
                }
                _ => return Err(ApiError::Forbidden),
            };
            if_match.check(b.referral.version, IfMatch::Optional)?;
            let visit = repo::of_referral(conn, id)
                .await?
                .into_iter()
                .find(|v| v.id == visit_id)
                .ok_or(ApiError::NotFound)?;
            if visit.starts_at > OffsetDateTime::now_utc() {
                return Err(ApiError::field(
                    "outcome",
                    "not_yet",
                    format!(
                        "the pre-visit starts on {} at {}: record it once it has begun",
                        format_date(visit.on_date),
                        format_time(visit.starts)
                    ),
                ));
            }
            let status = match body.outcome {
                PreVisitOutcome::Done => PreVisitStatus::Done,
                PreVisitOutcome::Missed => PreVisitStatus::Missed,
            };
            let visit = repo::record(conn, visit.id, status, body.identity_checked, recorder)
                .await?
                .ok_or_else(|| ApiError::Conflict("this pre-visit is already recorded".into()))?;
            let event_type = match status {
                PreVisitStatus::Done => "pre_visit.done",
                _ => "pre_visit.missed",
            };
            record(conn, &caller, &b, &visit, "record_pre_visit", event_type).await?;
            let version = referrals_repo::version_of(conn, id).await?;
            Ok((visit, version))
        })
        .await?;
    Ok(preconditions::changed(
        version,
        &view(visit, &Viewer::Centre),
    ))
}
