//! Letters to a family and its referrer, each kept exactly as sent for its
//! one recipient: a decline, an offer of a place, a pre-visit's invitation,
//! a closing. A letter to one party speaks only of that party (their own
//! pre-visit time, never the other's); the referrer's side has its own.
//!
//! Who reads them: the centre's coordinators every letter; a party the
//! letters to them; the referrer's side (the referring organisation's people
//! and clients) the letters to the referrer. Staff read none.

use actix_web::{get, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::Caller;
use crate::notifications::{self, Template};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::access::{self, Viewer};
use crate::referrals::model::{Adult, Referral, ReferralBundle, ReferralSource};
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::referrals::views::timestamp;
use crate::schema::referral_letters;
use crate::vocabulary::{AdultId, ReferralId};

crate::text_enum! {
    /// What a letter is about.
    pub enum LetterKind {
        /// The centre declined the referral: its words for the family.
        Decline => "decline",
        /// A place is offered to a waitlisted family, held until a date.
        Offer => "offer",
        /// A party's pre-visit: their own time and venue.
        PreVisit => "pre_visit",
        /// The referral closed, with its outcome.
        Closing => "closing",
        /// Contact starts: the arrangement, the rules, who may attend, and
        /// the recipient's own times (kept as the PDF sent too).
        Acceptance => "acceptance",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_letters)]
struct Letter {
    id: Uuid,
    referral_id: ReferralId,
    kind: LetterKind,
    adult_id: Option<AdultId>,
    recipient_name: String,
    subject: String,
    body: String,
    sent_at: OffsetDateTime,
}

/// Whom a letter goes to.
#[derive(Debug, Clone, Copy)]
pub enum Recipient<'a> {
    /// One adult party.
    Party(&'a Adult),
    /// The referrer (the professional, or the organisation's integration).
    Referrer,
}

/// The referrer's side as a recipient: the referrer, or on a self-referral
/// the parent who referred (a party, with their own letters).
pub fn referrer_side(b: &ReferralBundle) -> Option<Recipient<'_>> {
    match b.referral.source {
        ReferralSource::SelfReferral => b
            .adults
            .iter()
            .find(|a| a.user_id.is_some() && a.user_id == b.referral.created_by_user)
            .map(Recipient::Party),
        _ => Some(Recipient::Referrer),
    }
}

/// A letter to write.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub kind: LetterKind,
    pub to: Recipient<'a>,
    pub subject: String,
    pub body: String,
}

/// Keeps a letter as sent and tells its recipient by email that it is
/// there (the message never carries the letter). A letter to the referrer
/// on a self-referral goes nowhere: the parent who referred is a party and
/// has their own. An acceptance letter is kept as the PDF sent too.
pub async fn send(
    conn: &mut AsyncPgConnection,
    referral: &Referral,
    draft: Draft<'_>,
) -> Result<(), ApiError> {
    let (adult_id, name, email) = match draft.to {
        Recipient::Party(a) => (Some(a.id), a.name.clone(), a.email.clone()),
        Recipient::Referrer if referral.source == ReferralSource::SelfReferral => return Ok(()),
        Recipient::Referrer => (
            None,
            referral.referrer_name.clone(),
            Some(referral.referrer_email.clone()),
        ),
    };
    let letter = Letter {
        id: Uuid::now_v7(),
        referral_id: referral.id,
        kind: draft.kind,
        adult_id,
        recipient_name: name,
        subject: draft.subject,
        body: draft.body,
        sent_at: OffsetDateTime::now_utc(),
    };
    let pdf = (draft.kind == LetterKind::Acceptance)
        .then(|| super::pdf::render(&letter.subject, &letter.body));
    diesel::insert_into(referral_letters::table)
        .values((&letter, referral_letters::pdf.eq(pdf)))
        .execute(conn)
        .await?;
    let notice = match draft.kind {
        LetterKind::Offer => Template::PlaceOffered,
        _ => Template::Letter,
    };
    if let Some(email) = email {
        notifications::enqueue(
            conn,
            &email,
            notice,
            serde_json::json!({
                "referral_id": referral.id,
                "letter_id": letter.id,
                "kind": draft.kind,
            }),
        )
        .await?;
    }
    Ok(())
}

/// Sends one letter to every adult party and one to the referrer.
pub async fn send_to_all(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    kind: LetterKind,
    subject: &str,
    body: &str,
) -> Result<(), ApiError> {
    let recipients = b
        .adults
        .iter()
        .map(Recipient::Party)
        .chain([Recipient::Referrer]);
    for to in recipients {
        let draft = Draft {
            kind,
            to,
            subject: subject.to_owned(),
            body: body.to_owned(),
        };
        send(conn, &b.referral, draft).await?;
    }
    Ok(())
}

/// A letter as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterResponse {
    /// The letter's id.
    pub id: Uuid,
    /// What it is about.
    pub kind: LetterKind,
    /// The party it was sent to; absent for a letter to the referrer.
    pub adult_id: Option<Uuid>,
    /// Whom it was addressed to.
    pub recipient_name: String,
    /// Its subject line.
    pub subject: String,
    /// Its text, as sent.
    pub body: String,
    /// Where the PDF sent is kept (an acceptance letter), if it was sent
    /// as one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf: Option<String>,
    /// When it was sent.
    #[schema(format = DateTime)]
    pub sent_at: String,
}

impl From<Letter> for LetterResponse {
    fn from(l: Letter) -> Self {
        Self {
            id: l.id,
            kind: l.kind,
            adult_id: l.adult_id.map(Into::into),
            recipient_name: l.recipient_name,
            subject: l.subject,
            pdf: (l.kind == LetterKind::Acceptance)
                .then(|| format!("/api/v1/referrals/{}/letters/{}/pdf", l.referral_id, l.id)),
            body: l.body,
            sent_at: timestamp(l.sent_at),
        }
    }
}

/// The letters of a referral the caller may read, oldest first: every
/// letter for the centre's coordinators; a party's own; the referrer's for
/// the referrer's side. Each read is audited.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"), PageParams),
    responses(
        (status = 200, description = "A page of letters, as sent", body = Page<LetterResponse>),
        (status = 403, description = "The centre's staff (letters are for their recipients and the coordinators), or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/letters")]
pub async fn list_letters(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<ReferralId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<LetterResponse>>, ApiError> {
    let id = id.into_inner();
    let page = page
        .into_inner()
        .parse::<i64>(cursors.seal("letters", &id))?;
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            let viewer = access::viewer(reader, &b)?;
            let mut q = referral_letters::table
                .filter(referral_letters::referral_id.eq(id))
                .into_boxed();
            q = match viewer {
                Viewer::Centre => q,
                Viewer::Staff => return Err(ApiError::Forbidden),
                Viewer::Referrer => q.filter(referral_letters::adult_id.is_null()),
                Viewer::Parent { adult_ids } => {
                    q.filter(referral_letters::adult_id.eq_any(adult_ids))
                }
            };
            let letters: Vec<Letter> = q
                .order((referral_letters::sent_at, referral_letters::id))
                .select(Letter::as_select())
                .load(conn)
                .await?;
            audit::record(
                conn,
                Event::new(reader, "list_letters", "referral")
                    .resource(id)
                    .centre(b.referral.centre_if_sent()),
            )
            .await?;
            Ok(letters)
        })
        .await;
    let event = Event::new(&caller, "list_letters", "referral").resource(id);
    let letters = refusal_audited(&mut conn, event, outcome).await?;
    let cursor = |l: &Letter| Cursor::at(l.sent_at, l.id);
    Ok(web::Json(Page::of_sorted(
        letters,
        &page,
        cursor,
        Into::into,
    )))
}

/// A letter as the PDF sent, for those who may read the letter: the
/// centre's coordinators, its recipient party, or the referrer's side for
/// the referrer's. Each read is audited.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("letter_id" = Uuid, Path, description = "The letter's id"),
    ),
    responses(
        (status = 200, description = "The letter as the PDF sent", content(
            (crate::referrals::attachments::Document = "application/octet-stream"),
            (crate::referrals::attachments::Document = "application/pdf"),
        )),
        (status = 403, description = "The centre's staff, or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such letter the caller may read, or none kept as a PDF", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/letters/{letter_id}/pdf")]
pub async fn letter_pdf(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(ReferralId, Uuid)>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let (id, letter_id) = path.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            let viewer = access::viewer(reader, &b)?;
            if viewer == Viewer::Staff {
                return Err(ApiError::Forbidden);
            }
            let (adult_id, pdf): (Option<AdultId>, Option<Vec<u8>>) = referral_letters::table
                .filter(referral_letters::referral_id.eq(id))
                .filter(referral_letters::id.eq(letter_id))
                .select((referral_letters::adult_id, referral_letters::pdf))
                .first(conn)
                .await
                .optional()?
                .ok_or(ApiError::NotFound)?;
            let readable = match (&viewer, adult_id) {
                (Viewer::Centre, _) => true,
                (Viewer::Referrer, None) => true,
                (Viewer::Parent { adult_ids }, Some(a)) => adult_ids.contains(&a),
                _ => false,
            };
            let pdf = pdf.filter(|_| readable).ok_or(ApiError::NotFound)?;
            audit::record(
                conn,
                Event::new(reader, "read_letter_pdf", "referral")
                    .resource(id)
                    .centre(b.referral.centre_if_sent()),
            )
            .await?;
            Ok(pdf)
        })
        .await;
    let event = Event::new(&caller, "read_letter_pdf", "referral").resource(id);
    let pdf = refusal_audited(&mut conn, event, outcome).await?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(pdf))
}
