//! Accounts set up by their owners: referrers and parents register themselves
//! and confirm their email; invited people accept their invitation. Each ends
//! with the owner choosing a password through a one-time link.

use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;

use super::dto::*;
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::client_addr::client_addr;
use crate::identity::accounts::{self, NewAccount};
use crate::identity::links::Purpose;
use crate::identity::roles::{ReferrerType, Role};
use crate::notifications::{self, Template, Unsolicited};
use crate::vocabulary::OrganisationId;

/// Accept an invitation: choose a password with the invitation's token; the
/// account becomes active.
#[utoipa::path(
    tag = "identity",
    request_body = SetPasswordWithTokenRequest,
    responses(
        (status = 204, description = "Account active; log in"),
        (status = 422, description = "The token is not valid or has expired, or the password is too weak", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/accept-invitation")]
pub async fn accept_invitation(
    pool: web::Data<Pool>,
    req: HttpRequest,
    config: web::Data<Config>,
    body: web::Json<SetPasswordWithTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let purpose = Purpose::Invitation;
    super::passwords::set_password_with_token(
        &pool,
        &req,
        &config,
        body,
        purpose,
        "accept_invitation",
    )
    .await
}

/// A referrer registers themselves: a link to confirm the email and choose a
/// password goes to the address. Always 202: if the email already has an active
/// account, its owner is told instead, so the answer reveals nothing. Until a
/// link is used, registering again sends another link to the same address,
/// each making the account its own registration asked for, so nobody can take
/// over, change or block a registration at an address they do not read.
#[utoipa::path(
    tag = "identity",
    request_body = RegisterReferrerRequest,
    responses(
        (status = 202, description = "A confirmation link is on its way", body = AcceptedResponse),
        (status = 422, description = "Invalid fields, an unknown organisation, or an email off its domain", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/register")]
pub async fn register_referrer(
    req: HttpRequest,
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    body: web::Json<RegisterReferrerRequest>,
) -> Result<HttpResponse, ApiError> {
    let (email, name) = body.parse()?;
    super::repo::count_unsolicited(&pool, &client_addr(&req, &config), &config).await?;
    let request = body.into_inner();
    let email = email.into_inner();
    let mut conn = pool.get().await?;
    let organisation = crate::identity::repo::find_organisation(&mut conn, request.organisation_id)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "organisation_id",
                "unknown",
                "is not a registered organisation",
            )
        })?;
    // Confirming an email on the organisation's domain is what proves membership.
    if !email.ends_with(&format!("@{}", organisation.email_domain)) {
        return Err(ApiError::field(
            "email",
            "domain",
            format!("must be an address at {}", organisation.email_domain),
        ));
    }
    register_account(
        &mut conn,
        config.one_time_token_ttl,
        &email,
        name.as_str(),
        Role::Referrer,
        Some(request.referrer_type),
        Some(organisation.id),
    )
    .await
}

/// Registers an account that confirms its email before it is active (see
/// [`register_referrer`]): always 202, whatever the address.
async fn register_account(
    conn: &mut diesel_async::AsyncPgConnection,
    ttl: std::time::Duration,
    email: &str,
    name: &str,
    role: Role,
    referrer_type: Option<ReferrerType>,
    organisation_id: Option<OrganisationId>,
) -> Result<HttpResponse, ApiError> {
    let email = email.to_owned();
    let name = name.to_owned();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        if !notifications::unsolicited_allowed(conn, &email, Unsolicited::Registration).await? {
            return Ok(());
        }
        // Every branch writes a message and an audit entry: the answer and
        // its timing say nothing of whether the address has an account.
        let user = match accounts::find_claimed(conn, &email).await? {
            // An account, or an invitation someone sent and not yet taken up
            // (the invitation is the way in): the owner hears that the
            // address has an account.
            Some(existing) => {
                notifications::enqueue(
                    conn,
                    &existing.email,
                    Template::AccountExists,
                    serde_json::json!({"user_id": existing.id}),
                )
                .await?;
                existing
            }
            // Free, or a registration nobody confirmed: a confirmation link
            // that makes the account asked for here.
            None => {
                let account = NewAccount {
                    email: &email,
                    name: &name,
                    role,
                    referrer_type,
                    organisation_id,
                    centre_ids: &[],
                };
                accounts::register(conn, account, ttl).await?
            }
        };
        audit::record(
            conn,
            Event::new(Actor::anonymous(), "register", "user").resource(user.id),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse {
        status: "check your email",
    }))
}

/// A parent registers themselves, to make a self-referral or follow their
/// family's: a link to confirm the email and choose a password goes to the
/// address. Always 202, as for referrers, so the answer reveals nothing.
#[utoipa::path(
    tag = "identity",
    request_body = RegisterParentRequest,
    responses(
        (status = 202, description = "A confirmation link is on its way", body = AcceptedResponse),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/register-parent")]
pub async fn register_parent(
    req: HttpRequest,
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    body: web::Json<RegisterParentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (email, name) = body.parse()?;
    super::repo::count_unsolicited(&pool, &client_addr(&req, &config), &config).await?;
    let mut conn = pool.get().await?;
    register_account(
        &mut conn,
        config.one_time_token_ttl,
        email.as_str(),
        name.as_str(),
        Role::Parent,
        None,
        None,
    )
    .await
}

/// Confirm a self-registered account's email with the link's token and choose
/// its password; the account becomes active.
#[utoipa::path(
    tag = "identity",
    request_body = SetPasswordWithTokenRequest,
    responses(
        (status = 204, description = "Confirmed; log in"),
        (status = 422, description = "The token is not valid or has expired, or the password is too weak", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/confirm-email")]
pub async fn confirm_email(
    pool: web::Data<Pool>,
    req: HttpRequest,
    config: web::Data<Config>,
    body: web::Json<SetPasswordWithTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let purpose = Purpose::ConfirmEmail;
    super::passwords::set_password_with_token(&pool, &req, &config, body, purpose, "confirm_email")
        .await
}
