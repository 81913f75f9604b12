//! Login attempts: how many recent failures an account and an address have had.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::schema::login_attempts;

/// The stored form of an email typed at login: its SHA-256, so that whatever was
/// typed (an address, or by mistake a password) is not kept in clear.
fn email_key_hash(email_key: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(email_key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks the limit and records this attempt as failed, under advisory locks on
/// the account and then the address (always in that order, so two attempts
/// cannot deadlock), in a short transaction of its own; 429 when over the limit.
/// Returns the attempt's id, to mark it succeeded once the password matches.
pub async fn begin_login_attempt(
    pool: &crate::db::Pool,
    email_key: &str,
    client_addr: &str,
    config: &crate::config::Config,
) -> Result<i64, ApiError> {
    use diesel_async::AsyncConnection;
    let email_key = email_key_hash(email_key);
    let client_addr = client_addr.to_owned();
    let max = config.login_max_failures;
    let window = config.login_window;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 7210002)), \
                    pg_advisory_xact_lock(hashtextextended($2, 7210004))",
        )
        .bind::<diesel::sql_types::Text, _>(&email_key)
        .bind::<diesel::sql_types::Text, _>(&client_addr)
        .execute(conn)
        .await?;
        if let Some(retry) = login_retry_after(conn, &email_key, &client_addr, max, window).await? {
            crate::audit::record(
                conn,
                crate::audit::Event::new(crate::audit::Actor::anonymous(), "login", "session")
                    .denied(),
            )
            .await?;
            return Ok(Err(ApiError::TooManyRequests {
                retry_after_secs: retry,
            }));
        }
        let id: i64 = diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::email_key.eq(&email_key),
                login_attempts::client_addr.eq(&client_addr),
                login_attempts::succeeded.eq(false),
            ))
            .returning(login_attempts::id)
            .get_result(conn)
            .await?;
        Ok(Ok(id))
    })
    .await?
}

pub async fn mark_login_succeeded(
    conn: &mut AsyncPgConnection,
    attempt: i64,
) -> Result<(), ApiError> {
    diesel::update(login_attempts::table.find(attempt))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)
        .await?;
    Ok(())
}

/// Seconds until the caller may try again, if `max` failures by this account or
/// this address fall within the window; `None` when under the limit.
async fn login_retry_after(
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
