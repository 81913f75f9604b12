use crate::vocabulary::{AdultId, FamilyId};
use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;

use super::dto::{FamilyResponse, UpdateContactRequest};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::roles::Role;
use crate::identity::{Caller, Principal};
use crate::referrals::family as repo;
use crate::referrals::intake::rules;
use crate::referrals::{access, read, repo as referrals, views};

/// The family as the caller may see it.
async fn family_view(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    id: FamilyId,
    lock: bool,
) -> Result<(FamilyResponse, crate::referrals::model::ReferralBundle), ApiError> {
    let family = repo::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    let bundle = referrals::load_bundle(conn, family.referral_id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let viewer = access::viewer(caller, &bundle)?;
    let view = views::referral(&bundle, &[], &viewer, OffsetDateTime::now_utc())?;
    Ok((
        FamilyResponse {
            id: family.id,
            referral_id: family.referral_id,
            centre_id: family.centre_id,
            parties_must_not_meet: view.parties_must_not_meet,
            children: view.children,
            adults: view.adults,
        },
        bundle,
    ))
}

/// A family's children and adults as the caller may see them: the centre's
/// coordinators everything; its staff names, attendees and do-not-meet, no
/// contact details; the referring organisation no contact details; a parent
/// their own details and another adult's only where that adult consented.
/// Network admins see no family (403). Every read is in the audit trail.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "The family's id")),
    responses(
        (status = 200, description = "The family, redacted for the caller", body = FamilyResponse,
            headers(("ETag" = String, description = "The case's version (its referral's): send it in If-Match with a change"))),
        (status = 403, description = "A network admin (no family detail). A client whose token may not read it gets 404", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/families/{id}")]
pub async fn get_family(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (body, bundle) = family_view(conn, reader, id, false).await?;
            read::audited(conn, reader, "family", id, Some(body.centre_id)).await?;
            Ok(read::Versioned {
                body,
                version: bundle.referral.version,
            })
        })
        .await;
    let read = read::refusal_audited(
        &mut conn,
        Event::new(&caller, "read", "family").resource(id),
        outcome,
    )
    .await?;
    Ok(preconditions::read(read.version, &read.body))
}

/// A parent changes their own contact details and which of them the other
/// party may see (none unless given).
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "The family's id"),
        ("adult_id" = Uuid, Path, description = "The adult: the caller themselves"),
        ("If-Match" = String, Header, description = "The family's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = UpdateContactRequest,
    responses(
        (status = 200, description = "The family as changed", body = FamilyResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not this adult's own parent account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family or adult the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/families/{id}/adults/{adult_id}")]
pub async fn update_contact(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, AdultId)>,
    body: web::Json<UpdateContactRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, adult_id) = path.into_inner();
    let if_match = IfMatchSent::of(&req);
    let req = body.into_inner();
    let mut conn = pool.get().await?;
    let body = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (_, bundle) = family_view(conn, &caller, id, true).await?;
            let user = caller.require_role(&[Role::Parent])?;
            let mut adult = bundle
                .adults
                .iter()
                .find(|a| a.id == adult_id)
                .cloned()
                .ok_or(ApiError::NotFound)?;
            if adult.user_id != Some(user.id) {
                return Err(ApiError::Forbidden);
            }
            let mut errors = rules::Errors::default();
            if let Some(email) = rules::email(&mut errors, "email", req.email.as_deref()) {
                // Each adult gives their own part and hears of their own
                // questions: two adults of one referral never share an email.
                let taken = bundle.adults.iter().any(|other| {
                    other.id != adult_id
                        && other
                            .email
                            .as_deref()
                            .is_some_and(|e| e.eq_ignore_ascii_case(&email))
                });
                if taken {
                    errors.push(
                        "email",
                        "duplicate",
                        "another adult of this referral has this email",
                    );
                }
                adult.email = Some(email);
            }
            if let Some(phone) = &req.phone {
                adult.phone = errors.optional_text("phone", Some(phone), 40);
            }
            if let Some(address) = &req.address {
                adult.address = errors.optional_text("address", Some(address), 500);
            }
            if let Some(share) = req.share {
                adult.share_email = share.email;
                adult.share_phone = share.phone;
                adult.share_address = share.address;
            }
            errors.finish(())?;
            // Bad input is a 422 first; then the version it was made against.
            if_match.check(bundle.referral.version, IfMatch::Required)?;
            referrals::update_adult(conn, &adult).await?;
            events::record(
                conn,
                DomainEvent {
                    event_type: "family.contact_changed",
                    resource_type: "family",
                    resource_id: id.into(),
                    centre_id: Some(bundle.referral.centre_id),
                    organisation_id: None,
                    payload: serde_json::json!({"family_id": id, "adult_id": adult_id}),
                },
            )
            .await?;
            audit::record(
                conn,
                Event::new(&caller, "update_contact", "family")
                    .resource(id)
                    .centre(Some(bundle.referral.centre_id)),
            )
            .await?;
            let (body, bundle) = family_view(conn, &caller, id, false).await?;
            Ok(read::Versioned {
                body,
                version: bundle.referral.version,
            })
        })
        .await?;
    Ok(preconditions::changed(body.version, &body.body))
}
