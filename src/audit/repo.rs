use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{AuditEvent, AuditFilter};
use super::Event;
use crate::error::ApiError;
use crate::pagination::{beyond, Cursor, Direction, PageRequest};
use crate::request_id;
use crate::schema::audit_events;
use crate::vocabulary::CentreId;

/// An absent value is written as NULL (no column here has another
/// default), so the statement's text never varies and PostgreSQL keeps it
/// prepared: this insert rides on every audited read.
#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct NewAuditEvent<'a> {
    id: Uuid,
    actor_kind: &'a str,
    actor_id: Option<Uuid>,
    actor_role: Option<&'a str>,
    action: &'a str,
    resource_type: &'a str,
    resource_id: Option<&'a str>,
    centre_id: Option<CentreId>,
    outcome: &'a str,
    request_id: Option<String>,
}

/// Writes one entry. Call it on the connection of the change it records, inside
/// that change's transaction, so the change and its audit entry stand or fall together.
/// Like [`record`], on a shared connection, so the row is sent together
/// with the read it records (pipelined on the one connection).
pub async fn record_alongside(conn: &AsyncPgConnection, event: Event<'_>) -> Result<(), ApiError> {
    insert(&mut &*conn, event).await
}

pub async fn record(conn: &mut AsyncPgConnection, event: Event<'_>) -> Result<(), ApiError> {
    insert(conn, event).await
}

async fn insert<C>(conn: &mut C, event: Event<'_>) -> Result<(), ApiError>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    diesel::insert_into(audit_events::table)
        .values(NewAuditEvent {
            id: Uuid::now_v7(),
            actor_kind: event.actor.kind,
            actor_id: event.actor.id,
            actor_role: event.actor.role,
            action: event.action,
            resource_type: event.resource_type,
            resource_id: event.resource_id.as_deref(),
            centre_id: event.centre_id,
            outcome: event.outcome.as_str(),
            request_id: request_id::current(),
        })
        .execute(conn)
        .await?;
    Ok(())
}

/// Entries matching `query`, oldest first, limited to `centres` when given (a
/// coordinator sees only their centres' entries).
pub async fn list(
    conn: &mut AsyncPgConnection,
    query: &AuditFilter,
    centres: Option<&[CentreId]>,
    page: &PageRequest<OffsetDateTime>,
) -> Result<Vec<AuditEvent>, ApiError> {
    let mut q = audit_events::table
        .select(AuditEvent::as_select())
        .order((audit_events::at.asc(), audit_events::id.asc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(centres) = centres {
        q = q.filter(audit_events::centre_id.eq_any(centres.to_vec()));
    }
    if let Some(t) = &query.resource_type {
        q = q.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = &query.resource_id {
        q = q.filter(audit_events::resource_id.eq(id.clone()));
    }
    if let Some(actor) = query.actor_id {
        q = q.filter(audit_events::actor_id.eq(actor));
    }
    if let Some(from) = query.from {
        q = q.filter(audit_events::at.ge(from));
    }
    if let Some(to) = query.to {
        q = q.filter(audit_events::at.lt(to));
    }
    if let Some(Cursor { key, id }) = &page.after {
        q = q.filter(beyond(
            audit_events::at,
            audit_events::id,
            Direction::Ascending,
            *key,
            *id,
        ));
    }
    Ok(q.load(conn).await?)
}
