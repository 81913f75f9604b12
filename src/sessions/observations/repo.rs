//! The `observation_requests` table.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::ObservationStatus;
use crate::error::ApiError;
use crate::pagination::{beyond, Direction, PageRequest};
use crate::schema::observation_requests;
use crate::vocabulary::{CentreId, FamilyId, OrganisationId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = observation_requests)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ObservationRequest {
    pub id: Uuid,
    pub centre_id: CentreId,
    pub requested_by: UserId,
    pub organisation_id: Option<OrganisationId>,
    pub observer_name: String,
    pub organisation_name: String,
    pub on_date: Date,
    pub clients: Vec<String>,
    pub note: Option<String>,
    pub family_id: Option<FamilyId>,
    pub status: ObservationStatus,
    pub contact_session_id: Option<Uuid>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<OffsetDateTime>,
    pub decline_reason: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    r: &ObservationRequest,
) -> Result<ObservationRequest, ApiError> {
    Ok(diesel::insert_into(observation_requests::table)
        .values(r)
        .returning(ObservationRequest::as_returning())
        .get_result(conn)
        .await?)
}

/// One request; with `lock`, held until the transaction ends.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<ObservationRequest>, ApiError> {
    let query = observation_requests::table
        .find(id)
        .select(ObservationRequest::as_select());
    Ok(if lock {
        query.for_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    })
}

/// Whose requests a list holds.
#[derive(Debug, Clone)]
pub enum Whose {
    /// An officer's own.
    Requester(UserId),
    /// Those to the coordinators' centres.
    Centres(Vec<CentreId>),
}

/// A page of requests, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    whose: &Whose,
    page: &PageRequest<i64>,
) -> Result<Vec<ObservationRequest>, ApiError> {
    let mut query = observation_requests::table.into_boxed();
    query = match whose {
        Whose::Requester(id) => query.filter(observation_requests::requested_by.eq(*id)),
        Whose::Centres(ids) => query.filter(observation_requests::centre_id.eq_any(ids.clone())),
    };
    if let Some(after) = &page.after {
        query = query.filter(beyond(
            observation_requests::created_at,
            observation_requests::id,
            Direction::Descending,
            after.instant()?,
            after.id,
        ));
    }
    Ok(query
        .order((
            observation_requests::created_at.desc(),
            observation_requests::id.desc(),
        ))
        .limit(page.fetch_limit())
        .select(ObservationRequest::as_select())
        .load(conn)
        .await?)
}

/// A decision (`decided_by`) or a withdrawal (none: the decision it follows
/// is kept): the new status and, for an approval, the session observed.
pub async fn settle(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: ObservationStatus,
    session: Option<Uuid>,
    decided_by: Option<UserId>,
    reason: Option<String>,
) -> Result<ObservationRequest, ApiError> {
    let target = observation_requests::table.find(id);
    let changed = match decided_by {
        // A decision: who decided and when.
        Some(by) => {
            diesel::update(target)
                .set((
                    observation_requests::status.eq(status),
                    observation_requests::contact_session_id.eq(session),
                    observation_requests::decided_by.eq(by),
                    observation_requests::decided_at.eq(OffsetDateTime::now_utc()),
                    observation_requests::decline_reason.eq(reason),
                    observation_requests::released_from.eq(None::<Uuid>),
                ))
                .returning(ObservationRequest::as_returning())
                .get_result(conn)
                .await?
        }
        // A withdrawal keeps the decision it follows.
        None => {
            diesel::update(target)
                .set((
                    observation_requests::status.eq(status),
                    observation_requests::contact_session_id.eq(session),
                    observation_requests::released_from.eq(None::<Uuid>),
                ))
                .returning(ObservationRequest::as_returning())
                .get_result(conn)
                .await?
        }
    };
    Ok(changed)
}

/// Requests released to pending by their session's cancellation whose
/// officers are still to hear of it (at most `limit`), locked; those another
/// instance is telling are skipped.
pub async fn released(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> Result<Vec<ObservationRequest>, ApiError> {
    Ok(observation_requests::table
        .filter(observation_requests::released_from.is_not_null())
        .order(observation_requests::id)
        .limit(limit)
        .select(ObservationRequest::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await?)
}

/// Their officers were told.
pub async fn told_of_release(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<(), ApiError> {
    diesel::update(observation_requests::table.filter(observation_requests::id.eq_any(ids)))
        .set(observation_requests::released_from.eq(None::<Uuid>))
        .execute(conn)
        .await?;
    Ok(())
}

/// An approved observer of a session, for the day sheet.
#[derive(Debug, Clone, Queryable)]
pub struct Observer {
    pub contact_session_id: Uuid,
    pub name: String,
    pub organisation: String,
}

/// The approved observers of some sessions.
pub async fn approved_for(
    conn: &AsyncPgConnection,
    session_ids: &[Uuid],
) -> Result<Vec<Observer>, ApiError> {
    let rows: Vec<(Option<Uuid>, String, String)> = observation_requests::table
        .filter(observation_requests::contact_session_id.eq_any(session_ids))
        .filter(observation_requests::status.eq(ObservationStatus::Approved))
        .order(observation_requests::created_at)
        .select((
            observation_requests::contact_session_id,
            observation_requests::observer_name,
            observation_requests::organisation_name,
        ))
        .load(&mut &*conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, name, organisation)| {
            s.map(|contact_session_id| Observer {
                contact_session_id,
                name,
                organisation,
            })
        })
        .collect())
}
