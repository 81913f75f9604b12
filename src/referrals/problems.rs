//! The referrals module's own problems (RFC 9457 `type`s), beside the shared
//! ones of [`crate::error::ApiError`].

use actix_web::http::StatusCode;

use super::decisions::machine::Move;
use super::model::ReferralStatus;
use crate::centres::dto::AlternativeCentre;
use crate::error::{ApiError, ProblemType, Refusal};
use crate::vocabulary::{ReferralId, ServiceType};

/// This module's problems, for the catalogue.
pub const PROBLEMS: &[ProblemType] = &[
    ProblemType {
        uri: "/problems/professional-referral-required",
        title: "A professional must make this referral",
        statuses: &[422],
        meaning: "Parents who cannot communicate, or must not (an injunction), or a centre that takes no self-referrals: a solicitor, Cafcass officer or social worker refers.",
    },
    ProblemType {
        uri: "/problems/service-not-offered",
        title: "The centre does not offer this service",
        statuses: &[422],
        meaning: "The centre does not offer the service asked for (supervised contact at a supported-only centre, say); `alternatives` lists the nearest centres that do.",
    },
    ProblemType {
        uri: "/problems/duplicate-referral",
        title: "The child already has an open referral at this centre",
        statuses: &[409],
        meaning: "One open referral per child and centre; `existing_referral_id` names the open one (told only to a caller who may see it).",
    },
    ProblemType {
        uri: "/problems/illegal-move",
        title: "Not a move from the referral's status",
        statuses: &[409],
        meaning: "The referral's status does not allow this move (accepting one the centre has not reviewed, say); `current_status` is where it is and `allowed_moves` what the caller may do from there.",
    },
    ProblemType {
        uri: "/problems/ground-rules-changed",
        title: "Not the centre's current ground rules",
        statuses: &[409],
        meaning: "A party agrees the centre's current ground rules only; `current_version` names it (absent while the centre has published none). Read it at `GET /centres/{id}/ground-rules` and agree that one.",
    },
];

/// The version agreed is not the centre's current one.
pub fn ground_rules_changed(current: Option<i32>) -> ApiError {
    Refusal::new(
        StatusCode::CONFLICT,
        "/problems/ground-rules-changed",
        "Not the centre's current ground rules",
        match current {
            Some(v) => {
                format!("the centre's ground rules are at version {v}: read and agree that one")
            }
            None => "the centre has published no ground rules yet".to_owned(),
        },
    )
    .with("current_version", current)
    .into()
}

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

/// A second open referral for a child at one centre; `existing_referral_id`
/// names the open one (only to a caller who may see it).
pub fn duplicate_referral(child: &str, existing: ReferralId) -> ApiError {
    Refusal::new(
        StatusCode::CONFLICT,
        "/problems/duplicate-referral",
        "The child already has an open referral at this centre",
        format!("{child} already has an open referral at this centre (see existing_referral_id)"),
    )
    .with("existing_referral_id", existing)
    .into()
}

/// A move the referral's status does not allow; `allowed_moves` are the
/// caller's moves from `current_status`.
pub fn illegal_move(wanted: Move, from: ReferralStatus, allowed: Vec<Move>) -> ApiError {
    let listed = match allowed.is_empty() {
        true => "none".to_owned(),
        false => allowed
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    Refusal::new(
        StatusCode::CONFLICT,
        "/problems/illegal-move",
        "Not a move from the referral's status",
        format!(
            "a referral that is {} cannot {}; your moves from here: {listed}",
            from.as_str(),
            wanted.as_str()
        ),
    )
    .with("current_status", from)
    .with("allowed_moves", allowed)
    .into()
}
