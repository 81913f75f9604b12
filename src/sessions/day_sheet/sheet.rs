//! Assembling a day sheet from its parts, read together in one round trip.

use diesel_async::AsyncPgConnection;

use super::dto::{
    AdultOnSheet, AttendeeOnSheet, ChildOnSheet, DaySheetSession, ObserverOnSheet, RiskOnSheet,
    StaffOnSheet,
};
use crate::centres::repo as centres_repo;
use crate::error::ApiError;
use crate::families::attendees;
use crate::identity::repo as identity_repo;
use crate::referrals::brief;
use crate::sessions::contact::repo::{self as contact_repo, ContactSession};
use crate::sessions::contact::views;
use crate::sessions::contact::ContactSessionStatus;
use crate::sessions::observations;
use crate::vocabulary::written::{ClockTime, IsoDate, UtcInstant};
use crate::vocabulary::{CentreId, FamilyId, ReferralId, UserId};

/// Each session with what staff need of its family. The families' parts
/// are read for all sessions at once (a handful of queries, sent together),
/// never a family at a time.
pub async fn assemble(
    conn: &AsyncPgConnection,
    centre_id: CentreId,
    sessions: Vec<ContactSession>,
) -> Result<Vec<DaySheetSession>, ApiError> {
    if sessions.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = sessions.iter().map(|s| s.id).collect();
    let mut referral_ids: Vec<ReferralId> = sessions.iter().map(|s| s.referral_id).collect();
    referral_ids.sort_unstable();
    referral_ids.dedup();
    let mut family_ids: Vec<FamilyId> = sessions.iter().map(|s| s.family_id).collect();
    family_ids.sort_unstable();
    family_ids.dedup();
    let staff_ids: Vec<UserId> = sessions.iter().filter_map(|s| s.staff_id).collect();
    let ((windows, families, approved), (staff, rooms, observers)) =
        futures_util::future::try_join(
            futures_util::future::try_join3(
                contact_repo::windows_alongside(conn, &ids),
                brief::in_brief(conn, &referral_ids),
                attendees::approved_of_many(conn, &family_ids),
            ),
            futures_util::future::try_join3(
                identity_repo::names_of(conn, &staff_ids),
                centres_repo::rooms_of(conn, centre_id),
                observations::repo::approved_for(conn, &ids),
            ),
        )
        .await?;
    Ok(sessions
        .into_iter()
        .map(|s| {
            // A cancelled session keeps its windows (who would have come),
            // but nobody is expected: none are listed.
            let cancelled = s.status == ContactSessionStatus::Cancelled;
            let windows: Vec<_> = windows
                .iter()
                .filter(|w| !cancelled && w.contact_session_id == s.id)
                .collect();
            let attends = |a| windows.iter().any(|w| w.adult_id == a);
            let (room, venue_name) = rooms
                .iter()
                .find(|(id, _, _)| *id == s.opening_session_id)
                .map(|(_, room, venue)| (room.clone(), venue.clone()))
                .unwrap_or_default();
            DaySheetSession {
                id: s.id,
                family_id: s.family_id.into(),
                referral_id: s.referral_id.into(),
                service: s.service,
                status: s.status,
                venue_id: s.venue_id.into(),
                venue_name,
                room,
                opening_session_id: s.opening_session_id.into(),
                date: IsoDate(s.on_date),
                starts: ClockTime(s.starts),
                ends: ClockTime(s.ends),
                ends_on: IsoDate(s.ends_on),
                starts_at: UtcInstant(s.starts_at),
                ends_at: UtcInstant(s.ends_at),
                do_not_meet: s.keep_apart,
                staff: s.staff_id.and_then(|id| {
                    staff
                        .iter()
                        .find(|(u, _)| *u == id)
                        .map(|(u, name)| StaffOnSheet {
                            id: (*u).into(),
                            name: name.clone(),
                        })
                }),
                meeting_link: s.meeting_link.clone(),
                place: s.place.clone(),
                children: families
                    .children
                    .iter()
                    .filter(|c| c.referral_id == s.referral_id)
                    .map(|c| ChildOnSheet {
                        name: c.name.clone(),
                        date_of_birth: IsoDate(c.date_of_birth),
                        needs: c.needs.clone(),
                    })
                    .collect(),
                adults: families
                    .adults
                    .iter()
                    .filter(|a| a.referral_id == s.referral_id)
                    .map(|a| AdultOnSheet {
                        id: a.id.into(),
                        name: a.name.clone(),
                        party: a.party,
                        attends: attends(a.id),
                    })
                    .collect(),
                // Only those with a party who comes to this session.
                attendees: approved
                    .iter()
                    .filter(|p| p.family_id == s.family_id && attends(p.accompanies))
                    .map(|p| AttendeeOnSheet {
                        accompanies: p.accompanies.into(),
                        name: p.name.clone(),
                        relation: p.relation.clone(),
                    })
                    .collect(),
                windows: windows.iter().map(|w| views::window(w, &s)).collect(),
                risks: families
                    .risks
                    .iter()
                    .filter(|r| r.referral_id == s.referral_id)
                    .map(|r| RiskOnSheet {
                        kind: r.kind,
                        details: r.details.clone(),
                    })
                    .collect(),
                observers: observers
                    .iter()
                    .filter(|o| o.contact_session_id == s.id)
                    .map(|o| ObserverOnSheet {
                        name: o.name.clone(),
                        organisation: o.organisation.clone(),
                    })
                    .collect(),
            }
        })
        .collect())
}
