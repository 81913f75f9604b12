//! `POST /referrals/{id}/pre-visits`, `GET /referrals/{id}/pre-visits`,
//! `POST /referrals/{id}/pre-visits/{visit_id}/outcome`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::booking::{check_booking, invitation, Checked};
use super::dto::PreVisitResponse;
use super::dto::{BookPreVisitRequest, PreVisitOutcome, PreVisitOutcomeRequest};
use super::repo::{self, NewPreVisit, PreVisit};
use super::PreVisitStatus;
use crate::audit::{self, Event};
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
use crate::referrals::model::ReferralBundle;
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::vocabulary::calendar::{format_date, format_time};
use crate::vocabulary::ReferralId;

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
            let centre = crate::centres::repo::name_of(conn, b.referral.centre_id).await?;
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
    let cursor = |v: &PreVisit| match by_date {
        true => Cursor {
            key: i64::from(v.on_date.to_julian_day()),
            id: v.id,
        },
        false => Cursor::at(v.starts_at, v.id),
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
