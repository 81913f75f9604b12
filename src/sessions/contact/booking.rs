//! Booking a family's contact sessions, judged once (`plan`), then each date
//! in a savepoint of its own, so that a repeat books what it can and lists
//! what it skipped. Places and staff are held by the tables' constraints:
//! bookings at once never overbook, whatever order they come in.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use super::dto::{SkipReason, SkippedDate};
use super::plan::Plan;
use super::repo::{self, ContactSession, NewContactSession, SessionWindow, Taken};
use super::windows::{self, Fit, Refusal, Window, Windows};
use super::{takes_place, WindowKind};
use crate::centres::model::{OpeningSession, Venue};
use crate::error::ApiError;
use crate::identity::vetting::Unassignable;
use crate::referrals::model::ReferralBundle;
use crate::sessions::pre_visits;
use crate::vocabulary::calendar::{format_date, format_time};
use crate::vocabulary::{AdultId, Weekday};

/// The dates of a booking: the first, then every week or fortnight to
/// `until` or for `count` sessions, at most 52.
pub fn dates(
    first: Date,
    every_days: Option<i64>,
    until: Option<Date>,
    count: Option<i64>,
) -> Vec<Date> {
    let Some(step) = every_days else {
        return vec![first];
    };
    let count = count.unwrap_or(52).clamp(1, 52);
    (0..count)
        .map_while(|i| first.checked_add(Duration::days(step * i)))
        .take_while(|d| until.is_none_or(|u| *d <= u))
        .collect()
}

/// Whether the opening session runs on `date`: its weekday, within its
/// effective dates.
pub fn runs_on(slot: &OpeningSession, date: Date) -> bool {
    Weekday::of(date).iso() == slot.weekday
        && slot.effective_from <= date
        && slot.effective_to.is_none_or(|to| date <= to)
}

/// A booked session with its windows.
pub type Booked = (ContactSession, Vec<SessionWindow>);

/// Why one date was skipped, or a failure that ends the request.
enum Step {
    Skip(SkipReason, String),
    Failed(ApiError),
}

impl From<diesel::result::Error> for Step {
    fn from(e: diesel::result::Error) -> Self {
        Step::Failed(e.into())
    }
}

impl From<ApiError> for Step {
    fn from(e: ApiError) -> Self {
        Step::Failed(e)
    }
}

/// Books each date in a savepoint of its own: what a date cannot have is
/// skipped, named, and leaves nothing written.
pub async fn book_dates(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    plan: &Plan,
    dates: &[Date],
) -> Result<(Vec<Booked>, Vec<SkippedDate>), ApiError> {
    if plan.keep_apart {
        // Families kept apart are fitted around each other one at a time.
        pre_visits::repo::lock_venue(conn, plan.venue.id).await?;
    }
    let closures = match (dates.first(), dates.last()) {
        (Some(first), Some(last)) => {
            crate::centres::repo::closures_of(
                conn,
                b.referral.centre_id,
                Some((*first, *last + Duration::days(plan.pick_up_after))),
            )
            .await?
        }
        _ => Vec::new(),
    };
    let mut booked = Vec::new();
    let mut skipped = Vec::new();
    for &date in dates {
        let closed = closures.iter().find(|c| {
            (c.venue_id.is_none() || c.venue_id == Some(plan.venue.id))
                && c.starts_on <= date + Duration::days(plan.pick_up_after)
                && date <= c.ends_on
        });
        if let Some(c) = closed {
            skipped.push(skip(
                date,
                SkipReason::Closed,
                format!("the centre is closed ({})", c.reason),
            ));
            continue;
        }
        // A single date that cannot be had fails the whole request, so it
        // needs no savepoint of its own.
        let outcome = match dates.len() {
            1 => book_one(conn, b, plan, date).await,
            _ => {
                conn.transaction::<_, Step, _>(async |conn| book_one(conn, b, plan, date).await)
                    .await
            }
        };
        match outcome {
            Ok(one) => booked.push(one),
            Err(Step::Skip(reason, detail)) => skipped.push(skip(date, reason, detail)),
            Err(Step::Failed(e)) => return Err(e),
        }
    }
    Ok((booked, skipped))
}

fn skip(date: Date, reason: SkipReason, detail: String) -> SkippedDate {
    SkippedDate {
        date: format_date(date),
        reason,
        detail,
    }
}

fn minutes(t: Time) -> u16 {
    u16::from(t.hour()) * 60 + u16::from(t.minute())
}

fn clock(m: u16) -> Time {
    Time::from_hms((m / 60).min(23) as u8, (m % 60) as u8, 0).unwrap_or(Time::MIDNIGHT)
}

/// Other families' windows kept apart at the venue that day, as the
/// calculator reads them (an entrance by its place in the venue's list).
async fn busy(
    conn: &mut AsyncPgConnection,
    plan: &Plan,
    date: Date,
) -> Result<Vec<Window>, ApiError> {
    let names = plan.venue.entrance_names();
    Ok(
        repo::kept_apart_windows(conn, plan.venue.id, date, plan.family_id)
            .await?
            .into_iter()
            .map(|w| Window {
                starts: minutes(w.starts),
                ends: minutes(w.ends),
                entrance: names
                    .iter()
                    .position(|n| *n == w.entrance)
                    .unwrap_or(usize::MAX),
            })
            .collect(),
    )
}

fn refused(r: Refusal, venue: &Venue) -> Step {
    match r {
        Refusal::TooShort => Step::Skip(
            SkipReason::VenueBusy,
            "the opening session is too short for the family's staggered arrivals".into(),
        ),
        Refusal::Busy(w) => Step::Skip(
            SkipReason::VenueBusy,
            format!(
                "another family kept apart uses the {} from {} to {}, however the windows move",
                venue
                    .entrance_names()
                    .get(w.entrance)
                    .map_or("entrance", String::as_str),
                format_time(clock(w.starts)),
                format_time(clock(w.ends)),
            ),
        ),
    }
}

/// The family's windows: arrivals fitted around that day's others, and
/// the leaving around the pick-up day's (a handover's may be days later).
async fn fit_windows(
    conn: &mut AsyncPgConnection,
    plan: &Plan,
    date: Date,
    ends_on: Date,
) -> Result<Windows, Step> {
    let fit = Fit {
        starts: minutes(plan.slot.starts_at),
        ends: minutes(plan.slot.ends_at),
        gap: u16::try_from(plan.stagger).unwrap_or(0),
        entrances: plan.venue.entrances.len().max(1),
        keep_apart: plan.keep_apart,
    };
    let first = busy(conn, plan, date).await?;
    let arrivals = windows::fit(&fit, &first).map_err(|r| refused(r, &plan.venue))?;
    if ends_on == date {
        return Ok(arrivals);
    }
    let last = busy(conn, plan, ends_on).await?;
    let leaving = windows::fit(&fit, &last).map_err(|r| refused(r, &plan.venue))?;
    Ok(Windows {
        visiting_leaves: leaving.visiting_leaves,
        resident_returns: leaving.resident_returns,
        ..arrivals
    })
}

async fn book_one(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    plan: &Plan,
    date: Date,
) -> Result<Booked, Step> {
    if !runs_on(&plan.slot, date) {
        return Err(Step::Skip(
            SkipReason::NotRunning,
            "the opening session does not run that day".into(),
        ));
    }
    let ends_on = date + Duration::days(plan.pick_up_after);
    let starts =
        pre_visits::repo::instants(conn, date, plan.slot.starts_at, plan.slot.starts_at).await?;
    let ends =
        pre_visits::repo::instants(conn, ends_on, plan.slot.ends_at, plan.slot.ends_at).await?;
    if starts.is_none() || ends.is_none() {
        return Err(Step::Skip(
            SkipReason::NoSuchTime,
            "the clocks skip the opening session's time that day".into(),
        ));
    }
    if let Some(staff) = &plan.staff {
        let why = match staff.assignable(ends_on, plan.slot.starts_at, plan.slot.ends_at) {
            Ok(()) => None,
            Err(Unassignable::NotStaff) => Some("is not an active staff member of the centre"),
            Err(Unassignable::NotVetted) => Some("has no vetting current that day"),
            Err(Unassignable::Unavailable) => Some("is not available at that time"),
        };
        if let Some(why) = why {
            return Err(Step::Skip(
                SkipReason::StaffUnassignable,
                format!("the staff member {why}"),
            ));
        }
    }
    let w = fit_windows(conn, plan, date, ends_on).await?;
    let id = Uuid::now_v7();
    let new = NewContactSession {
        id,
        referral_id: b.referral.id,
        family_id: plan.family_id,
        centre_id: b.referral.centre_id,
        venue_id: plan.venue.id,
        opening_session_id: plan.slot.id,
        series_id: plan.series_id,
        service: plan.service,
        on_date: date,
        starts: plan.slot.starts_at,
        ends_on,
        ends: plan.slot.ends_at,
        takes_place: takes_place(plan.service),
        staff_id: plan.staff.as_ref().map(|s| s.user_id),
        meeting_link: plan.meeting_link.clone(),
        place: plan.place.clone(),
        keep_apart: plan.keep_apart,
        booked_by: plan.booker,
    };
    let names = plan.venue.entrance_names();
    let row = |adult_id: AdultId, kind: WindowKind, w: Window, on: Date| SessionWindow {
        contact_session_id: id,
        adult_id,
        kind,
        venue_id: plan.venue.id,
        entrance: names
            .get(w.entrance)
            .cloned()
            .unwrap_or_else(|| "Main entrance".to_owned()),
        on_date: on,
        starts: clock(w.starts),
        ends: clock(w.ends),
        keep_apart: plan.keep_apart,
    };
    let rows: Vec<SessionWindow> = plan
        .residents
        .iter()
        .flat_map(|a| {
            [
                row(*a, WindowKind::Arrives, w.resident_arrives, date),
                row(*a, WindowKind::Leaves, w.resident_returns, ends_on),
            ]
        })
        .chain(plan.visitors.iter().flat_map(|a| {
            [
                row(*a, WindowKind::Arrives, w.visiting_arrives, date),
                row(*a, WindowKind::Leaves, w.visiting_leaves, ends_on),
            ]
        }))
        .collect();
    match repo::insert(conn, &new, &rows).await? {
        Ok(s) => Ok((s, rows)),
        Err(taken) => Err(match taken {
            Taken::Full => Step::Skip(
                SkipReason::Full,
                "every place in the opening session is taken".into(),
            ),
            Taken::StaffBusy => Step::Skip(
                SkipReason::StaffBusy,
                "the staff member is with another family then".into(),
            ),
            Taken::WindowBusy => Step::Skip(
                SkipReason::VenueBusy,
                "another family kept apart uses the entrances then".into(),
            ),
            Taken::AlreadyBooked => Step::Skip(
                SkipReason::AlreadyBooked,
                "the family is already booked into it that day".into(),
            ),
        }),
    }
}

/// A single date refused: the problem for its one reason (a 409 where the
/// place or the person is taken, else a 422 on the date).
pub fn refusal(s: &SkippedDate) -> ApiError {
    match s.reason {
        SkipReason::Full
        | SkipReason::StaffBusy
        | SkipReason::AlreadyBooked
        | SkipReason::VenueBusy => ApiError::Conflict(s.detail.clone()),
        SkipReason::StaffUnassignable => {
            ApiError::field("staff_id", s.reason.as_str(), s.detail.clone())
        }
        _ => ApiError::field("date", s.reason.as_str(), s.detail.clone()),
    }
}

/// Whether the first date is still to come: a date from today at the
/// centre, and today's only before the opening session starts.
pub async fn still_to_come(
    conn: &mut AsyncPgConnection,
    plan: &Plan,
    date: Date,
) -> Result<bool, ApiError> {
    if date < crate::vocabulary::calendar::uk_today(conn).await? {
        return Ok(false);
    }
    let at =
        pre_visits::repo::instants(conn, date, plan.slot.starts_at, plan.slot.starts_at).await?;
    Ok(at.is_none_or(|i| i.starts > OffsetDateTime::now_utc()))
}
