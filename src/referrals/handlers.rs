use actix_web::{get, patch, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use time::OffsetDateTime;

use super::access;
use super::dto::{
    CreateReferralRequest, GivePartRequest, ReferralListParams, ReferralResponse, ReferralSummary,
    RiskVisibilityRequest,
};
use super::intake::{self, Deadlines};
use super::model::{ReferralBundle, ReferralStatus};
use super::repo;
use super::views;
use crate::audit::{self, Event};
use crate::centres::directory::DirectoryCache;
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::{Caller, Principal};
use crate::pagination::{Cursor, Page};
use crate::vocabulary::{AdultId, CentreId, ReferralId, RiskId};

fn deadlines(config: &Config) -> Deadlines {
    Deadlines {
        party_part: config.party_part_ttl,
        invitation: config.one_time_token_ttl,
    }
}

/// Reads back a referral as the caller may see it.
async fn respond(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Principal,
    bundle: &ReferralBundle,
) -> Result<ReferralResponse, ApiError> {
    let viewer = access::viewer(caller, bundle)?;
    let history = repo::history_of(conn, bundle.referral.id).await?;
    let mut view = views::referral(bundle, &history, &viewer, OffsetDateTime::now_utc())?;
    view.family_id = super::family::of_referral(conn, bundle.referral.id).await?;
    if viewer == access::Viewer::Centre {
        for child in &bundle.children {
            let other = repo::open_referral_for_child(
                conn,
                bundle.referral.centre_id,
                &child.name_key,
                child.date_of_birth,
                bundle.referral.id,
            )
            .await?;
            if let Some(other) = other {
                view.possible_duplicate_of = Some(other.id);
                break;
            }
        }
    }
    Ok(view)
}

/// Audits a change to a referral, then reads it back as the caller may see it.
async fn audited_answer(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    action: &str,
    id: ReferralId,
    centre_id: CentreId,
) -> Result<ReferralResponse, ApiError> {
    audit::record(
        conn,
        Event::new(caller, action, "referral")
            .resource(id)
            .centre(Some(centre_id)),
    )
    .await?;
    let bundle = repo::load_bundle(conn, id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    respond(conn, caller, &bundle).await
}

/// Make a referral: a referrer for their organisation, a parent for their own
/// family (self-referral), or an integration client with `referrals:write`.
/// It stays a draft unless `submit` is true. The centre must offer the
/// service (else a `/problems/service-not-offered` listing the nearest centres
/// that do); a parent may self-refer only where the centre accepts it and
/// communication is `direct` or `via_third_party` (else
/// `/problems/professional-referral-required`). On submission each parent
/// named with an email is invited to add their own part.
#[utoipa::path(
    tag = "referrals",
    request_body = CreateReferralRequest,
    responses(
        (status = 201, description = "Created (a draft, or sent)", body = ReferralResponse),
        (status = 403, description = "Not a referrer, a parent, or a client with referrals:write for an organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A child of it already has an open referral at this centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a service the centre does not offer, or a self-referral a professional must make", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals")]
pub async fn create_referral(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    body: web::Json<CreateReferralRequest>,
) -> Result<HttpResponse, ApiError> {
    let req = body.into_inner();
    let mut conn = pool.get().await?;
    let author = intake::author_of(&mut conn, &caller).await?;
    let today = crate::vocabulary::calendar::uk_today(&mut conn).await?;
    let (bundle, service) = super::rules::new_referral(&req, &author, today)?;
    let (snapshot, _) = directory.current(&pool).await?;
    intake::check_centre(&mut conn, &snapshot, &bundle, service).await?;
    let deadlines = deadlines(&config);
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            intake::insert_draft(conn, &bundle, &caller).await?;
            let id = bundle.referral.id;
            let centre_id = bundle.referral.centre_id;
            if req.submit {
                intake::submit(conn, &caller, bundle, deadlines).await?;
            }
            audited_answer(conn, &caller, "create", id, centre_id).await
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/referrals/{}", body.id)))
        .json(body))
}

/// Change a draft (its author): the body is the whole referral again, as
/// when making it, and replaces the draft's content; with `submit: true` it
/// is sent as well.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id")),
    request_body = CreateReferralRequest,
    responses(
        (status = 200, description = "The draft as changed (or sent)", body = ReferralResponse),
        (status = 403, description = "Not its author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft, or (sending it) a child already has an open referral at this centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a service the centre does not offer, or a self-referral a professional must make", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/referrals/{id}")]
pub async fn update_referral(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<CreateReferralRequest>,
) -> Result<web::Json<ReferralResponse>, ApiError> {
    let id = id.into_inner();
    let req = body.into_inner();
    let mut conn = pool.get().await?;
    let author = intake::author_of(&mut conn, &caller).await?;
    let today = crate::vocabulary::calendar::uk_today(&mut conn).await?;
    let (snapshot, _) = directory.current(&pool).await?;
    let deadlines = deadlines(&config);
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let current = repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            access::require_author(&caller, &current)?;
            if current.referral.status != ReferralStatus::Draft {
                return Err(ApiError::Conflict("only a draft can be changed".to_owned()));
            }
            let (mut bundle, service) = super::rules::new_referral(&req, &author, today)?;
            super::rules::rebase(&mut bundle, &current.referral);
            intake::check_centre(conn, &snapshot, &bundle, service).await?;
            intake::replace_draft(conn, &bundle).await?;
            let centre_id = bundle.referral.centre_id;
            if req.submit {
                intake::submit(conn, &caller, bundle, deadlines).await?;
            }
            audited_answer(conn, &caller, "update", id, centre_id).await
        })
        .await?;
    Ok(web::Json(body))
}

/// Send a draft (its author). Checked again against its centre, then each
/// parent named with an email is invited to add their part.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id")),
    responses(
        (status = 200, description = "Sent", body = ReferralResponse),
        (status = 403, description = "Not its author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft, or a child already has an open referral at this centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The centre no longer fits it (service, self-referrals), or a parent cannot be invited", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/submit")]
pub async fn submit_referral(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<web::Json<ReferralResponse>, ApiError> {
    let id = id.into_inner();
    let (snapshot, _) = directory.current(&pool).await?;
    let deadlines = deadlines(&config);
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let bundle = repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            access::require_author(&caller, &bundle)?;
            let service = bundle.referral.service;
            intake::check_centre(conn, &snapshot, &bundle, service).await?;
            let centre_id = bundle.referral.centre_id;
            intake::submit(conn, &caller, bundle, deadlines).await?;
            audited_answer(conn, &caller, "submit", id, centre_id).await
        })
        .await?;
    Ok(web::Json(body))
}

/// A parent named in a referral adds their own part: consent to contact, their
/// contact details and which of them the other party may see (none unless
/// given), availability, and their view of the risks (never shown to the other
/// party). The last awaited part sends the referral to the centre.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("adult_id" = Uuid, Path, description = "The adult whose part it is"),
    ),
    request_body = GivePartRequest,
    responses(
        (status = 200, description = "Part given", body = ReferralResponse),
        (status = 403, description = "Not this adult's parent account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or adult the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The part is not awaited, or its time has passed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/parties/{adult_id}/part")]
pub async fn give_part(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, AdultId)>,
    body: web::Json<GivePartRequest>,
) -> Result<web::Json<ReferralResponse>, ApiError> {
    let (id, adult_id) = path.into_inner();
    let part = body.into_inner();
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let bundle = intake::give_part(conn, &caller, id, adult_id, &part).await?;
            audit::record(
                conn,
                Event::new(&caller, "give_part", "referral")
                    .resource(id)
                    .centre(Some(bundle.referral.centre_id)),
            )
            .await?;
            respond(conn, &caller, &bundle).await
        })
        .await?;
    Ok(web::Json(body))
}

/// Ask an adult again for their part, still awaited or past its time: a new
/// due date (`PARTY_PART_TTL_DAYS`) and a fresh link or notice. For the
/// referral's author, its organisation's referrers and the centre's coordinators.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("adult_id" = Uuid, Path, description = "The adult to ask again"),
    ),
    responses(
        (status = 200, description = "Asked again", body = ReferralResponse),
        (status = 403, description = "Not the referrer's side or the centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or adult the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The referral or this part is not waiting, or the adult has no parent account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/parties/{adult_id}/invitation")]
pub async fn invite_party_again(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    caller: Caller,
    path: web::Path<(ReferralId, AdultId)>,
) -> Result<web::Json<ReferralResponse>, ApiError> {
    let (id, adult_id) = path.into_inner();
    let deadlines = deadlines(&config);
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let bundle = intake::invite_again(conn, &caller, id, adult_id, deadlines).await?;
            audited_answer(conn, &caller, "invite_party", id, bundle.referral.centre_id).await
        })
        .await?;
    Ok(web::Json(body))
}

/// One referral as the caller may see it: what is pending and from whom, and
/// its history. Every read is in the audit trail.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id")),
    responses(
        (status = 200, description = "The referral, redacted for the caller", body = ReferralResponse),
        (status = 403, description = "A network admin (no family detail), or a client without referrals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<web::Json<ReferralResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let bundle = repo::load_bundle(conn, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            let body = respond(conn, &caller, &bundle).await?;
            audit::record(
                conn,
                Event::new(&caller, "read", "referral")
                    .resource(id)
                    .centre(Some(bundle.referral.centre_id)),
            )
            .await?;
            Ok(body)
        })
        .await?;
    Ok(web::Json(body))
}

/// The referrals the caller may see, newest first: a centre's for its
/// coordinators and staff, an organisation's for its referrers and clients
/// (`referrals:read`), a parent's own; drafts only to their authors. Network
/// admins see no family detail and get 403.
#[utoipa::path(
    tag = "referrals",
    params(ReferralListParams),
    responses(
        (status = 200, description = "A page of referrals", body = Page<ReferralSummary>),
        (status = 403, description = "A network admin, or a client without referrals:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad filter or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals")]
pub async fn list_referrals(
    pool: web::Data<Pool>,
    caller: Caller,
    query: web::Query<ReferralListParams>,
) -> Result<web::Json<Page<ReferralSummary>>, ApiError> {
    let scope = access::list_scope(&caller)?;
    let (filter, page) = query.into_inner().parse()?;
    let mut conn = pool.get().await?;
    let rows = repo::list(&mut conn, &scope, &filter, &page).await?;
    audit::record(&mut conn, Event::new(&caller, "list", "referral")).await?;
    let rows = rows
        .iter()
        .map(|(r, children)| {
            let key = i64::try_from(r.created_at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX);
            Ok((views::summary(r, *children)?, Cursor { key, id: r.id.0 }))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(web::Json(Page::from_rows(
        rows,
        &page,
        |(_, c)| c.clone(),
        |(s, _)| s,
    )))
}

/// Show a risk statement to the centre's staff, or hide it (the centre's
/// coordinators). Staff see no risk text otherwise.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("risk_id" = Uuid, Path, description = "The risk statement's id"),
    ),
    request_body = RiskVisibilityRequest,
    responses(
        (status = 200, description = "The referral as changed", body = ReferralResponse),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or statement the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/referrals/{id}/risks/{risk_id}")]
pub async fn set_risk_visibility(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, RiskId)>,
    body: web::Json<RiskVisibilityRequest>,
) -> Result<web::Json<ReferralResponse>, ApiError> {
    let (id, risk_id) = path.into_inner();
    let visible = body.visible_to_staff;
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let bundle = repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            if access::viewer(&caller, &bundle)? != access::Viewer::Centre {
                return Err(ApiError::Forbidden);
            }
            if !repo::set_risk_visible_to_staff(conn, id, risk_id, visible).await? {
                return Err(ApiError::NotFound);
            }
            audited_answer(
                conn,
                &caller,
                "set_risk_visibility",
                id,
                bundle.referral.centre_id,
            )
            .await
        })
        .await?;
    Ok(web::Json(body))
}
