//! Intake's routes: making, changing and sending a referral, each party's
//! part, and asking a party again.

use actix_web::{patch, post, web, HttpResponse};
use diesel_async::AsyncConnection;

use super::flow::{self, Deadlines};
use super::rules;
use crate::audit::{self, Event};
use crate::centres::directory::DirectoryCache;
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::Caller;
use crate::referrals::access;
use crate::referrals::dto::{CreateReferralRequest, GivePartRequest, ReferralResponse};
use crate::referrals::model::ReferralStatus;
use crate::referrals::read::{audited_answer, respond};
use crate::referrals::repo;
use crate::vocabulary::{AdultId, ReferralId};

fn deadlines(config: &Config) -> Deadlines {
    Deadlines {
        party_part: config.party_part_ttl,
        invitation: config.one_time_token_ttl,
    }
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
        (status = 201, description = "Created (a draft, or sent)", body = ReferralResponse,
            headers(("Location" = String, description = "The path of the new referral"))),
        (status = 403, description = "Not a referrer, a parent, or a client with referrals:write for an organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A child of it already has an open referral at this centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a service the centre does not offer, or a self-referral a professional must make", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
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
    let author = flow::author_of(&mut conn, &caller).await?;
    let today = crate::vocabulary::calendar::uk_today(&mut conn).await?;
    let (bundle, service) = rules::new_referral(&req, &author, today)?;
    let (snapshot, _) = directory.current(&pool).await?;
    flow::check_centre(&mut conn, &snapshot, &bundle, service).await?;
    let deadlines = deadlines(&config);
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            flow::insert_draft(conn, &bundle, &caller).await?;
            let id = bundle.referral.id;
            if req.submit {
                flow::submit(conn, &caller, bundle, deadlines).await?;
            }
            Ok(audited_answer(conn, &caller, "create", id).await?.body)
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
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
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
    let author = flow::author_of(&mut conn, &caller).await?;
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
            let (mut bundle, service) = rules::new_referral(&req, &author, today)?;
            rules::rebase(&mut bundle, &current.referral);
            flow::check_centre(conn, &snapshot, &bundle, service).await?;
            flow::replace_draft(conn, &bundle).await?;
            if req.submit {
                flow::submit(conn, &caller, bundle, deadlines).await?;
            }
            Ok(audited_answer(conn, &caller, "update", id).await?.body)
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
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
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
            flow::check_centre(conn, &snapshot, &bundle, service).await?;
            flow::submit(conn, &caller, bundle, deadlines).await?;
            Ok(audited_answer(conn, &caller, "submit", id).await?.body)
        })
        .await?;
    Ok(web::Json(body))
}

/// A parent named in a referral adds their own part: consent to contact, their
/// contact details and which of them the other party may see (none unless
/// given), availability, and their view of the risks (never shown to the other
/// party). A coordinator of the centre enters a parent's part from their
/// signed paper form instead (`paper_form_signed_on`), also for a parent never
/// invited or past their time, while the referral is open. The last awaited
/// part sends the referral to the centre.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("adult_id" = Uuid, Path, description = "The adult whose part it is"),
    ),
    request_body = GivePartRequest,
    responses(
        (status = 200, description = "Part given", body = ReferralResponse),
        (status = 403, description = "Neither this adult's parent account nor a coordinator of the referral's centre (who enters a paper form)", body = Problem, content_type = "application/problem+json"),
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
            let bundle = flow::give_part(conn, &caller, id, adult_id, &part).await?;
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
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
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
            flow::invite_again(conn, &caller, id, adult_id, deadlines).await?;
            Ok(audited_answer(conn, &caller, "invite_party", id)
                .await?
                .body)
        })
        .await?;
    Ok(web::Json(body))
}
