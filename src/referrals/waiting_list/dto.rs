//! Request and response bodies of the waiting list and its offers.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::repo::Offer;
use crate::referrals::views::timestamp;
use crate::vocabulary::ServiceType;

crate::text_enum! {
    /// Where an offer of a place stands.
    pub enum OfferState {
        /// Held for the family until it expires.
        Open => "open",
        /// The family took it: the referral is accepted.
        Taken => "taken",
        /// The family refused it; the place passed on.
        Refused => "refused",
        /// It expired unanswered; the place passed on.
        Lapsed => "lapsed",
    }
}

/// An offer of a place, as everyone who sees the referral sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferView {
    /// The offer's id.
    pub id: Uuid,
    /// When it was made.
    #[schema(format = DateTime)]
    pub offered_at: String,
    /// Until when the place is held.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Where it stands (a lapse shows the moment the offer expires).
    pub state: OfferState,
}

impl OfferView {
    pub fn of(offer: &Offer, now: time::OffsetDateTime) -> Self {
        Self {
            id: offer.id,
            offered_at: timestamp(offer.offered_at),
            expires_at: timestamp(offer.expires_at),
            state: offer.state(now),
        }
    }
}

/// A family on a centre's waiting list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingEntry {
    /// The referral.
    pub referral_id: Uuid,
    /// The service it waits for.
    pub service: ServiceType,
    /// Its place in line for the service, from 1.
    pub position: i64,
    /// When it joined the list.
    #[schema(format = DateTime)]
    pub waitlisted_at: String,
    /// Why it comes before first-come families, if it does.
    pub priority_reason: Option<String>,
    /// Its latest offer of a place, if any.
    pub offer: Option<OfferView>,
}

/// Which service's list to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitingListQuery {
    /// One service's list; every service's when absent.
    pub service: Option<ServiceType>,
}

/// A coordinator offers a waitlisted family a place.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expires_in_days": 7}))]
pub struct OfferRequest {
    /// Days the place is held; the centre's `offer_days` when absent.
    #[schema(minimum = 1, maximum = 60)]
    pub expires_in_days: Option<i32>,
}

/// A coordinator records why a family comes first on the waiting list, or
/// (with `null`) that it no longer does.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Final hearing in three weeks; the court asked for a report"}))]
pub struct PriorityRequest {
    /// Why the family comes before first-come families; `null` clears it.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: Option<String>,
}
