//! The day sheet's query and body.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::vocabulary::written::{ClockTime, IsoDate, UtcInstant};

use crate::referrals::model::{Party, RiskKind};
use crate::sessions::contact::dto::WindowResponse;
use crate::sessions::contact::ContactSessionStatus;
use crate::vocabulary::ServiceType;

/// The day of `GET /centres/{id}/day-sheet`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaySheetParams {
    /// The day, at the centre (Europe/London).
    #[param(value_type = String, format = Date, example = "2026-12-19")]
    pub date: String,
}

/// The staff member with a family.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffOnSheet {
    /// Their account.
    pub id: Uuid,
    /// Their name.
    pub name: String,
}

/// A child, as staff need them on the day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildOnSheet {
    /// The child's name.
    pub name: String,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_of_birth: IsoDate,
    /// Needs the centre should know of (health, language, support).
    pub needs: String,
}

/// A party of the family: a name to greet and whether they come to this
/// session; never an address or contact detail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdultOnSheet {
    /// The party's id (their windows name it).
    pub id: Uuid,
    /// Their name.
    pub name: String,
    /// Their part in the family's case.
    #[schema(value_type = Party)]
    pub party: Party,
    /// Whether they come to this session (they have windows at it); an
    /// adult kept away by the assessment or a court order does not.
    pub attends: bool,
}

/// Someone approved to come with a party (only named people attend).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeOnSheet {
    /// The party they come with.
    pub accompanies: Uuid,
    /// Their name.
    pub name: String,
    /// How they are related to the child.
    pub relation: String,
}

/// A risk statement the coordinators marked for staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskOnSheet {
    /// What kind of risk.
    #[schema(value_type = RiskKind)]
    pub kind: RiskKind,
    /// The statement.
    pub details: String,
}

/// An approved observer of a session (a children's court officer).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObserverOnSheet {
    /// The observer's name.
    pub name: String,
    /// Their organisation.
    pub organisation: String,
}

/// One session on a day sheet: when and where, the family, who comes, by
/// which entrance and when, and what staff must know.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DaySheetSession {
    /// The contact session.
    pub id: Uuid,
    /// The family.
    pub family_id: Uuid,
    /// The family's referral.
    pub referral_id: Uuid,
    /// The service.
    pub service: ServiceType,
    /// `scheduled`, `cancelled`, `completed`, `terminated` or `no_show`.
    pub status: ContactSessionStatus,
    /// The venue.
    pub venue_id: Uuid,
    /// The venue's name.
    pub venue_name: String,
    /// The room of the opening session.
    pub room: String,
    /// The opening session (weekly slot).
    pub opening_session_id: Uuid,
    /// The local date it starts (Europe/London).
    #[schema(value_type = String, format = Date)]
    pub date: IsoDate,
    /// The opening session's local start (`HH:MM`).
    #[schema(value_type = String)]
    pub starts: ClockTime,
    /// The opening session's local end (`HH:MM`).
    #[schema(value_type = String)]
    pub ends: ClockTime,
    /// The local date it ends (a handover's pick-up may be days later).
    #[schema(value_type = String, format = Date)]
    pub ends_on: IsoDate,
    /// The start as an instant (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: UtcInstant,
    /// The end as an instant (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: UtcInstant,
    /// The parties must not meet: keep to the windows and entrances.
    pub do_not_meet: bool,
    /// The staff member assigned (one-to-one services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffOnSheet>,
    /// The video call's link (virtual services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_link: Option<String>,
    /// The public place met at (community contact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The children.
    pub children: Vec<ChildOnSheet>,
    /// The parties.
    pub adults: Vec<AdultOnSheet>,
    /// The people approved to come with a party who attends.
    pub attendees: Vec<AttendeeOnSheet>,
    /// Every attending party's arrival and leaving windows, with entrances.
    pub windows: Vec<WindowResponse>,
    /// Risk statements marked for staff (no other risk text).
    pub risks: Vec<RiskOnSheet>,
    /// Observers the coordinators approved.
    pub observers: Vec<ObserverOnSheet>,
}

/// A centre's day: its contact sessions by time.
#[derive(Debug, Serialize, ToSchema)]
pub struct DaySheetResponse {
    /// The centre.
    pub centre_id: Uuid,
    /// The day (Europe/London).
    #[schema(format = Date)]
    pub date: String,
    /// Sessions starting that day, and handovers picked up that day, by
    /// time.
    pub sessions: Vec<DaySheetSession>,
}
