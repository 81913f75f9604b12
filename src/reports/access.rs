//! Who reads which report.
//!
//! | caller | network summary | audit trail |
//! | --- | --- | --- |
//! | network admin | all of it (no family detail in it) | every entry, naming no parent |
//! | coordinator | no (403) | the entries about their centres' records |
//! | anyone else | no (403) | no (403) |

use crate::error::ApiError;
use crate::identity::roles::Role;
use crate::identity::Principal;
use crate::vocabulary::CentreId;

/// The audit entries a caller may list.
pub enum TrailScope<'a> {
    Everything,
    Centres(&'a [CentreId]),
}

impl<'a> TrailScope<'a> {
    /// The centres a list is limited to, if any.
    pub fn centres(&self) -> Option<&'a [CentreId]> {
        match self {
            Self::Everything => None,
            Self::Centres(c) => Some(c),
        }
    }

    /// Whether entries may name parents: coordinators see the families of
    /// their centres; network admins see no family detail.
    pub fn sees_parents(&self) -> bool {
        matches!(self, Self::Centres(_))
    }
}

pub fn trail_scope(caller: &Principal) -> Result<TrailScope<'_>, ApiError> {
    let user = caller.require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    Ok(match user.role {
        Role::NetworkAdmin => TrailScope::Everything,
        _ => TrailScope::Centres(&user.centre_ids),
    })
}

pub fn require_network(caller: &Principal) -> Result<(), ApiError> {
    caller.require_role(&[Role::NetworkAdmin]).map(|_| ())
}
