//! Sessions the centre's schedule no longer holds. A closure, a changed or
//! ended opening session, a withdrawn service or a closed centre after
//! booking: the centres module notes the centre (`schedule_changes`, by
//! trigger, in the same transaction) and knows nothing of sessions; this
//! job finds the scheduled sessions still to come that no longer fit and
//! cancels each with notice to those who attend and to the coordinators.
//! A family's conditions changing after booking (a new assessment that
//! keeps someone away or the parties apart) is noted and judged the same
//! way: its sessions are cancelled, for the coordinators to book again
//! under the new conditions.
//!
//! A suspended centre keeps its bookings: a suspension may be lifted, and
//! its coordinators cancel what must be.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;

use super::handlers::{record, tell_cancelled};
use super::plan;
use super::repo::{self, Cancellation, ContactSession};
use super::CancelledBy;
use crate::audit::Actor;
use crate::centres::model::{Centre, CentreStatus, Closure, OpeningSession};
use crate::centres::repo as centres_repo;
use crate::db::Pool;
use crate::error::ApiError;
use crate::referrals::model::ReferralBundle;
use crate::referrals::repo as referrals_repo;
use crate::sessions::pre_visits;
use crate::vocabulary::{AdultId, CentreId, ReferralId, Weekday};
use std::collections::hash_map::{Entry, HashMap};

/// Why the schedule no longer holds a session, in the centre's words (the
/// reason is the centre's; the family is told only that it is cancelled).
pub fn displaced(
    s: &ContactSession,
    centre: &Centre,
    slot: Option<&OpeningSession>,
    closures: &[Closure],
) -> Option<String> {
    if centre.status == CentreStatus::Closed {
        return Some("The centre has closed".into());
    }
    if !centre.services.contains(&s.service) {
        return Some("The centre no longer offers this service".into());
    }
    let Some(slot) = slot else {
        return Some("The opening session no longer exists".into());
    };
    let runs = slot.weekday == Weekday::of(s.on_date).iso()
        && slot.effective_from <= s.on_date
        && slot.effective_to.is_none_or(|end| s.on_date <= end);
    if !runs {
        return Some("The opening session no longer runs that day".into());
    }
    if slot.venue_id != s.venue_id {
        return Some("The opening session moved to another venue".into());
    }
    if slot.starts_at != s.starts || slot.ends_at != s.ends {
        return Some("The opening session's times changed".into());
    }
    if !slot.services.contains(&s.service) {
        return Some("The opening session no longer offers this service".into());
    }
    // Any day of the session (a handover's pick-up may be days later).
    closures
        .iter()
        .find(|c| {
            c.starts_on <= s.ends_on
                && s.on_date <= c.ends_on
                && c.venue_id.is_none_or(|v| v == s.venue_id)
        })
        .map(|c| format!("The centre is closed then: {}", c.reason))
}

/// A family's case and the conditions its sessions are booked under now.
struct Family {
    bundle: ReferralBundle,
    /// Who may attend (the assessment's list, less any court order bars).
    attending: Vec<AdultId>,
    /// Whether the parties must be kept apart.
    keep_apart: bool,
}

async fn family(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<Option<Family>, ApiError> {
    let Some(bundle) = referrals_repo::load_bundle(conn, referral_id, false).await? else {
        return Ok(None);
    };
    let Some(assessed) = crate::referrals::assessment::repo::find(conn, referral_id, None).await?
    else {
        return Ok(None);
    };
    let keep_apart = pre_visits::booking::apart(conn, &bundle).await?.keep_apart;
    Ok(Some(Family {
        attending: plan::attending(&bundle, &assessed),
        keep_apart,
        bundle,
    }))
}

/// Why a session no longer fits the family's conditions: someone who may
/// no longer attend has times at it, or the parties must now be kept apart
/// and it was booked without.
pub fn unfit(
    s: &ContactSession,
    has_times: &[AdultId],
    may_attend: &[AdultId],
    keep_apart: bool,
) -> Option<String> {
    if has_times.iter().any(|a| !may_attend.contains(a)) {
        return Some("The family's conditions changed: someone at it may no longer attend".into());
    }
    if keep_apart && !s.keep_apart {
        return Some("The family's conditions changed: the parties are now kept apart".into());
    }
    None
}

/// Cancels the displaced sessions of each centre whose schedule changed,
/// a centre at a time, each in its own transaction; instances share the
/// queue under `SKIP LOCKED`. Returns how many sessions were cancelled.
pub async fn cancel_displaced(pool: &Pool, now: OffsetDateTime) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let mut cancelled = 0;
    // At most 50 centres a pass, so one pass never runs long.
    for _ in 0..50 {
        let done = conn
            .transaction::<_, ApiError, _>(async move |conn| centre_pass(conn, now).await)
            .await?;
        match done {
            Some(n) => cancelled += n,
            None => break,
        }
    }
    Ok(cancelled)
}

/// One centre off the queue: `None` when the queue is empty.
async fn centre_pass(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
) -> Result<Option<usize>, ApiError> {
    let Some(centre_id) = repo::take_schedule_change(conn).await? else {
        return Ok(None);
    };
    // A centre whose pass fails goes to the back of the queue (its work
    // undone by the savepoint), so it never holds up the others.
    let pass = conn
        .transaction::<_, ApiError, _>(async |conn| cancel_at(conn, centre_id, now).await)
        .await;
    match pass {
        Ok(n) => Ok(Some(n)),
        Err(e) => {
            log::warn!("jobs: sessions of centre {centre_id:?} not judged: {e}");
            repo::requeue_schedule_change(conn, centre_id).await?;
            Ok(Some(0))
        }
    }
}

/// Cancels the centre's sessions its schedule or families' conditions no
/// longer hold.
async fn cancel_at(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    now: OffsetDateTime,
) -> Result<usize, ApiError> {
    let Some(centre) = centres_repo::find_centre(conn, centre_id).await? else {
        return Ok(0);
    };
    let sessions = repo::scheduled_after(conn, centre_id, now).await?;
    let (Some(first), Some(last)) = (
        sessions.iter().map(|s| s.on_date).min(),
        sessions.iter().map(|s| s.ends_on).max(),
    ) else {
        return Ok(0);
    };
    let slots = centres_repo::opening_sessions_of(conn, centre_id, None).await?;
    let closures = centres_repo::closures_of(conn, centre_id, Some((first, last))).await?;
    let ids: Vec<uuid::Uuid> = sessions.iter().map(|s| s.id).collect();
    let windows = repo::windows_of(conn, &ids).await?;
    let mut families: HashMap<ReferralId, Option<Family>> = HashMap::new();
    let mut cancelled = 0;
    for s in sessions {
        let f = match families.entry(s.referral_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(family(conn, s.referral_id).await?),
        };
        let Some(f) = f else {
            continue;
        };
        // Those who attend (their windows go with the session).
        let attending: Vec<AdultId> = windows
            .iter()
            .filter(|w| w.contact_session_id == s.id)
            .map(|w| w.adult_id)
            .collect();
        let slot = slots.iter().find(|o| o.id == s.opening_session_id);
        let Some(reason) = displaced(&s, &centre, slot, &closures)
            .or_else(|| unfit(&s, &attending, &f.attending, f.keep_apart))
        else {
            continue;
        };
        let notice = (s.starts_at - now).whole_hours();
        let c = Cancellation {
            by: None,
            side: CancelledBy::Centre,
            adult: None,
            reason,
            notice_hours: i32::try_from(notice).unwrap_or(i32::MAX),
            late: notice < super::handlers::LATE_NOTICE_HOURS,
        };
        let Some(s) = repo::cancel(conn, s.id, &c).await? else {
            continue;
        };
        tell_cancelled(conn, &f.bundle, &s, None, &attending).await?;
        record(
            conn,
            Actor::system(),
            &s,
            "cancel_displaced_session",
            "contact_session.cancelled",
        )
        .await?;
        cancelled += 1;
    }
    Ok(cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{CentreId, OpeningSessionId, ServiceType, VenueId};
    use time::macros::{date, datetime, time};

    fn centre() -> Centre {
        Centre {
            id: CentreId::new(),
            name: "C".into(),
            status: CentreStatus::Active,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
            description: String::new(),
            accrediting_body: None,
            accreditation_status: crate::centres::model::AccreditationStatus::NotAccredited,
            accredited_on: None,
            accreditation_expires_on: None,
            services: vec![ServiceType::Supported, ServiceType::Handover],
            accepts_self_referrals: true,
            allows_observations: false,
            fee_kind: crate::centres::model::FeeKind::Free,
            fee_description: None,
            contact_email: None,
            contact_phone: None,
            website: None,
            min_referral_notice_days: 14,
            stagger_minutes: 15,
            offer_days: 7,
            status_reason: None,
            demo: false,
        }
    }

    fn slot(venue: VenueId) -> OpeningSession {
        OpeningSession {
            id: OpeningSessionId::new(),
            centre_id: CentreId::new(),
            venue_id: venue,
            weekday: 6,
            starts_at: time!(10:00),
            ends_at: time!(12:00),
            room: "Hall".into(),
            capacity: 4,
            services: vec![ServiceType::Supported, ServiceType::Handover],
            effective_from: date!(2026 - 01 - 01),
            effective_to: None,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    /// A supported session in `slot` on Saturday 19 December 2026.
    fn session(slot: &OpeningSession) -> ContactSession {
        ContactSession {
            centre_id: slot.centre_id,
            venue_id: slot.venue_id,
            opening_session_id: slot.id,
            ..super::super::samples::session()
        }
    }

    fn closure(venue: Option<VenueId>, from: time::Date, to: time::Date) -> Closure {
        Closure {
            id: crate::vocabulary::ClosureId::new(),
            centre_id: CentreId::new(),
            venue_id: venue,
            starts_on: from,
            ends_on: to,
            reason: "Christmas".into(),
            created_at: datetime!(2026-12-01 0:00 UTC),
        }
    }

    #[test]
    fn a_session_the_schedule_still_holds_stays() {
        let venue = VenueId::new();
        let o = slot(venue);
        let s = session(&o);
        let other_venue = closure(Some(VenueId::new()), s.on_date, s.on_date);
        assert_eq!(displaced(&s, &centre(), Some(&o), &[other_venue]), None);
    }

    #[test]
    fn each_change_after_booking_displaces_a_session() {
        let venue = VenueId::new();
        let o = slot(venue);
        let s = session(&o);
        let c = centre();
        let closed = Centre {
            status: CentreStatus::Closed,
            ..centre()
        };
        assert!(displaced(&s, &closed, Some(&o), &[]).is_some());
        let withdrawn = Centre {
            services: vec![ServiceType::Handover],
            ..centre()
        };
        assert!(displaced(&s, &withdrawn, Some(&o), &[]).is_some());
        let ended = OpeningSession {
            effective_to: Some(date!(2026 - 12 - 18)),
            ..slot(venue)
        };
        let ended_session = ContactSession {
            opening_session_id: ended.id,
            ..s.clone()
        };
        assert!(displaced(&ended_session, &c, Some(&ended), &[]).is_some());
        let moved = OpeningSession {
            starts_at: time!(10:30),
            ..o.clone()
        };
        assert!(displaced(&s, &c, Some(&moved), &[]).is_some());
        let fewer = OpeningSession {
            services: vec![ServiceType::Handover],
            ..o.clone()
        };
        assert!(displaced(&s, &c, Some(&fewer), &[]).is_some());
        let whole_centre = closure(None, date!(2026 - 12 - 19), date!(2027 - 01 - 02));
        let why = displaced(&s, &c, Some(&o), &[whole_centre]).unwrap_or_default();
        assert!(why.contains("Christmas"), "{why}");
        // A handover's pick-up day counts too.
        let handover = ContactSession {
            service: ServiceType::Handover,
            ends_on: date!(2026 - 12 - 21),
            ..s.clone()
        };
        let monday = closure(Some(venue), date!(2026 - 12 - 21), date!(2026 - 12 - 21));
        assert!(displaced(&handover, &c, Some(&o), std::slice::from_ref(&monday)).is_some());
        assert!(displaced(&s, &c, Some(&o), &[monday]).is_none());
    }
}
