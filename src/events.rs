//! Domain events: what happened, written in the same transaction as the change
//! to the `domain_events` outbox, for delivery to integrations (webhooks) by a
//! later worker. A payload carries ids and words, never personal data.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiError;
use crate::schema::domain_events;
use crate::vocabulary::{CentreId, OrganisationId};

/// One event to record.
#[derive(Debug, Clone)]
pub struct DomainEvent {
    /// `<resource>.<what happened>`, as `referral.submitted`.
    pub event_type: &'static str,
    pub resource_type: &'static str,
    pub resource_id: Uuid,
    /// Who may receive it: integrations of this centre or organisation.
    pub centre_id: Option<CentreId>,
    pub organisation_id: Option<OrganisationId>,
    pub payload: serde_json::Value,
}

pub async fn record(conn: &mut AsyncPgConnection, event: DomainEvent) -> Result<(), ApiError> {
    record_alongside(conn, event).await
}

/// As [`record`], on a connection other queries share (pipelined).
pub async fn record_alongside(
    conn: &AsyncPgConnection,
    event: DomainEvent,
) -> Result<(), ApiError> {
    diesel::insert_into(domain_events::table)
        .values((
            domain_events::id.eq(Uuid::now_v7()),
            domain_events::event_type.eq(event.event_type),
            domain_events::resource_type.eq(event.resource_type),
            domain_events::resource_id.eq(event.resource_id),
            domain_events::centre_id.eq(event.centre_id),
            domain_events::organisation_id.eq(event.organisation_id),
            domain_events::payload.eq(event.payload),
        ))
        .execute(&mut &*conn)
        .await?;
    Ok(())
}
