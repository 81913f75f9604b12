use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;

use super::access;
use super::dto::{ReferralListParams, ReferralResponse, ReferralSummary, RiskVisibilityRequest};
use super::repo;
use super::{read, views};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::Caller;
use crate::pagination::{Cursor, CursorKey, Page};
use crate::vocabulary::{ReferralId, RiskId};

/// One referral as the caller may see it: what is pending and from whom, and
/// its history. Every read is in the audit trail.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id")),
    responses(
        (status = 200, description = "The referral, redacted for the caller", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's version: send it in If-Match with a change"))),
        (status = 403, description = "A network admin (no family detail). A client whose token may not read it gets 404", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| read::referral(conn, reader, id).await)
        .await;
    let read = read::refusal_audited(
        &mut conn,
        Event::new(&caller, "read", "referral").resource(id),
        outcome,
    )
    .await?;
    Ok(preconditions::read(read.version, &read.body))
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
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals")]
pub async fn list_referrals(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    query: web::Query<ReferralListParams>,
) -> Result<web::Json<Page<ReferralSummary>>, ApiError> {
    let scope = access::list_scope(&caller)?;
    let inside = matches!(scope, access::ListScope::Centres(_));
    let (filter, page) = query.into_inner().parse(&cursors)?;
    let conn = pool.get().await?;
    // The list and its audit row go together on the one connection
    // (pipelined): one round trip.
    let (rows, ()) = futures_util::future::try_join(
        repo::list(&conn, &scope, &filter, &page),
        audit::record_alongside(&conn, Event::new(&caller, "list", "referral")),
    )
    .await?;
    let rows = rows
        .iter()
        .map(|(r, children)| {
            let summary = views::summary(r, *children, inside)?;
            Ok((summary, Cursor::at(r.created_at, r.id.0)))
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
        ("If-Match" = String, Header, description = "The referral's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = RiskVisibilityRequest,
    responses(
        (status = 200, description = "The referral as changed", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or statement the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/referrals/{id}/risks/{risk_id}")]
pub async fn set_risk_visibility(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, RiskId)>,
    body: web::Json<RiskVisibilityRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, risk_id) = path.into_inner();
    let visible = body.visible_to_staff;
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let bundle = repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            if access::viewer(&caller, &bundle)? != access::Viewer::Centre {
                return Err(ApiError::Forbidden);
            }
            if_match.check(bundle.referral.version, IfMatch::Required)?;
            if !repo::set_risk_visible_to_staff(conn, id, risk_id, visible).await? {
                return Err(ApiError::NotFound);
            }
            read::audited_answer(conn, &caller, "set_risk_visibility", id).await
        })
        .await?;
    Ok(preconditions::changed(body.version, &body.body))
}
