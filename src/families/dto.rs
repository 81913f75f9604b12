use crate::vocabulary::{CentreId, FamilyId, ReferralId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
