//! Request and response bodies of the decisions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::machine::{ClosingOutcome, DeclineReason};
use crate::centres::dto::AlternativeCentre;
use crate::referrals::dto::ReferralResponse;
use crate::referrals::model::HistoryVisibility;
use crate::validation::FieldErrors;

/// Why a move is made, kept in the referral's history.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Checks made; the centre can hold this family safely", "visibility": "centre"}))]
pub struct MoveRequest {
    /// Why, in a few words.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
    /// Who reads the reason: `centre` (the centre's coordinators alone, the
    /// default) or `shared` (everyone who sees the referral).
    pub visibility: Option<HistoryVisibility>,
}

/// The centre accepts a family: why, and for a centre that charges, the
/// quote (what, how much, who pays).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Checks made; we can hold this family safely", "visibility": "shared",
    "quote": {"what": "Supervised contact, per two-hour session", "amount_pence": 4000, "payer": "non_resident_parent"}}))]
pub struct AcceptRequest {
    /// Why, in a few words.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
    /// Who reads the reason: `centre` (the default) or `shared`.
    pub visibility: Option<HistoryVisibility>,
    /// Required where the centre charges; refused where it is free.
    pub quote: Option<crate::referrals::quotes::QuoteInput>,
}

impl AcceptRequest {
    pub fn parse(
        &self,
    ) -> Result<(String, HistoryVisibility, Option<String>), crate::error::ApiError> {
        let mut errors = FieldErrors::default();
        let reason = errors.text("reason", &self.reason, 1, REASON);
        let what = self
            .quote
            .as_ref()
            .map(|q| q.parse_under(&mut errors, "quote."));
        errors.finish((
            reason,
            self.visibility.unwrap_or(HistoryVisibility::Centre),
            what,
        ))
    }
}

/// A centre declines a referral: a reason category, words the family and
/// the referrer read, and the rationale, which the centre's coordinators
/// alone read.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "reason": "service_not_suitable",
    "words_for_family": "We cannot offer the supervised contact this family needs; the centres below can.",
    "rationale": "Supervision ratio needed exceeds our staffing on Saturdays."
}))]
pub struct DeclineRequest {
    /// The reason category.
    pub reason: DeclineReason,
    /// What the family and the referrer are told (shared in the history).
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub words_for_family: String,
    /// The centre's own reasoning, read by its coordinators alone.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub rationale: String,
}

/// A centre closes a referral with an outcome.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "court_decision", "reason": "Final order made on 2 December", "visibility": "shared"}))]
pub struct CloseRequest {
    /// How the referral ended.
    pub outcome: ClosingOutcome,
    /// Why, in a few words.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
    /// Who reads the reason: `centre` (the default) or `shared`.
    pub visibility: Option<HistoryVisibility>,
}

/// A declined referral, and the nearest centres that offer its service.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclinedResponse {
    /// The referral as the caller now sees it.
    pub referral: ReferralResponse,
    /// The nearest other centres that offer the service, nearest first.
    pub alternatives: Vec<AlternativeCentre>,
}

/// The longest reason a move keeps.
const REASON: usize = 2000;

/// A reason, trimmed, and who reads it (`centre` unless `shared` is asked).
fn reason_and_visibility(
    reason: &str,
    visibility: Option<HistoryVisibility>,
) -> Result<(String, HistoryVisibility), crate::error::ApiError> {
    let mut errors = FieldErrors::default();
    let reason = errors.text("reason", reason, 1, REASON);
    errors.finish((reason, visibility.unwrap_or(HistoryVisibility::Centre)))
}

impl MoveRequest {
    pub fn parse(&self) -> Result<(String, HistoryVisibility), crate::error::ApiError> {
        reason_and_visibility(&self.reason, self.visibility)
    }
}

impl DeclineRequest {
    /// The words for the family and the rationale, trimmed.
    pub fn parse(&self) -> Result<(String, String), crate::error::ApiError> {
        let mut errors = FieldErrors::default();
        let words = errors.text("words_for_family", &self.words_for_family, 1, REASON);
        let rationale = errors.text("rationale", &self.rationale, 1, 4000);
        errors.finish((words, rationale))
    }
}

impl CloseRequest {
    pub fn parse(&self) -> Result<(String, HistoryVisibility), crate::error::ApiError> {
        reason_and_visibility(&self.reason, self.visibility)
    }
}
