//! The referrals module's own problems (RFC 9457 `type`s), beside the shared
//! ones of [`crate::error::ApiError`].

use actix_web::http::StatusCode;

use crate::centres::dto::AlternativeCentre;
use crate::error::{ApiError, Refusal};
use crate::vocabulary::ServiceType;

/// The self-referral grid or the centre says a professional must refer.
pub fn professional_referral_required(detail: impl Into<String>) -> ApiError {
    Refusal::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/professional-referral-required",
        "A professional must make this referral",
        detail,
    )
    .into()
}

/// The centre does not offer the service; `alternatives` are the nearest
/// centres that do.
pub fn service_not_offered(service: ServiceType, alternatives: Vec<AlternativeCentre>) -> ApiError {
    let detail = format!(
        "this centre does not offer {service}; {} nearby centres do (see alternatives)",
        alternatives.len()
    );
    Refusal::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/service-not-offered",
        "The centre does not offer this service",
        detail,
    )
    .with("alternatives", alternatives)
    .into()
}
