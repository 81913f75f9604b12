//! Other people who come with a party (a grandparent, a new partner): asked
//! for by a party (for themself) or the referrer's side, approved or refused
//! by a coordinator, who records the date of the written confirmation that
//! they may attend. A new partner is approved only with a recorded reason
//! (DOMAIN.md: only named people attend; a new partner's first meeting with
//! the children is never a surprise).
//!
//! | viewer | sees |
//! | --- | --- |
//! | the centre's coordinators | every request, in full |
//! | whoever asked | their own requests, in full; others approved, by name and relation |
//! | the centre's staff | approved attendees: name, relation, whom they come with |
//! | anyone else who sees the family (the other party) | approved attendees: name and relation only |

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::dto::{
    AttendeeDecision, AttendeeDecisionRequest, AttendeeRelation, AttendeeRequest, AttendeeResponse,
    AttendeeStatus,
};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::{Caller, Principal};
use crate::referrals::access::{self, Viewer};
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::family as families;
use crate::referrals::model::ReferralBundle;
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::schema::family_attendees;
use crate::validation::{FieldErrors, Name};
use crate::vocabulary::calendar::{format_date, parse_date};
use crate::vocabulary::{AdultId, ClientId, FamilyId, ReferralId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = family_attendees)]
struct Attendee {
    id: Uuid,
    family_id: FamilyId,
    referral_id: ReferralId,
    accompanies: AdultId,
    name: String,
    relation: AttendeeRelation,
    why: String,
    requested_by_user: Option<UserId>,
    requested_by_client: Option<ClientId>,
    requested_at: OffsetDateTime,
    status: AttendeeStatus,
    confirmation_on: Option<Date>,
    decision_reason: Option<String>,
    decided_by: Option<UserId>,
    decided_at: Option<OffsetDateTime>,
}

impl Attendee {
    fn asked_by(&self, caller: &Principal) -> bool {
        match caller {
            Principal::User(u) => self.requested_by_user == Some(u.id),
            Principal::Client(c) => self.requested_by_client == Some(c.id),
        }
    }
}

/// How much of one attendee a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Every field: the coordinators.
    Coordinator,
    /// The request in full but for the coordinator's reason: whoever asked.
    Asker,
    /// Name, relation, and whom they come with: the centre's staff.
    Staff,
    /// Name and relation: anyone else who sees the family.
    Name,
}

fn seen_by(a: &Attendee, caller: &Principal, side: Side, viewer: &Viewer) -> Option<Seen> {
    if side == Side::Centre {
        return Some(Seen::Coordinator);
    }
    if a.asked_by(caller) {
        return Some(Seen::Asker);
    }
    if a.status != AttendeeStatus::Approved {
        return None;
    }
    Some(match viewer {
        Viewer::Centre | Viewer::Staff => Seen::Staff,
        _ => Seen::Name,
    })
}

fn view(a: Attendee, seen: Seen) -> AttendeeResponse {
    let full = matches!(seen, Seen::Coordinator | Seen::Asker);
    AttendeeResponse {
        id: a.id,
        name: a.name,
        relation: a.relation,
        accompanies: (seen != Seen::Name).then(|| a.accompanies.into()),
        why: full.then_some(a.why),
        status: full.then_some(a.status),
        confirmation_on: a.confirmation_on.filter(|_| full).map(format_date),
        decision_reason: a.decision_reason.filter(|_| seen == Seen::Coordinator),
        requested_at: full.then(|| timestamp(a.requested_at)),
    }
}

/// The family's referral, locked for a change or not: 404 for callers who
/// may not see it, 403 for network admins.
async fn family_case(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    id: FamilyId,
    lock: bool,
) -> Result<(ReferralBundle, Viewer, Side), ApiError> {
    let family = families::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    let b = referrals_repo::load_bundle(conn, family.referral_id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let viewer = access::viewer(caller, &b)?;
    let side = side_of(caller, &b)?;
    Ok((b, viewer, side))
}

async fn of_family(conn: &mut AsyncPgConnection, id: FamilyId) -> Result<Vec<Attendee>, ApiError> {
    Ok(family_attendees::table
        .filter(family_attendees::family_id.eq(id))
        .order((family_attendees::requested_at, family_attendees::id))
        .select(Attendee::as_select())
        .load(conn)
        .await?)
}

async fn event(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    a: &Attendee,
    event_type: &'static str,
) -> Result<(), ApiError> {
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "family",
            resource_id: a.family_id.into(),
            // The centre's integrations alone: the referrer's side does not
            // see others' requests, nor any before they are decided.
            centre_id: Some(b.referral.centre_id),
            organisation_id: None,
            payload: serde_json::json!({
                "family_id": a.family_id, "attendee_id": a.id, "status": a.status,
            }),
        },
    )
    .await
}

/// A party (for themself), the referrer's side (for any party) or a
/// coordinator asks that another person attend. A coordinator decides.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "The family's id"),
        ("If-Match" = Option<String>, Header, description = "The family's ETag as read, to refuse the request (412) if the case changed since"),
    ),
    request_body = AttendeeRequest,
    responses(
        (status = 201, description = "Asked", body = AttendeeResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The family's attendees"),
            )),
        (status = 403, description = "Neither a party of the family asking for themself, the referrer's side nor a coordinator of its centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The referral has ended (declined or closed)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`accompanies` not a party of the family)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/families/{id}/attendees")]
pub async fn ask_attendee(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
    body: web::Json<AttendeeRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let name = errors.name("name", &body.name);
    let why = errors.text("why", &body.why, 1, 2000);
    let name = errors
        .finish(name)?
        .map(Name::into_inner)
        .unwrap_or_default();
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let (attendee, version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (b, viewer, side) = family_case(conn, &caller, id, true).await?;
            let accompanies = AdultId::from(body.accompanies);
            // A party asks for someone to come with themself; the referrer's
            // side and the coordinators for any party.
            let own =
                matches!(&viewer, Viewer::Parent { adult_ids } if adult_ids.contains(&accompanies));
            // A parent asks for themself alone, even the parent who referred
            // the family: never for the other party.
            let may = match viewer {
                Viewer::Parent { .. } => own,
                _ => matches!(side, Side::Centre | Side::Referrer),
            };
            if !may {
                return Err(ApiError::Forbidden);
            }
            if !b.referral.status.is_open() {
                return Err(ApiError::Conflict(
                    "the referral has ended: nobody more attends".into(),
                ));
            }
            if_match.check(b.referral.version, IfMatch::Optional)?;
            if !b.adults.iter().any(|a| a.id == accompanies) {
                return Err(ApiError::field(
                    "accompanies",
                    "unknown_adult",
                    "must be a party of this family",
                ));
            }
            let (user, client) = match &*caller {
                Principal::User(u) => (Some(u.id), None),
                Principal::Client(c) => (None, Some(c.id)),
            };
            let attendee = Attendee {
                // Random, not time-ordered: the id of an approved attendee
                // tells the other party nothing of when they were asked for.
                id: Uuid::new_v4(),
                family_id: id,
                referral_id: b.referral.id,
                accompanies,
                name,
                relation: body.relation,
                why,
                requested_by_user: user,
                requested_by_client: client,
                requested_at: OffsetDateTime::now_utc(),
                status: AttendeeStatus::Requested,
                confirmation_on: None,
                decision_reason: None,
                decided_by: None,
                decided_at: None,
            };
            diesel::insert_into(family_attendees::table)
                .values(&attendee)
                .execute(conn)
                .await?;
            audit::record(
                conn,
                Event::new(&caller, "ask_attendee", "family")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            event(conn, &b, &attendee, "family.attendee_requested").await?;
            let version = referrals_repo::version_of(conn, b.referral.id).await?;
            Ok((attendee, version))
        })
        .await?;
    Ok(preconditions::created(
        version,
        &view(attendee, Seen::Asker),
        &format!("/api/v1/families/{id}/attendees"),
    ))
}

/// The people who attend with the family's parties, as the caller may see
/// them (see the table in the module's description). Every read is audited.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "The family's id")),
    responses(
        (status = 200, description = "The attendees the caller may see", body = Vec<AttendeeResponse>),
        (status = 403, description = "A network admin (no family detail)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/families/{id}/attendees")]
pub async fn list_attendees(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
) -> Result<web::Json<Vec<AttendeeResponse>>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (b, viewer, side) = family_case(conn, reader, id, false).await?;
            let shown = of_family(conn, id)
                .await?
                .into_iter()
                .filter_map(|a| seen_by(&a, reader, side, &viewer).map(|s| view(a, s)))
                .collect();
            audit::record(
                conn,
                Event::new(reader, "list_attendees", "family")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(shown)
        })
        .await;
    let event = Event::new(&caller, "list_attendees", "family").resource(id);
    Ok(web::Json(
        crate::referrals::read::refusal_audited(&mut conn, event, outcome).await?,
    ))
}

/// A coordinator approves (with the written confirmation's date; a new
/// partner only with a recorded reason) or refuses a request to attend. A
/// case change: send the family's `ETag` in `If-Match`.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "The family's id"),
        ("attendee_id" = Uuid, Path, description = "The request's id"),
        ("If-Match" = String, Header, description = "The family's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = AttendeeDecisionRequest,
    responses(
        (status = 200, description = "Decided", body = AttendeeResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Not a coordinator of the family's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family or request the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided, or the referral has ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: approving without the confirmation's date, a date after today, a new partner without a reason", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/attendees/{attendee_id}/decision")]
pub async fn decide_attendee(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, Uuid)>,
    body: web::Json<AttendeeDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, attendee_id) = path.into_inner();
    let mut errors = FieldErrors::default();
    let confirmation_on = errors.take_opt(
        body.confirmation_on
            .as_deref()
            .map(|d| parse_date("confirmation_on", d)),
    );
    // A reason, when sent, says something: blank is refused, as the schema says.
    let reason = body
        .reason
        .as_deref()
        .map(|r| errors.text("reason", r, 1, 2000));
    if body.decision == AttendeeDecision::Approve && body.confirmation_on.is_none() {
        errors.push(
            "confirmation_on",
            "required",
            "approving needs the date of the written confirmation",
        );
    }
    errors.finish(())?;
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let (attendee, version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (b, _, side) = family_case(conn, &caller, id, true).await?;
            let Principal::User(coordinator) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            if side != Side::Centre {
                return Err(ApiError::Forbidden);
            }
            if_match.check(b.referral.version, IfMatch::Required)?;
            let mut a = of_family(conn, id)
                .await?
                .into_iter()
                .find(|a| a.id == attendee_id)
                .ok_or(ApiError::NotFound)?;
            if a.status != AttendeeStatus::Requested {
                return Err(ApiError::Conflict("this request is already decided".into()));
            }
            let today = crate::vocabulary::calendar::uk_today(conn).await?;
            if confirmation_on.is_some_and(|d| d > today) {
                return Err(ApiError::field(
                    "confirmation_on",
                    "future",
                    "must not be after today",
                ));
            }
            // The confirmation is about this family's case: not from before
            // the referral was made.
            let made = b.referral.created_at.date();
            if confirmation_on.is_some_and(|d| d < made) {
                return Err(ApiError::field(
                    "confirmation_on",
                    "before_referral",
                    format!("must not be before the referral was made ({made})"),
                ));
            }
            if !b.referral.status.is_open() {
                return Err(ApiError::Conflict("the referral has ended".into()));
            }
            let approve = body.decision == AttendeeDecision::Approve;
            // A new partner meets the children only for a reason the centre
            // has written down.
            if approve && a.relation == AttendeeRelation::NewPartner && reason.is_none() {
                return Err(ApiError::field(
                    "reason",
                    "required",
                    "a new partner is approved only with a recorded reason",
                ));
            }
            a.status = match approve {
                true => AttendeeStatus::Approved,
                false => AttendeeStatus::Refused,
            };
            a.confirmation_on = confirmation_on.filter(|_| approve);
            a.decision_reason = reason;
            a.decided_by = Some(coordinator.id);
            a.decided_at = Some(OffsetDateTime::now_utc());
            diesel::update(family_attendees::table.find(a.id))
                .set((
                    family_attendees::status.eq(a.status),
                    family_attendees::confirmation_on.eq(a.confirmation_on),
                    family_attendees::decision_reason.eq(&a.decision_reason),
                    family_attendees::decided_by.eq(a.decided_by),
                    family_attendees::decided_at.eq(a.decided_at),
                ))
                .execute(conn)
                .await?;
            audit::record(
                conn,
                Event::new(&caller, "decide_attendee", "family")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            event(conn, &b, &a, "family.attendee_decided").await?;
            let version = referrals_repo::version_of(conn, b.referral.id).await?;
            Ok((a, version))
        })
        .await?;
    Ok(preconditions::changed(
        version,
        &view(attendee, Seen::Coordinator),
    ))
}

/// The people approved to attend with each party, as (whom they accompany,
/// their name): for the letters and day sheets of the family's sessions.
pub async fn approved(
    conn: &mut AsyncPgConnection,
    id: FamilyId,
) -> Result<Vec<(crate::vocabulary::AdultId, String)>, ApiError> {
    Ok(family_attendees::table
        .filter(family_attendees::family_id.eq(id))
        .filter(family_attendees::status.eq(AttendeeStatus::Approved))
        .order((family_attendees::requested_at, family_attendees::id))
        .select((family_attendees::accompanies, family_attendees::name))
        .load(conn)
        .await?)
}

/// One approved attendee of a family, for a day sheet.
#[derive(Debug, Clone, Queryable)]
pub struct Approved {
    pub family_id: FamilyId,
    pub accompanies: AdultId,
    pub name: String,
    pub relation: String,
}

/// The people approved to attend with the parties of several families (a
/// day sheet's).
pub async fn approved_of_many(
    conn: &AsyncPgConnection,
    ids: &[FamilyId],
) -> Result<Vec<Approved>, ApiError> {
    Ok(family_attendees::table
        .filter(family_attendees::family_id.eq_any(ids))
        .filter(family_attendees::status.eq(AttendeeStatus::Approved))
        .order((family_attendees::requested_at, family_attendees::id))
        .select((
            family_attendees::family_id,
            family_attendees::accompanies,
            family_attendees::name,
            family_attendees::relation,
        ))
        .load::<Approved>(&mut &*conn)
        .await?)
}
