//! Refused access tokens in the audit trail. A token that was not made here
//! (a bad signature, an unknown key, another issuer), or that belongs to a
//! disabled account or a revoked or rotated client, is a sign of theft or
//! probing, so it is audited as `authenticate` denied. An expired token is
//! what every honest client meets, and is not.
//!
//! At most one entry a minute per client address and kind: a mark per minute
//! in `refused_token_marks`, taken with ON CONFLICT DO NOTHING, decides which
//! request writes it, so a flood of bad tokens cannot fill the append-only
//! trail and every instance agrees. Recording is best effort: the caller gets
//! its 401 whether or not the entry could be written.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::audit::{self, Actor, Event};
use crate::db::Pool;
use crate::error::ApiError;
use crate::schema::refused_token_marks;

/// What was wrong with a refused token worth auditing.
#[derive(Debug, Clone)]
pub enum Refused {
    /// Not made by this service, or signed for no account it has.
    Forged,
    /// A disabled (or never activated) account's token.
    AccountInactive(Actor),
    /// A revoked client's token.
    ClientRevoked(Actor),
    /// A token the client got before its secret was rotated.
    ClientRotated(Actor),
}

impl Refused {
    fn kind(&self) -> &'static str {
        match self {
            Self::Forged => "forged",
            Self::AccountInactive(_) => "account_inactive",
            Self::ClientRevoked(_) => "client_revoked",
            Self::ClientRotated(_) => "client_rotated",
        }
    }

    fn actor(self) -> Actor {
        match self {
            Self::Forged => Actor::anonymous(),
            Self::AccountInactive(a) | Self::ClientRevoked(a) | Self::ClientRotated(a) => a,
        }
    }
}

/// Audits `refused` from `client_addr`, unless this address already had an
/// entry of this kind this minute.
pub async fn record(pool: &Pool, client_addr: &str, refused: Refused) {
    if let Err(err) = try_record(pool, client_addr, refused).await {
        log::warn!(
            "request_id={} a refused token was not audited: {err}",
            crate::request_id::current().unwrap_or_default()
        );
    }
}

async fn try_record(pool: &Pool, client_addr: &str, refused: Refused) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    let kind = refused.kind();
    let client_addr = client_addr.to_owned();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let marked = diesel::insert_into(refused_token_marks::table)
            .values((
                refused_token_marks::client_addr.eq(&client_addr),
                refused_token_marks::kind.eq(kind),
                refused_token_marks::minute.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                    "date_trunc('minute', now())",
                )),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if marked == 1 {
            audit::record(
                conn,
                Event::new(refused.actor(), "authenticate", "access_token").denied(),
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// Forgets the marks of minutes long past (a mark only decides the minute
/// it names). Returns the rows removed.
pub async fn prune(
    conn: &mut diesel_async::AsyncPgConnection,
    now: time::OffsetDateTime,
) -> Result<usize, crate::error::ApiError> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    Ok(diesel::delete(refused_token_marks::table)
        .filter(refused_token_marks::minute.lt(now - time::Duration::hours(1)))
        .execute(conn)
        .await?)
}
