//! What happened on the day: `POST /families/{id}/contact-sessions/{session_id}/outcome`
//! (the centre's people record `completed`, `terminated` or `no_show`), and
//! the family's record, `GET /families/{id}/contact-record`: sessions by
//! status, and each party's cancellations, late cancellations and no-shows.

use actix_web::{get, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::handlers::{family_case, record};
use super::repo::{self, ContactSession};
use super::views::{self, Shown};
use super::{CancelledBy, ContactSessionStatus};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::{Caller, Principal};
use crate::referrals::access::Viewer;
use crate::referrals::model::Party;
use crate::schema::{contact_sessions, session_outcomes};
use crate::validation::FieldErrors;
use crate::vocabulary::{AdultId, FamilyId, UserId};

use super::dto::ContactSessionResponse;

crate::text_enum! {
    /// What happened, recorded on the day.
    pub enum SessionResult {
        /// It took place.
        Completed => "completed",
        /// Staff ended it early (it distressed the child); the note says why.
        Terminated => "terminated",
        /// A party did not come; the absent parties are named.
        NoShow => "no_show",
    }
}

impl SessionResult {
    fn status(self) -> ContactSessionStatus {
        match self {
            SessionResult::Completed => ContactSessionStatus::Completed,
            SessionResult::Terminated => ContactSessionStatus::Terminated,
            SessionResult::NoShow => ContactSessionStatus::NoShow,
        }
    }
}

/// What the centre records of a session on its day.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "no_show", "absent_adult_ids": ["0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c"]}))]
pub struct OutcomeRequest {
    /// `completed`, `terminated` or `no_show`.
    pub outcome: SessionResult,
    /// For a no-show, the parties who did not come (each one who attends
    /// the session); none otherwise.
    #[serde(default)]
    pub absent_adult_ids: Vec<Uuid>,
    /// Why staff ended it (required for `terminated`), or anything to note.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// What was recorded of a session on its day (the centre's people).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeResponse {
    /// The session, with its new status.
    pub session: ContactSessionResponse,
    /// Who recorded it.
    pub recorded_by: Uuid,
    /// The note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The parties who did not come.
    pub absent_adult_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = session_outcomes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct SessionOutcome {
    contact_session_id: Uuid,
    recorded_by: UserId,
    recorded_at: OffsetDateTime,
    note: Option<String>,
    absent_adults: Vec<AdultId>,
}

/// The centre's coordinators and staff record what happened, once the
/// session has begun: `completed`; `terminated` (staff ended it because it distressed
/// the child), with the reason; or `no_show`, naming the parties who did
/// not come, which counts against each of them. A session is recorded
/// once.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = "The family's id"),
        ("session_id" = Uuid, Path, description = "The contact session's id"),
    ),
    request_body = OutcomeRequest,
    responses(
        (status = 200, description = "Recorded", body = OutcomeResponse),
        (status = 403, description = "Not one of the centre's people", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family or session the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session is cancelled or already recorded, or has not begun", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A no-show names no party who attends, another outcome names one, or a termination gives no reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/contact-sessions/{session_id}/outcome")]
pub async fn record_session_outcome(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, Uuid)>,
    body: web::Json<OutcomeRequest>,
) -> Result<web::Json<OutcomeResponse>, ApiError> {
    let (id, session_id) = path.into_inner();
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    let note = errors.optional_text("note", body.note.as_deref(), 2000);
    if body.outcome == SessionResult::Terminated && note.is_none() {
        errors.push("note", "required", "say why the session was ended");
    }
    if body.outcome != SessionResult::NoShow && !body.absent_adult_ids.is_empty() {
        errors.push(
            "absent_adult_ids",
            "not_no_show",
            "only a no-show names absent parties",
        );
    }
    if body.outcome == SessionResult::NoShow && body.absent_adult_ids.is_empty() {
        errors.push(
            "absent_adult_ids",
            "required",
            "name the parties who did not come",
        );
    }
    errors.finish(())?;
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = family_case(conn, id, false).await?;
            let viewer = views::viewer(&caller, &b)?;
            let recorder = match (&*caller, &viewer) {
                (Principal::User(u), Viewer::Centre | Viewer::Staff) => u.id,
                _ => return Err(ApiError::Forbidden),
            };
            let s = repo::find_locked(conn, id, session_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if s.status != ContactSessionStatus::Scheduled {
                return Err(ApiError::Conflict(format!(
                    "the session is {}; only a scheduled session is recorded",
                    s.status.as_str()
                )));
            }
            // Recorded once it has begun: a no-show is not judged before a
            // party could arrive.
            if s.starts_at > OffsetDateTime::now_utc() {
                return Err(ApiError::Conflict(
                    "a session is recorded once it has begun".into(),
                ));
            }
            let windows = repo::windows_of(conn, &[s.id]).await?;
            let absent: Vec<AdultId> = body
                .absent_adult_ids
                .iter()
                .map(|a| AdultId::from(*a))
                .collect();
            if absent
                .iter()
                .any(|a| !windows.iter().any(|w| w.adult_id == *a))
            {
                return Err(ApiError::field(
                    "absent_adult_ids",
                    "not_attending",
                    "each must be a party who attends this session",
                ));
            }
            let outcome = SessionOutcome {
                contact_session_id: s.id,
                recorded_by: recorder,
                recorded_at: OffsetDateTime::now_utc(),
                note,
                absent_adults: absent,
            };
            diesel::insert_into(session_outcomes::table)
                .values(&outcome)
                .execute(conn)
                .await?;
            let s: ContactSession = diesel::update(contact_sessions::table.find(s.id))
                .set(contact_sessions::status.eq(body.outcome.status()))
                .returning(ContactSession::as_returning())
                .get_result(conn)
                .await?;
            record(
                conn,
                &caller,
                &s,
                "record_contact_session_outcome",
                "contact_session.recorded",
            )
            .await?;
            Ok(OutcomeResponse {
                session: views::session(s, &windows, &Shown::All),
                recorded_by: outcome.recorded_by.into(),
                note: outcome.note,
                absent_adult_ids: outcome.absent_adults.into_iter().map(Into::into).collect(),
            })
        })
        .await?;
    Ok(web::Json(response))
}

/// How a family's sessions ended, by status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SessionCounts {
    /// Still to come, or not yet recorded.
    pub scheduled: i64,
    /// Took place.
    pub completed: i64,
    /// Ended early by staff.
    pub terminated: i64,
    /// A party did not come.
    pub no_show: i64,
    /// Called off.
    pub cancelled: i64,
}

/// What counts against one side.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SideCounts {
    /// Sessions it cancelled.
    pub cancellations: i64,
    /// Of those, with less than a day's notice.
    pub late_cancellations: i64,
}

/// What counts against one party.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyCounts {
    /// The party.
    pub adult_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their part in the case.
    #[schema(value_type = Party)]
    pub party: Party,
    /// Sessions they cancelled.
    pub cancellations: i64,
    /// Of those, with less than a day's notice.
    pub late_cancellations: i64,
    /// Sessions they did not come to.
    pub no_shows: i64,
}

/// A family's record of contact: what the centre weighs at a review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactRecordResponse {
    /// The family.
    pub family_id: Uuid,
    /// Sessions by how they ended.
    pub sessions: SessionCounts,
    /// Each party's cancellations and no-shows.
    pub parties: Vec<PartyCounts>,
    /// Cancellations by the referrer's side.
    pub referrer: SideCounts,
    /// Cancellations by the centre (closures and changes included).
    pub centre: SideCounts,
}

/// The family's sessions with the parties absent from each.
async fn with_absences(
    conn: &mut AsyncPgConnection,
    id: FamilyId,
) -> Result<(Vec<ContactSession>, Vec<Vec<AdultId>>), ApiError> {
    let sessions = repo::of_family(conn, id).await?;
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
    let absences: Vec<(Uuid, Vec<AdultId>)> = session_outcomes::table
        .filter(session_outcomes::contact_session_id.eq_any(&ids))
        .select((
            session_outcomes::contact_session_id,
            session_outcomes::absent_adults,
        ))
        .load(conn)
        .await?;
    let absent = sessions
        .iter()
        .map(|s| {
            absences
                .iter()
                .find(|(id, _)| *id == s.id)
                .map(|(_, a)| a.clone())
                .unwrap_or_default()
        })
        .collect();
    Ok((sessions, absent))
}

/// A family's record of contact for the centre's people: its sessions by
/// how they ended, and each side's cancellations (late ones, under a day's
/// notice, apart) and each party's no-shows. Reads are audited.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = "The family's id")),
    responses(
        (status = 200, description = "The family's record", body = ContactRecordResponse),
        (status = 403, description = "Not one of the centre's people", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["sessions:read"]))
)]
#[get("/families/{id}/contact-record")]
pub async fn contact_record(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
) -> Result<web::Json<ContactRecordResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let b = family_case(&mut conn, id, false).await?;
    let viewer = views::viewer(&caller, &b)?;
    if !matches!(viewer, Viewer::Centre | Viewer::Staff) {
        return Err(ApiError::Forbidden);
    }
    let (sessions, absent) = with_absences(&mut conn, id).await?;
    if matches!(&*caller, Principal::User(_)) {
        audit::record(
            &mut conn,
            Event::new(&caller, "read_contact_record", "family")
                .resource(id)
                .centre(Some(b.referral.centre_id)),
        )
        .await?;
    }
    Ok(web::Json(tally(id, &b.adults, &sessions, &absent)))
}

/// Counts a family's sessions: pure, from what the tables hold.
fn tally(
    id: FamilyId,
    adults: &[crate::referrals::model::Adult],
    sessions: &[ContactSession],
    absent: &[Vec<AdultId>],
) -> ContactRecordResponse {
    let mut counts = SessionCounts::default();
    let (mut referrer, mut centre) = (SideCounts::default(), SideCounts::default());
    for s in sessions {
        *match s.status {
            ContactSessionStatus::Scheduled => &mut counts.scheduled,
            ContactSessionStatus::Completed => &mut counts.completed,
            ContactSessionStatus::Terminated => &mut counts.terminated,
            ContactSessionStatus::NoShow => &mut counts.no_show,
            ContactSessionStatus::Cancelled => &mut counts.cancelled,
        } += 1;
        let side = match s.cancelled_by_side {
            Some(CancelledBy::Referrer) => &mut referrer,
            Some(CancelledBy::Centre) => &mut centre,
            _ => continue,
        };
        side.cancellations += 1;
        side.late_cancellations += i64::from(s.late == Some(true));
    }
    let parties = adults
        .iter()
        .map(|a| {
            let theirs = sessions
                .iter()
                .filter(|s| s.cancelled_by_adult == Some(a.id));
            PartyCounts {
                adult_id: a.id.into(),
                name: a.name.clone(),
                party: a.party,
                cancellations: theirs.clone().count() as i64,
                late_cancellations: theirs.filter(|s| s.late == Some(true)).count() as i64,
                no_shows: absent.iter().filter(|x| x.contains(&a.id)).count() as i64,
            }
        })
        .collect();
    ContactRecordResponse {
        family_id: id.into(),
        sessions: counts,
        parties,
        referrer,
        centre,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_cancellations_and_no_shows_count_against_their_own_side() {
        let jo = AdultId::new();
        let chris = AdultId::new();
        let adult = |id, name: &str, party| crate::referrals::model::Adult {
            id,
            referral_id: crate::vocabulary::ReferralId::new(),
            name: name.into(),
            party,
            email: None,
            phone: None,
            address: None,
            share_email: false,
            share_phone: false,
            share_address: false,
            may_attend: true,
            user_id: None,
            part_status: crate::referrals::model::PartStatus::Given,
            part_due_at: None,
            part_given_at: None,
            consents_to_contact: None,
            availability: None,
            position: 0,
            part_paper_signed_on: None,
            part_recorded_by: None,
        };
        let adults = [
            adult(jo, "Jo", Party::ResidentParent),
            adult(chris, "Chris", Party::NonResidentParent),
        ];
        let base = super::super::samples::session();
        let cancelled = |side, by, late| ContactSession {
            status: ContactSessionStatus::Cancelled,
            cancelled_by_side: Some(side),
            cancelled_by_adult: by,
            late: Some(late),
            ..base.clone()
        };
        let sessions = [
            cancelled(CancelledBy::Party, Some(jo), true),
            cancelled(CancelledBy::Party, Some(jo), false),
            cancelled(CancelledBy::Centre, None, true),
            ContactSession {
                status: ContactSessionStatus::NoShow,
                ..base.clone()
            },
            base.clone(),
        ];
        let absent = [vec![], vec![], vec![], vec![chris], vec![]];
        let r = tally(FamilyId::new(), &adults, &sessions, &absent);
        assert_eq!(
            (
                r.sessions.cancelled,
                r.sessions.no_show,
                r.sessions.scheduled
            ),
            (3, 1, 1)
        );
        assert_eq!(
            (r.parties[0].cancellations, r.parties[0].late_cancellations),
            (2, 1)
        );
        assert_eq!((r.parties[0].no_shows, r.parties[1].no_shows), (0, 1));
        assert_eq!(
            (r.centre.cancellations, r.centre.late_cancellations),
            (1, 1)
        );
        assert_eq!(r.referrer.cancellations, 0);
    }
}
