//! Telling officers whose approved observation went back to pending.
//!
//! A contact session cancelled (or moved, which cancels it) releases the
//! observations approved for it: the database puts them back to pending for
//! the coordinators to match again or decline, noting the session they were
//! released from (`contact_session_releases_observers`). Whatever cancelled
//! the session (a party, the referrer's side, a coordinator, a closure), this
//! job then tells each officer, so nobody comes to a session that is not
//! held: the day they asked for and that the request is pending again, never
//! why the session was cancelled nor anything of the family.

use diesel_async::AsyncConnection;

use super::repo;
use super::rules::{officer_of, record};
use crate::audit::Actor;
use crate::db::Pool;
use crate::error::ApiError;
use crate::notifications::Template;

/// Requests handled per transaction, and batches per pass (the rest wait for
/// the next pass, so one pass never runs long).
const BATCH: i64 = 100;
const BATCHES: usize = 20;

/// Tells the officers of released requests, batch after batch (at most
/// [`BATCHES`]); how many were told. Instances share the work: a request
/// another instance holds is skipped, and one told is never told again.
pub async fn tell_released(pool: &Pool) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let mut told = 0;
    for _ in 0..BATCHES {
        let batch = conn
            .transaction::<_, ApiError, _>(async move |conn| {
                let released = repo::released(conn, BATCH).await?;
                for r in &released {
                    let officer = officer_of(conn, r).await?;
                    record(
                        conn,
                        Actor::system(),
                        r,
                        "release_observation",
                        "observation_request.released",
                        &officer,
                        Template::ObservationReleased,
                    )
                    .await?;
                }
                let ids: Vec<uuid::Uuid> = released.iter().map(|r| r.id).collect();
                repo::told_of_release(conn, &ids).await?;
                Ok(released.len())
            })
            .await?;
        told += batch;
        if batch < BATCH as usize {
            break;
        }
    }
    Ok(told)
}
