//! Queries of one-time tokens, refresh tokens and login attempts.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::tokens::{random_token, token_hash};
use crate::error::ApiError;
use crate::schema::{login_attempts, one_time_tokens, refresh_tokens};

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ConfirmEmail,
    Invitation,
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }
}

fn expiry(ttl: Duration) -> OffsetDateTime {
    OffsetDateTime::now_utc() + ttl
}

/// Makes a one-time token for `user_id`; returns the token (only its hash is kept).
pub async fn create_one_time_token(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    purpose: Purpose,
    ttl: Duration,
) -> Result<String, ApiError> {
    let token = random_token()?;
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::id.eq(Uuid::now_v7()),
            one_time_tokens::user_id.eq(user_id),
            one_time_tokens::purpose.eq(purpose.as_str()),
            one_time_tokens::token_hash.eq(token_hash(&token)),
            one_time_tokens::expires_at.eq(expiry(ttl)),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Uses a one-time token: returns its user when it exists, has this purpose, is
/// unused and unexpired, and marks it used (in the caller's transaction).
pub async fn use_one_time_token(
    conn: &mut AsyncPgConnection,
    token: &str,
    purpose: Purpose,
) -> Result<Option<Uuid>, ApiError> {
    Ok(diesel::update(one_time_tokens::table)
        .filter(one_time_tokens::token_hash.eq(token_hash(token)))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(diesel::dsl::now))
        .set(one_time_tokens::used_at.eq(diesel::dsl::now))
        .returning(one_time_tokens::user_id)
        .get_result(conn)
        .await
        .optional()?)
}

/// Starts (family `None`) or continues a refresh-token family; returns the token.
pub async fn issue_refresh_token(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    family_id: Option<Uuid>,
    ttl: Duration,
) -> Result<String, ApiError> {
    let token = random_token()?;
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::now_v7()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id.unwrap_or_else(Uuid::now_v7)),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::expires_at.eq(expiry(ttl)),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// A refresh token as stored, locked for the rest of the transaction.
#[derive(Debug, Queryable)]
pub struct StoredRefreshToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn lock_refresh_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> Result<Option<StoredRefreshToken>, ApiError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(token)))
        .select((
            refresh_tokens::id,
            refresh_tokens::user_id,
            refresh_tokens::family_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn mark_refresh_token_used(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::family_id.eq(family_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every refresh token of a user (password change or reset, disabling).
pub async fn revoke_all_refresh_tokens(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Serialises the login attempts for one account across every instance, for the
/// rest of the transaction, so the limit cannot be raced.
pub async fn lock_login_key(conn: &mut AsyncPgConnection, email_key: &str) -> Result<(), ApiError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210002))")
        .bind::<diesel::sql_types::Text, _>(email_key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Seconds until the caller may try again, if `max` failures by this account or
/// this address fall within the window; `None` when under the limit.
pub async fn login_retry_after(
    conn: &mut AsyncPgConnection,
    email_key: &str,
    client_addr: &str,
    max: i64,
    window: Duration,
) -> Result<Option<u64>, ApiError> {
    let since = OffsetDateTime::now_utc() - window;
    let mut oldest: Option<OffsetDateTime> = None;
    for by_email in [true, false] {
        let mut q = login_attempts::table
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::at.gt(since))
            .select(login_attempts::at)
            .order(login_attempts::at.desc())
            .limit(max)
            .into_boxed();
        q = if by_email {
            q.filter(login_attempts::email_key.eq(email_key))
        } else {
            q.filter(login_attempts::client_addr.eq(client_addr))
        };
        let recent: Vec<OffsetDateTime> = q.load(conn).await?;
        if recent.len() as i64 >= max {
            // The limit lifts when the oldest of the last `max` failures leaves the window.
            if let Some(first) = recent.last() {
                oldest = Some(oldest.map_or(*first, |o: OffsetDateTime| o.max(*first)));
            }
        }
    }
    Ok(oldest.map(|first| {
        let lifts = first + window - OffsetDateTime::now_utc();
        lifts.whole_seconds().max(1) as u64
    }))
}

pub async fn record_login_attempt(
    conn: &mut AsyncPgConnection,
    email_key: &str,
    client_addr: &str,
    succeeded: bool,
) -> Result<(), ApiError> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email_key.eq(email_key),
            login_attempts::client_addr.eq(client_addr),
            login_attempts::succeeded.eq(succeeded),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
