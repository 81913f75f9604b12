//! A new regular arrangement once contact runs: the centre proposes it
//! (`POST /referrals/{id}/arrangement-proposals`), and it takes effect only
//! when every party who attends agreed
//! (`POST …/arrangement-proposals/{proposal_id}/agreement`): then the
//! sessions from its first date are cancelled and the new ones booked, in
//! one transaction. A new proposal supersedes one still waiting.

use actix_web::{get, post, web, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::handlers::{record, LATE_NOTICE_HOURS};
use super::plan::{self, Asked};
use super::repo::{self, Cancellation};
use super::{booking, CancelledBy, ContactSessionStatus, Frequency};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::{Caller, Principal};
use crate::notifications::{self, Template};
use crate::referrals::access::Viewer;
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::model::{ReferralBundle, ReferralStatus};
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::schema::{arrangement_proposals, contact_arrangements, contact_sessions};
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::format_date;
use crate::vocabulary::{AdultId, OpeningSessionId, ReferralId, UserId};

crate::text_enum! {
    /// Where a proposed arrangement stands.
    pub enum ProposalStatus {
        /// Waiting for the parties' agreement.
        Pending => "pending",
        /// Every party agreed: its sessions are booked.
        InForce => "in_force",
        /// A later proposal replaced it.
        Superseded => "superseded",
        /// Its first date passed before everyone agreed.
        Lapsed => "lapsed",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = arrangement_proposals)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct Proposal {
    id: Uuid,
    referral_id: ReferralId,
    opening_session_id: OpeningSessionId,
    frequency: Frequency,
    first_on: Date,
    until_on: Date,
    staff_id: Option<UserId>,
    proposed_by: UserId,
    proposed_at: OffsetDateTime,
    needs: Vec<AdultId>,
    agreed: Vec<AdultId>,
    status: ProposalStatus,
    settled_at: Option<OffsetDateTime>,
}

/// A new arrangement the centre proposes.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"opening_session_id": "0192f0c4-5b6e-7d3a-9c1b-2a4e6f8d0b1c", "frequency": "fortnightly", "first_on": "2027-01-09", "until": "2027-04-03"}))]
pub struct ProposalRequest {
    /// The opening session the family would come to.
    pub opening_session_id: Uuid,
    /// `weekly` or `fortnightly`.
    pub frequency: Frequency,
    /// The first date under it; sessions from that date are replaced.
    #[schema(format = Date)]
    pub first_on: String,
    /// The last date booked to (12 weeks on if not given; at most a year).
    #[schema(format = Date)]
    pub until: Option<String>,
    /// The vetted staff member, for a one-to-one service.
    pub staff_id: Option<Uuid>,
}

/// A proposed arrangement, as its reader may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalResponse {
    /// The proposal's id.
    pub id: Uuid,
    /// The referral.
    pub referral_id: Uuid,
    /// The opening session.
    pub opening_session_id: Uuid,
    /// `weekly` or `fortnightly`.
    pub frequency: Frequency,
    /// Its first date.
    #[schema(format = Date)]
    pub first_on: String,
    /// Its last date.
    #[schema(format = Date)]
    pub until: String,
    /// `pending`, `in_force`, `superseded` or `lapsed`.
    pub status: ProposalStatus,
    /// When it was proposed.
    #[schema(format = DateTime)]
    pub proposed_at: String,
    /// The parties whose agreement it needs (the centre's people; a party
    /// sees only themself).
    pub needs: Vec<Uuid>,
    /// Of those, who agreed (the centre's people; a party sees only
    /// themself).
    pub agreed: Vec<Uuid>,
}

/// Who reads a proposal, and how much.
enum Reader {
    Centre,
    Party(Vec<AdultId>),
    Referrer,
}

fn view(p: &Proposal, reader: &Reader) -> ProposalResponse {
    let shown = |ids: &[AdultId]| -> Vec<Uuid> {
        ids.iter()
            .filter(|a| match reader {
                Reader::Centre => true,
                Reader::Party(own) => own.contains(a),
                Reader::Referrer => false,
            })
            .map(|a| (*a).into())
            .collect()
    };
    ProposalResponse {
        id: p.id,
        referral_id: p.referral_id.into(),
        opening_session_id: p.opening_session_id.into(),
        frequency: p.frequency,
        first_on: format_date(p.first_on),
        until: format_date(p.until_on),
        status: p.status,
        proposed_at: timestamp(p.proposed_at),
        needs: shown(&p.needs),
        agreed: shown(&p.agreed),
    }
}

fn reader(viewer: Viewer) -> Reader {
    match viewer {
        Viewer::Centre | Viewer::Staff => Reader::Centre,
        Viewer::Parent { adult_ids } => Reader::Party(adult_ids),
        Viewer::Referrer => Reader::Referrer,
    }
}

/// The family's plan for a proposal: judged as a booking is.
async fn planned(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    p: &Proposal,
    by: UserId,
) -> Result<plan::Plan, ApiError> {
    let family = crate::referrals::family::of_referral(conn, b.referral.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let asked = Asked {
        opening_session_id: p.opening_session_id.into(),
        service: None,
        staff_id: p.staff_id.map(Into::into),
        meeting_link: None,
        place: None,
        pick_up_after_days: None,
    };
    plan::plan(conn, b, family, &asked, by).await
}

const ID: &str = "The referral's id";

/// A coordinator proposes a new regular arrangement for a family whose
/// contact runs: another opening session, frequency or span. It is judged
/// as a booking is (the service, staff member and first date), and waits
/// for every party who attends to agree; each is told. A proposal still
/// waiting is superseded.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    request_body = ProposalRequest,
    responses(
        (status = 201, description = "Proposed, waiting for the parties", body = ProposalResponse,
            headers(("Location" = String, description = "The referral's proposals"))),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Contact is not running for the family", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a first date past or not on the opening session's weekday, an end before it or over a year on, an opening session, service or staff member the family cannot have", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/arrangement-proposals")]
pub async fn propose_arrangement(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<ProposalRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (first, until) = super::start::span(&body.first_on, body.until.as_deref())?;
    let mut conn = pool.get().await?;
    let made = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            let by = match (&*caller, side_of(&caller, &b)?) {
                (Principal::User(u), Side::Centre) => u.id,
                _ => return Err(ApiError::Forbidden),
            };
            if b.referral.status != ReferralStatus::Active
                || repo::arrangement_of(conn, id).await?.is_none()
            {
                return Err(ApiError::Conflict(
                    "contact is not running for this family: start it first".into(),
                ));
            }
            let mut p = Proposal {
                id: Uuid::now_v7(),
                referral_id: id,
                opening_session_id: body.opening_session_id.into(),
                frequency: body.frequency,
                first_on: first,
                until_on: until,
                staff_id: body.staff_id.map(Into::into),
                proposed_by: by,
                proposed_at: OffsetDateTime::now_utc(),
                needs: Vec::new(),
                agreed: Vec::new(),
                status: ProposalStatus::Pending,
                settled_at: None,
            };
            let plan = planned(conn, &b, &p, by).await?;
            plan::require_member(&plan)?;
            let mut errors = FieldErrors::default();
            if !booking::runs_on(&plan.slot, first) {
                errors.push(
                    "first_on",
                    "not_running",
                    "the opening session does not run that day",
                );
            }
            if !booking::still_to_come(conn, &plan, first).await? {
                errors.push("first_on", "past", "must be still to come");
            }
            if let Some(staff) = &plan.staff {
                if staff
                    .assignable(first, plan.slot.starts_at, plan.slot.ends_at)
                    .is_err()
                {
                    errors.push(
                        "staff_id",
                        "unassignable",
                        "the staff member may not be assigned on the first date",
                    );
                }
            }
            // Those who would attend under it agree to it.
            p.needs = plan
                .residents
                .iter()
                .chain(&plan.visitors)
                .copied()
                .collect();
            if p.needs.is_empty() {
                errors.push(
                    "opening_session_id",
                    "nobody_attends",
                    "under the assessment nobody of the family attends",
                );
            }
            errors.finish(())?;
            diesel::update(
                arrangement_proposals::table
                    .filter(arrangement_proposals::referral_id.eq(id))
                    .filter(arrangement_proposals::status.eq(ProposalStatus::Pending)),
            )
            .set((
                arrangement_proposals::status.eq(ProposalStatus::Superseded),
                arrangement_proposals::settled_at.eq(p.proposed_at),
            ))
            .execute(conn)
            .await?;
            diesel::insert_into(arrangement_proposals::table)
                .values(&p)
                .execute(conn)
                .await?;
            let context = serde_json::json!({
                "referral_id": id,
                "proposal_id": p.id,
                "first_on": format_date(first),
                "frequency": body.frequency,
            });
            for email in b
                .adults
                .iter()
                .filter(|a| p.needs.contains(&a.id))
                .filter_map(|a| a.email.as_deref())
            {
                notifications::enqueue(conn, email, Template::ArrangementProposed, context.clone())
                    .await?;
            }
            crate::audit::record(
                conn,
                crate::audit::Event::new(&caller, "propose_arrangement", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(view(&p, &Reader::Centre))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/referrals/{id}/arrangement-proposals"),
        ))
        .json(made))
}

/// A family's proposed arrangements, newest first: the centre's people see
/// whose agreement each needs and who gave it; a party only their own; the
/// referrer's side the arrangement and its status.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    responses(
        (status = 200, description = "The proposals, newest first", body = Vec<ProposalResponse>),
        (status = 403, description = "A network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["sessions:read"]))
)]
#[get("/referrals/{id}/arrangement-proposals")]
pub async fn list_proposals(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<web::Json<Vec<ProposalResponse>>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let b = referrals_repo::load_bundle(&mut conn, id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    let reader = reader(super::views::viewer(&caller, &b)?);
    if matches!(&*caller, Principal::User(_)) {
        crate::audit::record(
            &mut conn,
            crate::audit::Event::new(&caller, "list_arrangement_proposals", "referral")
                .resource(id)
                .centre(Some(b.referral.centre_id)),
        )
        .await?;
    }
    let rows: Vec<Proposal> = arrangement_proposals::table
        .filter(arrangement_proposals::referral_id.eq(id))
        .order((
            arrangement_proposals::proposed_at.desc(),
            arrangement_proposals::id.desc(),
        ))
        .select(Proposal::as_select())
        .load(&mut conn)
        .await?;
    // A party sees only the proposals that need them: never one made for
    // sessions they are kept away from.
    let rows = rows.iter().filter(|p| match &reader {
        Reader::Party(own) => p.needs.iter().any(|a| own.contains(a)),
        Reader::Centre | Reader::Referrer => true,
    });
    Ok(web::Json(rows.map(|p| view(p, &reader)).collect()))
}

/// A party who attends agrees to a proposed arrangement. Once every party
/// it needs agreed, it is in force: the family's scheduled sessions from
/// its first date are cancelled by the centre, the new ones booked (a date
/// that cannot be had is skipped), and each party is told.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = ID),
        ("proposal_id" = Uuid, Path, description = "The proposal's id"),
    ),
    responses(
        (status = 200, description = "Agreed (in force once everyone agreed)", body = ProposalResponse),
        (status = 403, description = "Not a party whose agreement it needs", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or proposal the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer pending, its first date has passed, or none of its sessions could be booked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/arrangement-proposals/{proposal_id}/agreement")]
pub async fn agree_arrangement(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, Uuid)>,
) -> Result<web::Json<ProposalResponse>, ApiError> {
    let (id, proposal_id) = path.into_inner();
    let mut conn = pool.get().await?;
    let agreed = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            let own = match super::views::viewer(&caller, &b)? {
                Viewer::Parent { adult_ids } => adult_ids,
                _ => return Err(ApiError::Forbidden),
            };
            let mut p: Proposal = arrangement_proposals::table
                .filter(arrangement_proposals::id.eq(proposal_id))
                .filter(arrangement_proposals::referral_id.eq(id))
                .select(Proposal::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?
                .ok_or(ApiError::NotFound)?;
            let Some(adult) = own.iter().copied().find(|a| p.needs.contains(a)) else {
                return Err(ApiError::Forbidden);
            };
            if b.referral.status != ReferralStatus::Active {
                return Err(ApiError::Conflict(
                    "contact is no longer running for this family".into(),
                ));
            }
            if p.status != ProposalStatus::Pending {
                return Err(ApiError::Conflict(format!(
                    "the proposal is {}",
                    p.status.as_str()
                )));
            }
            if !p.agreed.contains(&adult) {
                p.agreed.push(adult);
            }
            let everyone = p.needs.iter().all(|a| p.agreed.contains(a));
            if everyone {
                put_in_force(conn, &caller, &b, &mut p).await?;
            }
            diesel::update(arrangement_proposals::table.find(p.id))
                .set((
                    arrangement_proposals::needs.eq(&p.needs),
                    arrangement_proposals::agreed.eq(&p.agreed),
                    arrangement_proposals::status.eq(p.status),
                    arrangement_proposals::settled_at.eq(p.settled_at),
                ))
                .execute(conn)
                .await?;
            crate::audit::record(
                conn,
                crate::audit::Event::new(&caller, "agree_arrangement", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(view(&p, &Reader::Party(own)))
        })
        .await?;
    Ok(web::Json(agreed))
}

/// Every party agreed: sessions from the first date are replaced by the
/// new arrangement's, and each party told.
async fn put_in_force(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    b: &ReferralBundle,
    p: &mut Proposal,
) -> Result<(), ApiError> {
    let plan = planned(conn, b, p, p.proposed_by).await?;
    if !booking::still_to_come(conn, &plan, p.first_on).await? {
        p.status = ProposalStatus::Lapsed;
        p.settled_at = Some(OffsetDateTime::now_utc());
        return Ok(());
    }
    // Every party who would attend now must have agreed (a new assessment
    // supersedes a proposal, so this is a last guard).
    let attending: Vec<AdultId> = plan
        .residents
        .iter()
        .chain(&plan.visitors)
        .copied()
        .collect();
    if attending.iter().any(|a| !p.agreed.contains(a)) {
        p.needs = attending;
        p.agreed.retain(|a| p.needs.contains(a));
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let replaced: Vec<repo::ContactSession> = contact_sessions::table
        .filter(contact_sessions::referral_id.eq(b.referral.id))
        .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled))
        .filter(contact_sessions::on_date.ge(p.first_on))
        // A session already begun stays as it is.
        .filter(contact_sessions::starts_at.gt(now))
        .select(repo::ContactSession::as_select())
        .for_update()
        .load(conn)
        .await?;
    for s in &replaced {
        let notice = (s.starts_at - now).whole_hours();
        let c = Cancellation {
            by: Some(p.proposed_by),
            side: CancelledBy::Centre,
            adult: None,
            reason: format!("A new arrangement from {}", format_date(p.first_on)),
            notice_hours: i32::try_from(notice).unwrap_or(i32::MAX),
            late: notice < LATE_NOTICE_HOURS,
        };
        if let Some(s) = repo::cancel(conn, s.id, &c).await? {
            record(
                conn,
                caller,
                &s,
                "agree_arrangement",
                "contact_session.cancelled",
            )
            .await?;
        }
    }
    let dates = booking::dates(p.first_on, Some(p.frequency.days()), Some(p.until_on), None);
    let (booked, _) = booking::book_dates(conn, b, &plan, &dates).await?;
    if booked.is_empty() {
        return Err(ApiError::Conflict(
            "none of the new arrangement's sessions could be booked; the centre will propose another".into(),
        ));
    }
    for (s, _) in &booked {
        record(
            conn,
            caller,
            s,
            "agree_arrangement",
            "contact_session.booked",
        )
        .await?;
    }
    diesel::update(contact_arrangements::table.find(b.referral.id))
        .set((
            contact_arrangements::opening_session_id.eq(plan.slot.id),
            contact_arrangements::frequency.eq(p.frequency),
            contact_arrangements::first_on.eq(p.first_on),
            contact_arrangements::until_on.eq(Some(p.until_on)),
            contact_arrangements::staff_id.eq(p.staff_id),
        ))
        .execute(conn)
        .await?;
    let context = serde_json::json!({
        "referral_id": b.referral.id,
        "family_id": plan.family_id,
        "first_on": format_date(p.first_on),
    });
    for email in b
        .adults
        .iter()
        .filter(|a| attending.contains(&a.id))
        .filter_map(|a| a.email.as_deref())
    {
        notifications::enqueue(conn, email, Template::ArrangementInForce, context.clone()).await?;
    }
    p.status = ProposalStatus::InForce;
    p.settled_at = Some(now);
    Ok(())
}
