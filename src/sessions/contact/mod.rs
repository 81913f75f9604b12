//! Contact sessions: a family's bookings in the centre's opening sessions,
//! from the day contact starts (`start`). A booking is for one date or a
//! repeat; supported contact takes one of the opening session's places, a
//! one-to-one service takes a vetted staff member for its time, and both are
//! held by the database (`slot_places`' check, an exclusion constraint), so
//! bookings at once never overbook. Each party has arrival and leaving
//! windows (`windows`), kept apart where the parties must not meet.
//!
//! | viewer | sees |
//! | --- | --- |
//! | the centre's coordinators and staff | every session, every window, the staff member |
//! | a party | each session, with their own windows only, once their identity was checked at their pre-visit |
//! | the referrer's side | each session's date, the opening session's times and its status, never a window |

pub mod arrangement;
pub mod booking;
pub mod displaced;
pub mod dto;
pub mod handlers;
pub mod moves;
pub mod outcomes;
pub mod plan;
pub mod reminders;
pub mod repo;
pub mod staffing;
pub mod start;
pub mod views;
pub mod windows;

use crate::error::ProblemType;
use crate::vocabulary::ServiceType;

/// This module's problems, for the catalogue.
pub const PROBLEMS: &[ProblemType] = &[ProblemType {
    uri: "/problems/not-ready",
    title: "The family is not ready for contact to start",
    statuses: &[409],
    meaning: "Contact starts once every party's pre-visit is done, each agreed the centre's current ground rules and has a phone number recorded; `missing` lists each thing still missing (`what`: `pre_visit`, `ground_rules` or `phone`, with the `adult_id`).",
}];

crate::text_enum! {
    /// Where a contact session stands.
    pub enum ContactSessionStatus {
        /// Booked, still to come (or today's, not yet recorded).
        Scheduled => "scheduled",
        /// Called off before it took place (by whom, the notice, the reason).
        Cancelled => "cancelled",
        /// It took place.
        Completed => "completed",
        /// Staff ended it early (it distressed the child).
        Terminated => "terminated",
        /// A party did not come.
        NoShow => "no_show",
    }
}

crate::text_enum! {
    /// How often a regular arrangement repeats.
    pub enum Frequency {
        Weekly => "weekly",
        Fortnightly => "fortnightly",
    }
}

impl Frequency {
    /// Days between sessions.
    pub fn days(self) -> i64 {
        match self {
            Frequency::Weekly => 7,
            Frequency::Fortnightly => 14,
        }
    }
}

crate::text_enum! {
    /// A party's window at a session.
    pub enum WindowKind {
        /// When they arrive (the resident party brings the child).
        Arrives => "arrives",
        /// When they leave (the resident party collects the child).
        Leaves => "leaves",
    }
}

crate::text_enum! {
    /// Who cancelled a session.
    pub enum CancelledBy {
        /// The centre's coordinator (or the centre's closure).
        Centre => "centre",
        /// The referrer's side.
        Referrer => "referrer",
        /// A party, giving notice of absence.
        Party => "party",
    }
}

/// Whether a service is one-to-one: it needs a vetted staff member of its
/// own for its time (DOMAIN.md, "Services").
pub fn one_to_one(service: ServiceType) -> bool {
    matches!(
        service,
        ServiceType::Supervised
            | ServiceType::VirtualSupervised
            | ServiceType::Community
            | ServiceType::Preparatory
            | ServiceType::SupervisedAssessment
            | ServiceType::LifeStory
    )
}

/// Whether a service takes one of the opening session's places: several
/// families share the room for supported contact.
pub fn takes_place(service: ServiceType) -> bool {
    service == ServiceType::Supported
}

/// Sample values for this module's unit tests.
#[cfg(test)]
pub mod samples {
    use super::repo::ContactSession;
    use crate::vocabulary::{
        CentreId, FamilyId, OpeningSessionId, ReferralId, ServiceType, UserId, VenueId,
    };
    use time::macros::{date, datetime, time};

    /// A supported session on Saturday 19 December 2026, 10:00 to 12:00.
    pub fn session() -> ContactSession {
        ContactSession {
            id: uuid::Uuid::now_v7(),
            referral_id: ReferralId::new(),
            family_id: FamilyId::new(),
            centre_id: CentreId::new(),
            venue_id: VenueId::new(),
            opening_session_id: OpeningSessionId::new(),
            series_id: uuid::Uuid::now_v7(),
            service: ServiceType::Supported,
            on_date: date!(2026 - 12 - 19),
            starts: time!(10:00),
            ends_on: date!(2026 - 12 - 19),
            ends: time!(12:00),
            starts_at: datetime!(2026-12-19 10:00 UTC),
            ends_at: datetime!(2026-12-19 12:00 UTC),
            takes_place: true,
            staff_id: None,
            meeting_link: None,
            place: None,
            keep_apart: false,
            status: super::ContactSessionStatus::Scheduled,
            cancelled_by: None,
            cancelled_by_side: None,
            cancelled_by_adult: None,
            cancelled_at: None,
            cancel_reason: None,
            notice_hours: None,
            late: None,
            booked_by: UserId::new(),
            booked_at: datetime!(2026-12-01 10:00 UTC),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_send_their_database_words() {
        crate::text_enum::assert_wire_words(
            ContactSessionStatus::ALL,
            ContactSessionStatus::as_str,
        );
        crate::text_enum::assert_wire_words(Frequency::ALL, Frequency::as_str);
        crate::text_enum::assert_wire_words(WindowKind::ALL, WindowKind::as_str);
        crate::text_enum::assert_wire_words(CancelledBy::ALL, CancelledBy::as_str);
    }

    #[test]
    fn supported_shares_a_room_and_supervised_takes_a_person() {
        assert!(takes_place(ServiceType::Supported) && !one_to_one(ServiceType::Supported));
        assert!(one_to_one(ServiceType::Supervised) && !takes_place(ServiceType::Supervised));
        assert!(!one_to_one(ServiceType::Handover) && !takes_place(ServiceType::Handover));
    }
}
