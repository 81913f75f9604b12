//! Who sees a referral, and how much of it: the rules that keep one party's
//! details from the other (DOMAIN.md "Rules that protect people").
//!
//! | viewer | sees |
//! | --- | --- |
//! | the centre's coordinators | everything |
//! | the centre's staff, a centre's integration client | names, children, who may attend, do-not-meet; no contact details; risk statements only when marked for staff |
//! | referrers of the referring organisation, its integration clients (`referrals:read`) | the referral and its status; no party's contact details; only the referrer's own risk statements |
//! | a parent named in it | their own details; another adult's only where that adult consented to share them; only their own risk statements |
//! | network admins | nothing (403): no family detail |
//!
//! A draft is seen by its author alone. History entries marked `centre` reach
//! the centre's coordinators alone; staff, the referrer's side and the
//! parents read the `shared` ones.

use crate::vocabulary::{AdultId, CentreId, ClientId, OrganisationId, UserId};

use super::model::{ReferralBundle, ReferralStatus};
use crate::error::ApiError;
use crate::identity::roles::{Role, Scope};
use crate::identity::{ClientPrincipal, Principal};

/// How much of a referral a caller sees.
#[derive(Debug, Clone, PartialEq)]
pub enum Viewer {
    Centre,
    Staff,
    Referrer,
    Parent { adult_ids: Vec<AdultId> },
}

/// The caller's view of a referral, or 404 where they may not see it (403
/// for network admins, who may know referrals exist but see no family).
pub fn viewer(caller: &Principal, bundle: &ReferralBundle) -> Result<Viewer, ApiError> {
    viewer_for(caller, bundle, ClientUse::Read)
}

/// As [`viewer`], for a reading `what` needs of an integration client's
/// token (a family's sessions need `sessions:read`); people as ever.
pub fn viewer_for(
    caller: &Principal,
    bundle: &ReferralBundle,
    what: ClientUse,
) -> Result<Viewer, ApiError> {
    let r = &bundle.referral;
    let draft = r.status == ReferralStatus::Draft;
    match caller {
        Principal::User(u) => {
            let own_adults: Vec<AdultId> = bundle
                .adults
                .iter()
                .filter(|a| a.user_id == Some(u.id))
                .map(|a| a.id)
                .collect();
            if draft {
                return match (r.created_by_user == Some(u.id), u.role) {
                    (true, Role::Parent) => Ok(Viewer::Parent {
                        adult_ids: own_adults,
                    }),
                    (true, _) => Ok(Viewer::Referrer),
                    (false, Role::NetworkAdmin) => Err(ApiError::Forbidden),
                    (false, _) => Err(ApiError::NotFound),
                };
            }
            match u.role {
                Role::NetworkAdmin => Err(ApiError::Forbidden),
                Role::Coordinator if u.centre_ids.contains(&r.centre_id) => Ok(Viewer::Centre),
                Role::Staff if u.centre_ids.contains(&r.centre_id) => Ok(Viewer::Staff),
                Role::Referrer
                    if r.organisation_id.is_some() && r.organisation_id == u.organisation_id =>
                {
                    Ok(Viewer::Referrer)
                }
                Role::Parent if !own_adults.is_empty() => Ok(Viewer::Parent {
                    adult_ids: own_adults,
                }),
                _ => Err(ApiError::NotFound),
            }
        }
        Principal::Client(c) => {
            let own = r.created_by_client == Some(c.id);
            // A token without the scope to read it learns nothing, not even
            // that it exists: the same 404 as a missing referral.
            if !client_may(c, own, what) {
                return Err(ApiError::NotFound);
            }
            if own {
                return Ok(Viewer::Referrer);
            }
            if draft {
                return Err(ApiError::NotFound);
            }
            if c.organisation_id.is_some() && c.organisation_id == r.organisation_id {
                Ok(Viewer::Referrer)
            } else if c.centre_id == Some(r.centre_id) {
                Ok(Viewer::Staff)
            } else {
                Err(ApiError::NotFound)
            }
        }
    }
}

/// What an integration client does with a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientUse {
    /// Read it, its family or its documents.
    Read,
    /// Make, change or send it; attach a document; ask a party again.
    Write,
    /// Read its family's contact sessions.
    ReadSessions,
}

/// What an integration client's token must hold, operation by operation: the
/// token's own scopes (which may be fewer than the client's), never the
/// client's stored ones. People are governed by their role and the
/// who-sees-what table above instead.
///
/// | use | scopes (any of) |
/// | --- | --- |
/// | read | `referrals:read`; or `referrals:write` for a referral the client sent |
/// | write | `referrals:write` |
/// | read sessions | `sessions:read` |
pub fn client_may(client: &ClientPrincipal, own: bool, what: ClientUse) -> bool {
    let holds = |scope| client.scopes.contains(&scope);
    match what {
        ClientUse::Read => holds(Scope::ReferralsRead) || (own && holds(Scope::ReferralsWrite)),
        ClientUse::Write => holds(Scope::ReferralsWrite),
        ClientUse::ReadSessions => holds(Scope::SessionsRead),
    }
}

/// A write to a referral the caller may see: an integration client's token
/// must hold `referrals:write` (see [`client_may`]).
pub fn require_write(caller: &Principal, bundle: &ReferralBundle) -> Result<(), ApiError> {
    viewer(caller, bundle)?;
    match caller {
        Principal::Client(c) => {
            let own = bundle.referral.created_by_client == Some(c.id);
            match client_may(c, own, ClientUse::Write) {
                true => Ok(()),
                false => Err(ApiError::Forbidden),
            }
        }
        Principal::User(_) => Ok(()),
    }
}

/// Which referrals a caller may list.
#[derive(Debug, Clone)]
pub enum ListScope {
    /// Coordinators and staff: their centres' (not drafts).
    Centres(Vec<CentreId>),
    /// Referrers and clients: their organisation's (not drafts), and their own drafts.
    Organisation {
        organisation_id: Option<OrganisationId>,
        author: Option<UserId>,
        client: Option<ClientId>,
    },
    /// A parent: referrals that name them, and their own drafts.
    Parent(UserId),
}

/// The rows of `GET /referrals` this caller may list (drafts only to their
/// authors; network admins none).
pub fn list_scope(caller: &Principal) -> Result<ListScope, ApiError> {
    Ok(match caller {
        Principal::User(u) => match u.role {
            Role::NetworkAdmin => return Err(ApiError::Forbidden),
            Role::Coordinator | Role::Staff => ListScope::Centres(u.centre_ids.clone()),
            Role::Referrer => ListScope::Organisation {
                organisation_id: u.organisation_id,
                author: Some(u.id),
                client: None,
            },
            Role::Parent => ListScope::Parent(u.id),
        },
        Principal::Client(c) => {
            caller.require_scope(Scope::ReferralsRead)?;
            match (c.organisation_id, c.centre_id) {
                (Some(_), _) => ListScope::Organisation {
                    organisation_id: c.organisation_id,
                    author: None,
                    client: Some(c.id),
                },
                (None, Some(centre)) => ListScope::Centres(vec![centre]),
                (None, None) => return Err(ApiError::Forbidden),
            }
        }
    })
}

/// The author of a draft may change and submit it.
pub fn require_author(caller: &Principal, bundle: &ReferralBundle) -> Result<(), ApiError> {
    let r = &bundle.referral;
    let author = match caller {
        Principal::User(u) => r.created_by_user == Some(u.id),
        Principal::Client(c) => r.created_by_client == Some(c.id),
    };
    if author {
        require_write(caller, bundle)
    } else {
        // Whoever may see it learns they may not do this; others learn nothing.
        viewer(caller, bundle)?;
        Err(ApiError::Forbidden)
    }
}
