//! One-time links of an account: an invitation, an email confirmation, a
//! password reset. Each is a random token sent by email; only its SHA-256 is
//! kept, and it works once, before it expires.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::secrets::{random_token, token_hash};
use crate::error::ApiError;
use crate::notifications::Template;
use crate::schema::one_time_tokens;
use crate::vocabulary::UserId;

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ConfirmEmail,
    Invitation,
    PasswordReset,
}

impl Purpose {
    /// The message that carries a link of this purpose.
    pub fn template(self) -> Template {
        match self {
            Self::ConfirmEmail => Template::ConfirmEmail,
            Self::Invitation => Template::Invitation,
            Self::PasswordReset => Template::PasswordReset,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Makes a one-time token for `user_id`; returns the token (only its hash is
/// kept). `account` is what a confirmation link makes of the account when used.
pub async fn create_one_time_token(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    purpose: Purpose,
    ttl: Duration,
    account: Option<serde_json::Value>,
) -> Result<String, ApiError> {
    let token = random_token()?;
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::id.eq(Uuid::now_v7()),
            one_time_tokens::user_id.eq(user_id),
            one_time_tokens::purpose.eq(purpose.as_str()),
            one_time_tokens::token_hash.eq(token_hash(&token)),
            one_time_tokens::expires_at.eq(OffsetDateTime::now_utc() + ttl),
            one_time_tokens::account.eq(account),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Whether a one-time token would be accepted now (without using it), so a
/// handler can refuse a bogus token before doing expensive work.
pub async fn one_time_token_is_live(
    conn: &mut AsyncPgConnection,
    token: &str,
    purpose: Purpose,
) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        one_time_tokens::table
            .filter(one_time_tokens::token_hash.eq(token_hash(token)))
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(diesel::dsl::now)),
    ))
    .get_result(conn)
    .await?)
}

/// Whether a link of `purpose` was ever made for the user (used, ended or
/// open).
pub async fn ever_made(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    purpose: Purpose,
) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user_id))
            .filter(one_time_tokens::purpose.eq(purpose.as_str())),
    ))
    .get_result(conn)
    .await?)
}

/// Ends every open link of a user, of any purpose. A link is worth the
/// account: once one is used, or the password is set, changed or reset, no
/// older link may set it again (an old invitation in a mailbox an abusive
/// ex-partner can still read must not take the account over).
pub async fn end_all(conn: &mut AsyncPgConnection, user_id: UserId) -> Result<(), ApiError> {
    diesel::update(one_time_tokens::table)
        .filter(one_time_tokens::user_id.eq(user_id))
        .filter(one_time_tokens::used_at.is_null())
        .set(one_time_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends a user's open links of `purpose`: a fresh link retires the one it
/// replaces, so only the newest works.
pub async fn end(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    purpose: Purpose,
) -> Result<(), ApiError> {
    diesel::update(one_time_tokens::table)
        .filter(one_time_tokens::user_id.eq(user_id))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .set(one_time_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Uses a one-time token: returns its user (and the account a confirmation
/// makes) when it exists, has this purpose, is unused and unexpired, and
/// marks it used (in the caller's transaction).
pub async fn use_one_time_token(
    conn: &mut AsyncPgConnection,
    token: &str,
    purpose: Purpose,
) -> Result<Option<(UserId, Option<serde_json::Value>)>, ApiError> {
    Ok(diesel::update(one_time_tokens::table)
        .filter(one_time_tokens::token_hash.eq(token_hash(token)))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(diesel::dsl::now))
        .set(one_time_tokens::used_at.eq(diesel::dsl::now))
        .returning((one_time_tokens::user_id, one_time_tokens::account))
        .get_result(conn)
        .await
        .optional()?)
}
