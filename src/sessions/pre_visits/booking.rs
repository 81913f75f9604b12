//! The rules a pre-visit's booking is judged by, against the case under its
//! lock: whose visit, where, when, and how far from everyone it must keep
//! apart; and the invitation its party receives.

use diesel_async::AsyncPgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::{BookPreVisitRequest, Booking};
use super::repo::{self, PreVisit};
use super::rules::Instants;
use super::PreVisitStatus;
use crate::centres::model::Venue;
use crate::error::ApiError;
use crate::referrals::model::{Adult, ReferralBundle};
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, format_time};
use crate::vocabulary::VenueId;

/// What a booking is checked against, found under the referral's lock.
pub struct Checked<'a> {
    pub adult: &'a Adult,
    pub venue: Venue,
    pub keep_apart: bool,
}

/// The booking's rules against the case: a party of this referral, a venue
/// of its centre, a date from today that is not a closure, and at least the
/// family's stagger minutes from every other party's visit that day.
pub async fn check_booking<'a>(
    conn: &mut AsyncPgConnection,
    b: &'a ReferralBundle,
    body: &BookPreVisitRequest,
    booking: Booking,
) -> Result<Checked<'a>, ApiError> {
    let centre_id = b.referral.centre_id;
    let mut errors = FieldErrors::default();
    let adult = b.adults.iter().find(|a| Uuid::from(a.id) == body.adult_id);
    if adult.is_none() {
        errors.push(
            "adult_id",
            "unknown_adult",
            "is not an adult of this referral",
        );
    }
    let venue =
        crate::centres::repo::find_venue(conn, centre_id, VenueId::from(body.venue_id)).await?;
    if venue.is_none() {
        errors.push("venue_id", "unknown_venue", "is not a venue of this centre");
    }
    let today = crate::vocabulary::calendar::uk_today(conn).await?;
    if booking.date < today {
        errors.push("date", "past", "must be today or later");
    }
    let closed =
        crate::centres::repo::closures_of(conn, centre_id, Some((booking.date, booking.date)))
            .await?
            .into_iter()
            .find(|c| c.venue_id.is_none() || c.venue_id == venue.as_ref().map(|v| v.id));
    if let Some(closure) = closed {
        errors.push(
            "date",
            "closed",
            format!("the centre is closed that day ({})", closure.reason),
        );
    }
    let (adult, venue) = errors.finish_both(adult, venue)?;
    let when = repo::instants(conn, booking.date, booking.span.starts, booking.span.ends)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "starts",
                "no_such_time",
                "the clocks skip this time that day",
            )
        })?;
    if when.starts <= OffsetDateTime::now_utc() {
        return Err(ApiError::field("starts", "past", "must be later than now"));
    }
    // Apart in real time, not on the clock: a change of the clocks between
    // two visits never brings the parties together.
    let Apart {
        stagger,
        keep_apart,
    } = apart(conn, b).await?;
    let others = repo::of_referral(conn, b.referral.id).await?;
    let clash = others.iter().any(|o| {
        o.adult_id != adult.id
            && matches!(o.status, PreVisitStatus::Booked | PreVisitStatus::Done)
            && !when.apart(
                &Instants {
                    starts: o.starts_at,
                    ends: o.ends_at,
                },
                stagger.into(),
            )
    });
    if clash {
        return Err(ApiError::field(
            "starts",
            "too_close",
            format!("must be at least {stagger} minutes from another party's pre-visit"),
        ));
    }
    // No two families whose parties must not meet arrive or leave together
    // at a venue (DOMAIN.md, "Do-not-meet"): refused naming the time, never
    // the family.
    if keep_apart {
        repo::lock_venue(conn, venue.id).await?;
        let near =
            repo::kept_apart_near(conn, venue.id, b.referral.id, when, stagger.into()).await?;
        if let Some(other) = near.first() {
            return Err(ApiError::field(
                "starts",
                "venue_busy",
                format!(
                    "another family kept apart is at this venue from {} to {} that day: \
                     keep {stagger} minutes from it",
                    format_time(other.starts),
                    format_time(other.ends)
                ),
            ));
        }
    }
    Ok(Checked {
        adult,
        venue,
        keep_apart,
    })
}

/// How the family's visits keep apart, from one read of its conditions.
pub struct Apart {
    /// Minutes between visits: the assessment's conditions, else the
    /// centre's default.
    pub stagger: i32,
    /// Whether the parties must not meet: the referral says so (a party's
    /// request, the referrer's word), or the assessment's conditions do.
    pub keep_apart: bool,
}

/// How the family's parties keep apart (pre-visits and contact sessions).
pub async fn apart(conn: &mut AsyncPgConnection, b: &ReferralBundle) -> Result<Apart, ApiError> {
    let assessed = crate::referrals::assessment::repo::find(conn, b.referral.id, None).await?;
    let stagger = match &assessed {
        Some(a) => a.stagger_minutes,
        None => crate::centres::repo::find_centre(conn, b.referral.centre_id)
            .await?
            .map_or(15, |c| c.stagger_minutes),
    };
    Ok(Apart {
        stagger,
        keep_apart: b.referral.parties_must_not_meet
            || assessed.is_some_and(|a| a.parties_must_not_meet),
    })
}

/// The party's invitation: their own time and venue, nobody else's.
pub fn invitation(centre: &str, venue: &Venue, v: &PreVisit) -> (String, String) {
    let children = match v.with_children {
        true => "Please bring the children with you. ",
        false => "",
    };
    let body = format!(
        "Your pre-visit to {centre} is on {} from {} to {} at {}, {}, {}.\n\n\
         {children}Please bring photo identification: we check it at the visit. \
         This time is yours alone: please arrive and leave at it.\n",
        format_date(v.on_date),
        format_time(v.starts),
        format_time(v.ends),
        venue.name,
        venue.address_line1,
        venue.town,
    );
    (format!("Your pre-visit to {centre}"), body)
}
