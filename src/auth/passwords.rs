//! Passwords: changing one's own, and resetting a forgotten one by a link.

use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;

use super::dto::*;
use super::repo;
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::client_addr::client_addr;
use crate::identity::accounts::{self};
use crate::identity::links::{self, Purpose};
use crate::identity::passwords;
use crate::identity::refresh_tokens;
use crate::identity::repo as users;
use crate::identity::roles::UserStatus;
use crate::identity::Caller;
use crate::notifications;

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
    caller: Caller,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = caller.person()?.id;
    body.check()?;
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
    // The slow argon2 check holds no connection, as at login.
    let matches = passwords::verify_blocking(request.current_password, user.password_hash).await?;
    let mut conn = pool.get().await?;
    if matches {
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
        refresh_tokens::revoke_all_refresh_tokens(conn, id).await?;
        links::end_all(conn, id).await?;
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
    req: HttpRequest,
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    super::repo::count_unsolicited(&pool, &client_addr(&req, &config), &config).await?;
    let email = users::normalise_email(&body.email);
    // A reset link is worth an account: it lives an hour at most.
    let ttl = config
        .one_time_token_ttl
        .min(std::time::Duration::from_secs(3600));
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        if !notifications::unsolicited_allowed(conn, &email, notifications::Unsolicited::Reset)
            .await?
        {
            return Ok(());
        }
        let user = users::find_user_by_email(conn, &email).await?;
        let mut asked = Event::new(Actor::anonymous(), "request_password_reset", "user");
        if let Some(user) = user.filter(|u| u.status == UserStatus::Active) {
            accounts::send_link(
                conn,
                &user,
                Purpose::PasswordReset,
                ttl,
                serde_json::json!({}),
            )
            .await?;
            asked = asked.resource(user.id);
        }
        // Audited either way: both answers do the same work.
        audit::record(conn, asked).await
    })
    .await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse {
        status: "check your email",
    }))
}

/// Uses the token of an emailed link of `purpose` to set the account's
/// password (the whole of the three link routes; 204 when done). Invitations
/// also activate the account; resets revoke every refresh token. A link used
/// proves its mailbox: the address it was used from becomes one the account's
/// logins are never held up at (`repo::begin_login_attempt`).
pub(super) async fn set_password_with_token(
    pool: &Pool,
    req: &HttpRequest,
    config: &Config,
    body: web::Json<SetPasswordWithTokenRequest>,
    purpose: Purpose,
    action: &'static str,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    let addr = client_addr(req, config);
    let request = body.into_inner();
    passwords::check_policy("password", &request.password)?;
    let invalid = || ApiError::field("token", "invalid", "is not valid or has expired");
    let mut conn = pool.get().await?;
    // A bogus token is refused before the costly hash is computed.
    if !links::one_time_token_is_live(&mut conn, &request.token, purpose).await? {
        return Err(invalid());
    }
    let hash = passwords::hash_blocking(request.password).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let Some((user_id, chosen)) =
            links::use_one_time_token(conn, &request.token, purpose).await?
        else {
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
        // A confirmation makes the account its own registration chose.
        if let Some(chosen) = chosen.filter(|_| purpose == Purpose::ConfirmEmail) {
            accounts::confirm_chosen(conn, &user, chosen).await?;
        }
        // An invitation or a confirmed email makes the account active.
        let activate = matches!(purpose, Purpose::Invitation | Purpose::ConfirmEmail);
        users::set_password(conn, user_id, &hash, activate).await?;
        refresh_tokens::revoke_all_refresh_tokens(conn, user_id).await?;
        links::end_all(conn, user_id).await?;
        repo::record_proven_address(conn, &user.email, &addr).await?;
        let role = user.role.as_str();
        audit::record(
            conn,
            Event::new(Actor::user(user_id, role), action, "user").resource(user_id),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
    req: HttpRequest,
    config: web::Data<Config>,
    body: web::Json<SetPasswordWithTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let purpose = Purpose::PasswordReset;
    set_password_with_token(&pool, &req, &config, body, purpose, "reset_password").await
}
