//! `POST|GET /referrals/{id}/questions`, `GET …/{question_id}`,
//! `POST …/{question_id}/answer`.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;

use super::dto::{AnswerRequest, AskRequest, QuestionResponse};
use super::repo::{self, Question};
use super::Reader;
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::identity::{Caller, Principal};
use crate::notifications::{self, Template};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::decisions::machine::{self, Move, Refusal};
use crate::referrals::decisions::side_of;
use crate::referrals::intake::flow::actor_ids;
use crate::referrals::model::{HistoryVisibility, ReferralBundle};
use crate::referrals::problems;
use crate::referrals::read::refusal_audited;
use crate::referrals::repo::{self as referrals_repo, Note};
use crate::vocabulary::{AdultId, QuestionId, ReferralId};

/// The referral, locked for a write when `lock`; 404 when there is none.
async fn bundle(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
    lock: bool,
) -> Result<ReferralBundle, ApiError> {
    referrals_repo::load_bundle(conn, id, lock)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A question event for the centre's integrations, and for the referring
/// organisation's only when the question is to the referrer's side: that a
/// party was asked is not the organisation's to know.
async fn event(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    q: &Question,
    event_type: &'static str,
) -> Result<(), ApiError> {
    events::record(
        conn,
        DomainEvent {
            event_type,
            resource_type: "referral",
            resource_id: b.referral.id.into(),
            centre_id: Some(b.referral.centre_id),
            organisation_id: b
                .referral
                .organisation_id
                .filter(|_| q.to_adult_id.is_none()),
            payload: serde_json::json!({"referral_id": b.referral.id, "question_id": q.id}),
        },
    )
    .await
}

/// The centre's coordinators ask the referrer's side or one adult party a
/// question; the referral waits for the answer (`info_requested`). The
/// recipient is told by email that there is a question, not what it is.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id")),
    request_body = AskRequest,
    responses(
        (status = 201, description = "Asked", body = QuestionResponse,
            headers(("Location" = String, description = "The path of the question"))),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The referral is not in review (`/problems/illegal-move`, listing the caller's moves)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an adult who is not a party of the referral", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/questions")]
pub async fn ask_question(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<AskRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = body.parse()?;
    let id = id.into_inner();
    let to_adult_id = body.adult_id.map(AdultId::from);
    let mut conn = pool.get().await?;
    let asked = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mut b = bundle(conn, id, true).await?;
            let side = side_of(&caller, &b)?;
            let from = b.referral.status;
            let to = match machine::decide(from, side, Move::Question) {
                Ok(to) => to,
                Err(Refusal::NotYours) => return Err(ApiError::Forbidden),
                Err(Refusal::Illegal { from, allowed }) => {
                    return Err(problems::illegal_move(Move::Question, from, allowed))
                }
            };
            let recipient = match to_adult_id {
                Some(adult_id) => {
                    let adult = b.adults.iter().find(|a| a.id == adult_id).ok_or_else(|| {
                        ApiError::field("adult_id", "unknown", "is not a party of this referral")
                    })?;
                    adult.email.clone()
                }
                None => Some(b.referral.referrer_email.clone()),
            };
            let Principal::User(asker) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let q = Question {
                id: QuestionId::new(),
                referral_id: id,
                to_adult_id,
                question: text,
                asked_by: asker.id,
                asked_at: OffsetDateTime::now_utc(),
                answer: None,
                answered_by_user: None,
                answered_by_client: None,
                answered_at: None,
            };
            repo::insert(conn, &q).await?;
            if to != from {
                // The history says that the centre is waiting, not what it asked.
                referrals_repo::change_status(
                    conn,
                    &mut b.referral,
                    to,
                    actor_ids(&caller),
                    Note::centre("a question was asked"),
                )
                .await?;
            }
            if let Some(email) = recipient {
                notifications::enqueue(
                    conn,
                    &email,
                    Template::ReferralQuestion,
                    serde_json::json!({"referral_id": id, "question_id": q.id}),
                )
                .await?;
            }
            event(conn, &b, &q, "referral.question_asked").await?;
            audit::record(
                conn,
                Event::new(&caller, "ask_question", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(q)
        })
        .await?;
    let location = format!("/api/v1/referrals/{id}/questions/{}", asked.id);
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(QuestionResponse::from(asked)))
}

/// The questions the caller may read, oldest first: every one for the
/// centre's coordinators, their own for a recipient, none for anyone else
/// who sees the referral.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"), PageParams),
    responses(
        (status = 200, description = "A page of questions", body = Page<QuestionResponse>),
        (status = 403, description = "A network admin (no family detail)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/questions")]
pub async fn list_questions(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<ReferralId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<QuestionResponse>>, ApiError> {
    let id = id.into_inner();
    let page = page
        .into_inner()
        .parse::<i64>(cursors.seal("questions", &id))?;
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = bundle(conn, id, false).await?;
            let who = Reader::of(reader, &b)?;
            let questions: Vec<Question> = repo::of_referral(conn, id)
                .await?
                .into_iter()
                .filter(|q| who.reads(q))
                .collect();
            audit::record(
                conn,
                Event::new(reader, "list_questions", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(questions)
        })
        .await;
    let event = Event::new(&caller, "list_questions", "referral").resource(id);
    let questions = refusal_audited(&mut conn, event, outcome).await?;
    let cursor = |q: &Question| Cursor::at(q.asked_at, q.id.into());
    Ok(web::Json(Page::of_sorted(
        questions,
        &page,
        cursor,
        Into::into,
    )))
}

/// One question, for the centre's coordinators and its recipient; 404 for
/// anyone else.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("question_id" = Uuid, Path, description = "The question's id"),
    ),
    responses(
        (status = 200, description = "The question", body = QuestionResponse),
        (status = 403, description = "A network admin (no family detail)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question the caller may read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/questions/{question_id}")]
pub async fn get_question(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, QuestionId)>,
) -> Result<web::Json<QuestionResponse>, ApiError> {
    let (id, question_id) = path.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = bundle(conn, id, false).await?;
            let who = Reader::of(reader, &b)?;
            let q = repo::of_referral(conn, id)
                .await?
                .into_iter()
                .find(|q| q.id == question_id && who.reads(q))
                .ok_or(ApiError::NotFound)?;
            audit::record(
                conn,
                Event::new(reader, "read_question", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(q)
        })
        .await;
    let event = Event::new(&caller, "read_question", "referral").resource(id);
    Ok(web::Json(
        refusal_audited(&mut conn, event, outcome).await?.into(),
    ))
}

/// The recipient answers a question, once. When no question is left open
/// the referral returns to the centre's review.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("question_id" = Uuid, Path, description = "The question's id"),
    ),
    request_body = AnswerRequest,
    responses(
        (status = 200, description = "Answered", body = QuestionResponse),
        (status = 403, description = "The centre, who asked it (the recipient answers)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question the caller may read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/referrals/{id}/questions/{question_id}/answer")]
pub async fn answer_question(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, QuestionId)>,
    body: web::Json<AnswerRequest>,
) -> Result<web::Json<QuestionResponse>, ApiError> {
    let text = body.parse()?;
    let (id, question_id) = path.into_inner();
    let mut conn = pool.get().await?;
    let answered = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mut b = bundle(conn, id, true).await?;
            let who = Reader::of(&caller, &b)?;
            let questions = repo::of_referral(conn, id).await?;
            let q = questions
                .iter()
                .find(|q| q.id == question_id && who.reads(q))
                .ok_or(ApiError::NotFound)?;
            // A client of the referring organisation answers with `referrals:write`.
            if !who.receives(q) || crate::referrals::access::require_write(&caller, &b).is_err() {
                return Err(ApiError::Forbidden);
            }
            if !b.referral.status.is_open() {
                return Err(ApiError::Conflict(format!(
                    "the referral is {}: its questions are closed",
                    b.referral.status.as_str()
                )));
            }
            if !repo::answer(conn, question_id, &text, actor_ids(&caller)).await? {
                return Err(ApiError::Conflict(
                    "the question is already answered".into(),
                ));
            }
            let open_left = questions
                .iter()
                .any(|other| other.id != question_id && other.answered_at.is_none());
            if let Some(to) = machine::after_answer(b.referral.status, open_left) {
                referrals_repo::change_status(
                    conn,
                    &mut b.referral,
                    to,
                    actor_ids(&caller),
                    Note {
                        text: "every question answered",
                        visibility: HistoryVisibility::Centre,
                    },
                )
                .await?;
            }
            event(conn, &b, q, "referral.question_answered").await?;
            audit::record(
                conn,
                Event::new(&caller, "answer_question", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            let mut q = q.clone();
            q.answer = Some(text);
            q.answered_at = Some(OffsetDateTime::now_utc());
            Ok(q)
        })
        .await?;
    Ok(web::Json(answered.into()))
}
