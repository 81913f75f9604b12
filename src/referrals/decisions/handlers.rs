//! `POST /referrals/{id}/review|accept|decline|waitlist|withdraw|close`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::dto::{AcceptRequest, CloseRequest, DeclineRequest, DeclinedResponse, MoveRequest};
use super::machine::Side;
use super::machine::{self, ClosingOutcome, DeclineReason, Move, Refusal};
use super::{letters, side_of};
use crate::centres::directory::DirectoryCache;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::Caller;
use crate::referrals::dto::ReferralResponse;
use crate::referrals::intake::flow::actor_ids;
use crate::referrals::model::ReferralStatus;
use crate::referrals::model::{HistoryVisibility, ReferralBundle};
use crate::referrals::problems;
use crate::referrals::quotes::{self, Payer, Quote};
use crate::referrals::read::{self, Versioned};
use crate::referrals::repo::{self, Note};
use crate::referrals::waiting_list::{self, dto::OfferState};
use crate::schema::referrals;
use crate::vocabulary::ReferralId;

/// How many alternatives a declined family is offered.
const ALTERNATIVES: usize = 5;

/// What a move writes besides the status and its history entry.
#[derive(Debug, Clone, Default)]
struct Effects {
    outcome: Option<ClosingOutcome>,
    decline: Option<(DeclineReason, String)>,
    /// The directory a decline's letters name the alternatives from.
    directory: Option<std::sync::Arc<crate::centres::directory::Snapshot>>,
    /// An acceptance's quote: what, how much (pence), who pays.
    quote: Option<(String, i32, Payer)>,
}

/// Makes `wanted` on referral `id` under a lock on its row: 403 for a move
/// that is not the caller's, 409 (listing the caller's moves) for one that
/// is not a move from the referral's status.
async fn make_move(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: ReferralId,
    wanted: Move,
    note: Note<'_>,
    effects: Effects,
    if_match: &IfMatchSent,
) -> Result<ReferralBundle, ApiError> {
    // A move may take a family off its centre's waiting list: the list's lock
    // comes before the referral's row, as for every write to a list.
    waiting_list::repo::lock_list_of(conn, id).await?;
    let mut bundle = repo::load_bundle(conn, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let side = side_of(caller, &bundle)?;
    if wanted.side() != side {
        return Err(ApiError::Forbidden);
    }
    // A move checks the case's version when the caller sends it.
    if_match.check(bundle.referral.version, IfMatch::Optional)?;
    let from = bundle.referral.status;
    let to = match machine::decide(from, side, wanted) {
        Ok(to) => to,
        Err(Refusal::NotYours) => return Err(ApiError::Forbidden),
        // Outside the centre the status reads as it is shown there.
        Err(Refusal::Illegal { from, allowed }) => {
            let from = match side {
                Side::Centre => from,
                _ => from.outside_the_centre(),
            };
            return Err(problems::illegal_move(wanted, from, allowed));
        }
    };
    // A centre that charges says what, how much and who pays when it
    // accepts; a free one charges nothing.
    if wanted == Move::Accept {
        accept_quote(conn, caller, &bundle, effects.quote.clone()).await?;
    }
    // A move that leads where the referral is (a second party's pre-visit)
    // writes nothing.
    if to == from {
        return Ok(bundle);
    }
    // One statement: the table holds an outcome exactly when closed, and a
    // decline's reason exactly when declined.
    let (decline_reason, decline_rationale) = effects.decline.clone().unzip();
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(to),
            referrals::outcome.eq(effects.outcome),
            referrals::decline_reason.eq(decline_reason),
            referrals::decline_rationale.eq(decline_rationale),
            referrals::updated_at.eq(diesel::dsl::now),
            // First come on the waiting list: when the family joined it.
            referrals::waitlisted_at
                .eq((to == crate::referrals::model::ReferralStatus::Waitlisted)
                    .then(time::OffsetDateTime::now_utc)
                    .or(bundle.referral.waitlisted_at)),
        ))
        .execute(conn)
        .await?;
    repo::record_history(conn, id, Some(from), to, actor_ids(caller), note).await?;
    // Leaving the waiting list settles its offer (taken on acceptance,
    // refused when closed), and a place it frees passes on.
    if from == ReferralStatus::Waitlisted && to != ReferralStatus::Waitlisted {
        let now = time::OffsetDateTime::now_utc();
        let settled = match to {
            ReferralStatus::Accepted => OfferState::Taken,
            _ => OfferState::Refused,
        };
        waiting_list::repo::settle_open(conn, id, settled, now).await?;
        let days = crate::centres::repo::find_centre(conn, bundle.referral.centre_id)
            .await?
            .map_or(7, |c| c.offer_days);
        waiting_list::repo::sweep(conn, bundle.referral.centre_id, days, now).await?;
    }
    let r = &bundle.referral;
    events::record(
        conn,
        DomainEvent {
            event_type: event_type(wanted),
            resource_type: "referral",
            resource_id: r.id.into(),
            centre_id: Some(r.centre_id),
            organisation_id: r.organisation_id,
            payload: serde_json::json!({
                "referral_id": r.id,
                "centre_id": r.centre_id,
                "from": from,
                "to": to,
                "outcome": effects.outcome,
                "decline_reason": decline_reason,
            }),
        },
    )
    .await?;
    // The letters each recipient keeps.
    match (to, decline_reason, effects.outcome) {
        (ReferralStatus::Declined, Some(reason), _) => {
            let alternatives = effects.directory.as_ref().map_or_else(Vec::new, |d| {
                d.alternatives(r.centre_id, r.service, ALTERNATIVES)
            });
            letters::declined(conn, &bundle, reason, note.text, &alternatives).await?;
        }
        (ReferralStatus::Closed, _, Some(outcome)) => {
            letters::closed(conn, &bundle, outcome, &note).await?;
        }
        _ => {}
    }
    bundle.referral.status = to;
    Ok(bundle)
}

/// Records an acceptance's quote where the centre charges; refuses one
/// missing there, or given where the centre is free.
async fn accept_quote(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    bundle: &ReferralBundle,
    quote: Option<(String, i32, Payer)>,
) -> Result<(), ApiError> {
    match (quotes::charges(conn, bundle).await?, quote) {
        (true, None) => Err(ApiError::field(
            "quote",
            "required",
            "this centre charges: record the quote (what, how much, who pays)",
        )),
        (true, Some((what, amount_pence, payer))) => {
            let crate::identity::Principal::User(u) = &**caller else {
                return Err(ApiError::Forbidden);
            };
            let quote = Quote {
                referral_id: bundle.referral.id,
                what,
                amount_pence,
                payer,
                recorded_by: u.id,
                recorded_at: time::OffsetDateTime::now_utc(),
            };
            quotes::record(conn, &quote).await
        }
        (false, Some(_)) => Err(ApiError::field(
            "quote",
            "free_centre",
            "this centre charges nothing: accept without a quote",
        )),
        (false, None) => Ok(()),
    }
}

/// The move a pre-visit's booking makes (`sessions::pre_visits`): the first
/// one moves an accepted referral to `pre_visits`; later ones move nothing.
/// Refused like any move: 403 outside the centre's coordinators, 409 from a
/// status where pre-visits are not booked. Returns the referral, locked.
pub async fn book_pre_visit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: ReferralId,
    if_match: &IfMatchSent,
) -> Result<ReferralBundle, ApiError> {
    let note = Note::shared("Pre-visits are being arranged");
    make_move(
        conn,
        caller,
        id,
        Move::BookPreVisit,
        note,
        Effects::default(),
        if_match,
    )
    .await
}

/// The move contact's start makes (`sessions::contact::start`): pre-visits
/// to `active`. Refused like any move: 403 outside the centre's
/// coordinators, 409 from any other status. Returns the referral, locked.
pub async fn start_contact(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: ReferralId,
    if_match: &IfMatchSent,
    first_on: &str,
) -> Result<ReferralBundle, ApiError> {
    let text = format!("Contact starts on {first_on}");
    let note = Note::shared(&text);
    make_move(
        conn,
        caller,
        id,
        Move::Start,
        note,
        Effects::default(),
        if_match,
    )
    .await
}

fn event_type(wanted: Move) -> &'static str {
    match wanted {
        Move::Review => "referral.under_review",
        Move::Accept => "referral.accepted",
        Move::Decline => "referral.declined",
        Move::Waitlist => "referral.waitlisted",
        Move::Withdraw => "referral.withdrawn",
        Move::Close => "referral.closed",
        Move::Question => "referral.question_asked",
        Move::TakeOffer => "referral.place_taken",
        Move::BookPreVisit => "referral.pre_visits",
        Move::Start => "referral.active",
    }
}

/// Makes a move in a transaction and answers with the referral as the
/// caller now sees it, audited.
async fn answer(
    pool: &Pool,
    caller: &Caller,
    if_match: IfMatchSent,
    id: ReferralId,
    wanted: Move,
    note: (String, HistoryVisibility),
    effects: Effects,
) -> Result<Versioned<ReferralResponse>, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let (text, visibility) = &note;
        let note = Note {
            text,
            visibility: *visibility,
        };
        make_move(conn, caller, id, wanted, note, effects, &if_match).await?;
        read::audited_answer(conn, caller, wanted.as_str(), id).await
    })
    .await
}

const ID: &str = "The referral's id";
const IF_MATCH: &str =
    "The referral's ETag as read, to refuse the move (412) if the case changed since";

/// The centre's coordinators start their review of a referral that reached
/// the centre (`submitted` to `under_review`).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = IF_MATCH),
    ),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "Under review", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the referral's status (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/review")]
pub async fn review_referral(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.parse()?;
    let answer = answer(
        &pool,
        &caller,
        IfMatchSent::of(&req),
        id.into_inner(),
        Move::Review,
        note,
        Effects::default(),
    );
    let changed = answer.await?;
    Ok(preconditions::changed(changed.version, &changed.body))
}

/// The centre's coordinators accept the family (from review, a question
/// to the family, or the waiting list).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = IF_MATCH),
    ),
    request_body = AcceptRequest,
    responses(
        (status = 200, description = "Accepted", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the referral's status (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a centre that charges needs the quote, a free one takes none", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/accept")]
pub async fn accept_referral(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<AcceptRequest>,
) -> Result<HttpResponse, ApiError> {
    let (reason, visibility, what) = body.parse()?;
    let quote = body
        .quote
        .as_ref()
        .zip(what)
        .map(|(q, what)| (what, q.amount_pence, q.payer));
    let answer = answer(
        &pool,
        &caller,
        IfMatchSent::of(&req),
        id.into_inner(),
        Move::Accept,
        (reason, visibility),
        Effects {
            quote,
            ..Effects::default()
        },
    );
    let changed = answer.await?;
    Ok(preconditions::changed(changed.version, &changed.body))
}

/// The centre's coordinators put the family on the waiting list: no place now.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = IF_MATCH),
    ),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "On the waiting list", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the referral's status (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/waitlist")]
pub async fn waitlist_referral(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.parse()?;
    let answer = answer(
        &pool,
        &caller,
        IfMatchSent::of(&req),
        id.into_inner(),
        Move::Waitlist,
        note,
        Effects::default(),
    );
    let changed = answer.await?;
    Ok(preconditions::changed(changed.version, &changed.body))
}

/// The centre's coordinators decline the referral (in review, or after the
/// pre-visits): a reason category, words the family and the referrer read
/// (shared in the history), and the rationale, which the coordinators alone
/// read. The answer lists the nearest centres that offer the service.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = IF_MATCH),
    ),
    request_body = DeclineRequest,
    responses(
        (status = 200, description = "Declined, with the nearest alternatives", body = DeclinedResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the referral's status (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/decline")]
pub async fn decline_referral(
    req: HttpRequest,
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<DeclineRequest>,
) -> Result<HttpResponse, ApiError> {
    let (words, rationale) = body.parse()?;
    let (snapshot, _) = directory.current(&pool).await?;
    let effects = Effects {
        outcome: None,
        decline: Some((body.reason, rationale)),
        directory: Some(snapshot.clone()),
        quote: None,
    };
    let note = (words, HistoryVisibility::Shared);
    let declined = answer(
        &pool,
        &caller,
        IfMatchSent::of(&req),
        id.into_inner(),
        Move::Decline,
        note,
        effects,
    )
    .await?;
    let referral = declined.body;
    let alternatives = snapshot.alternatives(referral.centre_id, referral.service, ALTERNATIVES);
    let body = DeclinedResponse {
        referral,
        alternatives,
    };
    Ok(preconditions::changed(declined.version, &body))
}

/// The referrer's side withdraws the referral: the referring organisation's
/// people and clients (`referrals:write`), or the parent who referred
/// themselves. It closes with the outcome `withdrawn`.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = IF_MATCH),
    ),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "Withdrawn (closed)", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the referrer's side", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the referral's status (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/referrals/{id}/withdraw")]
pub async fn withdraw_referral(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.parse()?;
    let effects = Effects {
        outcome: Some(ClosingOutcome::Withdrawn),
        ..Effects::default()
    };
    let answer = answer(
        &pool,
        &caller,
        IfMatchSent::of(&req),
        id.into_inner(),
        Move::Withdraw,
        note,
        effects,
    );
    let changed = answer.await?;
    Ok(preconditions::changed(changed.version, &changed.body))
}

/// The centre's coordinators close the referral with an outcome, from any
/// open state but a draft.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = IF_MATCH),
    ),
    request_body = CloseRequest,
    responses(
        (status = 200, description = "Closed", body = ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move from the referral's status (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/close")]
pub async fn close_referral(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<CloseRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.parse()?;
    let effects = Effects {
        outcome: Some(body.outcome),
        ..Effects::default()
    };
    let answer = answer(
        &pool,
        &caller,
        IfMatchSent::of(&req),
        id.into_inner(),
        Move::Close,
        note,
        effects,
    );
    let changed = answer.await?;
    Ok(preconditions::changed(changed.version, &changed.body))
}
