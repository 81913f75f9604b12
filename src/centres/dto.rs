use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::text_enum;

text_enum! {
    /// Whether a centre is open to referrals.
    pub enum CentreStatus {
        Active => "active",
        Suspended => "suspended",
        Closed => "closed",
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateCentreRequest {
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validation::not_blank")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Carlisle Child Contact Centre"
    )]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CentreResponse {
    pub id: Uuid,
    #[schema(example = "Carlisle Child Contact Centre")]
    pub name: String,
    pub status: CentreStatus,
}
