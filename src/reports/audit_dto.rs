//! The audit trail's query and entries as they are sent.

use crate::vocabulary::CentreId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::model::{AuditEvent, AuditFilter};
use crate::error::ApiError;
use crate::validation::FieldErrors;

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this kind of record (`user`, `referral`, ...).
    #[param(max_length = 64)]
    pub resource_type: Option<String>,
    /// Only entries about this record.
    #[param(max_length = 64)]
    pub resource_id: Option<String>,
    /// Only entries by this person or client.
    pub actor_id: Option<Uuid>,
    /// Entries at or after this time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<OffsetDateTime>,
    /// Entries before this time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<OffsetDateTime>,
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    /// The entry's id.
    pub id: Uuid,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Who acted, by kind.
    pub actor_kind: crate::audit::ActorKind,
    /// The person's or client's id; none for anonymous and system entries
    /// (and a parent's, shown to network admins, is left out).
    pub actor_id: Option<Uuid>,
    /// The person's role when they acted (`coordinator`, ...).
    pub actor_role: Option<String>,
    /// What was done: `login`, `create`, `read`, `disable`, ...
    pub action: String,
    /// What it was done to: `referral`, `user`, `centre`, `access_token`, ...
    pub resource_type: String,
    /// The id of what it was done to, where it has one.
    pub resource_id: Option<String>,
    /// The centre the record belongs to (its coordinators see the entry).
    #[schema(value_type = Option<Uuid>)]
    pub centre_id: Option<CentreId>,
    /// Whether it was done or refused.
    pub outcome: crate::audit::Outcome,
    /// The `X-Request-Id` of the request that made the entry.
    pub request_id: Option<String>,
}

impl From<AuditEvent> for AuditEventResponse {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            actor_role: e.actor_role,
            action: e.action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            centre_id: e.centre_id,
            outcome: e.outcome,
            request_id: e.request_id,
        }
    }
}

impl AuditQuery {
    /// The filter, once its fields are checked: every broken rule in one 422.
    pub fn parse(&self) -> Result<AuditFilter, ApiError> {
        let mut errors = FieldErrors::default();
        for (field, value) in [
            ("resource_type", &self.resource_type),
            ("resource_id", &self.resource_id),
        ] {
            if let Some(v) = value {
                errors.opaque(field, v, 0, 64);
            }
        }
        errors.finish(self.filter())
    }

    fn filter(&self) -> AuditFilter {
        AuditFilter {
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
            actor_id: self.actor_id,
            from: self.from,
            to: self.to,
        }
    }
}
