//! The centre's decisions on a referral that reached it: review, accept,
//! decline, waitlist, close; and the referrer's side withdrawing it. The
//! moves are decided by [`machine`]; each is kept in the history with its
//! reason, written as a domain event and audited.

pub mod dto;
pub mod handlers;
pub mod letters;
pub mod machine;

use crate::error::ApiError;
use crate::identity::roles::Role;
use crate::identity::Principal;
use crate::referrals::access::{self, Viewer};
use crate::referrals::model::ReferralBundle;
use machine::Side;

/// Which side of a move the caller is on: the centre's coordinators decide;
/// the referring organisation's people and clients (`referrals:write`), or
/// the parent who referred themselves, withdraw; anyone else who sees the
/// referral onlooks. Those who may not see it get 404 (admins 403).
pub fn side_of(caller: &Principal, bundle: &ReferralBundle) -> Result<Side, ApiError> {
    let viewer = access::viewer(caller, bundle)?;
    let r = &bundle.referral;
    Ok(match (caller, viewer) {
        (Principal::User(u), Viewer::Centre) if u.role == Role::Coordinator => Side::Centre,
        (Principal::User(_), Viewer::Referrer) => Side::Referrer,
        (Principal::Client(c), Viewer::Referrer) => {
            let own = r.created_by_client == Some(c.id);
            match access::client_may(c, own, access::ClientUse::Write) {
                true => Side::Referrer,
                false => Side::Onlooker,
            }
        }
        // A parent who referred themselves is the referrer's side.
        (Principal::User(u), Viewer::Parent { .. }) if r.created_by_user == Some(u.id) => {
            Side::Referrer
        }
        _ => Side::Onlooker,
    })
}
