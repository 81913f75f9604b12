//! `POST /families/{id}/contact-sessions/{session_id}/move`: a coordinator
//! moves one session to another date (or opening session). The move is one
//! transaction: the old session is cancelled by the centre and the new one
//! booked under every rule a booking keeps, or neither happens. Each party
//! who attends is told their own new times, never the other's.

use actix_web::{post, web, HttpResponse};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::booking;
use super::dto::ContactSessionResponse;
use super::handlers::{family_case, record, LATE_NOTICE_HOURS};
use super::plan::{self, Asked};
use super::reminders::tell_own_times;
use super::repo::{self, Cancellation};
use super::views::{self, Shown};
use super::{CancelledBy, ContactSessionStatus};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::Role;
use crate::identity::{Caller, Principal};
use crate::notifications::Template;
use crate::referrals::decisions::{machine::Side, side_of};
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, parse_date};
use crate::vocabulary::FamilyId;

/// Where a session moves to.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"date": "2027-01-09"}))]
pub struct MoveSessionRequest {
    /// The new date, at the centre (Europe/London).
    #[schema(format = Date)]
    pub date: String,
    /// Another opening session of the centre; the same one when absent.
    pub opening_session_id: Option<Uuid>,
}

/// A coordinator moves a session still to come to another date (and
/// perhaps another opening session): the service, staff member, link or
/// place and the days to a pick-up stay as they were. The new date is
/// booked as any booking is (a place, the staff member free and vetted,
/// windows kept apart) or the move is refused and nothing changes. Each
/// party who attends is told their own new times.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = "The family's id"),
        ("session_id" = Uuid, Path, description = "The contact session's id"),
    ),
    request_body = MoveSessionRequest,
    responses(
        (status = 201, description = "Moved: the new session (the old one is cancelled by the centre)", body = ContactSessionResponse,
            headers(("Location" = String, description = "The family's sessions"))),
        (status = 403, description = "Not a coordinator of the family's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family or session the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is not a scheduled one still to come, or the new date's place, staff member or entrances are taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad date: past, before contact started, a day the opening session does not run, a closure", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/contact-sessions/{session_id}/move")]
pub async fn move_contact_session(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, Uuid)>,
    body: web::Json<MoveSessionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, session_id) = path.into_inner();
    let mut errors = FieldErrors::default();
    let date = errors.take(parse_date("date", &body.date));
    let date = errors.finish_one(date)?;
    let slot = body.opening_session_id;
    let mut conn = pool.get().await?;
    let moved = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = family_case(conn, id, true).await?;
            let mover = match (&*caller, side_of(&caller, &b)?) {
                (Principal::User(u), Side::Centre) if u.role == Role::Coordinator => u.id,
                _ => return Err(ApiError::Forbidden),
            };
            let old = repo::find_locked(conn, id, session_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let now = OffsetDateTime::now_utc();
            if old.status != ContactSessionStatus::Scheduled || old.starts_at <= now {
                return Err(ApiError::Conflict(
                    "only a scheduled session still to come is moved".into(),
                ));
            }
            let asked = Asked {
                opening_session_id: slot.unwrap_or(old.opening_session_id.into()),
                service: Some(old.service),
                staff_id: old.staff_id.map(Into::into),
                meeting_link: old.meeting_link.clone(),
                place: old.place.clone(),
                pick_up_after_days: Some((old.ends_on - old.on_date).whole_days()),
            };
            let plan = plan::plan(conn, &b, id, &asked, mover).await?;
            let started = repo::arrangement_of(conn, b.referral.id).await?;
            let mut errors = FieldErrors::default();
            if started.as_ref().is_some_and(|a| date < a.first_on) {
                errors.push("date", "before_start", "must not be before contact started");
            }
            if !booking::runs_on(&plan.slot, date) {
                errors.push(
                    "date",
                    "not_running",
                    "the opening session does not run that day",
                );
            }
            if !booking::still_to_come(conn, &plan, date).await? {
                errors.push("date", "past", "must be still to come");
            }
            errors.finish(())?;
            let attended: Vec<_> = repo::windows_of(conn, &[old.id])
                .await?
                .into_iter()
                .map(|w| w.adult_id)
                .collect();
            // The old session goes first, freeing its place, its staff
            // member's time and its windows for the new date.
            let notice = (old.starts_at - now).whole_hours();
            let cancellation = Cancellation {
                by: Some(mover),
                side: CancelledBy::Centre,
                adult: None,
                reason: format!("Moved to {}", format_date(date)),
                notice_hours: i32::try_from(notice).unwrap_or(i32::MAX),
                late: notice < LATE_NOTICE_HOURS,
            };
            let old = repo::cancel(conn, old.id, &cancellation)
                .await?
                .ok_or_else(|| ApiError::Conflict("the session was changed meanwhile".into()))?;
            let (booked, skipped) = booking::book_dates(conn, &b, &plan, &[date]).await?;
            let Some((new, windows)) = booked.into_iter().next() else {
                return Err(skipped.first().map(booking::refusal).unwrap_or_else(|| {
                    ApiError::Conflict("the new date could not be booked".into())
                }));
            };
            record(
                conn,
                &caller,
                &old,
                "move_contact_session",
                "contact_session.cancelled",
            )
            .await?;
            record(
                conn,
                &caller,
                &new,
                "move_contact_session",
                "contact_session.moved",
            )
            .await?;
            // A party who attended the old session but not the new one
            // (the conditions changed) is told only that it is cancelled.
            let dropped: Vec<_> = attended
                .iter()
                .copied()
                .filter(|a| !windows.iter().any(|w| w.adult_id == *a))
                .collect();
            if !dropped.is_empty() {
                super::handlers::tell_parties_cancelled(conn, &b, &old, &dropped).await?;
            }
            // Each party who attends hears their own new times.
            let moved_from = format_date(old.on_date);
            tell_own_times(conn, &b, &new, &windows, Template::SessionMoved, |c| {
                c["moved_from"] = serde_json::json!(moved_from);
            })
            .await?;
            Ok(views::session(new, &windows, &Shown::All))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/families/{id}/contact-sessions"),
        ))
        .json(moved))
}
