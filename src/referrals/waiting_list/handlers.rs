//! `GET /centres/{id}/waiting-list`; `POST /referrals/{id}/offer`,
//! `…/offer/take`, `…/offer/refuse`; `PUT /referrals/{id}/priority`.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::{
    OfferRequest, OfferState, OfferView, PriorityRequest, WaitingEntry, WaitingListQuery,
};
use super::repo;
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::roles::{Role, Scope};
use crate::identity::{Caller, Principal};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::decisions::machine::{self, Move, Refusal};
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::dto::ReferralResponse;
use crate::referrals::intake::flow::actor_ids;
use crate::referrals::model::{ReferralBundle, ReferralStatus};
use crate::referrals::problems;
use crate::referrals::read::{self, Versioned};
use crate::referrals::repo::{self as referrals_repo, Note};
use crate::schema::referrals;
use crate::validation::FieldErrors;
use crate::vocabulary::{CentreId, ReferralId};

/// The centre's `offer_days`.
async fn offer_days(conn: &mut AsyncPgConnection, centre_id: CentreId) -> Result<i32, ApiError> {
    crate::centres::repo::find_centre(conn, centre_id)
        .await?
        .map(|c| c.offer_days)
        .ok_or(ApiError::NotFound)
}

/// Whether the caller is one of the centre's people: its coordinators and
/// staff, or its integration client with `referrals:read`.
fn of_the_centre(caller: &Principal, centre_id: CentreId) -> Result<(), ApiError> {
    match caller {
        Principal::User(u)
            if matches!(u.role, Role::Coordinator | Role::Staff)
                && u.centre_ids.contains(&centre_id) =>
        {
            Ok(())
        }
        Principal::Client(c) if c.centre_id == Some(centre_id) => {
            caller.require_scope(Scope::ReferralsRead)
        }
        _ => Err(ApiError::Forbidden),
    }
}

/// A centre's waiting list, in order per service: prioritised families first,
/// then first come; each with its latest offer. For the centre's people.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The centre's id"), WaitingListQuery, PageParams),
    responses(
        (status = 200, description = "A page of the list", body = Page<WaitingEntry>),
        (status = 403, description = "Not one of the centre's people", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a centre id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad service or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/centres/{id}/waiting-list")]
pub async fn get_waiting_list(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<CentreId>,
    query: web::Query<WaitingListQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<WaitingEntry>>, ApiError> {
    let centre_id = id.into_inner();
    of_the_centre(&caller, centre_id)?;
    let service = query.service;
    let page = page
        .into_inner()
        .parse::<i64>(cursors.seal("waiting-list", &(centre_id, service)))?;
    let mut conn = pool.get().await?;
    let reader = &caller;
    let entries = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let now = OffsetDateTime::now_utc();
            let days = offer_days(conn, centre_id).await?;
            repo::sweep(conn, centre_id, days, now).await?;
            let mut entries = Vec::new();
            let mut position = 0;
            let mut last_service = None;
            for (waiting, service) in repo::waiting(conn, centre_id, service).await? {
                position = if last_service == Some(service) {
                    position + 1
                } else {
                    1
                };
                last_service = Some(service);
                let offer = repo::latest(conn, waiting.referral_id).await?;
                entries.push(WaitingEntry {
                    referral_id: waiting.referral_id.into(),
                    service,
                    position,
                    waitlisted_at: crate::referrals::views::timestamp(waiting.waitlisted_at),
                    priority_reason: waiting.priority_reason,
                    offer: offer.as_ref().map(|o| OfferView::of(o, now)),
                });
            }
            audit::record(
                conn,
                Event::new(reader, "list_waiting", "centre")
                    .resource(centre_id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(entries)
        })
        .await?;
    // Read whole (a list is short), in its order; the cursor keys on the
    // order within it.
    let keyed: Vec<(i64, WaitingEntry)> = entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i as i64, e))
        .collect();
    let cursor = |(i, e): &(i64, WaitingEntry)| Cursor {
        key: *i,
        id: e.referral_id,
    };
    Ok(web::Json(Page::of_sorted(keyed, &page, cursor, |(_, e)| e)))
}

/// Loads and locks the referral; `who` must be the caller's side for it.
async fn locked(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    id: ReferralId,
    who: Side,
) -> Result<ReferralBundle, ApiError> {
    repo::lock_list_of(conn, id).await?;
    let b = referrals_repo::load_bundle(conn, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    if side_of(caller, &b)? != who {
        return Err(ApiError::Forbidden);
    }
    Ok(b)
}

/// An event of the waiting list, for the centre's integrations.
async fn event(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    event_type: &'static str,
) -> Result<(), ApiError> {
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "referral",
            resource_id: b.referral.id.into(),
            centre_id: Some(b.referral.centre_id),
            organisation_id: b.referral.organisation_id,
            payload: serde_json::json!({"referral_id": b.referral.id}),
        },
    )
    .await
}

/// Answers with the referral as the caller now sees it, and the case's ETag.
fn changed(v: Versioned<ReferralResponse>) -> HttpResponse {
    preconditions::changed(v.version, &v.body)
}

/// A coordinator offers a waitlisted family a place, held until it expires
/// (the centre's `offer_days` unless given). The referrer's side is told.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse the offer (412) if the case changed since"),
    ),
    request_body = OfferRequest,
    responses(
        (status = 200, description = "Offered: the referral with its offer", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not waitlisted, or an offer is already open", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/offer")]
pub async fn offer_place(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<OfferRequest>,
) -> Result<HttpResponse, ApiError> {
    if body.expires_in_days.is_some_and(|d| !(1..=60).contains(&d)) {
        return Err(ApiError::field(
            "expires_in_days",
            "range",
            "must be 1 to 60 days",
        ));
    }
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = locked(conn, &caller, id, Side::Centre).await?;
            if_match.check(b.referral.version, IfMatch::Optional)?;
            if b.referral.status != ReferralStatus::Waitlisted {
                return Err(ApiError::Conflict(format!(
                    "only a waitlisted family is offered a place; this referral is {}",
                    b.referral.status.as_str()
                )));
            }
            let now = OffsetDateTime::now_utc();
            let centre_days = offer_days(conn, b.referral.centre_id).await?;
            repo::sweep(conn, b.referral.centre_id, centre_days, now).await?;
            if repo::latest(conn, id)
                .await?
                .is_some_and(|o| o.state(now) == OfferState::Open)
            {
                return Err(ApiError::Conflict(
                    "an offer is already open for this family".into(),
                ));
            }
            let days = body.expires_in_days.unwrap_or(centre_days);
            repo::offer(conn, Uuid::now_v7(), id, days, now).await?;
            kept(conn, &b, &caller, "a place was offered").await?;
            event(conn, &b, "referral.place_offered").await?;
            read::audited_answer(conn, &caller, "offer_place", id).await
        })
        .await?;
    Ok(changed(answer))
}

/// The referrer's side (or the parent who referred themselves) takes the
/// place offered: the referral is accepted. A lapsed offer cannot be taken.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse (412) if the case changed since"),
    ),
    responses(
        (status = 200, description = "Taken: the referral is accepted", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the referrer's side", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No open offer (none made, or it lapsed), or not waitlisted (`/problems/illegal-move`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/referrals/{id}/offer/take")]
pub async fn take_offer(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatchSent::of(&req);
    answer_offer(&pool, caller, if_match, id.into_inner(), OfferState::Taken).await
}

/// The referrer's side (or the parent who referred themselves) refuses the
/// place offered: the family keeps its place in line, and the place passes
/// to the next family that has not had it.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse (412) if the case changed since"),
    ),
    responses(
        (status = 200, description = "Refused: the family stays on the list", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the referrer's side", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No open offer (none made, or it lapsed)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/referrals/{id}/offer/refuse")]
pub async fn refuse_offer(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatchSent::of(&req);
    answer_offer(
        &pool,
        caller,
        if_match,
        id.into_inner(),
        OfferState::Refused,
    )
    .await
}

/// Takes or refuses the referral's open offer.
async fn answer_offer(
    pool: &Pool,
    caller: Caller,
    if_match: IfMatchSent,
    id: ReferralId,
    answer: OfferState,
) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.get().await?;
    let answered = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mut b = locked(conn, &caller, id, Side::Referrer).await?;
            if let Principal::Client(_) = &*caller {
                crate::referrals::access::require_write(&caller, &b)?;
            }
            if_match.check(b.referral.version, IfMatch::Optional)?;
            // The referrer's side sees the status as it reads outside the centre.
            let seen = b.referral.status.outside_the_centre();
            let to = match answer {
                OfferState::Taken => match machine::decide(seen, Side::Referrer, Move::TakeOffer) {
                    Ok(to) => Some(to),
                    Err(Refusal::NotYours) => return Err(ApiError::Forbidden),
                    Err(Refusal::Illegal { from, allowed }) => {
                        return Err(problems::illegal_move(Move::TakeOffer, from, allowed))
                    }
                },
                _ => None,
            };
            let now = OffsetDateTime::now_utc();
            let offer = repo::latest(conn, id).await?;
            let open = match &offer {
                Some(o) => repo::decide(conn, o.id, answer, now).await?,
                None => false,
            };
            if !open {
                let lapsed = offer.is_some_and(|o| o.state(now) == OfferState::Lapsed);
                return Err(ApiError::Conflict(if lapsed {
                    "the offer lapsed: the place passed to the next family".into()
                } else {
                    "there is no open offer of a place for this family".into()
                }));
            }
            match to {
                Some(to) => {
                    let note = Note::shared("the family took the place offered");
                    referrals_repo::change_status(
                        conn,
                        &mut b.referral,
                        to,
                        actor_ids(&caller),
                        note,
                    )
                    .await?;
                }
                None => kept(conn, &b, &caller, "the family refused the place offered").await?,
            }
            let days = offer_days(conn, b.referral.centre_id).await?;
            repo::sweep(conn, b.referral.centre_id, days, now).await?;
            let (kind, action) = match answer {
                OfferState::Taken => ("referral.place_taken", "take_offer"),
                _ => ("referral.place_refused", "refuse_offer"),
            };
            event(conn, &b, kind).await?;
            read::audited_answer(conn, &caller, action, id).await
        })
        .await?;
    Ok(changed(answered))
}

/// Keeps a change on the waiting list in the referral's history, its status
/// unchanged (shared: the family's side reads its offers).
async fn kept(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    caller: &Principal,
    note: &str,
) -> Result<(), ApiError> {
    let status = b.referral.status;
    referrals_repo::record_history(
        conn,
        b.referral.id,
        Some(status),
        status,
        actor_ids(caller),
        Note::shared(note),
    )
    .await
}

/// A coordinator records why a family comes first on the waiting list (or,
/// with `null`, that it no longer does). The reason is for the centre's
/// people.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = String, Header, description = "The referral's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = PriorityRequest,
    responses(
        (status = 200, description = "Recorded", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The referral has ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/referrals/{id}/priority")]
pub async fn set_priority(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<PriorityRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let reason = body
        .reason
        .as_deref()
        .map(|r| errors.text("reason", r, 1, 2000));
    errors.finish(())?;
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = locked(conn, &caller, id, Side::Centre).await?;
            if_match.check(b.referral.version, IfMatch::Required)?;
            if !b.referral.status.is_open() {
                return Err(ApiError::Conflict("the referral has ended".into()));
            }
            diesel::update(referrals::table.find(id))
                .set(referrals::priority_reason.eq(&reason))
                .execute(conn)
                .await?;
            let status = b.referral.status;
            let note = Note::centre(match reason {
                Some(_) => "a priority reason was recorded",
                None => "the priority reason was cleared",
            });
            referrals_repo::record_history(
                conn,
                id,
                Some(status),
                status,
                actor_ids(&caller),
                note,
            )
            .await?;
            event(conn, &b, "referral.priority_changed").await?;
            read::audited_answer(conn, &caller, "set_priority", id).await
        })
        .await?;
    Ok(changed(answer))
}

/// The referral's place on its centre's list (from 1) and its latest offer,
/// for the referral's read.
pub async fn standing(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
) -> Result<(Option<i64>, Option<OfferView>), ApiError> {
    let r = &b.referral;
    let position = if r.status == ReferralStatus::Waitlisted {
        repo::waiting(conn, r.centre_id, Some(r.service))
            .await?
            .iter()
            .position(|(w, _)| w.referral_id == r.id)
            .map(|i| i as i64 + 1)
    } else {
        None
    };
    let offer = repo::latest(conn, r.id)
        .await?
        .map(|o| OfferView::of(&o, OffsetDateTime::now_utc()));
    Ok((position, offer))
}
