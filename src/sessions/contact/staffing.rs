//! The staff member of a one-to-one session: only someone vetted past the
//! session's day and available then is assigned. The jobs take a person
//! whose vetting lapsed (or who left the centre, or is no longer available
//! then) off every future session and tell the coordinators, who assign
//! another (`PUT /families/{id}/contact-sessions/{session_id}/staff`).
//! Re-recording a person's vetting or availability is caught the same way
//! on the next pass.

use actix_web::{put, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::ContactSessionResponse;
use super::handlers::{family_case, record};
use super::repo::{self, ContactSession};
use super::views::{self, Shown};
use super::{one_to_one, ContactSessionStatus};
use crate::audit::Actor;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::Role;
use crate::identity::vetting::{self, Unassignable};
use crate::identity::{Caller, Principal};
use crate::notifications::{self, Template};
use crate::referrals::access::Viewer;
use crate::schema::contact_sessions;
use crate::vocabulary::calendar::format_date;
use crate::vocabulary::{CentreId, FamilyId, UserId};

/// Why a person cannot be assigned, in words.
fn why(u: Unassignable) -> &'static str {
    match u {
        Unassignable::NotStaff => "is not an active staff member of the centre",
        Unassignable::NotVetted => "has no vetting current that day",
        Unassignable::Unavailable => "is not available at that time",
    }
}

/// Takes staff who may no longer be assigned off the scheduled sessions
/// still to come, and tells the centre's coordinators of each. Instances
/// may run it at once: a session is cleared (and its coordinators told)
/// only by the pass whose update found the person still assigned.
pub async fn unassign_lapsed(pool: &Pool, now: OffsetDateTime) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let pairs: Vec<(Option<UserId>, CentreId)> = contact_sessions::table
        .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled))
        .filter(contact_sessions::starts_at.gt(now))
        .filter(contact_sessions::staff_id.is_not_null())
        .select((contact_sessions::staff_id, contact_sessions::centre_id))
        .distinct()
        .load(&mut conn)
        .await?;
    let mut cleared = 0;
    for (staff, centre_id) in pairs {
        let Some(staff) = staff else { continue };
        cleared += conn
            .transaction::<_, ApiError, _>(async move |conn| {
                person_pass(conn, staff, centre_id, now).await
            })
            .await?;
    }
    Ok(cleared)
}

async fn person_pass(
    conn: &mut AsyncPgConnection,
    staff: UserId,
    centre_id: CentreId,
    now: OffsetDateTime,
) -> Result<usize, ApiError> {
    let staffing = vetting::staffing(conn, staff, centre_id).await?;
    let theirs: Vec<ContactSession> = contact_sessions::table
        .filter(contact_sessions::staff_id.eq(staff))
        .filter(contact_sessions::centre_id.eq(centre_id))
        .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled))
        .filter(contact_sessions::starts_at.gt(now))
        .select(ContactSession::as_select())
        .load(conn)
        .await?;
    let coordinators = crate::identity::repo::coordinator_emails(conn, centre_id).await?;
    let mut cleared = 0;
    for s in theirs {
        let Err(reason) = staffing.assignable(s.ends_on, s.starts, s.ends) else {
            continue;
        };
        let updated: Option<ContactSession> = diesel::update(
            contact_sessions::table
                .filter(contact_sessions::id.eq(s.id))
                .filter(contact_sessions::staff_id.eq(staff))
                .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled)),
        )
        .set(contact_sessions::staff_id.eq(None::<UserId>))
        .returning(ContactSession::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        let Some(s) = updated else { continue };
        let context = serde_json::json!({
            "family_id": s.family_id,
            "contact_session_id": s.id,
            "date": format_date(s.on_date),
            "why": why(reason),
        });
        for email in &coordinators {
            notifications::enqueue(conn, email, Template::StaffUnassigned, context.clone()).await?;
        }
        record(
            conn,
            Actor::system(),
            &s,
            "unassign_staff",
            "contact_session.staff_unassigned",
        )
        .await?;
        cleared += 1;
    }
    Ok(cleared)
}

/// The staff member to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"staff_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c"}))]
pub struct AssignStaffRequest {
    /// A staff member or coordinator of the centre, vetted past the
    /// session's day and available then.
    pub staff_id: Uuid,
}

/// A coordinator assigns a staff member to a one-to-one session still to
/// come: an active member of the centre, vetted past its day, available
/// then, and not with another family at the time (409).
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = "The family's id"),
        ("session_id" = Uuid, Path, description = "The contact session's id"),
    ),
    request_body = AssignStaffRequest,
    responses(
        (status = 200, description = "Assigned", body = ContactSessionResponse),
        (status = 403, description = "Not a coordinator of the family's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family or session the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is not a scheduled one still to come, or the staff member is with another family then", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a one-to-one service, or the person may not be assigned (not staff of the centre, vetting not current that day, not available)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/families/{id}/contact-sessions/{session_id}/staff")]
pub async fn assign_staff(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, Uuid)>,
    body: web::Json<AssignStaffRequest>,
) -> Result<web::Json<ContactSessionResponse>, ApiError> {
    let (id, session_id) = path.into_inner();
    let staff = UserId::from(body.staff_id);
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = family_case(conn, id, false).await?;
            let viewer = views::viewer(&caller, &b)?;
            match (&*caller, &viewer) {
                (Principal::User(u), Viewer::Centre) if u.role == Role::Coordinator => {}
                _ => return Err(ApiError::Forbidden),
            }
            let s = repo::find_locked(conn, id, session_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if s.status != ContactSessionStatus::Scheduled
                || s.starts_at <= OffsetDateTime::now_utc()
            {
                return Err(ApiError::Conflict(
                    "only a scheduled session still to come is staffed".into(),
                ));
            }
            if !one_to_one(s.service) {
                return Err(ApiError::field(
                    "staff_id",
                    "not_one_to_one",
                    "only a one-to-one service takes a staff member of its own",
                ));
            }
            let staffing = vetting::staffing(conn, staff, s.centre_id).await?;
            if let Err(u) = staffing.assignable(s.ends_on, s.starts, s.ends) {
                return Err(ApiError::field(
                    "staff_id",
                    "unassignable",
                    format!("the staff member {}", why(u)),
                ));
            }
            let s = repo::assign_staff(conn, s.id, staff).await?;
            record(
                conn,
                &caller,
                &s,
                "assign_staff",
                "contact_session.staff_assigned",
            )
            .await?;
            let windows = repo::windows_of(conn, &[s.id]).await?;
            Ok(views::session(s, &windows, &Shown::All))
        })
        .await?;
    Ok(web::Json(response))
}
