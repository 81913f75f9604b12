//! Login attempts: how many recent failures an account and an address have
//! had; and how many unsolicited requests an address has made.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::schema::{login_attempts, unsolicited_requests};

/// The stored form of an email typed at login: its SHA-256, so that whatever was
/// typed (an address, or by mistake a password) is not kept in clear.
fn email_key_hash(email_key: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(email_key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks the limits and records this attempt as failed, under advisory locks
/// on the account and then the address (always in that order, so two attempts
/// cannot deadlock), in a short transaction of its own; 429 when over a limit.
/// Returns the attempt's id, to mark it succeeded once the password matches.
///
/// The limits keep guessing slow without letting a stranger lock the owner out:
/// - an account and address pair with `max` failures in the window waits;
/// - an address with `max` failures in the window (any accounts) waits;
/// - an account with `max` failures in the window from anywhere takes one
///   attempt at a time, spaced by a delay that doubles with each further
///   failure (1 s, 2 s, 4 s, .. at most [`MAX_ACCOUNT_DELAY`]).
///
/// Only the first holds at an address *known* to the account: one where it
/// signed in, or used an emailed link, in the last [`KNOWN_ADDRESS_DAYS`].
/// The owner at home or at work is never held up by someone else's guesses,
/// nor by a neighbour on the same network; an owner elsewhere proves their
/// mailbox with a reset link, which makes that address known.
pub async fn begin_login_attempt(
    pool: &crate::db::Pool,
    email_key: &str,
    client_addr: &str,
    config: &crate::config::Config,
) -> Result<i64, ApiError> {
    use diesel_async::AsyncConnection;
    let email_key = email_key_hash(email_key);
    let client_addr = client_addr.to_owned();
    let limits = Limits {
        max: config.login_max_failures,
        window: config.login_window,
    };
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
        // A refusal here costs the caller nothing, so it is not audited: a
        // flood of them must not fill the append-only trail. The failures
        // that led to it are.
        if let Some(retry) = limits.retry_after(conn, &email_key, &client_addr).await? {
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

/// The limits of [`begin_login_attempt`] for an integration client's secret,
/// checked without a lock: 429 while one holds. A client secret is 256
/// random bits, so what the limit stops is a flood (of work and of audit
/// entries), not a guess that parallel requests might slip in; and an
/// integration that asks for tokens at a high rate must not queue behind
/// one lock. The outcome is recorded after the secret is checked
/// ([`record_client_attempt`]).
pub async fn check_client_attempt(
    conn: &mut AsyncPgConnection,
    client_key: &str,
    client_addr: &str,
    config: &crate::config::Config,
) -> Result<(), ApiError> {
    let limits = Limits {
        max: config.login_max_failures,
        window: config.login_window,
    };
    match limits
        .retry_after(conn, &email_key_hash(client_key), client_addr)
        .await?
    {
        Some(retry) => Err(ApiError::TooManyRequests {
            retry_after_secs: retry,
        }),
        None => Ok(()),
    }
}

/// Records a checked client secret: a failure counts towards the limits; a
/// success makes the address known to the client, so that guesses from
/// elsewhere never hold it up. A client asks for tokens all day: one success
/// a day per address keeps it known, so successes are not piled up for the
/// limits' queries to step over.
pub async fn record_client_attempt(
    conn: &mut AsyncPgConnection,
    client_key: &str,
    client_addr: &str,
    succeeded: bool,
) -> Result<(), ApiError> {
    let key = email_key_hash(client_key);
    if succeeded {
        let since = OffsetDateTime::now_utc() - time::Duration::days(1);
        let known_today: bool = diesel::select(diesel::dsl::exists(
            login_attempts::table
                .filter(login_attempts::succeeded.eq(true))
                .filter(login_attempts::email_key.eq(&key))
                .filter(login_attempts::client_addr.eq(client_addr))
                .filter(login_attempts::at.gt(since)),
        ))
        .get_result(conn)
        .await?;
        if known_today {
            return Ok(());
        }
    }
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email_key.eq(&key),
            login_attempts::client_addr.eq(client_addr),
            login_attempts::succeeded.eq(succeeded),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The longest an account under attack spaces its attempts.
pub const MAX_ACCOUNT_DELAY: Duration = Duration::from_secs(60);
/// How long an address where an account signed in stays known to it.
pub const KNOWN_ADDRESS_DAYS: i64 = 30;

struct Limits {
    max: i64,
    window: Duration,
}

/// Whose failures a count is of.
#[derive(Clone, Copy)]
enum Counted<'a> {
    Address(&'a str),
    Pair(&'a str, &'a str),
    Account(&'a str),
}

impl Limits {
    /// Seconds until the caller may try again, or `None` when no limit holds.
    async fn retry_after(
        &self,
        conn: &mut AsyncPgConnection,
        email_key: &str,
        addr: &str,
    ) -> Result<Option<u64>, ApiError> {
        let now = OffsetDateTime::now_utc();
        let mut lifts: Option<OffsetDateTime> = None;
        let known = known_address(conn, email_key, addr).await?;
        let counts: &[Counted] = if known {
            &[Counted::Pair(email_key, addr)]
        } else {
            &[Counted::Pair(email_key, addr), Counted::Address(addr)]
        };
        for &counted in counts {
            let recent = self.failures(conn, counted, self.max).await?;
            if recent.len() as i64 >= self.max {
                // The limit lifts when the oldest of the last `max` failures
                // leaves the window.
                if let Some(oldest) = recent.last() {
                    let at = *oldest + self.window;
                    lifts = Some(lifts.map_or(at, |l| l.max(at)));
                }
            }
        }
        if lifts.is_none() && !known {
            // Past a few doublings the delay is at its cap: no need to count further.
            let enough = self.max + 8;
            let recent = self
                .failures(conn, Counted::Account(email_key), enough)
                .await?;
            let beyond = recent.len() as i64 - self.max;
            if let (true, Some(last)) = (beyond >= 0, <[OffsetDateTime]>::first(&recent)) {
                let at = *last + account_delay(beyond as u32);
                if at > now {
                    lifts = Some(at);
                }
            }
        }
        Ok(lifts.map(|at| (at - now).whole_seconds().max(1) as u64))
    }

    /// The newest `limit` failures of `counted` in the window, newest first.
    async fn failures(
        &self,
        conn: &mut AsyncPgConnection,
        counted: Counted<'_>,
        limit: i64,
    ) -> Result<Vec<OffsetDateTime>, ApiError> {
        let since = OffsetDateTime::now_utc() - self.window;
        // `NOT succeeded` as written in the partial indexes' predicate (a
        // bound `false` would keep the prepared statement's plan off them).
        let mut q = login_attempts::table
            .filter(diesel::dsl::not(login_attempts::succeeded))
            .filter(login_attempts::at.gt(since))
            .select(login_attempts::at)
            .order(login_attempts::at.desc())
            .limit(limit)
            .into_boxed();
        q = match counted {
            Counted::Address(addr) => q.filter(login_attempts::client_addr.eq(addr)),
            Counted::Pair(email, addr) => q
                .filter(login_attempts::email_key.eq(email))
                .filter(login_attempts::client_addr.eq(addr)),
            Counted::Account(email) => q.filter(login_attempts::email_key.eq(email)),
        };
        Ok(q.load(conn).await?)
    }
}

/// The spacing of an account's attempts once it has `beyond` failures more
/// than the limit: 1 s, doubling, at most [`MAX_ACCOUNT_DELAY`].
fn account_delay(beyond: u32) -> Duration {
    Duration::from_secs(1u64 << beyond.min(16)).min(MAX_ACCOUNT_DELAY)
}

/// Has this account signed in (or used an emailed link) from this address
/// lately?
async fn known_address(
    conn: &mut AsyncPgConnection,
    email_key: &str,
    addr: &str,
) -> Result<bool, ApiError> {
    let since = OffsetDateTime::now_utc() - time::Duration::days(KNOWN_ADDRESS_DAYS);
    Ok(diesel::select(diesel::dsl::exists(
        login_attempts::table
            .filter(login_attempts::succeeded.eq(true))
            .filter(login_attempts::email_key.eq(email_key))
            .filter(login_attempts::client_addr.eq(addr))
            .filter(login_attempts::at.gt(since)),
    ))
    .get_result(conn)
    .await?)
}

/// Records that the owner of `email` proved their mailbox (used an emailed
/// link) from `addr`: a success there, so the address is known to the account.
pub async fn record_proven_address(
    conn: &mut AsyncPgConnection,
    email: &str,
    addr: &str,
) -> Result<(), ApiError> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email_key.eq(email_key_hash(email)),
            login_attempts::client_addr.eq(addr),
            login_attempts::succeeded.eq(true),
        ))
        .execute(conn)
        .await?;
    Ok(())
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

/// Counts one unsolicited request from `client_addr`: a registration or a
/// password reset, which send a message and write the audit trail without
/// signing in. One address may make `UNSOLICITED_PER_ADDRESS` (default 30) an
/// hour, whatever email addresses they name (each email address has its own,
/// smaller allowance, `notifications::UNSOLICITED_PER_HOUR`), so that it cannot
/// fill the trail and the outbox with ever-new addresses; an office behind
/// one address registers a few people a day.
///
/// Under an advisory lock on the address, in a short transaction of its own;
/// 429 (with the seconds until the oldest counted request leaves the hour)
/// when the address has used its allowance. A refused request is not
/// counted, nor audited.
pub async fn count_unsolicited(
    pool: &crate::db::Pool,
    client_addr: &str,
    config: &crate::config::Config,
) -> Result<(), ApiError> {
    use diesel_async::AsyncConnection;
    let client_addr = client_addr.to_owned();
    let allowance = config.unsolicited_per_address;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210008))")
            .bind::<diesel::sql_types::Text, _>(&client_addr)
            .execute(conn)
            .await?;
        let now = OffsetDateTime::now_utc();
        let hour = time::Duration::hours(1);
        let recent: Vec<OffsetDateTime> = unsolicited_requests::table
            .filter(unsolicited_requests::client_addr.eq(&client_addr))
            .filter(unsolicited_requests::at.gt(now - hour))
            .select(unsolicited_requests::at)
            .order(unsolicited_requests::at.desc())
            .limit(allowance)
            .load(conn)
            .await?;
        if recent.len() as i64 >= allowance {
            let lifts = recent.last().map_or(now + hour, |oldest| *oldest + hour);
            return Err(ApiError::TooManyRequests {
                retry_after_secs: (lifts - now).whole_seconds().max(1) as u64,
            });
        }
        diesel::insert_into(unsolicited_requests::table)
            .values(unsolicited_requests::client_addr.eq(&client_addr))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// Forgets what the limits no longer read: login attempts older than the
/// longest window any rule looks back (an address stays known for
/// [`KNOWN_ADDRESS_DAYS`]), and unsolicited requests older than their hour.
/// Returns the rows removed.
pub async fn prune(conn: &mut AsyncPgConnection, now: OffsetDateTime) -> Result<usize, ApiError> {
    let attempts = diesel::delete(login_attempts::table)
        .filter(login_attempts::at.lt(now - time::Duration::days(KNOWN_ADDRESS_DAYS + 1)))
        .execute(conn)
        .await?;
    let unsolicited = diesel::delete(unsolicited_requests::table)
        .filter(unsolicited_requests::at.lt(now - time::Duration::hours(2)))
        .execute(conn)
        .await?;
    Ok(attempts + unsolicited)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accounts_delay_doubles_to_a_minute() {
        let secs: Vec<u64> = (0..8).map(|n| account_delay(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(account_delay(u32::MAX), MAX_ACCOUNT_DELAY);
    }
}
