//! Request and response bodies of the assessment.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::referrals::model::RiskKind;
use crate::vocabulary::ServiceType;

crate::text_enum! {
    /// How serious the centre judges the risk.
    pub enum RiskLevel {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

crate::text_enum! {
    /// A check the centre made before deciding.
    pub enum CheckMade {
        /// The court order itself was read.
        CourtOrderSeen => "court_order_seen",
        /// Cafcass (or Cafcass Cymru) safeguarding letter.
        CafcassSafeguarding => "cafcass_safeguarding",
        /// A police disclosure.
        PoliceDisclosure => "police_disclosure",
        /// Children's social care.
        SocialCare => "social_care",
        /// A conversation with the referrer.
        ReferrerDiscussion => "referrer_discussion",
        /// Each party was spoken to.
        PartyInterviews => "party_interviews",
        Other => "other",
    }
}

/// What one court order enforces at the centre.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OrderConditions {
    /// The court order (an id from the referral's `court_orders`).
    pub court_order_id: Uuid,
    /// The service the order requires, if it names one.
    pub service: Option<ServiceType>,
    /// Adults the order bars from contact (they may not attend).
    #[serde(default)]
    pub barred_adult_ids: Vec<Uuid>,
    /// When the order stops applying, if it says.
    #[schema(format = Date)]
    pub expires_on: Option<String>,
}

/// The conditions contact runs under: what staff read, and what sessions are
/// booked under.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Conditions {
    /// The service the family receives (the centre must offer it).
    pub service: ServiceType,
    /// The parties must not meet: staggered arrivals and leavings, separate
    /// waiting (also when a party asks for it).
    pub parties_must_not_meet: bool,
    /// Minutes between one party's arrival or leaving and the other's; the
    /// centre's default when absent.
    #[schema(minimum = 0, maximum = 120)]
    pub stagger_minutes: Option<i32>,
    /// The adults who may attend (ids from the referral's `adults`).
    pub may_attend: Vec<Uuid>,
    /// What each court order enforces.
    #[serde(default)]
    pub court_orders: Vec<OrderConditions>,
}

/// A coordinator records the centre's assessment: a new version each time.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "factors": ["domestic_abuse"],
    "checks_made": ["court_order_seen", "cafcass_safeguarding", "party_interviews"],
    "level": "medium",
    "rationale": "Non-molestation order in force; both parties engaged at interview. Staggered arrivals with separate waiting.",
    "conditions": {
        "service": "supervised",
        "parties_must_not_meet": true,
        "stagger_minutes": 15,
        "may_attend": ["01a2f4c0-0000-7000-8000-0000000000a1", "01a2f4c0-0000-7000-8000-0000000000a2"],
        "court_orders": [{
            "court_order_id": "01a2f4c0-0000-7000-8000-0000000000c1",
            "service": "supervised",
            "barred_adult_ids": [],
            "expires_on": "2027-10-01"
        }]
    }
}))]
pub struct AssessmentRequest {
    /// The risk factors weighed.
    pub factors: Vec<RiskKind>,
    /// The checks made.
    pub checks_made: Vec<CheckMade>,
    /// The level of risk.
    pub level: RiskLevel,
    /// Why: the coordinators alone read it.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub rationale: String,
    /// The conditions applied.
    pub conditions: Conditions,
}

/// The centre's assessment as the caller may see it: staff get the
/// conditions alone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentResponse {
    /// Its version: 1 for the first, one more for each change.
    pub version: i32,
    /// When this version was recorded.
    #[schema(format = DateTime)]
    pub assessed_at: String,
    /// The risk factors weighed (coordinators only).
    pub factors: Option<Vec<RiskKind>>,
    /// The checks made (coordinators only).
    pub checks_made: Option<Vec<CheckMade>>,
    /// The level of risk (coordinators only).
    pub level: Option<RiskLevel>,
    /// Why (coordinators only).
    pub rationale: Option<String>,
    /// The conditions applied, the centre's stagger filled in.
    pub conditions: Conditions,
}

/// Which version to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// A version to read; the latest when absent.
    #[param(minimum = 1)]
    pub version: Option<i32>,
}
