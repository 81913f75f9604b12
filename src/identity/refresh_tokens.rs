//! Refresh tokens: a person's login, kept as a family of one-time tokens. Each
//! is used once to get the next; showing a used one again ends the family.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::secrets::{random_token, token_hash};
use crate::error::ApiError;
use crate::schema::refresh_tokens;
use crate::vocabulary::UserId;

fn expiry(ttl: Duration) -> OffsetDateTime {
    OffsetDateTime::now_utc() + ttl
}

/// Starts (family `None`) or continues a refresh-token family; returns the token.
pub async fn issue_refresh_token(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
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
    pub user_id: UserId,
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
    user_id: UserId,
) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}
