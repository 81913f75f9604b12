//! Court orders and proceedings after a referral is sent: the centre's
//! coordinators or the professional referrer's side (its people and
//! clients; never a parent, even one who referred) add an order, change one
//! (a varied order, a new expiry), or set the court, case number and next
//! hearing. Case changes: each is made against the case's `ETag`
//! (`If-Match`), kept in the history for the centre (a changed order with
//! what it said before), written as a domain event (ids only) and audited.
//! Refused once the referral is declined or closed.

use actix_web::{post, put, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::Caller;
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::dto::{CourtOrderInput, CourtProceedingsInput, ReferralResponse};
use crate::referrals::intake::flow::actor_ids;
use crate::referrals::intake::rules::{self, Errors};
use crate::referrals::model::{CourtOrder, ReferralBundle, ReferralStatus};
use crate::referrals::read::{self, Versioned};
use crate::referrals::repo::{self, Note};
use crate::schema::{referral_court_orders, referrals};
use crate::vocabulary::calendar::format_date;
use crate::vocabulary::ReferralId;

/// The referral, locked, if the caller may change its court details: the
/// centre's coordinators and the referrer's side (403 for others who see
/// it, 404 for those who do not), against the version sent (428, 412), while
/// it is open and sent (409).
async fn changeable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: ReferralId,
    if_match: &IfMatchSent,
) -> Result<ReferralBundle, ApiError> {
    let b = repo::load_bundle(conn, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    // A professional's word on the court's orders, or the centre's: a
    // parent who referred themselves is the referrer's side for moves, but
    // one party's account of an order the other is bound by is for the
    // centre to record.
    let parent = matches!(&**caller, crate::identity::Principal::User(u) if u.role == crate::identity::roles::Role::Parent);
    if parent || !matches!(side_of(caller, &b)?, Side::Centre | Side::Referrer) {
        return Err(ApiError::Forbidden);
    }
    if_match.check(b.referral.version, IfMatch::Required)?;
    match b.referral.status {
        ReferralStatus::Draft => Err(ApiError::Conflict(
            "a draft's court details are changed with the draft (PATCH /referrals/{id})".into(),
        )),
        s if !s.is_open() => Err(ApiError::Conflict("the referral has ended".into())),
        _ => Ok(b),
    }
}

/// The history note (the centre's), the event and the audit row of a change.
async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    b: &ReferralBundle,
    what: &str,
    event_type: &'static str,
    order_id: Option<Uuid>,
) -> Result<Versioned<ReferralResponse>, ApiError> {
    let status = b.referral.status;
    repo::record_history(
        conn,
        b.referral.id,
        Some(status),
        status,
        actor_ids(caller),
        Note::centre(what),
    )
    .await?;
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "referral",
            resource_id: b.referral.id.into(),
            centre_id: Some(b.referral.centre_id),
            organisation_id: b.referral.organisation_id,
            payload: serde_json::json!({"referral_id": b.referral.id, "court_order_id": order_id}),
        },
    )
    .await?;
    read::audited_answer(
        conn,
        caller,
        event_type.trim_start_matches("referral."),
        b.referral.id,
    )
    .await
}

/// A court order as sent, read: 422 naming each bad field.
fn read_order(body: &CourtOrderInput) -> Result<CourtOrder, ApiError> {
    let mut errors = Errors::default();
    let order = rules::court_order(&mut errors, "court_order", body, 0);
    errors
        .finish(order)?
        .ok_or_else(|| ApiError::internal("a court order read without errors had no kind"))
}

const ID: &str = "The referral's id";
const IF_MATCH: &str =
    "The referral's ETag as read: a case change is made against the version it was read at";

/// The centre's coordinators or the referrer's side add a court order to a
/// sent referral (a new order, or one the referral did not mention).
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = ID), ("If-Match" = String, Header, description = IF_MATCH)),
    request_body = CourtOrderInput,
    responses(
        (status = 201, description = "Added: the referral as the caller now sees it", body = ReferralResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The referral"),
            )),
        (status = 403, description = "Neither a coordinator of the referral's centre nor the professional referrer's side (a parent, even one who referred, may not)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft, or a referral that has ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or already 20 orders", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/referrals/{id}/court-orders")]
pub async fn add_court_order(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<CourtOrderInput>,
) -> Result<HttpResponse, ApiError> {
    let order = read_order(&body)?;
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = changeable(conn, &caller, id, &if_match).await?;
            if b.court_orders.len() >= 20 {
                return Err(ApiError::field(
                    "court_order",
                    "length",
                    "a referral holds at most 20 court orders",
                ));
            }
            let position = b
                .court_orders
                .iter()
                .map(|o| o.position + 1)
                .max()
                .unwrap_or(0);
            let order = CourtOrder {
                referral_id: id,
                position,
                ..order
            };
            diesel::insert_into(referral_court_orders::table)
                .values(&order)
                .execute(conn)
                .await?;
            record(
                conn,
                &caller,
                &b,
                "A court order was added",
                "referral.court_order_added",
                Some(order.id),
            )
            .await
        })
        .await?;
    Ok(preconditions::created(
        answer.version,
        &answer.body,
        &format!("/api/v1/referrals/{id}"),
    ))
}

/// The centre's coordinators or the referrer's side change a court order
/// (a varied order, a new expiry): the order as it now stands.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("order_id" = Uuid, Path, description = "The court order's id"),
        ("If-Match" = String, Header, description = IF_MATCH),
    ),
    request_body = CourtOrderInput,
    responses(
        (status = 200, description = "Changed: the referral as the caller now sees it", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Neither a coordinator of the referral's centre nor the professional referrer's side (a parent, even one who referred, may not)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or court order the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft, or a referral that has ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[put("/referrals/{id}/court-orders/{order_id}")]
pub async fn change_court_order(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, Uuid)>,
    body: web::Json<CourtOrderInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, order_id) = path.into_inner();
    let order = read_order(&body)?;
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = changeable(conn, &caller, id, &if_match).await?;
            let Some(before) = b.court_orders.iter().find(|o| o.id == order_id) else {
                return Err(ApiError::NotFound);
            };
            // What the order said before stays in the centre's history.
            let was = format!(
                "A court order was changed; it was: {}, made {}, expiring {}, conditions: {}",
                before.kind,
                before
                    .made_on
                    .map_or_else(|| "(no date)".to_owned(), format_date),
                before
                    .expires_on
                    .map_or_else(|| "(no date)".to_owned(), format_date),
                if before.conditions.is_empty() {
                    "(none)"
                } else {
                    &before.conditions
                },
            );
            diesel::update(referral_court_orders::table.find(order_id))
                .set((
                    referral_court_orders::kind.eq(order.kind),
                    referral_court_orders::made_on.eq(order.made_on),
                    referral_court_orders::expires_on.eq(order.expires_on),
                    referral_court_orders::conditions.eq(&order.conditions),
                ))
                .execute(conn)
                .await?;
            record(
                conn,
                &caller,
                &b,
                &was,
                "referral.court_order_changed",
                Some(order_id),
            )
            .await
        })
        .await?;
    Ok(preconditions::changed(answer.version, &answer.body))
}

/// The centre's coordinators or the referrer's side set the court
/// proceedings: the court, the case number, the next hearing (each absent
/// one is cleared).
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = ID), ("If-Match" = String, Header, description = IF_MATCH)),
    request_body = CourtProceedingsInput,
    responses(
        (status = 200, description = "Set: the referral as the caller now sees it", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Neither a coordinator of the referral's centre nor the professional referrer's side (a parent, even one who referred, may not)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft, or a referral that has ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[put("/referrals/{id}/court-proceedings")]
pub async fn set_court_proceedings(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<CourtProceedingsInput>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Errors::default();
    let (court, case_number, next_hearing_on) =
        rules::court_proceedings(&mut errors, "court_proceedings", &body);
    errors.finish(())?;
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = changeable(conn, &caller, id, &if_match).await?;
            diesel::update(referrals::table.find(id))
                .set((
                    referrals::court_name.eq(court),
                    referrals::court_case_number.eq(case_number),
                    referrals::next_hearing_on.eq(next_hearing_on),
                    referrals::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
            record(
                conn,
                &caller,
                &b,
                "The court proceedings were updated",
                "referral.court_proceedings_set",
                None,
            )
            .await
        })
        .await?;
    Ok(preconditions::changed(answer.version, &answer.body))
}
