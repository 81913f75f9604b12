//! Queries of the centres directory; every function takes a connection.

use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::Date;

use super::model::{
    AccreditationChanges, Centre, CentreChanges, CentreStatus, Closure, NewCentre, OpeningSession,
    OpeningSessionFields, Venue, VenueFields,
};
use crate::error::ApiError;
use crate::schema::{centres, closures, opening_sessions, venues};
use crate::vocabulary::{CentreId, ClosureId, OpeningSessionId, VenueId};

pub async fn insert_centre(
    conn: &mut AsyncPgConnection,
    centre: &NewCentre,
) -> Result<Centre, ApiError> {
    Ok(diesel::insert_into(centres::table)
        .values(centre)
        .returning(Centre::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_centre(
    conn: &mut AsyncPgConnection,
    id: CentreId,
) -> Result<Option<Centre>, ApiError> {
    find_centre_alongside(conn, id).await
}

/// A centre, read on a connection other queries share (pipelined).
pub async fn find_centre_alongside(
    conn: &AsyncPgConnection,
    id: CentreId,
) -> Result<Option<Centre>, ApiError> {
    Ok(centres::table
        .find(id)
        .select(Centre::as_select())
        .first(&mut &*conn)
        .await
        .optional()?)
}

/// A centre's name, as its letters give it (empty for no such centre).
pub async fn name_of(conn: &mut AsyncPgConnection, id: CentreId) -> Result<String, ApiError> {
    Ok(centres::table
        .find(id)
        .select(centres::name)
        .first::<String>(conn)
        .await
        .optional()?
        .unwrap_or_default())
}

/// The centre, locked until the transaction ends, so that checks made against
/// it (services in use, status) still hold when the change is written.
pub async fn lock_centre(
    conn: &mut AsyncPgConnection,
    id: CentreId,
) -> Result<Option<Centre>, ApiError> {
    Ok(centres::table
        .find(id)
        .select(Centre::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update_centre(
    conn: &mut AsyncPgConnection,
    id: CentreId,
    changes: &CentreChanges,
) -> Result<Centre, ApiError> {
    let target = centres::table.find(id);
    // An empty change set is not an UPDATE diesel can write; answer the row as is.
    let no_changes = *changes == CentreChanges::default();
    if no_changes {
        return Ok(target.select(Centre::as_select()).first(conn).await?);
    }
    Ok(diesel::update(target)
        .set(changes)
        .returning(Centre::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn set_accreditation(
    conn: &mut AsyncPgConnection,
    id: CentreId,
    changes: &AccreditationChanges,
) -> Result<Centre, ApiError> {
    Ok(diesel::update(centres::table.find(id))
        .set(changes)
        .returning(Centre::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: CentreId,
    status: CentreStatus,
    reason: Option<&str>,
) -> Result<Centre, ApiError> {
    Ok(diesel::update(centres::table.find(id))
        .set((
            centres::status.eq(status),
            centres::status_reason.eq(reason),
        ))
        .returning(Centre::as_returning())
        .get_result(conn)
        .await?)
}

/// Services that the centre's current or future opening sessions offer: they
/// cannot be withdrawn from the centre while a slot still offers them.
pub async fn services_in_use(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    today: Date,
) -> Result<Vec<String>, ApiError> {
    let lists: Vec<Vec<Option<String>>> = opening_sessions::table
        .filter(opening_sessions::centre_id.eq(centre_id))
        .filter(
            opening_sessions::effective_to
                .is_null()
                .or(opening_sessions::effective_to.ge(today)),
        )
        .select(opening_sessions::services)
        .load(conn)
        .await?;
    let mut used: Vec<String> = lists.into_iter().flatten().flatten().collect();
    used.sort();
    used.dedup();
    Ok(used)
}

pub async fn venues_of(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
) -> Result<Vec<Venue>, ApiError> {
    Ok(venues::table
        .filter(venues::centre_id.eq(centre_id))
        .order((venues::name, venues::id))
        .select(Venue::as_select())
        .load(conn)
        .await?)
}

pub async fn find_venue(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    venue_id: VenueId,
) -> Result<Option<Venue>, ApiError> {
    Ok(venues::table
        .filter(venues::id.eq(venue_id))
        .filter(venues::centre_id.eq(centre_id))
        .select(Venue::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_venue(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    fields: &VenueFields,
) -> Result<Venue, ApiError> {
    Ok(diesel::insert_into(venues::table)
        .values((
            venues::id.eq(VenueId::new()),
            venues::centre_id.eq(centre_id),
            fields,
        ))
        .returning(Venue::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn update_venue(
    conn: &mut AsyncPgConnection,
    venue_id: VenueId,
    fields: &VenueFields,
) -> Result<Venue, ApiError> {
    Ok(diesel::update(venues::table.find(venue_id))
        .set(fields)
        .returning(Venue::as_returning())
        .get_result(conn)
        .await?)
}

/// Rooms of a venue that its current or future opening sessions use.
pub async fn rooms_in_use(
    conn: &mut AsyncPgConnection,
    venue_id: VenueId,
    today: Date,
) -> Result<Vec<String>, ApiError> {
    Ok(opening_sessions::table
        .filter(opening_sessions::venue_id.eq(venue_id))
        .filter(
            opening_sessions::effective_to
                .is_null()
                .or(opening_sessions::effective_to.ge(today)),
        )
        .select(opening_sessions::room)
        .distinct()
        .load(conn)
        .await?)
}

/// Opening sessions of a centre, by weekday and time; with `on` only those in
/// effect on some day of the range.
pub async fn opening_sessions_of(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    during: Option<(Date, Date)>,
) -> Result<Vec<OpeningSession>, ApiError> {
    let mut query = opening_sessions::table
        .filter(opening_sessions::centre_id.eq(centre_id))
        .into_boxed();
    if let Some((from, to)) = during {
        query = query
            .filter(opening_sessions::effective_from.le(to))
            .filter(
                opening_sessions::effective_to
                    .is_null()
                    .or(opening_sessions::effective_to.ge(from)),
            );
    }
    Ok(query
        .order((
            opening_sessions::weekday,
            opening_sessions::starts_at,
            opening_sessions::venue_id,
            opening_sessions::room,
        ))
        .select(OpeningSession::as_select())
        .load(conn)
        .await?)
}

pub async fn find_opening_session(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    id: OpeningSessionId,
) -> Result<Option<OpeningSession>, ApiError> {
    Ok(opening_sessions::table
        .filter(opening_sessions::id.eq(id))
        .filter(opening_sessions::centre_id.eq(centre_id))
        .select(OpeningSession::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_opening_session(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    fields: &OpeningSessionFields,
) -> Result<OpeningSession, ApiError> {
    diesel::insert_into(opening_sessions::table)
        .values((
            opening_sessions::id.eq(OpeningSessionId::new()),
            opening_sessions::centre_id.eq(centre_id),
            fields,
        ))
        .returning(OpeningSession::as_returning())
        .get_result(conn)
        .await
        .map_err(overlap_or)
}

pub async fn update_opening_session(
    conn: &mut AsyncPgConnection,
    id: OpeningSessionId,
    fields: &OpeningSessionFields,
) -> Result<OpeningSession, ApiError> {
    diesel::update(opening_sessions::table.find(id))
        .set(fields)
        .returning(OpeningSession::as_returning())
        .get_result(conn)
        .await
        .map_err(overlap_or)
}

pub async fn delete_opening_session(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    id: OpeningSessionId,
) -> Result<bool, ApiError> {
    let deleted = diesel::delete(
        opening_sessions::table
            .filter(opening_sessions::id.eq(id))
            .filter(opening_sessions::centre_id.eq(centre_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// The exclusion constraint that keeps one room to one slot at a time, as a
/// field error; every other error as usual. The handler checks first, under a
/// lock on the centre's row, and says which slot clashes; this is the backstop
/// for a writer that did not take the lock.
fn overlap_or(err: DieselError) -> ApiError {
    if let DieselError::DatabaseError(_, info) = &err {
        if info.constraint_name() == Some("opening_sessions_no_overlap") {
            return ApiError::field(
                "starts_at",
                "overlap",
                "the room already has an opening session at this time",
            );
        }
    }
    err.into()
}

/// Closures of a centre overlapping `[from, to]` (all of them without a range),
/// by start date.
pub async fn closures_of(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    during: Option<(Date, Date)>,
) -> Result<Vec<Closure>, ApiError> {
    let mut query = closures::table
        .filter(closures::centre_id.eq(centre_id))
        .into_boxed();
    if let Some((from, to)) = during {
        query = query
            .filter(closures::starts_on.le(to))
            .filter(closures::ends_on.ge(from));
    }
    Ok(query
        .order((closures::starts_on, closures::id))
        .select(Closure::as_select())
        .load(conn)
        .await?)
}

pub async fn insert_closure(
    conn: &mut AsyncPgConnection,
    closure: &Closure,
) -> Result<Closure, ApiError> {
    Ok(diesel::insert_into(closures::table)
        .values(closure)
        .returning(Closure::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete_closure(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    id: ClosureId,
) -> Result<bool, ApiError> {
    let deleted = diesel::delete(
        closures::table
            .filter(closures::id.eq(id))
            .filter(closures::centre_id.eq(centre_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// Every centre's status, services and accreditation, for the network's counts.
pub async fn network_rows(conn: &mut AsyncPgConnection) -> Result<Vec<Centre>, ApiError> {
    Ok(centres::table
        .select(Centre::as_select())
        .order((centres::name, centres::id))
        .load(conn)
        .await?)
}

/// Where each of a centre's opening sessions is held: (the opening
/// session, its room, its venue's name), for a day sheet.
pub async fn rooms_of(
    conn: &AsyncPgConnection,
    centre_id: CentreId,
) -> Result<Vec<(OpeningSessionId, String, String)>, ApiError> {
    Ok(opening_sessions::table
        .inner_join(venues::table.on(venues::id.eq(opening_sessions::venue_id)))
        .filter(opening_sessions::centre_id.eq(centre_id))
        // Always true (a slot is at one of its centre's venues), but it lets
        // PostgreSQL read only the centre's venues by their index rather
        // than hash every venue in the network.
        .filter(venues::centre_id.eq(centre_id))
        .select((opening_sessions::id, opening_sessions::room, venues::name))
        .load(&mut &*conn)
        .await?)
}

/// Whether the centre runs any opening session on `date` (one of its
/// weekly slots in effect, its venue and the centre not closed).
pub async fn opens_on(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    date: Date,
) -> Result<bool, ApiError> {
    let sessions = opening_sessions_of(conn, centre_id, Some((date, date))).await?;
    let closures = closures_of(conn, centre_id, Some((date, date))).await?;
    Ok(!super::openings::expand(&sessions, &closures, date, date).is_empty())
}
