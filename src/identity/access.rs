//! Who may see and manage accounts and clients.
//!
//! | caller | users they see and manage | clients they manage |
//! | --- | --- | --- |
//! | network admin | everyone but parents; invites network admins and coordinators | all; a centre's only without `referrals:*` scopes |
//! | coordinator | the people of their centres; invites and disables staff there | their centres' |
//! | anyone else | themselves | none |
//!
//! Network admins see no family detail, and a parent's account is family
//! detail: it is read by its owner only (the centre sees the parent as a
//! party of the referral, through referrals).

use super::model::User;
use super::repo::{self, UserScope};
use super::roles::{Role, Scope};
use super::UserPrincipal;
use crate::error::ApiError;
use crate::vocabulary::{CentreId, UserId};

/// May `actor` invite a person with `role` into `centres`? A network admin
/// invites network admins and coordinators; a coordinator invites staff into
/// centres they run themselves. Referrers register themselves and parents are
/// invited from referrals.
pub fn may_invite(
    actor: &crate::identity::UserPrincipal,
    role: Role,
    centres: &[CentreId],
) -> bool {
    match (actor.role, role) {
        (Role::NetworkAdmin, Role::NetworkAdmin | Role::Coordinator) => true,
        (Role::Coordinator, Role::Staff) => centres.iter().all(|c| actor.centre_ids.contains(c)),
        _ => false,
    }
}

/// The users a list shows this caller (coordinators and network admins).
pub fn user_scope(actor: &UserPrincipal) -> UserScope<'_> {
    match actor.role {
        Role::NetworkAdmin => UserScope::AllButParents,
        _ => UserScope::Centres(&actor.centre_ids),
    }
}

/// Loads a user the caller may see: themselves, anyone but a parent for a
/// network admin, the people of their centres for a coordinator. Anyone
/// else's id is a 404.
pub async fn visible_user(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: &UserPrincipal,
    id: UserId,
) -> Result<(User, Vec<CentreId>), ApiError> {
    let user = repo::find_user(conn, id).await?.ok_or(ApiError::NotFound)?;
    let centres = repo::centre_ids_of(conn, id).await?;
    let visible = actor.id == id
        || (actor.role == Role::NetworkAdmin && user.role != Role::Parent)
        || (actor.role == Role::Coordinator
            && centres.iter().any(|c| actor.centre_ids.contains(c)));
    if visible {
        Ok((user, centres))
    } else {
        Err(ApiError::NotFound)
    }
}

/// May the caller make a client bound to `centre_id` (or to an organisation,
/// with `None`) holding `scopes`? As [`may_manage_client`], except that a
/// network admin, who sees no family detail, may not give a centre's client
/// a scope that reads the centre's families (see [`reads_families`]): that
/// is for the centre's own coordinators to give. Rotating a client's secret
/// follows the same rule, as the secret's holder reads what the client reads.
pub fn may_create_client(
    actor: &crate::identity::UserPrincipal,
    centre_id: Option<CentreId>,
    scopes: &[Scope],
) -> bool {
    may_manage_client(actor, centre_id) && !admin_would_read_families(actor, centre_id, scopes)
}

/// A scope through which a centre's client reads its families: their
/// referrals, contact sessions (the day sheet names families, children and
/// needs) or attendance.
fn reads_families(scope: Scope) -> bool {
    match scope {
        Scope::ReferralsRead
        | Scope::ReferralsWrite
        | Scope::SessionsRead
        | Scope::AttendanceRead => true,
        Scope::CentresRead => false,
    }
}

fn admin_would_read_families(
    actor: &crate::identity::UserPrincipal,
    centre_id: Option<CentreId>,
    scopes: &[Scope],
) -> bool {
    actor.role == Role::NetworkAdmin
        && centre_id.is_some()
        && scopes.iter().copied().any(reads_families)
}

/// May the caller manage a client bound to this organisation or centre? Network
/// admins any; coordinators only clients of their own centres.
pub fn may_manage_client(
    actor: &crate::identity::UserPrincipal,
    centre_id: Option<CentreId>,
) -> bool {
    match actor.role {
        Role::NetworkAdmin => true,
        Role::Coordinator => centre_id.is_some_and(|c| actor.centre_ids.contains(&c)),
        _ => false,
    }
}
