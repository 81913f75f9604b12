//! Who may see and change a centre's entry.
//!
//! - Anyone (no token) sees active centres, their venues and dated openings.
//! - A centre's own coordinators and staff, and network admins, also see it
//!   suspended or closed, its rooms, weekly slots and closures.
//! - Its coordinators, and network admins, change it; only network admins
//!   create centres, change their status and record accreditation.
//! - An integration client reads the public directory with `centres:read`.

use crate::vocabulary::CentreId;

use super::model::{Centre, CentreStatus};
use crate::error::ApiError;
use crate::identity::roles::{Role, Scope};
use crate::identity::Principal;

/// How much of a centre a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone: an active centre, its venues and dated openings.
    Public,
    /// Its own coordinators and staff, and network admins: also rooms, and
    /// why it is suspended or closed.
    Insider,
}

/// The caller's view of a centre.
pub fn viewer(caller: Option<&Principal>, centre_id: CentreId) -> Viewer {
    match is_insider(caller, centre_id) {
        true => Viewer::Insider,
        false => Viewer::Public,
    }
}

/// The centre's own people (coordinators and staff) and network admins.
pub fn is_insider(caller: Option<&Principal>, centre_id: CentreId) -> bool {
    match caller {
        Some(Principal::User(u)) => {
            u.role == Role::NetworkAdmin
                || (matches!(u.role, Role::Coordinator | Role::Staff)
                    && u.centre_ids.contains(&centre_id))
        }
        _ => false,
    }
}

/// A client that sends a token must hold `centres:read` to read the directory.
pub fn require_read(caller: Option<&Principal>) -> Result<(), ApiError> {
    match caller {
        Some(principal) => principal.require_scope(Scope::CentresRead),
        None => Ok(()),
    }
}

/// The centre if the caller may see it; a centre they may not see does not exist
/// for them (404, never 403, so that suspended centres are not revealed).
pub fn visible(caller: Option<&Principal>, centre: Option<Centre>) -> Result<Centre, ApiError> {
    let centre = centre.ok_or(ApiError::NotFound)?;
    let active = centre.status == CentreStatus::Active;
    if active || is_insider(caller, centre.id) {
        Ok(centre)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Its coordinators and network admins change a centre's entry.
pub fn require_manager(caller: &Principal, centre_id: CentreId) -> Result<(), ApiError> {
    let user = caller.require_role(&[Role::Coordinator, Role::NetworkAdmin])?;
    if user.role == Role::NetworkAdmin || user.centre_ids.contains(&centre_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Reads for insiders only (weekly slots with rooms and capacities, closures).
pub fn require_insider(caller: &Principal, centre_id: CentreId) -> Result<(), ApiError> {
    if is_insider(Some(caller), centre_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
