//! `POST /families/{id}/contact-sessions`, `GET /families/{id}/contact-sessions`,
//! `POST /families/{id}/contact-sessions/{session_id}/cancel`.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::booking::{self, Booked};
use super::dto::{
    BookContactSessionsRequest, BookedResponse, CancelRequest, ContactSessionResponse,
};
use super::plan::{self, Asked};
use super::repo::{self, Cancellation, ContactSession};
use super::views::{self, Shown};
use super::{CancelledBy, ContactSessionStatus};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::identity::roles::Role;
use crate::identity::{Caller, Principal};
use crate::notifications::{self, Template};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::access::Viewer;
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::model::{ReferralBundle, ReferralStatus};
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::sessions::pre_visits;
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, parse_date};
use crate::vocabulary::FamilyId;

/// Notice of less than this many hours is a late cancellation, counted
/// against the side that gave it.
pub const LATE_NOTICE_HOURS: i64 = 24;

/// The family's referral: 404 for callers who may not see it, 403 for
/// network admins.
pub async fn family_case(
    conn: &mut AsyncPgConnection,
    id: FamilyId,
    lock: bool,
) -> Result<ReferralBundle, ApiError> {
    let family = crate::referrals::family::find(conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    referrals_repo::load_bundle(conn, family.referral_id, lock)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The family's referral with its adults only
/// (`referrals::repo::load_head_of_family`): enough to judge who may read
/// the family's sessions, for reads that show nothing else of the case. 404
/// as [`family_case`].
pub async fn family_head(
    conn: &AsyncPgConnection,
    id: FamilyId,
) -> Result<ReferralBundle, ApiError> {
    referrals_repo::load_head_of_family(conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// [`family_head`], and what `reader` is shown of the family's sessions
/// (`views::shown`): a party's checked identities are read alongside the
/// referral, so the reader is judged in one round trip.
pub async fn family_head_shown(
    conn: &AsyncPgConnection,
    id: FamilyId,
    reader: &Principal,
) -> Result<(ReferralBundle, Shown), ApiError> {
    // Only a parent can be a party (`access::viewer_for`).
    let party = matches!(reader, Principal::User(u) if u.role == Role::Parent);
    let checked = async {
        match party {
            true => pre_visits::repo::identity_checked_of_family(conn, id).await,
            false => Ok(Vec::new()),
        }
    };
    let (b, checked) = futures_util::future::try_join(family_head(conn, id), checked).await?;
    let viewer = views::viewer(reader, &b)?;
    let shown = views::shown_given(&viewer, &checked);
    Ok((b, shown))
}

/// The audit row and domain event of a change to a session. The event
/// carries no window and no reason: integrations of either side read it.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: impl Into<crate::audit::Actor>,
    s: &ContactSession,
    action: &str,
    event_type: &'static str,
) -> Result<(), ApiError> {
    // The audit row and the event go together (one round trip).
    let conn: &AsyncPgConnection = conn;
    futures_util::future::try_join(
        audit::record_alongside(
            conn,
            Event::new(actor, action, "contact_session")
                .resource(s.id)
                .centre(Some(s.centre_id)),
        ),
        events::record_alongside(
            conn,
            DomainEvent {
                event_type,
                resource_type: "contact_session",
                resource_id: s.id,
                centre_id: Some(s.centre_id),
                organisation_id: None,
                payload: serde_json::json!({
                    "family_id": s.family_id,
                    "referral_id": s.referral_id,
                    "date": format_date(s.on_date),
                    "status": s.status,
                }),
            },
        ),
    )
    .await?;
    Ok(())
}

const ID: &str = "The family's id";

/// A coordinator books the family's contact sessions: one date, or a
/// repeat every week or fortnight to a date or for a number of sessions. A
/// repeat books what it can and lists the dates it skipped (a closure, no
/// place left, the staff member busy or not vetted that day); a single date
/// that cannot be had is refused.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    request_body = BookContactSessionsRequest,
    responses(
        (status = 201, description = "Booked: the sessions, and any dates of a repeat skipped", body = BookedResponse,
            headers(("Location" = String, description = "The family's sessions"))),
        (status = 403, description = "Not a coordinator of the family's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Contact has not started, no place is left, the staff member or the venue's entrances are taken then, or nothing of a repeat could be booked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: not an opening session of the centre, a date it does not run or before contact started, a closure, a service not offered or not allowed, a staff member not of the centre or not vetted", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/contact-sessions")]
pub async fn book_contact_sessions(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
    body: web::Json<BookContactSessionsRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let first = errors.take(parse_date("date", &body.date));
    let repeat = body.repeat.as_ref();
    let until = repeat
        .and_then(|r| r.until.as_deref())
        .and_then(|u| errors.take(parse_date("repeat.until", u)));
    if let Some(r) = repeat {
        if r.count.is_some_and(|c| !(1..=52).contains(&c)) {
            errors.push("repeat.count", "range", "must be 1 to 52");
        }
        if r.count.is_none() && r.until.is_none() {
            errors.push("repeat", "open_ended", "give `until` or `count`");
        }
    }
    if let (Some(f), Some(u)) = (first, until) {
        if u < f {
            errors.push(
                "repeat.until",
                "before_first",
                "must not be before the first date",
            );
        }
    }
    let first = errors.finish_one(first)?;
    let dates = booking::dates(
        first,
        repeat.map(|r| r.frequency.days()),
        until,
        repeat.and_then(|r| r.count),
    );
    let asked = Asked {
        opening_session_id: body.opening_session_id,
        service: body.service,
        staff_id: body.staff_id,
        meeting_link: body.meeting_link.clone(),
        place: body.place.clone(),
        pick_up_after_days: body.pick_up_after_days,
    };
    let single = repeat.is_none();
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = family_case(conn, id, true).await?;
            let booker = match (&*caller, side_of(&caller, &b)?) {
                (Principal::User(u), Side::Centre) => u.id,
                _ => return Err(ApiError::Forbidden),
            };
            if b.referral.status != ReferralStatus::Active {
                return Err(ApiError::Conflict(
                    "contact has not started for this family (POST /referrals/{id}/start)".into(),
                ));
            }
            let plan = plan::plan(conn, &b, id, &asked, booker).await?;
            plan::require_member(&plan)?;
            let started = repo::arrangement_of(conn, b.referral.id).await?;
            let mut errors = FieldErrors::default();
            if started.as_ref().is_some_and(|a| first < a.first_on) {
                errors.push("date", "before_start", "must not be before contact started");
            }
            if !booking::runs_on(&plan.slot, first) {
                errors.push(
                    "date",
                    "not_running",
                    "the opening session does not run that day",
                );
            }
            if !booking::still_to_come(conn, &plan, first).await? {
                errors.push("date", "past", "must be still to come");
            }
            errors.finish(())?;
            let (booked, skipped) = booking::book_dates(conn, &b, &plan, &dates).await?;
            if booked.is_empty() {
                return Err(match (single, skipped.first()) {
                    (true, Some(s)) => booking::refusal(s),
                    _ => ApiError::Conflict(format!(
                        "no date could be booked: {}",
                        skipped
                            .iter()
                            .map(|s| format!("{} ({})", s.date, s.detail))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )),
                });
            }
            for (s, _) in &booked {
                record(
                    conn,
                    &caller,
                    s,
                    "book_contact_session",
                    "contact_session.booked",
                )
                .await?;
            }
            Ok(booked_response(plan.series_id, booked, skipped))
        })
        .await?;
    let location = format!("/api/v1/families/{id}/contact-sessions");
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(response))
}

/// The booked sessions as the centre's people see them.
pub fn booked_response(
    series_id: Uuid,
    booked: Vec<Booked>,
    skipped: Vec<super::dto::SkippedDate>,
) -> BookedResponse {
    BookedResponse {
        series_id,
        booked: booked
            .into_iter()
            .map(|(s, w)| views::session(s, &w, &Shown::All))
            .collect(),
        skipped,
    }
}

/// A family's contact sessions, by time, as the caller may see them: the
/// centre's people every window; a party their own windows, once their
/// identity was checked at their pre-visit; the referrer's side and
/// organisation clients (`sessions:read`) dates, the opening session's
/// times and status. Every read by a person is audited.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID), PageParams),
    responses(
        (status = 200, description = "A page of sessions, by time", body = Page<ContactSessionResponse>),
        (status = 403, description = "A network admin (no family detail)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["sessions:read"]))
)]
#[get("/families/{id}/contact-sessions")]
pub async fn list_contact_sessions(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<FamilyId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ContactSessionResponse>>, ApiError> {
    let id = id.into_inner();
    let page = page
        .into_inner()
        .parse::<i64>(cursors.seal("contact_sessions", &id))?;
    let mut conn = pool.get().await?;
    let reader = &caller;
    // A read: no transaction; the sessions, their windows and the audit row
    // go together on the one connection once the reader is judged.
    let outcome = async {
        let conn: &AsyncPgConnection = &conn;
        let (b, shown) = family_head_shown(conn, id, reader).await?;
        let listed = async {
            match &shown {
                // A party sees only the sessions they attend, never those
                // of an adult kept away by the assessment or a court order.
                Shown::Party { own, .. } => repo::attended_by(conn, id, own).await,
                Shown::All => {
                    futures_util::future::try_join(
                        repo::of_family_alongside(conn, id),
                        repo::windows_of_family(conn, id),
                    )
                    .await
                }
                Shown::Outline => Ok((repo::of_family_alongside(conn, id).await?, Vec::new())),
            }
        };
        let audited = async {
            match &**reader {
                Principal::User(_) => {
                    audit::record_alongside(
                        conn,
                        Event::new(reader, "list_contact_sessions", "family")
                            .resource(id)
                            .centre(Some(b.referral.centre_id)),
                    )
                    .await
                }
                Principal::Client(_) => Ok(()),
            }
        };
        let ((sessions, windows), ()) = futures_util::future::try_join(listed, audited).await?;
        Ok((sessions, windows, shown))
    }
    .await;
    let event = Event::new(&caller, "list_contact_sessions", "family").resource(id);
    let (sessions, windows, shown) = refusal_audited(&mut conn, event, outcome).await?;
    let cursor = |s: &ContactSession| Cursor::at(s.starts_at, s.id);
    Ok(web::Json(Page::of_sorted(sessions, &page, cursor, |s| {
        views::session(s, &windows, &shown)
    })))
}

/// Cancels a session still to come, with a reason: a party (notice of
/// their absence), the referrer's side or the coordinator. The notice given
/// is recorded, and under a day's notice counts as late against the side
/// that gave it. The other parties and the coordinators are told at once
/// that it is cancelled, and nothing more.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = ID),
        ("session_id" = Uuid, Path, description = "The contact session's id"),
    ),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = ContactSessionResponse),
        (status = 403, description = "Staff, or an integration client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family or session the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is not scheduled, or has begun", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/contact-sessions/{session_id}/cancel")]
pub async fn cancel_contact_session(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, Uuid)>,
    body: web::Json<CancelRequest>,
) -> Result<web::Json<ContactSessionResponse>, ApiError> {
    let (id, session_id) = path.into_inner();
    let mut errors = FieldErrors::default();
    let reason = errors.text("reason", &body.reason, 1, 2000);
    errors.finish(())?;
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = family_case(conn, id, true).await?;
            let viewer = views::viewer(&caller, &b)?;
            let Principal::User(user) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let side = match (&viewer, user.role) {
                (Viewer::Centre, Role::Coordinator) => CancelledBy::Centre,
                (Viewer::Referrer, _) => CancelledBy::Referrer,
                (Viewer::Parent { .. }, _) => CancelledBy::Party,
                _ => return Err(ApiError::Forbidden),
            };
            let s = repo::find_locked(conn, id, session_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let now = OffsetDateTime::now_utc();
            if s.status != ContactSessionStatus::Scheduled || s.starts_at <= now {
                return Err(ApiError::Conflict(
                    "only a scheduled session still to come is cancelled".into(),
                ));
            }
            // Those who attend (have windows at it) are told, and a party
            // cancels only a session they attend: never an adult kept away.
            let attending: Vec<_> = repo::windows_of(conn, &[s.id])
                .await?
                .into_iter()
                .map(|w| w.adult_id)
                .collect();
            let adult = match &viewer {
                Viewer::Parent { adult_ids } => Some(
                    adult_ids
                        .iter()
                        .copied()
                        .find(|a| attending.contains(a))
                        .ok_or(ApiError::Forbidden)?,
                ),
                _ => None,
            };
            let notice = (s.starts_at - now).whole_hours();
            let c = Cancellation {
                by: Some(user.id),
                side,
                adult,
                reason,
                notice_hours: i32::try_from(notice).unwrap_or(i32::MAX),
                late: notice < LATE_NOTICE_HOURS,
            };
            let s = repo::cancel(conn, s.id, &c)
                .await?
                .ok_or_else(|| ApiError::Conflict("the session was changed meanwhile".into()))?;
            tell_cancelled(conn, &b, &s, adult, &attending).await?;
            record(
                conn,
                &caller,
                &s,
                "cancel_contact_session",
                "contact_session.cancelled",
            )
            .await?;
            let shown = views::shown(conn, s.family_id, &viewer).await?;
            let windows = repo::windows_of(conn, &[s.id]).await?;
            Ok(views::session(s, &windows, &shown))
        })
        .await?;
    Ok(web::Json(response))
}

/// Tells every party but the one who cancelled, and the centre's
/// coordinators, that a session is cancelled: the date and nothing more
/// (never who, never why).
pub async fn tell_cancelled(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    s: &ContactSession,
    except: Option<crate::vocabulary::AdultId>,
    attending: &[crate::vocabulary::AdultId],
) -> Result<(), ApiError> {
    let parties: Vec<_> = attending
        .iter()
        .copied()
        .filter(|a| Some(*a) != except)
        .collect();
    tell_parties_cancelled(conn, b, s, &parties).await?;
    let coordinators =
        crate::identity::repo::coordinator_emails(conn, b.referral.centre_id).await?;
    for email in coordinators {
        notifications::enqueue(conn, &email, Template::SessionCancelled, cancelled(s)).await?;
    }
    Ok(())
}

/// What a cancellation notice says: the date, never who or why.
fn cancelled(s: &ContactSession) -> serde_json::Value {
    serde_json::json!({
        "family_id": s.family_id,
        "contact_session_id": s.id,
        "date": format_date(s.on_date),
    })
}

/// Tells `parties` of the family (those with an address) that a session
/// is cancelled, and nothing more.
pub async fn tell_parties_cancelled(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    s: &ContactSession,
    parties: &[crate::vocabulary::AdultId],
) -> Result<(), ApiError> {
    for email in b
        .adults
        .iter()
        .filter(|a| parties.contains(&a.id))
        .filter_map(|a| a.email.as_deref())
    {
        notifications::enqueue(conn, email, Template::SessionCancelled, cancelled(s)).await?;
    }
    Ok(())
}
