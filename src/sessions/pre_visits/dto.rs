//! Request and response bodies of pre-visits.

use serde::{Deserialize, Serialize};
use time::{Date, Time};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::{Span, MINUTES};
use super::PreVisitStatus;
use crate::error::ApiError;
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{parse_date, parse_time};

/// The length of a pre-visit when none is asked for, minutes.
pub const DEFAULT_MINUTES: i64 = 45;

/// A party's pre-visit to book.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"adult_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c", "venue_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1d", "date": "2026-12-12", "starts": "10:00", "minutes": 45}))]
pub struct BookPreVisitRequest {
    /// The party who visits (with the children, if they live with them).
    pub adult_id: Uuid,
    /// A venue of the referral's centre.
    pub venue_id: Uuid,
    /// The date, at the centre (Europe/London): today or later, not a closure.
    #[schema(format = Date)]
    pub date: String,
    /// The local start time (`HH:MM`).
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "10:00")]
    pub starts: String,
    /// How long, minutes (15 to 240; 45 if not given). The visit ends the
    /// day it starts.
    #[schema(minimum = 15, maximum = 240)]
    pub minutes: Option<i64>,
}

/// A booking's fields, read.
#[derive(Debug, Clone, Copy)]
pub struct Booking {
    pub date: Date,
    pub span: Span,
}

impl BookPreVisitRequest {
    pub fn parse(&self) -> Result<Booking, ApiError> {
        let mut errors = FieldErrors::default();
        let date = errors.take(parse_date("date", &self.date));
        let starts: Option<Time> = errors.take(parse_time("starts", &self.starts));
        let starts = match starts {
            Some(t) if t.second() != 0 || t.nanosecond() != 0 => {
                errors.push("starts", "time", "must be a time as HH:MM (24-hour clock)");
                None
            }
            other => other,
        };
        let minutes = self.minutes.unwrap_or(DEFAULT_MINUTES);
        let in_range = MINUTES.contains(&minutes);
        if !in_range {
            errors.push("minutes", "range", "must be 15 to 240");
        }
        let span = match starts.filter(|_| in_range) {
            Some(s) => {
                let span = Span::from_start(s, minutes);
                if span.is_none() {
                    errors.push(
                        "minutes",
                        "past_midnight",
                        "the visit must end the day it starts",
                    );
                }
                span
            }
            None => None,
        };
        let (date, span) = errors.finish_both(date, span)?;
        Ok(Booking { date, span })
    }
}

crate::text_enum! {
    /// What happened at a pre-visit.
    pub enum PreVisitOutcome {
        /// It took place, and the party's identity was checked.
        Done => "done",
        /// The party did not come.
        Missed => "missed",
    }
}

/// What happened at a pre-visit.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "done", "identity_checked": true}))]
pub struct PreVisitOutcomeRequest {
    /// `done` or `missed`.
    pub outcome: PreVisitOutcome,
    /// That the party's identity was checked against photo identification:
    /// a `done` pre-visit needs it; a `missed` one cannot have it.
    pub identity_checked: bool,
}

/// A pre-visit as its viewer may see it: the referrer's side sees no time.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreVisitResponse {
    /// The pre-visit's id.
    pub id: Uuid,
    /// The referral.
    pub referral_id: Uuid,
    /// The party who visits.
    pub adult_id: Uuid,
    /// Whether the party brings the children (they live with them).
    pub with_children: bool,
    /// The venue.
    pub venue_id: Uuid,
    /// The local date (Europe/London).
    #[schema(format = Date)]
    pub date: String,
    /// The local start time (`HH:MM`); absent for the referrer's side.
    pub starts: Option<String>,
    /// The local end time (`HH:MM`); absent for the referrer's side.
    pub ends: Option<String>,
    /// The start as an instant (RFC 3339, UTC); absent for the referrer's side.
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    /// The end as an instant (RFC 3339, UTC); absent for the referrer's side.
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    /// `booked`, `done` or `missed`.
    pub status: PreVisitStatus,
    /// Whether the party's identity was checked at it.
    pub identity_checked: bool,
}
