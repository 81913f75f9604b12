//! A centre's waiting list, per service (DOMAIN.md "Referral": `waitlisted`
//! when the centre has no place now), and the offers of a place.
//!
//! - The order is first come (`waitlisted_at`), except that families with a
//!   recorded priority reason come before the rest (first come among
//!   themselves).
//! - A coordinator offers a place to a family; the offer holds until it
//!   expires (the centre's `offer_days`, default 7). The referrer's side, or
//!   the parent who referred themselves, takes it (the referral is
//!   `accepted`) or refuses it.
//! - A refused or lapsed place passes to the next family in line that has
//!   not had it; the family that let it go keeps its own place in line. A
//!   lapse is shown at once on every read (its state is worked out from the
//!   expiry); the place is passed on by the next write at the centre or the
//!   next read of its list ([`repo::sweep`]), under a lock on the centre, so
//!   instances never offer one place twice.
//!
//! | caller | sees |
//! | --- | --- |
//! | the centre's coordinators and staff | the whole list (`GET /centres/{id}/waiting-list`) |
//! | everyone who sees a referral | its position and its latest offer, on the referral |

pub mod dto;
pub mod handlers;
pub mod repo;

use time::OffsetDateTime;

use crate::vocabulary::ReferralId;

/// A family waiting for a place.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub referral_id: ReferralId,
    pub waitlisted_at: OffsetDateTime,
    pub priority_reason: Option<String>,
}

/// The list in its order: prioritised families first, each group first come.
pub fn in_order(mut list: Vec<Waiting>) -> Vec<Waiting> {
    list.sort_by(|a, b| {
        (a.priority_reason.is_none(), a.waitlisted_at, a.referral_id).cmp(&(
            b.priority_reason.is_none(),
            b.waitlisted_at,
            b.referral_id,
        ))
    });
    list
}

/// The family a place passes to: the first in line that has not had it and
/// has no offer open.
pub fn next_in_line(
    ordered: &[Waiting],
    had_the_place: &[ReferralId],
    holding_an_offer: &[ReferralId],
) -> Option<ReferralId> {
    ordered
        .iter()
        .map(|w| w.referral_id)
        .find(|id| !had_the_place.contains(id) && !holding_an_offer.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn waiting(n: u128, at: OffsetDateTime, priority: Option<&str>) -> Waiting {
        Waiting {
            referral_id: ReferralId(uuid::Uuid::from_u128(n)),
            waitlisted_at: at,
            priority_reason: priority.map(str::to_owned),
        }
    }

    #[test]
    fn first_come_unless_a_reason_prioritises() {
        let list = in_order(vec![
            waiting(1, datetime!(2026-11-01 10:00 UTC), None),
            waiting(
                2,
                datetime!(2026-11-03 10:00 UTC),
                Some("Final hearing in 3 weeks"),
            ),
            waiting(3, datetime!(2026-10-20 10:00 UTC), None),
            waiting(
                4,
                datetime!(2026-11-02 10:00 UTC),
                Some("Child's wish, per Cafcass"),
            ),
        ]);
        let order: Vec<u128> = list.iter().map(|w| w.referral_id.0.as_u128()).collect();
        assert_eq!(order, [4, 2, 3, 1]);
    }

    #[test]
    fn a_place_passes_to_the_first_who_has_not_had_it() {
        let list = in_order(vec![
            waiting(1, datetime!(2026-11-01 10:00 UTC), None),
            waiting(2, datetime!(2026-11-02 10:00 UTC), None),
            waiting(3, datetime!(2026-11-03 10:00 UTC), None),
        ]);
        let id = |n: u128| ReferralId(uuid::Uuid::from_u128(n));
        assert_eq!(next_in_line(&list, &[id(1)], &[]), Some(id(2)));
        assert_eq!(next_in_line(&list, &[id(1)], &[id(2)]), Some(id(3)));
        assert_eq!(next_in_line(&list, &[id(1), id(2), id(3)], &[]), None);
    }
}
