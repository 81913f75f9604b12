//! Changes to a centre's entry, each in one transaction with its audit row:
//! its coordinators' edits, its accreditation, its status. Answers the centre
//! as its own people see it.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::access::{self, require_manager, Viewer};
use super::dto::CentreResponse;
use super::model::{AccreditationChanges, Centre, CentreChanges, CentreStatus};
use super::{repo, views};
use crate::audit::{self, Event};
use crate::error::ApiError;
use crate::identity::Caller;
use crate::vocabulary::calendar::uk_today;
use crate::vocabulary::{CentreId, ServiceType};

/// A coordinator's (or network admin's) edit. A service still offered by a
/// current or future opening session cannot be withdrawn from the centre.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: CentreId,
    changes: CentreChanges,
    services: Option<Vec<ServiceType>>,
) -> Result<CentreResponse, ApiError> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let centre = access::visible(Some(caller), repo::lock_centre(conn, id).await?)?;
        require_manager(caller, centre.id)?;
        if let Some(services) = &services {
            let today = uk_today(conn).await?;
            let withdrawn: Vec<String> = repo::services_in_use(conn, id, today)
                .await?
                .into_iter()
                .filter(|s| !services.iter().any(|n| n.as_str() == s))
                .collect();
            if !withdrawn.is_empty() {
                return Err(ApiError::field(
                    "services",
                    "in_use",
                    format!(
                        "opening sessions still offer {}; change or end them first",
                        withdrawn.join(", ")
                    ),
                ));
            }
        }
        let centre = repo::update_centre(conn, id, &changes).await?;
        answer(conn, caller, "update", centre).await
    })
    .await
}

/// The network's record of a centre's accreditation.
pub async fn accredit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: CentreId,
    changes: AccreditationChanges,
) -> Result<CentreResponse, ApiError> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        repo::lock_centre(conn, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let centre = repo::set_accreditation(conn, id, &changes).await?;
        answer(conn, caller, "accredit", centre).await
    })
    .await
}

/// Suspends, closes or reinstates a centre; a closed centre stays closed
/// ([`CentreStatus::may_become`]), and the reason is kept unless it is active.
pub async fn change_status(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: CentreId,
    status: CentreStatus,
    reason: Option<String>,
) -> Result<CentreResponse, ApiError> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let current = repo::lock_centre(conn, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if !current.status.may_become(status) {
            return Err(ApiError::Conflict(format!(
                "a {} centre cannot become {}",
                current.status, status
            )));
        }
        let reason = reason.filter(|_| status != CentreStatus::Active);
        let centre = repo::set_status(conn, id, status, reason.as_deref()).await?;
        let action = match status {
            CentreStatus::Active => "reinstate",
            CentreStatus::Suspended => "suspend",
            CentreStatus::Closed => "close",
        };
        answer(conn, caller, action, centre).await
    })
    .await
}

/// Audits the change, then answers the centre with its venues as its own
/// people see it.
async fn answer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    centre: Centre,
) -> Result<CentreResponse, ApiError> {
    audit::record(
        conn,
        Event::new(caller, action, "centre")
            .resource(centre.id)
            .centre(Some(centre.id)),
    )
    .await?;
    let venues = repo::venues_of(conn, centre.id).await?;
    views::centre(centre, venues, Viewer::Insider)
}
