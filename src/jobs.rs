//! Work no request waits for, run by every instance on a timer: passing on
//! the places of offers that lapsed (so the next family hears at once, not
//! at the next read of the list), and forgetting what the limits no longer
//! read (`login_attempts`, `unsolicited_requests`, `refused_token_marks`).
//!
//! Instances share the work through the database: a centre's list is swept
//! under its advisory lock, which a busy one skips; deletes are idempotent.
//! Delivering the notifications outbox is not here yet.

use std::time::Duration;

use time::OffsetDateTime;

use crate::db::Pool;
use crate::error::ApiError;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Centres whose lapsed places were passed on.
    pub centres_swept: usize,
    /// Rows of the limits' tables forgotten.
    pub rows_pruned: usize,
}

/// One pass of every job, at `now`.
pub async fn run_once(pool: &Pool, now: OffsetDateTime) -> Result<Pass, ApiError> {
    let centres_swept = crate::referrals::waiting_list::repo::pass_on_lapsed(pool, now).await?;
    let mut conn = pool.get().await?;
    let rows_pruned = crate::auth::repo::prune(&mut conn, now).await?
        + crate::identity::refused_tokens::prune(&mut conn, now).await?;
    Ok(Pass {
        centres_swept,
        rows_pruned,
    })
}

/// Runs [`run_once`] every `every` on this instance's runtime until the
/// process ends. A failed pass is logged and the next one tried.
pub fn spawn(pool: Pool, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&pool, OffsetDateTime::now_utc()).await {
                Ok(pass) if pass != Pass::default() => log::info!("jobs: {pass:?}"),
                Ok(_) => {}
                Err(err) => log::warn!("jobs: a pass failed: {err}"),
            }
        }
    });
}
