//! What the observation routes share: who asks and who decides, how a
//! request is shown, and how a change is recorded and told.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::ObservationRequestResponse;
use super::repo::{self, ObservationRequest};
use super::views::{self, Seen};
use super::ObservationStatus;
use crate::audit::{self, Event};
use crate::error::ApiError;
use crate::events::{self, DomainEvent};
use crate::identity::repo as identity_repo;
use crate::identity::roles::{ReferrerType, Role};
use crate::identity::{Caller, Principal, UserPrincipal};
use crate::notifications::{self, Template};
use crate::sessions::contact::repo as contact_repo;
use crate::vocabulary::calendar::format_date;
use crate::vocabulary::{CentreId, UserId};

/// The audit row, domain event and word to those concerned of a change to
/// a request. The event says the day and the status, never the clients.
pub(super) async fn record(
    conn: &mut AsyncPgConnection,
    actor: impl Into<crate::audit::Actor>,
    r: &ObservationRequest,
    action: &str,
    event_type: &'static str,
    tell: &[String],
    template: Template,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event::new(actor, action, "observation_request")
            .resource(r.id)
            .centre(Some(r.centre_id)),
    )
    .await?;
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "observation_request",
            resource_id: r.id,
            centre_id: Some(r.centre_id),
            organisation_id: r.organisation_id,
            payload: serde_json::json!({
                "date": format_date(r.on_date),
                "status": r.status,
            }),
        },
    )
    .await?;
    let context = serde_json::json!({
        "observation_request_id": r.id,
        "date": format_date(r.on_date),
    });
    for email in tell {
        notifications::enqueue(conn, email, template, context.clone()).await?;
    }
    Ok(())
}

/// The officer asking: a person, a referrer of type
/// `childrens_court_officer`.
pub(super) async fn officer(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
) -> Result<crate::identity::model::User, ApiError> {
    let Principal::User(u) = caller else {
        return Err(ApiError::Forbidden);
    };
    if u.role != Role::Referrer {
        return Err(ApiError::Forbidden);
    }
    let user = identity_repo::find_user(conn, u.id)
        .await?
        .ok_or(ApiError::Forbidden)?;
    match user.referrer_type {
        Some(ReferrerType::ChildrensCourtOfficer) => Ok(user),
        _ => Err(ApiError::Forbidden),
    }
}

/// A coordinator of the request's centre.
pub(super) fn coordinator_of(caller: &Principal, centre_id: CentreId) -> Option<&UserPrincipal> {
    match caller {
        Principal::User(u) if u.role == Role::Coordinator && u.centre_ids.contains(&centre_id) => {
            Some(u)
        }
        _ => None,
    }
}

/// How the caller sees a request, or 404 where they may not see it.
pub(super) fn seen_by(caller: &Principal, r: &ObservationRequest) -> Result<Seen, ApiError> {
    if coordinator_of(caller, r.centre_id).is_some() {
        return Ok(Seen::Centre);
    }
    match caller {
        Principal::User(u) if u.id == r.requested_by => Ok(Seen::Requester),
        _ => Err(ApiError::NotFound),
    }
}

/// A request with its session (once approved), as the caller sees it.
pub(super) async fn shown(
    conn: &mut AsyncPgConnection,
    r: ObservationRequest,
    seen: Seen,
) -> Result<ObservationRequestResponse, ApiError> {
    let session = match r.contact_session_id {
        Some(id) => contact_repo::by_ids(conn, &[id]).await?.into_iter().next(),
        None => None,
    };
    Ok(views::request(r, session.as_ref(), seen))
}

/// A pending request of the caller's centre, locked, for a coordinator's
/// decision.
pub(super) async fn to_decide(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<(ObservationRequest, crate::vocabulary::UserId), ApiError> {
    let r = repo::find(conn, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let Some(coordinator) = coordinator_of(caller, r.centre_id) else {
        // The officer may read it, but not decide it.
        seen_by(caller, &r)?;
        return Err(ApiError::Forbidden);
    };
    if r.status != ObservationStatus::Pending {
        return Err(ApiError::Conflict(format!(
            "the request is {}; only a pending request is decided",
            r.status.as_str()
        )));
    }
    Ok((r, coordinator.id))
}

/// A coordinator's decision: the request settled as `status` (with the
/// session observed, for an approval), recorded, and the officer told it is
/// answered (never how, nor why).
#[allow(clippy::too_many_arguments)]
pub(super) async fn answer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    r: &ObservationRequest,
    coordinator: UserId,
    status: ObservationStatus,
    session: Option<Uuid>,
    reason: Option<String>,
    (action, event_type): (&str, &'static str),
) -> Result<ObservationRequest, ApiError> {
    let r = repo::settle(conn, r.id, status, session, Some(coordinator), reason).await?;
    let officer = officer_of(conn, &r).await?;
    record(
        conn,
        caller,
        &r,
        action,
        event_type,
        &officer,
        Template::ObservationAnswered,
    )
    .await?;
    Ok(r)
}

/// Where the officer who asked is told: nowhere if their account is gone
/// or no longer active.
pub(super) async fn officer_of(
    conn: &mut AsyncPgConnection,
    r: &ObservationRequest,
) -> Result<Vec<String>, ApiError> {
    Ok(identity_repo::find_user(conn, r.requested_by)
        .await?
        .filter(|u| u.status == crate::identity::roles::UserStatus::Active)
        .map(|u| u.email)
        .into_iter()
        .collect())
}
