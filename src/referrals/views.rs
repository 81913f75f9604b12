//! The one redaction step on the way out: a referral as its viewer may see it
//! (the table in [`super::access`]).

use time::OffsetDateTime;

use super::access::Viewer;
use super::dto::{
    AdultResponse, ChildResponse, ContactDetails, CourtOrderResponse, CourtProceedingsResponse,
    HistoryResponse, Pending, PendingItem, ReferralResponse, ReferralSummary, ReferrerResponse,
    RelationResponse, RiskResponse, ShareInput,
};
use super::model::{
    Adult, HistoryEntry, HistoryVisibility, Listed, PartStatus, ReferralBundle, ReferralSource,
    ReferralStatus,
};
use crate::error::ApiError;
use crate::vocabulary::calendar::format_date;
use crate::vocabulary::AdultId;
use crate::vocabulary::Weekday;

/// An instant as the API writes it: RFC 3339 in UTC.
pub fn timestamp(at: OffsetDateTime) -> String {
    crate::vocabulary::calendar::format_instant(at)
}

/// An awaited part past its due time counts as expired, whether or not
/// anything has written that down yet.
pub fn part_status(adult: &Adult, now: OffsetDateTime) -> Result<PartStatus, ApiError> {
    let status: PartStatus = adult.part_status;
    Ok(match (status, adult.part_due_at) {
        (PartStatus::Awaited, Some(due)) if due <= now => PartStatus::Expired,
        (s, _) => s,
    })
}

/// What this viewer sees of an adult's contact details.
fn contact(adult: &Adult, viewer: &Viewer) -> ContactDetails {
    let share = ShareInput {
        email: adult.share_email,
        phone: adult.share_phone,
        address: adult.share_address,
    };
    let (email, phone, address, flags) = match viewer {
        Viewer::Centre => (true, true, true, true),
        Viewer::Parent { adult_ids } if adult_ids.contains(&adult.id) => (true, true, true, true),
        // The other party sees a detail only with that adult's consent.
        Viewer::Parent { .. } => (share.email, share.phone, share.address, false),
        Viewer::Staff | Viewer::Referrer => (false, false, false, false),
    };
    ContactDetails {
        email: adult.email.clone().filter(|_| email),
        phone: adult.phone.clone().filter(|_| phone),
        address: adult.address.clone().filter(|_| address),
        shared_with_other_party: flags.then_some(share),
    }
}

pub fn referral(
    b: &ReferralBundle,
    history: &[HistoryEntry],
    viewer: &Viewer,
    now: OffsetDateTime,
) -> Result<ReferralResponse, ApiError> {
    let r = &b.referral;
    let own =
        |id: AdultId| matches!(viewer, Viewer::Parent { adult_ids } if adult_ids.contains(&id));
    let centre_or_self = |id: AdultId| *viewer == Viewer::Centre || own(id);
    // A parent sees what is still missing from the other party (the referral
    // waits for it) but never their answer: whether they consent to contact.
    let other_party = |id: AdultId| matches!(viewer, Viewer::Parent { .. }) && !own(id);
    // The centre's people see the status as it is; outside the centre a
    // wait for an answer reads as the review it is part of.
    let inside = matches!(viewer, Viewer::Centre | Viewer::Staff);
    let shown = |s: ReferralStatus| if inside { s } else { s.outside_the_centre() };
    let status: ReferralStatus = shown(r.status);
    let source: ReferralSource = r.source;

    let adults = b
        .adults
        .iter()
        .map(|a| {
            Ok(AdultResponse {
                id: a.id,
                name: a.name.clone(),
                party: a.party,
                may_attend: a.may_attend,
                relations: b
                    .relations
                    .iter()
                    .filter(|rel| rel.adult_id == a.id)
                    .map(|rel| {
                        Ok(RelationResponse {
                            child_id: rel.child_id,
                            relation: rel.relation,
                            lives_with: rel.lives_with,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
                contact: contact(a, viewer),
                part_status: part_status(a, now)?,
                part_due_at: a.part_due_at.map(timestamp),
                consents_to_contact: a.consents_to_contact.filter(|_| !other_party(a.id)),
                availability: a.availability.clone().filter(|_| centre_or_self(a.id)),
                part_paper_signed_on: a
                    .part_paper_signed_on
                    .filter(|_| centre_or_self(a.id))
                    .map(format_date),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;

    // Risk statements: the centre sees all; staff those marked for them; a
    // referrer the referrer's own; a parent their own, never the other party's.
    let risks = b
        .risks
        .iter()
        .filter(|k| match viewer {
            Viewer::Centre => true,
            Viewer::Staff => k.visible_to_staff,
            Viewer::Referrer => k.stated_by_adult.is_none(),
            Viewer::Parent { adult_ids } => {
                k.stated_by_adult.is_some_and(|a| adult_ids.contains(&a))
            }
        })
        .map(|k| {
            Ok(RiskResponse {
                id: k.id,
                kind: k.kind,
                details: k.details.clone(),
                stated_by_adult: k.stated_by_adult,
                visible_to_staff: k.visible_to_staff,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;

    // A self-referral's referrer is a parent: their email and phone are
    // contact details like any other. A professional's are for those who deal
    // with them (the centre's coordinators, their own side, the family they
    // referred), not for staff, who run sessions and need neither.
    let referrer_is_parent = source == ReferralSource::SelfReferral;
    let sees_referrer_contact = match viewer {
        Viewer::Centre => true,
        Viewer::Staff => false,
        Viewer::Referrer | Viewer::Parent { .. } => {
            !referrer_is_parent
                || b.adults
                    .iter()
                    .any(|a| own(a.id) && a.user_id == r.created_by_user)
        }
    };
    let referrer = ReferrerResponse {
        name: r.referrer_name.clone(),
        email: Some(r.referrer_email.clone()).filter(|_| sees_referrer_contact),
        phone: r.referrer_phone.clone().filter(|_| sees_referrer_contact),
        organisation_id: r.organisation_id,
    };

    Ok(ReferralResponse {
        id: r.id,
        centre_id: r.centre_id,
        service: r.service,
        status,
        source,
        referrer,
        communication_level: r.communication_level,
        parties_must_not_meet: r.parties_must_not_meet,
        children: b
            .children
            .iter()
            .map(|c| ChildResponse {
                id: c.id,
                name: c.name.clone(),
                date_of_birth: format_date(c.date_of_birth),
                needs: c.needs.clone(),
            })
            .collect(),
        adults,
        // The court and case number are for the centre's coordinators, the
        // referrer and the parties; staff running sessions need neither.
        court_proceedings: (*viewer != Viewer::Staff
            && (r.court_name.is_some()
                || r.court_case_number.is_some()
                || r.next_hearing_on.is_some()))
        .then(|| CourtProceedingsResponse {
            court: r.court_name.clone(),
            case_number: r.court_case_number.clone(),
            next_hearing_on: r.next_hearing_on.map(format_date),
        }),
        court_orders: b
            .court_orders
            .iter()
            .map(|o| {
                Ok(CourtOrderResponse {
                    id: o.id,
                    kind: o.kind,
                    made_on: o.made_on.map(format_date),
                    expires_on: o.expires_on.map(format_date),
                    conditions: matches!(viewer, Viewer::Centre | Viewer::Referrer)
                        .then(|| o.conditions.clone()),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        risks,
        preferred_days: r
            .preferred_days
            .iter()
            .flatten()
            .map(|d| Weekday::from_iso(*d))
            .collect::<Result<_, _>>()?,
        frequency: r.frequency,
        pending: pending(b, status, now)?,
        // Notes for the centre alone (a decision's reasons may speak of the
        // other party, or quote risks) reach its coordinators only: not the
        // family's side, nor staff, who see risks only when marked for them.
        history: history
            .iter()
            .filter(|h| h.visibility == HistoryVisibility::Shared || *viewer == Viewer::Centre)
            .map(|h| HistoryResponse {
                at: timestamp(h.at),
                from_status: h.from_status.map(shown),
                to_status: shown(h.to_status),
                note: h.note.clone(),
                visibility: h.visibility,
            })
            .collect(),
        family_id: None,
        possible_duplicate_of: None,
        quote: None,
        submitted_at: r.submitted_at.map(timestamp),
        received_at: r.received_at.map(timestamp),
        outcome: r.outcome,
        // The category may speak of the other party ("party_does_not_consent",
        // "risk_too_high"): the parties read the centre's words for them.
        decline_reason: r
            .decline_reason
            .filter(|_| !matches!(viewer, Viewer::Parent { .. })),
        decline_rationale: r
            .decline_rationale
            .clone()
            .filter(|_| *viewer == Viewer::Centre),
        waiting_list_position: None,
        offer: None,
        priority_reason: r.priority_reason.clone().filter(|_| inside),
        created_at: timestamp(r.created_at),
    })
}

/// What the referral waits for, and from whom: each adult's part still to come
/// (or overdue), then the centre's review.
fn pending(
    b: &ReferralBundle,
    status: ReferralStatus,
    now: OffsetDateTime,
) -> Result<Vec<PendingItem>, ApiError> {
    let mut items = Vec::new();
    for a in &b.adults {
        let part = part_status(a, now)?;
        if matches!(part, PartStatus::Awaited | PartStatus::Expired) {
            items.push(PendingItem {
                what: Pending::PartyPart,
                adult_id: Some(a.id),
                from: a.name.clone(),
                due_at: a.part_due_at.map(timestamp),
                expired: part == PartStatus::Expired,
            });
        }
    }
    // Each stage that waits for the centre names it.
    let centre = match status {
        ReferralStatus::Submitted | ReferralStatus::UnderReview => Some(Pending::CentreReview),
        ReferralStatus::Waitlisted => Some(Pending::Place),
        ReferralStatus::Accepted | ReferralStatus::PreVisits => Some(Pending::PreVisits),
        _ => None,
    };
    if let Some(what) = centre {
        items.push(PendingItem {
            what,
            adult_id: None,
            from: "centre".to_owned(),
            due_at: None,
            expired: false,
        });
    }
    Ok(items)
}

/// A list entry; `inside` for the centre's people (see [`referral`] on the
/// status shown outside the centre).
pub fn summary(r: &Listed, children: i64, inside: bool) -> Result<ReferralSummary, ApiError> {
    Ok(ReferralSummary {
        id: r.id,
        centre_id: r.centre_id,
        service: r.service,
        status: if inside {
            r.status
        } else {
            r.status.outside_the_centre()
        },
        source: r.source,
        children,
        submitted_at: r.submitted_at.map(timestamp),
        created_at: timestamp(r.created_at),
    })
}
