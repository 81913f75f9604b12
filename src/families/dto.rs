use crate::vocabulary::{CentreId, FamilyId, ReferralId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::referrals::dto::{AdultResponse, ChildResponse, ShareInput};

/// A family as the caller may see it: the same rules as its referral.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyResponse {
    /// The family's id.
    #[schema(value_type = Uuid)]
    pub id: FamilyId,
    /// The referral that brought the family to the centre.
    #[schema(value_type = Uuid)]
    pub referral_id: ReferralId,
    /// The centre.
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    /// The adults must never meet at the centre.
    pub parties_must_not_meet: bool,
    /// The children.
    pub children: Vec<ChildResponse>,
    /// The adults, as the viewer may see them.
    pub adults: Vec<AdultResponse>,
}

/// A parent's own contact details and which of them the other party may see.
/// Absent (or `null`) fields are left as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"address": "9 Moved Road, Carlisle", "share": {"email": false, "phone": true, "address": false}}))]
pub struct UpdateContactRequest {
    /// Your email.
    #[schema(max_length = 254, example = "jo@example.org", format = Email)]
    pub email: Option<String>,
    /// Your phone.
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    /// Your address.
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Consent to share each detail with the other party (replaces the previous choice).
    pub share: Option<ShareInput>,
}

// Attendees (`super::attendees`): who comes with a party.

crate::text_enum! {
    /// Who an attendee is to the children.
    pub enum AttendeeRelation {
        Grandparent => "grandparent",
        AuntOrUncle => "aunt_or_uncle",
        Sibling => "sibling",
        /// A party's new partner: approved only with a recorded reason.
        NewPartner => "new_partner",
        FamilyFriend => "family_friend",
        Other => "other",
    }
}

crate::text_enum! {
    /// Where a request to attend stands.
    pub enum AttendeeStatus {
        Requested => "requested",
        Approved => "approved",
        Refused => "refused",
    }
}

crate::text_enum! {
    /// A coordinator's decision on a request to attend.
    pub enum AttendeeDecision {
        Approve => "approve",
        Refuse => "refuse",
    }
}

/// Someone a party asks to bring.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"accompanies": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c", "name": "Pat Jones", "relation": "grandparent", "why": "Alex's grandmother; Chris's mother. Alex has asked to see her."}))]
pub struct AttendeeRequest {
    /// The party they come with (a party asks for themself only).
    pub accompanies: Uuid,
    /// Their full name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Who they are to the children.
    pub relation: AttendeeRelation,
    /// Why they should attend.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub why: String,
}

/// A coordinator's decision on a request to attend.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"decision": "approve", "confirmation_on": "2026-12-03", "reason": "Both parents agreed in writing; the court order allows it."}))]
pub struct AttendeeDecisionRequest {
    /// `approve` or `refuse`.
    pub decision: AttendeeDecision,
    /// The date of the written confirmation the centre holds that this
    /// person may attend (required to approve; not after today).
    #[schema(format = Date)]
    pub confirmation_on: Option<String>,
    /// Why: required to approve a new partner.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: Option<String>,
}

/// A person who attends, or asked to, as the caller may see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendeeResponse {
    /// The request's id.
    pub id: Uuid,
    /// Their name.
    pub name: String,
    /// Who they are to the children.
    pub relation: AttendeeRelation,
    /// The party they come with (the centre's people and whoever asked).
    pub accompanies: Option<Uuid>,
    /// Why they should attend (the coordinators and whoever asked).
    pub why: Option<String>,
    /// Where the request stands (the coordinators and whoever asked;
    /// everyone else sees approved attendees only).
    pub status: Option<AttendeeStatus>,
    /// The date of the written confirmation (coordinators and whoever asked).
    #[schema(format = Date)]
    pub confirmation_on: Option<String>,
    /// The coordinator's reason (the coordinators alone).
    pub decision_reason: Option<String>,
    /// When it was asked (the coordinators and whoever asked).
    #[schema(format = DateTime)]
    pub requested_at: Option<String>,
}
