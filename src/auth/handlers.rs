//! Logging in and out, tokens, passwords, registration and invitations.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use super::dto::*;
use super::passwords;
use super::principal::AuthUser;
use super::repo::{self, Purpose};
use super::roles::{ReferrerType, Role, Scope, UserStatus};
use super::tokens::{token_hash, Subject, TokenKeys};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::dto::UserResponse;
use crate::identity::model::NewUser;
use crate::identity::repo as users;
use crate::notifications::{self, Template};
use crate::vocabulary::OrganisationId;

const WRONG_CREDENTIALS: &str = "the email or password is wrong";

/// The client's address: the TCP peer, or the first `X-Forwarded-For` hop when
/// the service is configured to trust its load balancer.
fn client_addr(req: &HttpRequest, config: &Config) -> String {
    if config.trust_forwarded_for {
        // The rightmost hop is the one the trusted load balancer appended; any
        // earlier ones (and a `Forwarded` header) are the client's to forge.
        let last_hop = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .last();
        if let Some(addr) = last_hop {
            return addr.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Log in with email and password. Failed attempts are limited per account and
/// per client address (429 with `Retry-After`); the answer and its timing are the
/// same whether or not the email has an account.
#[utoipa::path(
    tag = "identity",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong email or password, or the account is not active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    keys: web::Data<TokenKeys>,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    body.validate()?;
    let LoginRequest { email, password } = body.into_inner();
    let email_key = users::normalise_email(&email);
    let addr = client_addr(&req, &config);
    // 1. Under the account's and the address's locks, check the limit and count
    //    this attempt as a failure before the password is checked, so parallel
    //    guesses cannot slip past the limit.
    let attempt = repo::begin_login_attempt(&pool, &email_key, &addr, &config).await?;
    // 2. The slow argon2 check holds no connection and no lock.
    let user = {
        let mut conn = pool.get().await?;
        users::find_user_by_email(&mut conn, &email_key).await?
    };
    let matches = passwords::verify_blocking(
        password,
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await?;
    let active = user
        .as_ref()
        .is_some_and(|u| u.status == UserStatus::Active);
    // 3. Record the outcome.
    let mut conn = pool.get().await?;
    let Some(user) = user.filter(|_| matches && active) else {
        audit::record(
            &mut conn,
            Event::new(Actor::anonymous(), "login", "session").denied(),
        )
        .await?;
        return Err(ApiError::Unauthenticated(WRONG_CREDENTIALS.into()));
    };
    let role: Role = user.role;
    let ttl = config.refresh_token_ttl;
    let user_id = user.id;
    let refresh_token = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            repo::mark_login_succeeded(conn, attempt).await?;
            audit::record(
                conn,
                Event::new(Actor::user(user_id, role), "login", "session").resource(user_id),
            )
            .await?;
            repo::issue_refresh_token(conn, user_id, None, ttl).await
        })
        .await?;
    Ok(web::Json(TokenResponse {
        access_token: keys.issue(
            Subject::User,
            user_id.into(),
            Some(role.as_str().to_owned()),
            None,
        )?,
        token_type: "Bearer",
        expires_in: keys.access_ttl_secs(),
        refresh_token: Some(refresh_token),
        scope: None,
    }))
}

/// Exchange a refresh token for a new access token and a new refresh token. A
/// refresh token works once: showing a used one again revokes its whole family
/// (someone else has a copy).
#[utoipa::path(
    tag = "identity",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, used, revoked or expired refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/refresh")]
pub async fn refresh(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    keys: web::Data<TokenKeys>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    body.validate()?;
    let token = body.into_inner().refresh_token;
    let ttl = config.refresh_token_ttl;
    let mut conn = pool.get().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let refused = |why: &str| Ok(Err(ApiError::Unauthenticated(why.to_owned())));
            let Some(stored) = repo::lock_refresh_token(conn, &token).await? else {
                return refused("the refresh token is not valid");
            };
            if stored.revoked_at.is_some() || stored.expires_at <= time::OffsetDateTime::now_utc() {
                return refused("the refresh token is not valid");
            }
            if stored.used_at.is_some() {
                // Reuse: a copy is in someone else's hands. End the whole family.
                repo::revoke_family(conn, stored.family_id).await?;
                audit::record(
                    conn,
                    Event::new(Actor::anonymous(), "refresh_token_reuse", "session")
                        .resource(stored.user_id)
                        .denied(),
                )
                .await?;
                return refused("the refresh token was already used; log in again");
            }
            let user = users::find_user(conn, stored.user_id).await?;
            let Some(user) = user.filter(|u| u.status == UserStatus::Active) else {
                return refused("the account is not active");
            };
            repo::mark_refresh_token_used(conn, stored.id).await?;
            let next =
                repo::issue_refresh_token(conn, user.id, Some(stored.family_id), ttl).await?;
            let role: Role = user.role;
            audit::record(
                conn,
                Event::new(Actor::user(user.id, role), "refresh", "session").resource(user.id),
            )
            .await?;
            Ok(Ok((user.id, role, next)))
        })
        .await?;
    let (user_id, role, next) = outcome?;
    Ok(web::Json(TokenResponse {
        access_token: keys.issue(
            Subject::User,
            user_id.into(),
            Some(role.as_str().to_owned()),
            None,
        )?,
        token_type: "Bearer",
        expires_in: keys.access_ttl_secs(),
        refresh_token: Some(next),
        scope: None,
    }))
}

/// Log out: the refresh token and every token refreshed from the same login stop
/// working. Answers 204 whether or not the token was known.
#[utoipa::path(
    tag = "identity",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/logout")]
pub async fn logout(
    pool: web::Data<Pool>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let token = body.into_inner().refresh_token;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        if let Some(stored) = repo::lock_refresh_token(conn, &token).await? {
            repo::revoke_family(conn, stored.family_id).await?;
            audit::record(
                conn,
                Event::new(Actor::anonymous(), "logout", "session").resource(stored.user_id),
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Client id and secret from HTTP Basic, else from the form.
fn client_credentials(
    req: &HttpRequest,
    form: &ClientCredentialsRequest,
) -> Option<(String, String)> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(i, s)| (i.to_owned(), s.to_owned())));
    basic.or_else(|| Some((form.client_id.clone()?, form.client_secret.clone()?)))
}

/// Constant-time comparison of two hashes.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An access token for an integration client (OAuth 2.0 client-credentials grant),
/// limited to the client's scopes or the subset asked for.
#[utoipa::path(
    tag = "identity",
    request_body(content = ClientCredentialsRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token", body = TokenResponse),
        (status = 400, description = "Unsupported grant type, or a malformed form", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown or revoked client, or a wrong secret", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not form-encoded", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A scope the client does not have", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/token")]
pub async fn issue_client_token(
    req: HttpRequest,
    pool: web::Data<Pool>,
    keys: web::Data<TokenKeys>,
    form: web::Form<ClientCredentialsRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    // Only `grant_type=client_credentials` deserialises; anything else is a 400.
    let form = form.into_inner();
    let invalid = || ApiError::Unauthenticated("the client credentials are not valid".into());
    let (id, secret) = client_credentials(&req, &form).ok_or_else(invalid)?;
    let id: Uuid = id.parse().map_err(|_| invalid())?;
    let mut conn = pool.get().await?;
    let client =
        crate::identity::repo::find_client(&mut conn, crate::vocabulary::ClientId(id)).await?;
    let Some(client) =
        client.filter(|c| c.revoked_at.is_none() && same(&c.secret_hash, &token_hash(&secret)))
    else {
        audit::record(
            &mut conn,
            Event::new(Actor::anonymous(), "token", "integration_client")
                .resource(id)
                .denied(),
        )
        .await?;
        return Err(invalid());
    };
    let granted: Vec<String> = match form
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => client
            .scopes
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        Some(asked) => {
            let mut granted = Vec::new();
            for scope in asked.split_whitespace() {
                let known = scope.parse::<Scope>().is_ok()
                    && client.scopes.iter().any(|s| s.as_str() == scope);
                if !known {
                    return Err(ApiError::field(
                        "scope",
                        "scope",
                        format!("{scope} is not a scope of this client"),
                    ));
                }
                granted.push(scope.to_owned());
            }
            granted
        }
    };
    let scope = granted.join(" ");
    audit::record(
        &mut conn,
        Event::new(
            Actor {
                kind: "client",
                id: Some(client.id.into()),
                role: None,
            },
            "token",
            "integration_client",
        )
        .resource(client.id)
        .centre(client.centre_id),
    )
    .await?;
    Ok(web::Json(TokenResponse {
        access_token: keys.issue(Subject::Client, client.id.into(), None, Some(scope.clone()))?,
        token_type: "Bearer",
        expires_in: keys.access_ttl_secs(),
        refresh_token: None,
        scope: Some(scope),
    }))
}

/// The caller's own account.
#[utoipa::path(
    tag = "identity",
    responses(
        (status = 200, description = "The caller", body = UserResponse),
        (status = 403, description = "Integration clients have no account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(
    pool: web::Data<Pool>,
    caller: AuthUser,
) -> Result<web::Json<UserResponse>, ApiError> {
    let principal = caller.0.person()?;
    let mut conn = pool.get().await?;
    let user = users::find_user(&mut conn, principal.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(UserResponse::new(
        user,
        principal.centre_ids.clone(),
    )?))
}

/// Change one's own password. Every refresh token of the account is revoked, so
/// other devices must log in again.
#[utoipa::path(
    tag = "identity",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Integration clients have no password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong, or the new one is too weak", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords from this account or address", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/auth/password")]
pub async fn change_password(
    req: HttpRequest,
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    caller: AuthUser,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = caller.0.person()?.id;
    body.validate()?;
    let request = body.into_inner();
    passwords::check_policy("new_password", &request.new_password)?;
    let user = {
        let mut conn = pool.get().await?;
        users::find_user(&mut conn, id)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    // Checking the current password is a password guess like a login: the same
    // limit applies, so a stolen access token cannot be used to find it.
    let attempt =
        repo::begin_login_attempt(&pool, &user.email, &client_addr(&req, &config), &config).await?;
    let mut conn = pool.get().await?;
    if passwords::verify_blocking(request.current_password, user.password_hash).await? {
        repo::mark_login_succeeded(&mut conn, attempt).await?;
    } else {
        return Err(ApiError::field(
            "current_password",
            "wrong",
            "is not the current password",
        ));
    }
    let hash = passwords::hash_blocking(request.new_password).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        users::set_password(conn, id, &hash, false).await?;
        repo::revoke_all_refresh_tokens(conn, id).await?;
        repo::expire_one_time_tokens(conn, id, Purpose::PasswordReset).await?;
        audit::record(
            conn,
            Event::new(&caller, "change_password", "user").resource(id),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ask for a password-reset link. Always 202, whether or not the email has an
/// account, so the answer reveals nothing.
#[utoipa::path(
    tag = "identity",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the account exists, a link is on its way", body = AcceptedResponse),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let email = users::normalise_email(&body.email);
    // A reset link is worth an account: it lives an hour at most.
    let ttl = config
        .one_time_token_ttl
        .min(std::time::Duration::from_secs(3600));
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let user = users::find_user_by_email(conn, &email).await?;
        if let Some(user) = user.filter(|u| u.status == UserStatus::Active) {
            let token =
                repo::create_one_time_token(conn, user.id, Purpose::PasswordReset, ttl).await?;
            notifications::enqueue(
                conn,
                &user.email,
                Template::PasswordReset,
                serde_json::json!({"user_id": user.id, "token": token}),
            )
            .await?;
            audit::record(
                conn,
                Event::new(Actor::anonymous(), "request_password_reset", "user").resource(user.id),
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse {
        status: "check your email",
    }))
}

/// Uses a one-time token of `purpose` to set the account's password. Invitations
/// also activate the account; resets revoke every refresh token.
async fn set_password_with_token(
    pool: &Pool,
    request: SetPasswordWithTokenRequest,
    purpose: Purpose,
    action: &'static str,
) -> Result<(), ApiError> {
    passwords::check_policy("password", &request.password)?;
    let invalid = || ApiError::field("token", "invalid", "is not valid or has expired");
    let mut conn = pool.get().await?;
    // A bogus token is refused before the costly hash is computed.
    if !repo::one_time_token_is_live(&mut conn, &request.token, purpose).await? {
        return Err(invalid());
    }
    let hash = passwords::hash_blocking(request.password).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let Some(user_id) = repo::use_one_time_token(conn, &request.token, purpose).await? else {
            return Err(ApiError::field(
                "token",
                "invalid",
                "is not valid or has expired",
            ));
        };
        let user = users::find_user(conn, user_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if user.status == UserStatus::Disabled {
            return Err(ApiError::field(
                "token",
                "invalid",
                "is not valid or has expired",
            ));
        }
        // An invitation or a confirmed email makes the account active.
        let activate = matches!(purpose, Purpose::Invitation | Purpose::ConfirmEmail);
        users::set_password(conn, user_id, &hash, activate).await?;
        repo::revoke_all_refresh_tokens(conn, user_id).await?;
        repo::expire_one_time_tokens(conn, user_id, Purpose::PasswordReset).await?;
        let role: Role = user.role;
        audit::record(
            conn,
            Event::new(Actor::user(user_id, role), action, "user").resource(user_id),
        )
        .await
    })
    .await
}

/// Choose a new password with the token of a reset link.
#[utoipa::path(
    tag = "identity",
    request_body = SetPasswordWithTokenRequest,
    responses(
        (status = 204, description = "Password set; log in with it"),
        (status = 422, description = "The token is not valid or has expired, or the password is too weak", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    pool: web::Data<Pool>,
    body: web::Json<SetPasswordWithTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    set_password_with_token(
        &pool,
        body.into_inner(),
        Purpose::PasswordReset,
        "reset_password",
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

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
    body: web::Json<SetPasswordWithTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    set_password_with_token(
        &pool,
        body.into_inner(),
        Purpose::Invitation,
        "accept_invitation",
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A referrer registers themselves: a link to confirm the email and choose a
/// password goes to the address. Always 202: if the email already has an active
/// account, its owner is told instead, so the answer reveals nothing. Until the
/// link is used, registering again only sends a fresh link to the same address,
/// so nobody can take over or block an address they do not read.
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
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    body: web::Json<RegisterReferrerRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let request = body.into_inner();
    let email = users::normalise_email(&request.email);
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
        request.name.trim(),
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
        let user = match users::find_user_by_email(conn, &email).await? {
            Some(existing) if existing.status != UserStatus::Invited => {
                notifications::enqueue(
                    conn,
                    &existing.email,
                    Template::AccountExists,
                    serde_json::json!({"user_id": existing.id}),
                )
                .await?;
                return Ok(());
            }
            // Not confirmed yet: only the address's owner can use a fresh link.
            Some(unconfirmed) => unconfirmed,
            None => {
                users::insert_user(
                    conn,
                    NewUser {
                        id: crate::vocabulary::UserId::new(),
                        email: &email,
                        name: &name,
                        role,
                        status: UserStatus::Invited,
                        password_hash: None,
                        referrer_type,
                        organisation_id,
                    },
                    &[],
                )
                .await?
            }
        };
        let token = repo::create_one_time_token(conn, user.id, Purpose::ConfirmEmail, ttl).await?;
        notifications::enqueue(
            conn,
            &user.email,
            Template::ConfirmEmail,
            serde_json::json!({"user_id": user.id, "token": token}),
        )
        .await?;
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
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    body: web::Json<RegisterParentRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let request = body.into_inner();
    let email = users::normalise_email(&request.email);
    let mut conn = pool.get().await?;
    register_account(
        &mut conn,
        config.one_time_token_ttl,
        &email,
        request.name.trim(),
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
    body: web::Json<SetPasswordWithTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    set_password_with_token(
        &pool,
        body.into_inner(),
        Purpose::ConfirmEmail,
        "confirm_email",
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// At start-up: when no network admin exists, create one from
/// `BOOTSTRAP_ADMIN_EMAIL` / `BOOTSTRAP_ADMIN_PASSWORD`; without them, say how.
pub async fn bootstrap_admin(pool: &Pool, config: &Config) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    if users::any_network_admin(&mut conn).await? {
        return Ok(());
    }
    let Some((email, password)) = &config.bootstrap_admin else {
        log::warn!(
            "no network admin exists: set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD \
             and restart to create the first one"
        );
        return Ok(());
    };
    passwords::check_policy("BOOTSTRAP_ADMIN_PASSWORD", password.expose()).map_err(|_| {
        ApiError::internal(
            "BOOTSTRAP_ADMIN_PASSWORD is too weak: at least 12 characters, not a common password",
        )
    })?;
    let hash = passwords::hash_blocking(password.expose().clone()).await?;
    let email = users::normalise_email(email);
    conn.transaction::<_, ApiError, _>(async move |conn| {
        // Two instances starting together: the second finds the first's admin.
        diesel_async::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_xact_lock(7210003)"),
            conn,
        )
        .await?;
        if users::any_network_admin(conn).await? {
            return Ok(());
        }
        let user = users::insert_user(
            conn,
            NewUser {
                id: crate::vocabulary::UserId::new(),
                email: &email,
                name: "Network admin",
                role: Role::NetworkAdmin,
                status: UserStatus::Active,
                password_hash: Some(&hash),
                referrer_type: None,
                organisation_id: None,
            },
            &[],
        )
        .await?;
        audit::record(
            conn,
            Event::new(Actor::system(), "bootstrap_admin", "user").resource(user.id),
        )
        .await?;
        log::info!("created the first network admin");
        Ok(())
    })
    .await
}
