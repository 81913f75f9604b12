//! Observation requests as each viewer may see them.

use super::dto::{ObservationDecision, ObservationRequestResponse, ObservedSession};
use super::repo::ObservationRequest;
use super::ObservationStatus;
use crate::referrals::views::timestamp;
use crate::sessions::contact::repo::ContactSession;
use crate::vocabulary::calendar::{format_date, format_time};

/// Who reads a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The officer who asked.
    Requester,
    /// The centre's coordinators.
    Centre,
}

/// A request as `seen` allows. The officer sees the session only once
/// approved, and the family only where they named it; a declined request
/// says nothing of why (a reason could say whether the family attends).
pub fn request(
    r: ObservationRequest,
    session: Option<&ContactSession>,
    seen: Seen,
) -> ObservationRequestResponse {
    let centre = seen == Seen::Centre;
    let approved = r.status == ObservationStatus::Approved;
    let session = session.filter(|_| approved);
    // `family_id` is the family the officer named (their organisation
    // referred it); the family of the session matched is the centre's to
    // know.
    let family_id = match seen {
        Seen::Centre => r.family_id.or(session.map(|s| s.family_id)),
        Seen::Requester => r.family_id,
    };
    let session = session.map(|s| ObservedSession {
        id: s.id,
        venue_id: s.venue_id.into(),
        date: format_date(s.on_date),
        starts: format_time(s.starts),
        ends: format_time(s.ends),
        starts_at: timestamp(s.starts_at),
        ends_at: timestamp(s.ends_at),
    });
    let decision = match (centre, r.decided_by, r.decided_at) {
        (true, Some(by), Some(at)) => Some(ObservationDecision {
            by: by.into(),
            at: timestamp(at),
            reason: r.decline_reason.clone(),
        }),
        _ => None,
    };
    ObservationRequestResponse {
        id: r.id,
        centre_id: r.centre_id.into(),
        date: format_date(r.on_date),
        clients: r.clients,
        note: r.note,
        status: r.status,
        created_at: timestamp(r.created_at),
        requested_by: r.requested_by.into(),
        observer_name: centre.then_some(r.observer_name),
        organisation_name: centre.then_some(r.organisation_name),
        family_id: family_id.map(Into::into),
        session,
        decision,
    }
}
