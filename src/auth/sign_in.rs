//! Signing in and out: a person's email and password for an access token and a
//! refresh token; a refresh token for the next pair; logging out.

use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;

use super::dto::*;
use super::repo;
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::client_addr::client_addr;
use crate::identity::passwords;
use crate::identity::refresh_tokens;
use crate::identity::repo as users;
use crate::identity::roles::{Role, UserStatus};
use crate::identity::tokens::{Subject, TokenKeys};
use crate::vocabulary::UserId;

const WRONG_CREDENTIALS: &str = "the email or password is wrong";

/// Log in with email and password. Failed attempts are limited per client
/// address and per account, sparing addresses the owner signed in from (429
/// with `Retry-After`); the answer and its timing are the same whether or not
/// the email has an account.
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
    body.check()?;
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
                Event::new(Actor::user(user_id, role.as_str()), "login", "session")
                    .resource(user_id),
            )
            .await?;
            refresh_tokens::issue_refresh_token(conn, user_id, None, ttl).await
        })
        .await?;
    person_tokens(&keys, user_id, role, refresh_token).map(web::Json)
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
    body.check()?;
    let token = body.into_inner().refresh_token;
    let ttl = config.refresh_token_ttl;
    let mut conn = pool.get().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let refused = |why: &str| Ok(Err(ApiError::Unauthenticated(why.to_owned())));
            let Some(stored) = refresh_tokens::lock_refresh_token(conn, &token).await? else {
                return refused("the refresh token is not valid");
            };
            if stored.revoked_at.is_some() || stored.expires_at <= time::OffsetDateTime::now_utc() {
                return refused("the refresh token is not valid");
            }
            if stored.used_at.is_some() {
                // Reuse: a copy is in someone else's hands. End the whole family.
                refresh_tokens::revoke_family(conn, stored.family_id).await?;
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
            refresh_tokens::mark_refresh_token_used(conn, stored.id).await?;
            let next =
                refresh_tokens::issue_refresh_token(conn, user.id, Some(stored.family_id), ttl)
                    .await?;
            let role: Role = user.role;
            audit::record(
                conn,
                Event::new(Actor::user(user.id, role.as_str()), "refresh", "session")
                    .resource(user.id),
            )
            .await?;
            Ok(Ok((user.id, role, next)))
        })
        .await?;
    let (user_id, role, next) = outcome?;
    person_tokens(&keys, user_id, role, next).map(web::Json)
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
    body.check()?;
    let token = body.into_inner().refresh_token;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        if let Some(stored) = refresh_tokens::lock_refresh_token(conn, &token).await? {
            refresh_tokens::revoke_family(conn, stored.family_id).await?;
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

/// A person's new access token, with the refresh token for the next one.
fn person_tokens(
    keys: &TokenKeys,
    user_id: UserId,
    role: Role,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    Ok(TokenResponse {
        access_token: keys.issue(
            Subject::User,
            user_id.into(),
            Some(role.as_str().to_owned()),
            None,
        )?,
        token_type: super::dto::TokenType::Bearer,
        expires_in: keys.access_ttl_secs(),
        refresh_token: Some(refresh_token),
        scope: None,
    })
}
