//! Contact sessions as each viewer may see them: the one redaction step.

use diesel_async::AsyncPgConnection;

use super::dto::{CancellationResponse, ContactSessionResponse, WindowResponse};
use super::repo::{ContactSession, SessionWindow};
use super::{CancelledBy, WindowKind};
use crate::error::ApiError;
use crate::identity::Principal;
use crate::referrals::access::{self, ClientUse, Viewer};
use crate::referrals::model::ReferralBundle;
use crate::referrals::views::timestamp;
use crate::sessions::pre_visits;
use crate::vocabulary::written::{ClockTime, IsoDate, UtcInstant};
use crate::vocabulary::{AdultId, FamilyId};

/// Who sees a family's sessions, and how much: as the referral's viewer,
/// except that an integration client's token must hold `sessions:read`
/// (a centre's client then sees as its staff do, an organisation's as the
/// referrer's side). Anyone else learns nothing, not even that it exists.
pub fn viewer(caller: &Principal, b: &ReferralBundle) -> Result<Viewer, ApiError> {
    access::viewer_for(caller, b, ClientUse::ReadSessions)
}

/// What a viewer is shown of each session's windows and details.
pub enum Shown {
    /// The centre's people: everything.
    All,
    /// A party: their own windows (and the link or place) for those of
    /// their adults who attend and whose identity was checked at a
    /// pre-visit; the reason of a cancellation they gave.
    Party {
        checked: Vec<AdultId>,
        own: Vec<AdultId>,
    },
    /// The referrer's side: dates, slot times and status.
    Outline,
}

/// How much `viewer` is shown: a party's windows only once their identity
/// was checked at their pre-visit (DOMAIN.md: only named people attend).
pub async fn shown(
    conn: &AsyncPgConnection,
    family_id: FamilyId,
    viewer: &Viewer,
) -> Result<Shown, ApiError> {
    let checked = match viewer {
        Viewer::Parent { .. } => {
            pre_visits::repo::identity_checked_of_family(conn, family_id).await?
        }
        _ => Vec::new(),
    };
    Ok(shown_given(viewer, &checked))
}

/// How much `viewer` is shown, given the family's adults whose identity
/// was checked at a done pre-visit (as [`shown`] reads them).
pub fn shown_given(viewer: &Viewer, checked: &[AdultId]) -> Shown {
    match viewer {
        Viewer::Centre | Viewer::Staff => Shown::All,
        Viewer::Referrer => Shown::Outline,
        Viewer::Parent { adult_ids } => Shown::Party {
            checked: checked
                .iter()
                .copied()
                .filter(|a| adult_ids.contains(a))
                .collect(),
            own: adult_ids.clone(),
        },
    }
}

/// A window with its local times and instants.
pub fn window(w: &SessionWindow, s: &ContactSession) -> WindowResponse {
    // A window lies within the session's hours on its first or last day:
    // its instants are the session's, moved by the minutes between the
    // local times (the clocks never change during opening hours).
    let (at, from) = match w.kind {
        WindowKind::Arrives => (s.starts_at, s.starts),
        WindowKind::Leaves => (s.ends_at, s.ends),
    };
    let instant = |t: time::Time| at + (t - from);
    WindowResponse {
        adult_id: w.adult_id.into(),
        kind: w.kind,
        entrance: w.entrance.clone(),
        date: IsoDate(w.on_date),
        starts: ClockTime(w.starts),
        ends: ClockTime(w.ends),
        starts_at: UtcInstant(instant(w.starts)),
        ends_at: UtcInstant(instant(w.ends)),
    }
}

/// A session as `shown` allows, with the windows given for it.
pub fn session(
    s: ContactSession,
    windows: &[SessionWindow],
    shown: &Shown,
) -> ContactSessionResponse {
    let all = matches!(shown, Shown::All);
    // A cancelled session's windows are kept (who attended), not shown.
    let live = s.status != super::ContactSessionStatus::Cancelled;
    let windows: Vec<WindowResponse> = windows
        .iter()
        .filter(|w| live && w.contact_session_id == s.id)
        .filter(|w| match shown {
            Shown::All => true,
            Shown::Party { checked, .. } => checked.contains(&w.adult_id),
            Shown::Outline => false,
        })
        .map(|w| window(w, &s))
        .collect();
    // Where and how to join: the centre's people, and a party who attends
    // (has windows of their own in it); never an adult kept away.
    let party = all || !windows.is_empty();
    // The canceller's side sees their own reason; the other side only that
    // it was cancelled.
    let cancellation = s.cancelled_at.map(|at| CancellationResponse {
        at: timestamp(at),
        by: all.then_some(s.cancelled_by_side).flatten(),
        reason: match shown {
            Shown::All => s.cancel_reason.clone(),
            Shown::Party { own, .. } => s
                .cancelled_by_adult
                .filter(|a| own.contains(a))
                .and(s.cancel_reason.clone()),
            Shown::Outline => (s.cancelled_by_side == Some(CancelledBy::Referrer))
                .then(|| s.cancel_reason.clone())
                .flatten(),
        },
        notice_hours: all.then_some(s.notice_hours).flatten(),
        late: all.then_some(s.late).flatten(),
    });
    ContactSessionResponse {
        id: s.id,
        family_id: s.family_id.into(),
        referral_id: s.referral_id.into(),
        series_id: s.series_id,
        venue_id: s.venue_id.into(),
        opening_session_id: s.opening_session_id.into(),
        service: s.service,
        date: IsoDate(s.on_date),
        starts: ClockTime(s.starts),
        ends: ClockTime(s.ends),
        ends_on: IsoDate(s.ends_on),
        starts_at: UtcInstant(s.starts_at),
        ends_at: UtcInstant(s.ends_at),
        status: s.status,
        windows,
        staff_id: s.staff_id.filter(|_| all).map(Into::into),
        meeting_link: s.meeting_link.filter(|_| party),
        place: s.place.filter(|_| party),
        cancellation,
    }
}
