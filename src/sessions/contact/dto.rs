//! Request and response bodies of contact sessions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::vocabulary::written::{ClockTime, IsoDate, UtcInstant};

use super::{CancelledBy, ContactSessionStatus, Frequency, WindowKind};
use crate::vocabulary::ServiceType;

/// How a booking repeats: every week or fortnight, to a date or for a
/// number of sessions (the first included).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"frequency": "weekly", "count": 6}))]
pub struct RepeatRequest {
    /// `weekly` or `fortnightly`.
    pub frequency: Frequency,
    /// The last date a session may fall on.
    #[schema(format = Date)]
    pub until: Option<String>,
    /// How many sessions, the first included (at most 52).
    #[schema(minimum = 1, maximum = 52)]
    pub count: Option<i64>,
}

/// Sessions to book for a family in one of its centre's opening sessions.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"opening_session_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c", "date": "2026-12-19", "repeat": {"frequency": "weekly", "count": 6}}))]
pub struct BookContactSessionsRequest {
    /// The opening session (weekly slot) booked into.
    pub opening_session_id: Uuid,
    /// The first date, at the centre (Europe/London): the slot's weekday.
    #[schema(format = Date)]
    pub date: String,
    /// The service: the assessment's when not given; it must be offered in
    /// the opening session and allowed by the assessment and court orders.
    pub service: Option<ServiceType>,
    /// How it repeats; absent for one session.
    pub repeat: Option<RepeatRequest>,
    /// The vetted staff member assigned: required for a one-to-one service
    /// (supervised, virtual supervised, community, preparatory, supervised
    /// assessment, life story).
    pub staff_id: Option<Uuid>,
    /// The video call's link (`https://`): required for a virtual service.
    #[schema(max_length = 500, pattern = r"^https://\S+$")]
    pub meeting_link: Option<String>,
    /// The public place met at: required for community contact.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub place: Option<String>,
    /// For a handover, days from the drop-off to the pick-up (0 to 14; 0:
    /// the same day).
    #[schema(minimum = 0, maximum = 14)]
    pub pick_up_after_days: Option<i64>,
}

/// An arrival or leaving window, as its viewer may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowResponse {
    /// The party whose window it is.
    pub adult_id: Uuid,
    /// `arrives` or `leaves`.
    pub kind: WindowKind,
    /// The entrance to use.
    pub entrance: String,
    /// The local date (Europe/London).
    #[schema(value_type = String, format = Date)]
    pub date: IsoDate,
    /// Local start and end (`HH:MM`).
    #[schema(value_type = String)]
    pub starts: ClockTime,
    /// Local end (`HH:MM`).
    #[schema(value_type = String)]
    pub ends: ClockTime,
    /// The same as instants (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: UtcInstant,
    /// The end as an instant (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: UtcInstant,
}

/// A cancellation, as its viewer may see it: the centre sees who and why;
/// others that it was cancelled and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancellationResponse {
    /// When it was cancelled.
    #[schema(format = DateTime)]
    pub at: String,
    /// Who cancelled (the centre's people, and the side that did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<CancelledBy>,
    /// The reason (the centre's people, and the side that cancelled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Hours of notice given (the centre's people).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_hours: Option<i32>,
    /// Whether it came too late to count as notice (the centre's people).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late: Option<bool>,
}

/// A contact session as its viewer may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactSessionResponse {
    /// The session's id.
    pub id: Uuid,
    /// The family.
    pub family_id: Uuid,
    /// The family's referral.
    pub referral_id: Uuid,
    /// The sessions booked by one request share it.
    pub series_id: Uuid,
    /// The venue.
    pub venue_id: Uuid,
    /// The opening session (weekly slot) it is in.
    pub opening_session_id: Uuid,
    /// The service.
    pub service: ServiceType,
    /// The local date (Europe/London).
    #[schema(value_type = String, format = Date)]
    pub date: IsoDate,
    /// The opening session's local start and end (`HH:MM`).
    #[schema(value_type = String)]
    pub starts: ClockTime,
    /// The opening session's local end (`HH:MM`).
    #[schema(value_type = String)]
    pub ends: ClockTime,
    /// The local date it ends (a handover's pick-up may be days later).
    #[schema(value_type = String, format = Date)]
    pub ends_on: IsoDate,
    /// The start and end as instants (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: UtcInstant,
    /// The end as an instant (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: UtcInstant,
    /// `scheduled`, `cancelled`, `completed`, `terminated` or `no_show`.
    pub status: ContactSessionStatus,
    /// Arrival and leaving windows: every party's for the centre's people, a
    /// party's own for them (once their identity was checked), none for the
    /// referrer's side.
    pub windows: Vec<WindowResponse>,
    /// The staff member assigned (the centre's people).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<Uuid>,
    /// The video call's link (the centre's people and the parties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_link: Option<String>,
    /// The public place (the centre's people and the parties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The cancellation, once cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<CancellationResponse>,
}

crate::text_enum! {
    /// Why a date of a repeat was not booked.
    pub enum SkipReason {
        /// The centre or venue is closed that day.
        Closed => "closed",
        /// The opening session's places are all taken.
        Full => "full",
        /// The opening session does not run that day.
        NotRunning => "not_running",
        /// The staff member is with another family then.
        StaffBusy => "staff_busy",
        /// The staff member's vetting is not current that day, or they are
        /// not available then.
        StaffUnassignable => "staff_unassignable",
        /// Another family kept apart uses the entrances then, however the
        /// windows move.
        VenueBusy => "venue_busy",
        /// The family is already booked then.
        AlreadyBooked => "already_booked",
        /// The clocks skip the session's time that day.
        NoSuchTime => "no_such_time",
        /// A court order's service no longer allows it that day.
        NotAllowed => "not_allowed",
    }
}

/// A date of a repeat that was not booked, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedDate {
    /// The date not booked.
    #[schema(format = Date)]
    pub date: String,
    /// Why, as a word clients branch on.
    pub reason: SkipReason,
    /// In words (a closure's reason, the time in the way; never another
    /// family).
    pub detail: String,
}

/// What a booking booked, and the dates it skipped.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookedResponse {
    /// The id the sessions of this booking share.
    pub series_id: Uuid,
    /// The sessions booked, by date.
    pub booked: Vec<ContactSessionResponse>,
    /// The dates of a repeat not booked, and why.
    pub skipped: Vec<SkippedDate>,
}

/// A cancellation: the reason, in the canceller's words.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Our daughter is unwell"}))]
pub struct CancelRequest {
    /// Why (kept for the centre; the other party is told only that the
    /// session is cancelled).
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// Starting contact: the regular arrangement.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"opening_session_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c", "frequency": "weekly", "first_on": "2026-12-19", "until": "2027-03-13"}))]
pub struct StartRequest {
    /// The opening session the family comes to.
    pub opening_session_id: Uuid,
    /// `weekly` or `fortnightly`.
    pub frequency: Frequency,
    /// The first session's date: at least the centre's notice days after
    /// the referral reached it.
    #[schema(format = Date)]
    pub first_on: String,
    /// The last date sessions are booked to (12 weeks from the first if
    /// not given; at most a year).
    #[schema(format = Date)]
    pub until: Option<String>,
    /// The vetted staff member, for a one-to-one service.
    pub staff_id: Option<Uuid>,
    /// The video call's link, for a virtual service.
    #[schema(max_length = 500, pattern = r"^https://\S+$")]
    pub meeting_link: Option<String>,
    /// The public place, for community contact.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub place: Option<String>,
}

/// Contact started: the arrangement and the sessions booked.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartedResponse {
    /// The referral, now `active`.
    pub referral_id: Uuid,
    /// How often sessions repeat.
    pub frequency: Frequency,
    /// The first session's date.
    #[schema(format = Date)]
    pub first_on: String,
    /// The last date sessions were booked to.
    #[schema(format = Date)]
    pub until: String,
    /// The sessions booked, by date.
    pub booked: Vec<ContactSessionResponse>,
    /// The dates not booked, and why.
    pub skipped: Vec<SkippedDate>,
}
