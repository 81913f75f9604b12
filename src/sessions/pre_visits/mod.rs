//! Pre-visits: before contact starts, the child with the resident parent or
//! carer, and each other party, visit the centre at their own times, at
//! least the family's stagger minutes apart, at a venue of the centre and
//! never on a closure. Each party's invitation (a letter kept as sent) shows
//! only their own time. At a visit the centre records it `done` (the party's
//! identity checked) or `missed`. The first booking moves an accepted
//! referral to `pre_visits` (`referrals::decisions`); a referral declined or
//! closed cancels those still to come (a trigger, in the same transaction).
//!
//! | viewer | sees |
//! | --- | --- |
//! | the centre's coordinators and staff | every pre-visit, with times |
//! | a party | their own pre-visits only |
//! | the referrer's side | each pre-visit's date and status, never a time |

pub mod booking;
pub mod dto;
pub mod handlers;
pub mod repo;
pub mod rules;

crate::text_enum! {
    /// Where a pre-visit stands.
    pub enum PreVisitStatus {
        /// Booked, not yet recorded.
        Booked => "booked",
        /// It took place; the party's identity was checked.
        Done => "done",
        /// The party did not come (another may be booked).
        Missed => "missed",
        /// The referral ended (declined or closed) before it took place.
        Cancelled => "cancelled",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_send_their_database_words() {
        crate::text_enum::assert_wire_words(
            super::PreVisitStatus::ALL,
            super::PreVisitStatus::as_str,
        );
    }
}
