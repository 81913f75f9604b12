//! The centre's case notes on a referral: written and read by its
//! coordinators alone (a note may speak of either party, or of what a check
//! found), never by staff, the referrer's side or the parties. Adding one is
//! a case change: it is made against the case's `ETag` (`If-Match`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::preconditions::{IfMatch, IfMatchSent};
use crate::identity::{Caller, Principal};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::model::ReferralBundle;
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::schema::referral_notes;
use crate::validation::FieldErrors;
use crate::vocabulary::{ReferralId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_notes)]
struct Note {
    id: Uuid,
    referral_id: ReferralId,
    written_by: UserId,
    written_at: OffsetDateTime,
    text: String,
}

/// A coordinator's note on the case.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"text": "Spoke to Jo: she will use the side entrance and wait in the family room."}))]
pub struct NoteRequest {
    /// The note.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub text: String,
}

/// A case note.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteResponse {
    /// The note's id.
    pub id: Uuid,
    /// Who wrote it.
    pub written_by: Uuid,
    /// When.
    #[schema(format = DateTime)]
    pub written_at: String,
    /// The note.
    pub text: String,
}

impl From<Note> for NoteResponse {
    fn from(n: Note) -> Self {
        Self {
            id: n.id,
            written_by: n.written_by.into(),
            written_at: timestamp(n.written_at),
            text: n.text,
        }
    }
}

/// The referral, if the caller is one of its centre's coordinators: 404 for
/// those who may not see it, 403 for those who may.
async fn for_coordinators(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    id: ReferralId,
    lock: bool,
) -> Result<ReferralBundle, ApiError> {
    let b = referrals_repo::load_bundle(conn, id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    match side_of(caller, &b)? {
        Side::Centre => Ok(b),
        _ => Err(ApiError::Forbidden),
    }
}

/// A coordinator adds a note to the case; its coordinators alone read it. A
/// case change: send the referral's `ETag` in `If-Match`.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = String, Header, description = "The referral's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "Noted", body = NoteResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The case's notes"),
            )),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/notes")]
pub async fn add_note(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let text = errors.text("text", &body.text, 1, 4000);
    errors.finish(())?;
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let (note, version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = for_coordinators(conn, &caller, id, true).await?;
            if_match.check(b.referral.version, IfMatch::Required)?;
            let Principal::User(writer) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let note = Note {
                id: Uuid::now_v7(),
                referral_id: id,
                written_by: writer.id,
                written_at: OffsetDateTime::now_utc(),
                text,
            };
            diesel::insert_into(referral_notes::table)
                .values(&note)
                .execute(conn)
                .await?;
            audit::record(
                conn,
                Event::new(&caller, "add_note", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            let version = referrals_repo::version_of(conn, id).await?;
            Ok((note, version))
        })
        .await?;
    let location = format!("/api/v1/referrals/{id}/notes");
    Ok(crate::http::preconditions::created(
        version,
        &NoteResponse::from(note),
        &location,
    ))
}

/// The case's notes, oldest first: for the centre's coordinators alone.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"), PageParams),
    responses(
        (status = 200, description = "A page of notes", body = Page<NoteResponse>),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{id}/notes")]
pub async fn list_notes(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<ReferralId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<NoteResponse>>, ApiError> {
    let id = id.into_inner();
    let page = page.into_inner().parse::<i64>(cursors.seal("notes", &id))?;
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = for_coordinators(conn, reader, id, false).await?;
            let notes: Vec<Note> = referral_notes::table
                .filter(referral_notes::referral_id.eq(id))
                .order((referral_notes::written_at, referral_notes::id))
                .select(Note::as_select())
                .load(conn)
                .await?;
            audit::record(
                conn,
                Event::new(reader, "list_notes", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            Ok(notes)
        })
        .await;
    let event = Event::new(&caller, "list_notes", "referral").resource(id);
    let notes = refusal_audited(&mut conn, event, outcome).await?;
    let cursor = |n: &Note| Cursor::at(n.written_at, n.id);
    Ok(web::Json(Page::of_sorted(notes, &page, cursor, Into::into)))
}
