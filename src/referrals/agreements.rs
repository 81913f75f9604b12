//! Each party's agreement to their centre's ground rules
//! (`centres::ground_rules`): given in the app by the party, or recorded by a
//! coordinator from a signed paper form (with the date it was signed). An
//! agreement is to one version: when the centre publishes a new one, every
//! party agrees again. Agreed once the family is accepted (the centre has
//! said yes), never before.
//!
//! Who sees them: the centre's people and the referrer's side every party's;
//! a party their own.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::centres::ground_rules;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::roles::Role;
use crate::identity::{Caller, Principal};
use crate::referrals::access::{self, Viewer};
use crate::referrals::dto::{Pending, PendingItem};
use crate::referrals::model::{ReferralBundle, ReferralStatus};
use crate::referrals::problems;
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::schema::ground_rule_agreements;
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, parse_date};
use crate::vocabulary::{AdultId, CentreId, ReferralId, UserId};

crate::text_enum! {
    /// How a party agreed the ground rules.
    pub enum AgreedHow {
        /// In the app, by the party.
        App => "app",
        /// On a signed paper form, recorded by a coordinator.
        Paper => "paper",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ground_rule_agreements)]
struct Agreement {
    id: Uuid,
    referral_id: ReferralId,
    adult_id: AdultId,
    centre_id: CentreId,
    version: i32,
    how: AgreedHow,
    signed_on: Option<Date>,
    recorded_by: UserId,
    agreed_at: OffsetDateTime,
}

impl Agreement {
    /// Whether this is `adult`'s agreement to `rules`.
    fn is_to(&self, adult: AdultId, rules: &ground_rules::GroundRules) -> bool {
        self.adult_id == adult && self.version == rules.version && self.centre_id == rules.centre_id
    }
}

/// Whether `adult` agreed the centre's current rules (none while it has
/// published none).
fn agreed_current(
    agreed: &[Agreement],
    current: Option<&ground_rules::GroundRules>,
    adult: AdultId,
) -> bool {
    current.is_some_and(|g| agreed.iter().any(|x| x.is_to(adult, g)))
}

async fn of_referral(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
) -> Result<Vec<Agreement>, ApiError> {
    Ok(ground_rule_agreements::table
        .filter(ground_rule_agreements::referral_id.eq(id))
        .order((
            ground_rule_agreements::version.desc(),
            ground_rule_agreements::agreed_at,
        ))
        .select(Agreement::as_select())
        .load(conn)
        .await?)
}

/// Statuses in which the parties agree the ground rules: the centre has
/// accepted the family and contact has not ended.
fn agreeing(status: ReferralStatus) -> bool {
    matches!(
        status,
        ReferralStatus::Accepted | ReferralStatus::PreVisits | ReferralStatus::Active
    )
}

/// The adults of the referral who have not agreed the centre's current
/// ground rules (all of them while the centre has published none).
pub async fn not_agreed(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
) -> Result<Vec<AdultId>, ApiError> {
    let current = ground_rules::current(conn, b.referral.centre_id).await?;
    let agreed = of_referral(conn, b.referral.id).await?;
    Ok(b.adults
        .iter()
        .filter(|a| !agreed_current(&agreed, current.as_ref(), a.id))
        .map(|a| a.id)
        .collect())
}

/// What the referral waits for on the ground rules: each party's agreement,
/// once the family is accepted; shown to those who see every party's, and
/// to a party for themselves.
pub async fn pending(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    b: &ReferralBundle,
) -> Result<Vec<PendingItem>, ApiError> {
    if !agreeing(b.referral.status) {
        return Ok(Vec::new());
    }
    let viewer = access::viewer(caller, b)?;
    let missing = not_agreed(conn, b).await?;
    Ok(b.adults
        .iter()
        .filter(|a| missing.contains(&a.id))
        .filter(|a| match &viewer {
            Viewer::Parent { adult_ids } => adult_ids.contains(&a.id),
            _ => true,
        })
        .map(|a| PendingItem {
            what: Pending::GroundRules,
            adult_id: Some(a.id),
            from: a.name.clone(),
            due_at: None,
            expired: false,
        })
        .collect())
}

/// A party agrees their centre's ground rules.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"version": 3, "how": "paper", "signed_on": "2026-12-04"}))]
pub struct AgreementRequest {
    /// The version agreed: the centre's current one (the party read it at
    /// `GET /centres/{id}/ground-rules`).
    #[schema(minimum = 1)]
    pub version: i32,
    /// `app` (the party, in the app; the default) or `paper` (a
    /// coordinator, from the signed form).
    pub how: Option<AgreedHow>,
    /// The date the paper form was signed (for `paper` only): not after
    /// today.
    #[schema(format = Date)]
    pub signed_on: Option<String>,
}

/// A party's agreement to the ground rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementResponse {
    /// The party.
    pub adult_id: Uuid,
    /// The version they agreed.
    pub version: i32,
    /// `app` or `paper`.
    pub how: AgreedHow,
    /// The date a paper form was signed.
    #[schema(format = Date)]
    pub signed_on: Option<String>,
    /// When the agreement was recorded.
    #[schema(format = DateTime)]
    pub agreed_at: String,
}

impl From<&Agreement> for AgreementResponse {
    fn from(a: &Agreement) -> Self {
        Self {
            adult_id: a.adult_id.into(),
            version: a.version,
            how: a.how,
            signed_on: a.signed_on.map(format_date),
            agreed_at: timestamp(a.agreed_at),
        }
    }
}

/// Where each party stands on the ground rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyAgreement {
    /// The party.
    pub adult_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their latest agreement, if any.
    pub latest: Option<AgreementResponse>,
    /// Whether they agreed the centre's current version.
    pub agreed_current: bool,
}

/// The ground rules' standing on a referral.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementsResponse {
    /// The centre's current version; absent while it has published none.
    pub current_version: Option<i32>,
    /// Each party the caller may see.
    pub parties: Vec<PartyAgreement>,
}

/// Who records an agreement, and how: the party themself in the app, or a
/// coordinator of the centre from a paper form. 403 for anyone else.
fn recorder(
    caller: &Principal,
    viewer: &Viewer,
    adult_id: AdultId,
    how: AgreedHow,
) -> Result<UserId, ApiError> {
    let Principal::User(u) = caller else {
        return Err(ApiError::Forbidden);
    };
    match (viewer, how) {
        (Viewer::Parent { adult_ids }, AgreedHow::App) if adult_ids.contains(&adult_id) => Ok(u.id),
        (Viewer::Centre, AgreedHow::Paper) if u.role == Role::Coordinator => Ok(u.id),
        (Viewer::Centre, AgreedHow::App) if u.role == Role::Coordinator => Err(ApiError::field(
            "how",
            "paper_only",
            "a coordinator records an agreement from a signed paper form (`paper`)",
        )),
        _ => Err(ApiError::Forbidden),
    }
}

/// A party agrees the centre's current ground rules: themself in the app, or
/// a coordinator from the signed paper form. Agreeing a version already
/// agreed answers 200 with the agreement; a new one 201.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("adult_id" = Uuid, Path, description = "The party"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse the change (412) if the case changed since"),
    ),
    request_body = AgreementRequest,
    responses(
        (status = 200, description = "Already agreed that version", body = AgreementResponse,
            headers(("ETag" = String, description = "The case's version"))),
        (status = 201, description = "Agreed", body = AgreementResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The referral's agreements"),
            )),
        (status = 403, description = "Neither the party nor a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or adult the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not the current version (`/problems/ground-rules-changed`, with `current_version`), or the family is not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a paper form without its date, or a date in the future", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/parties/{adult_id}/agreement")]
pub async fn agree(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, AdultId)>,
    body: web::Json<AgreementRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, adult_id) = path.into_inner();
    let how = body.how.unwrap_or(AgreedHow::App);
    let mut errors = FieldErrors::default();
    let signed_on = match (how, body.signed_on.as_deref()) {
        (AgreedHow::Paper, Some(text)) => errors.take(parse_date("signed_on", text)),
        (AgreedHow::Paper, None) => {
            errors.push(
                "signed_on",
                "required",
                "a paper form carries the date it was signed",
            );
            None
        }
        (AgreedHow::App, Some(_)) => {
            errors.push("signed_on", "app", "only a paper form has a signing date");
            None
        }
        (AgreedHow::App, None) => None,
    };
    errors.finish(())?;
    let if_match = IfMatchSent::of(&req);
    let version = body.version;
    let mut conn = pool.get().await?;
    let (agreement, created, case_version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            let viewer = access::viewer(&caller, &b)?;
            if !b.adults.iter().any(|a| a.id == adult_id) {
                return Err(ApiError::NotFound);
            }
            let by = recorder(&caller, &viewer, adult_id, how)?;
            if_match.check(b.referral.version, IfMatch::Optional)?;
            if !agreeing(b.referral.status) {
                return Err(ApiError::Conflict(
                    "the ground rules are agreed once the centre has accepted the family".into(),
                ));
            }
            let today = crate::vocabulary::calendar::uk_today(conn).await?;
            if signed_on.is_some_and(|d| d > today) {
                return Err(ApiError::field(
                    "signed_on",
                    "future",
                    "must not be after today",
                ));
            }
            let current = ground_rules::current(conn, b.referral.centre_id).await?;
            let current = match current {
                Some(g) if g.version == version => g,
                other => return Err(problems::ground_rules_changed(other.map(|g| g.version))),
            };
            // A form is signed after the rules it agrees were published.
            let published = current.published_at.date();
            if signed_on.is_some_and(|d| d < published) {
                return Err(ApiError::field(
                    "signed_on",
                    "before_published",
                    format!("must not be before this version was published ({published})"),
                ));
            }
            let agreement = Agreement {
                id: Uuid::now_v7(),
                referral_id: id,
                adult_id,
                centre_id: current.centre_id,
                version,
                how,
                signed_on,
                recorded_by: by,
                agreed_at: OffsetDateTime::now_utc(),
            };
            let inserted = diesel::insert_into(ground_rule_agreements::table)
                .values(&agreement)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            let kept = of_referral(conn, id)
                .await?
                .into_iter()
                .find(|a| a.is_to(adult_id, &current))
                .ok_or_else(|| ApiError::internal("agreement not found after insert"))?;
            if inserted == 1 {
                audit::record(
                    conn,
                    Event::new(&caller, "agree_ground_rules", "referral")
                        .resource(id)
                        .centre(Some(b.referral.centre_id)),
                )
                .await?;
                events::record(
                    conn,
                    DomainEvent {
                        event_type: "referral.ground_rules_agreed",
                        resource_type: "referral",
                        resource_id: id.into(),
                        centre_id: Some(b.referral.centre_id),
                        organisation_id: b.referral.organisation_id,
                        payload: serde_json::json!({
                            "referral_id": id, "adult_id": adult_id, "version": version, "how": how,
                        }),
                    },
                )
                .await?;
            }
            let case_version = referrals_repo::version_of(conn, id).await?;
            Ok((kept, inserted == 1, case_version))
        })
        .await?;
    let body = AgreementResponse::from(&agreement);
    Ok(match created {
        true => preconditions::created(
            case_version,
            &body,
            &format!("/api/v1/referrals/{id}/agreements"),
        ),
        false => preconditions::changed(case_version, &body),
    })
}

/// Where each party stands on the centre's ground rules: the centre's people
/// and the referrer's side every party; a party themself.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id")),
    responses(
        (status = 200, description = "Each party's agreement", body = AgreementsResponse),
        (status = 403, description = "A network admin (no family detail)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/agreements")]
pub async fn list_agreements(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<web::Json<AgreementsResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            let viewer = access::viewer(reader, &b)?;
            let current = ground_rules::current(conn, b.referral.centre_id).await?;
            let agreed = of_referral(conn, id).await?;
            let parties = b
                .adults
                .iter()
                .filter(|a| match &viewer {
                    Viewer::Parent { adult_ids } => adult_ids.contains(&a.id),
                    _ => true,
                })
                .map(|a| {
                    let latest = agreed.iter().find(|x| x.adult_id == a.id);
                    PartyAgreement {
                        adult_id: a.id.into(),
                        name: a.name.clone(),
                        agreed_current: agreed_current(&agreed, current.as_ref(), a.id),
                        latest: latest.map(AgreementResponse::from),
                    }
                })
                .collect();
            audit::record(
                conn,
                Event::new(reader, "list_agreements", "referral")
                    .resource(id)
                    .centre(b.referral.centre_if_sent()),
            )
            .await?;
            Ok(AgreementsResponse {
                current_version: current.map(|g| g.version),
                parties,
            })
        })
        .await;
    let event = Event::new(&caller, "list_agreements", "referral").resource(id);
    Ok(web::Json(refusal_audited(&mut conn, event, outcome).await?))
}
