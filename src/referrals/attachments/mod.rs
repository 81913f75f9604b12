//! Court-order documents attached to a referral: PDF or image, at most 10 MB,
//! stored in the database. Their type is read from their first bytes, never
//! taken from what the sender says. They are served only to the viewers who
//! see a referral's court-order detail: the centre's coordinators and the
//! referrer's side (see [`super::access`]).

use actix_web::{get, post, web, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::vocabulary::{AttachmentId, CentreId, ReferralId};

use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::identity::{Caller, Principal};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::access::ClientUse;
use crate::referrals::access::{self, Viewer};
use crate::referrals::read::refusal_audited;
use crate::referrals::repo;
use crate::referrals::views::timestamp;
use crate::schema::referral_attachments;

/// The largest document accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The type of a document, read from its first bytes: PDF, PNG or JPEG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A document's bytes, as sent and served.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Document(#[allow(dead_code)] Vec<u8>);

/// A document as listed (its bytes come from the download route).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    /// The document's id.
    pub id: Uuid,
    /// Its name, as the sender gave it.
    #[schema(example = "child-arrangements-order.pdf")]
    pub filename: String,
    /// Its type, read from its content: `application/pdf`, `image/png` or `image/jpeg`.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: i32,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// When it was attached.
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = referral_attachments)]
struct Listed {
    id: Uuid,
    filename: String,
    content_type: String,
    size_bytes: i32,
    sha256: Vec<u8>,
    created_at: time::OffsetDateTime,
}

impl From<Listed> for AttachmentResponse {
    fn from(l: Listed) -> Self {
        Self {
            id: l.id,
            filename: l.filename,
            content_type: l.content_type,
            size_bytes: l.size_bytes,
            sha256: l.sha256.iter().map(|b| format!("{b:02x}")).collect(),
            created_at: timestamp(l.created_at),
        }
    }
}

/// The referral, if the caller may see its documents (404 if they may not
/// see it at all, 403 if they see it without court-order detail).
fn list_event<'a>(caller: &'a Caller, referral_id: ReferralId) -> Event<'a> {
    Event::new(caller, "list_attachments", "referral").resource(referral_id)
}

fn download_event<'a>(caller: &'a Caller, referral_id: ReferralId) -> Event<'a> {
    Event::new(caller, "read_attachment", "referral").resource(referral_id)
}

async fn documents_allowed(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    referral_id: ReferralId,
    what: ClientUse,
) -> Result<Option<CentreId>, ApiError> {
    let bundle = repo::load_bundle(conn, referral_id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    match access::viewer(caller, &bundle)? {
        Viewer::Centre | Viewer::Referrer => {}
        _ => return Err(ApiError::Forbidden),
    }
    if what == ClientUse::Write {
        access::require_write(caller, &bundle)?;
    }
    Ok(bundle.referral.centre_if_sent())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The document's name, as the sender knows it: 1 to 200 characters, not
    /// blank, without slashes.
    #[param(
        example = "child-arrangements-order.pdf",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^/\\\u0000]*[^/\\\s\u0000][^/\\\u0000]*$"
    )]
    pub filename: String,
}

/// Attach a court-order document (PDF, PNG or JPEG, at most 10 MB) to a
/// referral: its author's side or the centre. The body is the file itself;
/// its type is read from its content.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"), UploadParams),
    request_body(
        description = "The document's bytes, as they are: a PDF, PNG or JPEG, at most \
                       10 MB. Send any `Content-Type` (`application/octet-stream` will \
                       do): the type is read from the content.",
        content((Document = "application/octet-stream")),
    ),
    responses(
        (status = 201, description = "Attached", body = AttachmentResponse,
            headers(("Location" = String, description = "The path of the document (GET it for its bytes)"))),
        (status = 403, description = "Not the centre or the referrer's side", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a PDF, PNG or JPEG, empty, or a bad filename", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:write"]))
)]
#[post("/referrals/{id}/attachments")]
pub async fn create_attachment(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    query: web::Query<UploadParams>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let referral_id = id.into_inner();
    let filename = query.into_inner().filename.trim().to_owned();
    if filename.is_empty() || filename.chars().count() > 200 || filename.contains(['\0', '/', '\\'])
    {
        return Err(ApiError::field(
            "filename",
            "filename",
            "must be 1 to 200 characters, without slashes",
        ));
    }
    // The right to attach is checked before the body is read: nobody who may
    // not attach can make the service take in 10 MB. It is checked again in
    // the transaction that writes the document.
    {
        let mut conn = pool.get().await?;
        documents_allowed(&mut conn, &caller, referral_id, ClientUse::Write).await?;
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::BadRequest("the body could not be read".to_owned()))?;
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Err(ApiError::PayloadTooLarge { limit: MAX_BYTES });
        }
        bytes.extend_from_slice(&chunk);
    }
    let content_type = sniff(&bytes).ok_or_else(|| {
        ApiError::field(
            "body",
            "type",
            "must be a PDF, PNG or JPEG document (read from its content)",
        )
    })?;
    let digest = Sha256::digest(&bytes).to_vec();
    let (user, client) = crate::referrals::intake::flow::actor_ids(&caller);
    let mut conn = pool.get().await?;
    let listed = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre_id = documents_allowed(conn, &caller, referral_id, ClientUse::Write).await?;
            let id = Uuid::now_v7();
            let listed: Listed = diesel::insert_into(referral_attachments::table)
                .values((
                    referral_attachments::id.eq(id),
                    referral_attachments::referral_id.eq(referral_id),
                    referral_attachments::content_type.eq(content_type),
                    referral_attachments::size_bytes
                        .eq(i32::try_from(bytes.len()).unwrap_or(i32::MAX)),
                    referral_attachments::sha256.eq(&digest),
                    referral_attachments::filename.eq(&filename),
                    referral_attachments::data.eq(&bytes[..]),
                    referral_attachments::uploaded_by_user.eq(user),
                    referral_attachments::uploaded_by_client.eq(client),
                ))
                .returning(Listed::as_returning())
                .get_result(conn)
                .await?;
            events::record(
                conn,
                DomainEvent {
                    event_type: "referral.attachment_added",
                    resource_type: "referral",
                    resource_id: referral_id.into(),
                    centre_id,
                    organisation_id: None,
                    payload: serde_json::json!({"referral_id": referral_id, "attachment_id": id}),
                },
            )
            .await?;
            audit::record(
                conn,
                Event::new(&caller, "attach", "referral")
                    .resource(referral_id)
                    .centre(centre_id),
            )
            .await?;
            Ok(listed)
        })
        .await?;
    let body = AttachmentResponse::from(listed);
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/referrals/{referral_id}/attachments/{}", body.id),
        ))
        .json(body))
}

/// The documents attached to a referral (the centre and the referrer's side).
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"), PageParams),
    responses(
        (status = 200, description = "A page of the documents, oldest first", body = Page<AttachmentResponse>),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the centre or the referrer's side", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/attachments")]
pub async fn list_attachments(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<ReferralId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AttachmentResponse>>, ApiError> {
    let referral_id = id.into_inner();
    let page = page
        .into_inner()
        .parse::<i64>(cursors.seal("attachments", &referral_id))?;
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre_id = documents_allowed(conn, reader, referral_id, ClientUse::Read).await?;
            let listed: Vec<Listed> = referral_attachments::table
                .filter(referral_attachments::referral_id.eq(referral_id))
                .order((referral_attachments::created_at, referral_attachments::id))
                .select(Listed::as_select())
                .load(conn)
                .await?;
            // The list names the family's court documents: a read like any other.
            audit::record(conn, list_event(reader, referral_id).centre(centre_id)).await?;
            Ok(listed)
        })
        .await;
    let listed = refusal_audited(&mut conn, list_event(&caller, referral_id), outcome).await?;
    // Read whole (a referral has a few documents), by upload time and id.
    let cursor = |l: &Listed| Cursor::at(l.created_at, l.id);
    Ok(web::Json(Page::of_sorted(
        listed,
        &page,
        cursor,
        Into::into,
    )))
}

/// One document's content (the centre and the referrer's side). Every
/// download is in the audit trail.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("attachment_id" = Uuid, Path, description = "The document's id"),
    ),
    responses(
        (status = 200, description = "The document's bytes. `Content-Type` is the type read \
                                        from them at upload (`application/pdf`, `image/png` or \
                                        `image/jpeg`); `Content-Disposition` names the file.", content(
            (Document = "application/octet-stream"), (Document = "application/pdf"),
            (Document = "image/png"), (Document = "image/jpeg"),
        )),
        (status = 403, description = "Not the centre or the referrer's side", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral or document the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/attachments/{attachment_id}")]
pub async fn get_attachment(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, AttachmentId)>,
) -> Result<HttpResponse, ApiError> {
    let (referral_id, attachment_id) = path.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre_id = documents_allowed(conn, reader, referral_id, ClientUse::Read).await?;
            let found: (String, String, Vec<u8>) = referral_attachments::table
                .filter(referral_attachments::id.eq(attachment_id))
                .filter(referral_attachments::referral_id.eq(referral_id))
                .select((
                    referral_attachments::content_type,
                    referral_attachments::filename,
                    referral_attachments::data,
                ))
                .first(conn)
                .await
                .optional()?
                .ok_or(ApiError::NotFound)?;
            audit::record(conn, download_event(reader, referral_id).centre(centre_id)).await?;
            Ok(found)
        })
        .await;
    let (content_type, filename, data) =
        refusal_audited(&mut conn, download_event(&caller, referral_id), outcome).await?;
    // Served as a download, never rendered in the API's origin.
    let safe_name: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{safe_name}\""),
        ))
        .body(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b""), None);
    }
}
