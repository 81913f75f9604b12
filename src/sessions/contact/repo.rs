//! The `contact_sessions`, `session_windows`, `slot_places` and
//! `contact_arrangements` tables.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use super::{CancelledBy, ContactSessionStatus, Frequency, WindowKind};
use crate::error::ApiError;
use crate::schema::{contact_arrangements, contact_sessions, session_windows};
use crate::vocabulary::{
    AdultId, CentreId, FamilyId, OpeningSessionId, ReferralId, ServiceType, UserId, VenueId,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contact_sessions)]
pub struct ContactSession {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub family_id: FamilyId,
    pub centre_id: CentreId,
    pub venue_id: VenueId,
    pub opening_session_id: OpeningSessionId,
    pub series_id: Uuid,
    pub service: ServiceType,
    pub on_date: Date,
    pub starts: Time,
    pub ends_on: Date,
    pub ends: Time,
    /// Derived from the local dates and times by the table's trigger.
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub takes_place: bool,
    pub staff_id: Option<UserId>,
    pub meeting_link: Option<String>,
    pub place: Option<String>,
    pub keep_apart: bool,
    pub status: ContactSessionStatus,
    pub cancelled_by: Option<UserId>,
    pub cancelled_by_side: Option<CancelledBy>,
    pub cancelled_by_adult: Option<AdultId>,
    pub cancelled_at: Option<OffsetDateTime>,
    pub cancel_reason: Option<String>,
    pub notice_hours: Option<i32>,
    pub late: Option<bool>,
    pub booked_by: UserId,
    pub booked_at: OffsetDateTime,
}

/// A session to book (its instants are the table's to derive).
/// An absent staff member, link or place is written as NULL (those columns
/// have no other default), so the insert keeps one text and stays prepared.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = contact_sessions, treat_none_as_default_value = false)]
pub struct NewContactSession {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub family_id: FamilyId,
    pub centre_id: CentreId,
    pub venue_id: VenueId,
    pub opening_session_id: OpeningSessionId,
    pub series_id: Uuid,
    pub service: ServiceType,
    pub on_date: Date,
    pub starts: Time,
    pub ends_on: Date,
    pub ends: Time,
    pub takes_place: bool,
    pub staff_id: Option<UserId>,
    pub meeting_link: Option<String>,
    pub place: Option<String>,
    pub keep_apart: bool,
    pub booked_by: UserId,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = session_windows)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct SessionWindow {
    pub contact_session_id: Uuid,
    pub adult_id: AdultId,
    pub kind: WindowKind,
    pub venue_id: VenueId,
    pub entrance: String,
    pub on_date: Date,
    pub starts: Time,
    pub ends: Time,
    pub keep_apart: bool,
}

/// Why the database refused a session: each is a constraint of the tables,
/// so two bookings at once are judged by the database, never by a read
/// before the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The opening session's places are all taken that day.
    Full,
    /// The staff member is with another family then.
    StaffBusy,
    /// Another family kept apart has a window at that entrance then.
    WindowBusy,
    /// The family is already booked into it that day.
    AlreadyBooked,
}

fn taken(e: &DieselError) -> Option<Taken> {
    let DieselError::DatabaseError(kind, info) = e else {
        return None;
    };
    match (kind, info.constraint_name()) {
        (_, Some("slot_places_within_capacity")) => Some(Taken::Full),
        (_, Some("contact_sessions_staff_free")) => Some(Taken::StaffBusy),
        (_, Some("session_windows_apart")) => Some(Taken::WindowBusy),
        (DatabaseErrorKind::UniqueViolation, Some("contact_sessions_once")) => {
            Some(Taken::AlreadyBooked)
        }
        _ => None,
    }
}

/// Books a session with its windows, or says which constraint refused it.
/// The caller runs it in a savepoint of its own where a refusal must not
/// end the transaction (a repeat books what it can).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    s: &NewContactSession,
    windows: &[SessionWindow],
) -> Result<Result<ContactSession, Taken>, ApiError> {
    let booked = diesel::insert_into(contact_sessions::table)
        .values(s)
        .returning(ContactSession::as_returning())
        .get_result(conn)
        .await;
    let booked = match booked {
        Ok(b) => b,
        Err(e) => return taken(&e).map(Err).ok_or_else(|| e.into()),
    };
    if let Err(e) = diesel::insert_into(session_windows::table)
        .values(windows)
        .execute(conn)
        .await
    {
        return taken(&e).map(Err).ok_or_else(|| e.into());
    }
    Ok(Ok(booked))
}

/// A family's sessions, by time.
pub async fn of_family(
    conn: &mut AsyncPgConnection,
    family_id: FamilyId,
) -> Result<Vec<ContactSession>, ApiError> {
    of_family_alongside(conn, family_id).await
}

/// One session of a family, locked for a change.
pub async fn find_locked(
    conn: &mut AsyncPgConnection,
    family_id: FamilyId,
    id: Uuid,
) -> Result<Option<ContactSession>, ApiError> {
    Ok(contact_sessions::table
        .filter(contact_sessions::family_id.eq(family_id))
        .filter(contact_sessions::id.eq(id))
        .select(ContactSession::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The windows of some sessions.
pub async fn windows_of(
    conn: &mut AsyncPgConnection,
    session_ids: &[Uuid],
) -> Result<Vec<SessionWindow>, ApiError> {
    windows_alongside(conn, session_ids).await
}

/// Other families' windows kept apart at a venue on a date.
pub async fn kept_apart_windows(
    conn: &mut AsyncPgConnection,
    venue_id: VenueId,
    on_date: Date,
    except: FamilyId,
) -> Result<Vec<SessionWindow>, ApiError> {
    let mine = contact_sessions::table
        .filter(contact_sessions::family_id.eq(except))
        .select(contact_sessions::id);
    Ok(session_windows::table
        .filter(session_windows::venue_id.eq(venue_id))
        .filter(session_windows::on_date.eq(on_date))
        // The column itself, not `= $n`: a prepared statement can then use
        // the partial index (`WHERE keep_apart`) in its one generic plan.
        .filter(session_windows::keep_apart)
        .filter(session_windows::contact_session_id.ne_all(mine))
        .select(SessionWindow::as_select())
        .load(conn)
        .await?)
}

/// What a cancellation records.
#[derive(Debug, Clone)]
pub struct Cancellation {
    pub by: Option<UserId>,
    pub side: CancelledBy,
    pub adult: Option<AdultId>,
    pub reason: String,
    pub notice_hours: i32,
    pub late: bool,
}

/// Cancels a scheduled session (its place and windows are freed by the
/// table's triggers); `None` when it was no longer scheduled.
pub async fn cancel(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    c: &Cancellation,
) -> Result<Option<ContactSession>, ApiError> {
    Ok(diesel::update(
        contact_sessions::table
            .filter(contact_sessions::id.eq(id))
            .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled)),
    )
    .set((
        contact_sessions::status.eq(ContactSessionStatus::Cancelled),
        contact_sessions::cancelled_by.eq(c.by),
        contact_sessions::cancelled_by_side.eq(c.side),
        contact_sessions::cancelled_by_adult.eq(c.adult),
        contact_sessions::cancelled_at.eq(OffsetDateTime::now_utc()),
        contact_sessions::cancel_reason.eq(&c.reason),
        contact_sessions::notice_hours.eq(c.notice_hours),
        contact_sessions::late.eq(c.late),
    ))
    .returning(ContactSession::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// A family's regular arrangement, set when contact starts.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contact_arrangements)]
pub struct Arrangement {
    pub referral_id: ReferralId,
    pub opening_session_id: OpeningSessionId,
    pub service: ServiceType,
    pub frequency: Frequency,
    pub first_on: Date,
    pub until_on: Option<Date>,
    pub staff_id: Option<UserId>,
    pub set_by: UserId,
}

pub async fn insert_arrangement(
    conn: &mut AsyncPgConnection,
    a: &Arrangement,
) -> Result<(), ApiError> {
    diesel::insert_into(contact_arrangements::table)
        .values(a)
        .execute(conn)
        .await?;
    Ok(())
}

/// The arrangement of a referral, if contact started.
pub async fn arrangement_of(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<Option<Arrangement>, ApiError> {
    Ok(contact_arrangements::table
        .find(referral_id)
        .select(Arrangement::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The longest a handover's pick-up may follow its drop-off, in days.
pub const LONGEST_HANDOVER_DAYS: i64 = 14;

/// A centre's sessions of a day, by time: those starting that day, and
/// handovers whose pick-up falls on it (reading the centre's day index).
pub async fn of_centre_on(
    conn: &AsyncPgConnection,
    centre_id: CentreId,
    on: Date,
) -> Result<Vec<ContactSession>, ApiError> {
    let earliest = on - time::Duration::days(LONGEST_HANDOVER_DAYS);
    let mut sessions: Vec<ContactSession> = contact_sessions::table
        .filter(contact_sessions::centre_id.eq(centre_id))
        .filter(contact_sessions::on_date.between(earliest, on))
        .filter(
            contact_sessions::on_date
                .eq(on)
                .or(contact_sessions::ends_on.eq(on)),
        )
        .select(ContactSession::as_select())
        .load(&mut &*conn)
        .await?;
    // Ordered here, not by PostgreSQL: a day's few dozen rows sort in
    // microseconds in the service, where a sort node costs the database
    // more than the scan (pgbench, the day sheet's statements).
    sessions.sort_unstable_by_key(|s| (s.starts_at, s.id));
    Ok(sessions)
}

/// The windows of some sessions, sent alongside other queries.
pub async fn windows_alongside(
    conn: &AsyncPgConnection,
    session_ids: &[Uuid],
) -> Result<Vec<SessionWindow>, ApiError> {
    let mut windows: Vec<SessionWindow> = session_windows::table
        .filter(session_windows::contact_session_id.eq_any(session_ids))
        .select(SessionWindow::as_select())
        .load(&mut &*conn)
        .await?;
    // By time, then adult and kind so windows of one time come back the
    // same each time; sorted here rather than by PostgreSQL, where the sort
    // node cost a day sheet's windows a third of their read (pgbench).
    windows.sort_unstable_by(|a, b| {
        (a.on_date, a.starts, a.adult_id, a.kind.as_str()).cmp(&(
            b.on_date,
            b.starts,
            b.adult_id,
            b.kind.as_str(),
        ))
    });
    Ok(windows)
}

/// One session, share-locked until the caller's transaction ends: a
/// cancellation waits for it, so what the caller decides from the session
/// (an observer approved for it) is there for the cancellation's trigger to
/// see, or the caller sees it cancelled.
pub async fn find_shared(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<ContactSession>, ApiError> {
    Ok(contact_sessions::table
        .find(id)
        .select(ContactSession::as_select())
        .for_share()
        .first(conn)
        .await
        .optional()?)
}

/// Some sessions by id (in no order).
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<ContactSession>, ApiError> {
    Ok(contact_sessions::table
        .filter(contact_sessions::id.eq_any(ids))
        .select(ContactSession::as_select())
        .load(conn)
        .await?)
}

/// Takes one centre off the queue of changed schedules (`None` when it is
/// empty), skipping centres another instance is working on. The row is
/// gone when the caller's transaction commits, and back if it fails.
pub async fn take_schedule_change(
    conn: &mut AsyncPgConnection,
) -> Result<Option<CentreId>, ApiError> {
    use crate::schema::schedule_changes;
    let next: Option<CentreId> = schedule_changes::table
        .order(schedule_changes::changed_at)
        .select(schedule_changes::centre_id)
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()?;
    if let Some(id) = next {
        diesel::delete(schedule_changes::table.find(id))
            .execute(conn)
            .await?;
    }
    Ok(next)
}

/// A centre's scheduled sessions that start after `now`, by time.
pub async fn scheduled_after(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    now: OffsetDateTime,
) -> Result<Vec<ContactSession>, ApiError> {
    Ok(contact_sessions::table
        .filter(contact_sessions::centre_id.eq(centre_id))
        .filter(contact_sessions::status.eq(ContactSessionStatus::Scheduled))
        .filter(contact_sessions::starts_at.gt(now))
        .order((contact_sessions::starts_at, contact_sessions::id))
        .select(ContactSession::as_select())
        .load(conn)
        .await?)
}

/// Assigns a staff member to a session; the exclusion constraint refuses
/// one who is with another family then (409).
pub async fn assign_staff(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    staff: UserId,
) -> Result<ContactSession, ApiError> {
    let updated = diesel::update(contact_sessions::table.find(id))
        .set(contact_sessions::staff_id.eq(staff))
        .returning(ContactSession::as_returning())
        .get_result(conn)
        .await;
    match updated {
        Ok(s) => Ok(s),
        Err(e) if taken(&e) == Some(Taken::StaffBusy) => Err(ApiError::Conflict(
            "the staff member is with another family then".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A family's sessions, by time, sent alongside other queries.
pub async fn of_family_alongside(
    conn: &AsyncPgConnection,
    family_id: FamilyId,
) -> Result<Vec<ContactSession>, ApiError> {
    Ok(contact_sessions::table
        .filter(contact_sessions::family_id.eq(family_id))
        .order((contact_sessions::starts_at, contact_sessions::id))
        .select(ContactSession::as_select())
        .load(&mut &*conn)
        .await?)
}

/// The windows of a family's sessions, sent alongside other queries.
pub async fn windows_of_family(
    conn: &AsyncPgConnection,
    family_id: FamilyId,
) -> Result<Vec<SessionWindow>, ApiError> {
    let theirs = contact_sessions::table
        .filter(contact_sessions::family_id.eq(family_id))
        .select(contact_sessions::id);
    Ok(session_windows::table
        .filter(session_windows::contact_session_id.eq_any(theirs))
        .order((
            session_windows::on_date,
            session_windows::starts,
            session_windows::adult_id,
            session_windows::kind,
        ))
        .select(SessionWindow::as_select())
        .load(&mut &*conn)
        .await?)
}

/// The sessions of a family that any of `adults` attends (has a window at,
/// whatever the session's status), by time, and those adults' windows at
/// them, by time: what a party's own list and calendar show, in one
/// statement sent alongside other queries.
pub async fn attended_by(
    conn: &AsyncPgConnection,
    family_id: FamilyId,
    adults: &[AdultId],
) -> Result<(Vec<ContactSession>, Vec<SessionWindow>), ApiError> {
    let query = session_windows::table
        .inner_join(
            contact_sessions::table
                .on(contact_sessions::id.eq(session_windows::contact_session_id)),
        )
        .filter(contact_sessions::family_id.eq(family_id))
        .order((
            contact_sessions::starts_at,
            contact_sessions::id,
            session_windows::on_date,
            session_windows::starts,
            session_windows::adult_id,
            session_windows::kind,
        ))
        .select((ContactSession::as_select(), SessionWindow::as_select()))
        .into_boxed();
    // A party is one adult, compared as a value, so PostgreSQL keeps the
    // statement's plan; a list (`= ANY`) it would plan afresh each time.
    let query = match adults {
        [adult] => query.filter(session_windows::adult_id.eq(*adult)),
        _ => query.filter(session_windows::adult_id.eq_any(adults)),
    };
    let rows: Vec<(ContactSession, SessionWindow)> = query.load(&mut &*conn).await?;
    // A session comes once per window of theirs, its rows together.
    let mut sessions: Vec<ContactSession> = Vec::new();
    let mut windows = Vec::with_capacity(rows.len());
    for (s, w) in rows {
        if sessions.last().is_none_or(|last| last.id != s.id) {
            sessions.push(s);
        }
        windows.push(w);
    }
    Ok((sessions, windows))
}

/// Puts a centre back on the queue of changed schedules, at its end.
pub async fn requeue_schedule_change(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
) -> Result<(), ApiError> {
    use crate::schema::schedule_changes;
    diesel::insert_into(schedule_changes::table)
        .values((
            schedule_changes::centre_id.eq(centre_id),
            schedule_changes::changed_at.eq(OffsetDateTime::now_utc()),
        ))
        .on_conflict(schedule_changes::centre_id)
        .do_update()
        .set(schedule_changes::changed_at.eq(OffsetDateTime::now_utc()))
        .execute(conn)
        .await?;
    Ok(())
}
