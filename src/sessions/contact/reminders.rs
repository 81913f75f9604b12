//! Reminders the day before: each party who attends a scheduled session
//! tomorrow is told their own arrival and leaving times and entrances, never
//! the other party's. Once per session (`reminded_at`); instances share the
//! work under `SKIP LOCKED`.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::{Duration, OffsetDateTime};

use super::repo::{self, ContactSession, SessionWindow};
use super::{ContactSessionStatus, WindowKind};
use crate::db::Pool;
use crate::error::ApiError;
use crate::notifications::{self, Template};
use crate::referrals::model::ReferralBundle;
use crate::referrals::repo as referrals_repo;
use crate::schema::contact_sessions;
use crate::vocabulary::calendar::{format_date, format_time, uk_date_of};

/// Sessions reminded in one transaction.
const BATCH: i64 = 50;

/// Sends the reminders due at `now` (sessions on the UK's tomorrow), batch
/// after batch; returns how many sessions were reminded.
pub async fn remind_day_before(pool: &Pool, now: OffsetDateTime) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let tomorrow = uk_date_of(&mut conn, now).await? + Duration::days(1);
    let mut reminded = 0;
    // At most 20 batches a pass, so one pass never runs long.
    for _ in 0..20 {
        let n = conn
            .transaction::<_, ApiError, _>(async move |conn| batch(conn, tomorrow, now).await)
            .await?;
        reminded += n;
        if n < BATCH as usize {
            break;
        }
    }
    Ok(reminded)
}

async fn batch(
    conn: &mut AsyncPgConnection,
    tomorrow: time::Date,
    now: OffsetDateTime,
) -> Result<usize, ApiError> {
    let due: Vec<ContactSession> = contact_sessions::table
        .filter(contact_sessions::on_date.eq(tomorrow))
        .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled))
        .filter(contact_sessions::reminded_at.is_null())
        .order(contact_sessions::id)
        .limit(BATCH)
        .select(ContactSession::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    let ids: Vec<uuid::Uuid> = due.iter().map(|s| s.id).collect();
    let windows = repo::windows_of(conn, &ids).await?;
    for s in &due {
        let Some(b) = referrals_repo::load_bundle(conn, s.referral_id, false).await? else {
            continue;
        };
        tell_own_times(conn, &b, s, &windows, Template::SessionReminder, |_| {}).await?;
    }
    diesel::update(contact_sessions::table.filter(contact_sessions::id.eq_any(&ids)))
        .set(contact_sessions::reminded_at.eq(now))
        .execute(conn)
        .await?;
    Ok(due.len())
}

/// Tells each party of the family who attends `s` (has both windows in
/// `windows`) and has an address their own times there, never another's,
/// with `template`; `more` adds to each message's payload.
pub async fn tell_own_times(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    s: &ContactSession,
    windows: &[SessionWindow],
    template: Template,
    more: impl Fn(&mut serde_json::Value),
) -> Result<(), ApiError> {
    let theirs = |adult, kind| {
        windows
            .iter()
            .find(|w| w.contact_session_id == s.id && w.adult_id == adult && w.kind == kind)
    };
    for a in &b.adults {
        let (Some(arrives), Some(leaves), Some(email)) = (
            theirs(a.id, WindowKind::Arrives),
            theirs(a.id, WindowKind::Leaves),
            a.email.as_deref(),
        ) else {
            continue;
        };
        let mut context = own_times(s, arrives, leaves);
        more(&mut context);
        notifications::enqueue(conn, email, template, context).await?;
    }
    Ok(())
}

/// One party's own times at a session, for their reminder or a move.
fn own_times(
    s: &ContactSession,
    arrives: &SessionWindow,
    leaves: &SessionWindow,
) -> serde_json::Value {
    let span = |w: &SessionWindow| format!("{} and {}", format_time(w.starts), format_time(w.ends));
    serde_json::json!({
        "family_id": s.family_id,
        "contact_session_id": s.id,
        "date": format_date(s.on_date),
        "arrives": span(arrives),
        "arrives_entrance": arrives.entrance,
        "leaves": span(leaves),
        "leaves_on": format_date(leaves.on_date),
        "leaves_entrance": leaves.entrance,
    })
}
