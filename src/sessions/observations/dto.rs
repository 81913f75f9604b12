//! Request and response bodies of observation requests.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ObservationStatus;

/// A client the officer names: a child or a parent of the family.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Amy Example"}))]
pub struct NamedClient {
    /// Their full name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
}

/// A children's court officer asks to observe a session on a day the
/// centre is open.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"centre_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c", "date": "2026-12-19", "clients": [{"name": "Amy Example"}, {"name": "Sam Example"}], "note": "For the section 7 report due in January."}))]
pub struct ObservationRequestBody {
    /// The centre.
    pub centre_id: Uuid,
    /// The day, at the centre (Europe/London): a later day than today, when
    /// the centre is open.
    #[schema(format = Date)]
    pub date: String,
    /// The clients to observe (1 to 10).
    #[schema(min_items = 1, max_items = 10)]
    pub clients: Vec<NamedClient>,
    /// The family, where the officer's organisation referred it.
    pub family_id: Option<Uuid>,
    /// Anything the coordinators should know (at most 2,000 characters).
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// The coordinators' approval: the session observed.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"contact_session_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c"}))]
pub struct ApproveObservationRequest {
    /// The family's contact session that day, at the centre.
    pub contact_session_id: Uuid,
}

/// The coordinators' refusal, with a reason kept for the centre.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "No family of those names attends that day."}))]
pub struct DeclineObservationRequest {
    /// Why (the centre's; the officer learns only that it is declined).
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// The session an approved request observes, in outline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObservedSession {
    /// The contact session.
    pub id: Uuid,
    /// The venue.
    pub venue_id: Uuid,
    /// The local date (Europe/London).
    #[schema(format = Date)]
    pub date: String,
    /// The local start (`HH:MM`).
    pub starts: String,
    /// The local end (`HH:MM`).
    pub ends: String,
    /// The start as an instant (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// The end as an instant (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub ends_at: String,
}

/// The coordinators' decision, as the centre sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObservationDecision {
    /// Who decided.
    pub by: Uuid,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
    /// Why it was declined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An observation request as its viewer may see it: the officer sees what
/// they asked and its status, and the session only once approved; the
/// centre's coordinators see it all.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObservationRequestResponse {
    /// The request's id.
    pub id: Uuid,
    /// The centre.
    pub centre_id: Uuid,
    /// The day asked for (Europe/London).
    #[schema(format = Date)]
    pub date: String,
    /// The clients named.
    pub clients: Vec<String>,
    /// The officer's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `pending`, `approved`, `declined` or `withdrawn`.
    pub status: ObservationStatus,
    /// When it was asked.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The observer (their account).
    pub requested_by: Uuid,
    /// The observer's name (the centre's coordinators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observer_name: Option<String>,
    /// The observer's organisation (the centre's coordinators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_name: Option<String>,
    /// The family: the centre's coordinators once matched, and the officer
    /// where they named it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<Uuid>,
    /// The session observed, once approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<ObservedSession>,
    /// The decision (the centre's coordinators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<ObservationDecision>,
}
