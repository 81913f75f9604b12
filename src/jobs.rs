//! Work no request waits for, run by every instance on a timer: passing on
//! the places of offers that lapsed (so the next family hears at once, not
//! at the next read of the list), cancelling contact sessions a changed
//! schedule no longer holds (with notice), taking staff whose vetting
//! lapsed off future sessions, reminding parties the day before, telling
//! officers whose approved observation went back to pending, and
//! forgetting what the limits no longer read (`login_attempts`,
//! `unsolicited_requests`, `refused_token_marks`).
//!
//! Instances share the work through the database: a centre's list is swept
//! under its advisory lock, which a busy one skips; deletes are idempotent;
//! the notifications outbox is delivered under `SKIP LOCKED`
//! (`notifications::delivery`), when a mailer is configured.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::db::Pool;
use crate::error::ApiError;
use crate::notifications::delivery::{self, Delivered, Mailer};

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Centres whose lapsed places were passed on.
    pub centres_swept: usize,
    /// Rows of the limits' tables forgotten.
    pub rows_pruned: usize,
    /// Contact sessions cancelled because the centre's schedule no longer
    /// holds them (a closure, a changed slot, a withdrawn service).
    pub sessions_displaced: usize,
    /// Future sessions whose staff member may no longer be assigned, now
    /// without one (their coordinators told).
    pub staff_unassigned: usize,
    /// Sessions whose parties were reminded the day before.
    pub sessions_reminded: usize,
    /// Officers told that the session they were to observe was cancelled
    /// and their request is pending again.
    pub observers_told: usize,
}

/// One pass of every job, at `now`. A job that fails leaves the others to
/// run; the first failure is returned once all have run (and logged by the
/// timer).
pub async fn run_once(pool: &Pool, now: OffsetDateTime) -> Result<Pass, ApiError> {
    let mut failed: Option<ApiError> = None;
    let mut ran = |outcome: Result<usize, ApiError>| match outcome {
        Ok(n) => n,
        Err(e) => {
            failed.get_or_insert(e);
            0
        }
    };
    let centres_swept = ran(crate::referrals::waiting_list::repo::pass_on_lapsed(pool, now).await);
    let sessions_displaced =
        ran(crate::sessions::contact::displaced::cancel_displaced(pool, now).await);
    let staff_unassigned =
        ran(crate::sessions::contact::staffing::unassign_lapsed(pool, now).await);
    let sessions_reminded =
        ran(crate::sessions::contact::reminders::remind_day_before(pool, now).await);
    let observers_told = ran(crate::sessions::observations::released::tell_released(pool).await);
    let rows_pruned = ran(prune(pool, now).await);
    match failed {
        Some(e) => Err(e),
        None => Ok(Pass {
            centres_swept,
            rows_pruned,
            sessions_displaced,
            staff_unassigned,
            sessions_reminded,
            observers_told,
        }),
    }
}

/// Forgets what the limits no longer read.
async fn prune(pool: &Pool, now: OffsetDateTime) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    Ok(crate::auth::repo::prune(&mut conn, now).await?
        + crate::identity::refused_tokens::prune(&mut conn, now).await?)
}

/// Delivers what is due, batch after batch, until a batch comes back short
/// (at most 20 batches a pass, so one pass never runs long).
pub async fn deliver(
    pool: &Pool,
    mailer: &Mailer,
    now: OffsetDateTime,
) -> Result<Delivered, ApiError> {
    let mut total = Delivered::default();
    for _ in 0..20 {
        let batch = delivery::deliver_due(pool, mailer, now).await?;
        total.sent += batch.sent;
        total.failed += batch.failed;
        if batch.sent + batch.failed < delivery::BATCH as usize {
            break;
        }
    }
    Ok(total)
}

/// Runs [`run_once`] (and delivers the outbox with `mailer`) every `every`
/// on this instance's runtime until the process ends. A failed pass is
/// logged and the next one tried.
pub fn spawn(pool: Pool, every: Duration, mailer: Option<Arc<Mailer>>) {
    let sweeps = pool.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&sweeps, OffsetDateTime::now_utc()).await {
                Ok(pass) if pass != Pass::default() => log::info!("jobs: {pass:?}"),
                Ok(_) => {}
                Err(err) => log::warn!("jobs: a pass failed: {err}"),
            }
        }
    });
    // Delivery on its own timer: a slow relay never holds up a lapsed
    // place passing on.
    let Some(mailer) = mailer else { return };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match deliver(&pool, &mailer, OffsetDateTime::now_utc()).await {
                Ok(d) if d != Delivered::default() => log::info!("jobs: outbox {d:?}"),
                Ok(_) => {}
                Err(err) => log::warn!("jobs: delivering the outbox failed: {err}"),
            }
        }
    });
}
