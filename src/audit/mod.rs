//! The audit trail: who did or saw what, when, with what outcome. Append-only
//! (the database refuses updates and deletes) and never holding personal data:
//! only ids, roles, actions and outcomes. Read back through
//! [`crate::reports`] (`GET /api/v1/audit`).

pub mod model;
pub mod repo;

use uuid::Uuid;

use crate::vocabulary::{CentreId, ClientId, UserId};

pub use repo::{record, record_alongside};

/// Who acted.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    /// The person's role word (`coordinator`, ...); none for clients.
    pub role: Option<&'static str>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self {
            kind: "anonymous",
            id: None,
            role: None,
        }
    }

    pub fn system() -> Self {
        Self {
            kind: "system",
            id: None,
            role: None,
        }
    }

    pub fn client(id: ClientId) -> Self {
        Self {
            kind: "client",
            id: Some(id.into()),
            role: None,
        }
    }

    pub fn user(id: UserId, role: &'static str) -> Self {
        Self {
            kind: "user",
            id: Some(id.into()),
            role: Some(role),
        }
    }
}

crate::text_enum! {
    /// The outcome of an audited action.
    pub enum Outcome {
        Success => "success",
        /// Refused: bad credentials, not allowed, rate-limited.
        Denied => "denied",
    }
}

crate::text_enum! {
    /// Who acted, by kind: a person, an integration client, someone not
    /// signed in, or the service itself.
    pub enum ActorKind {
        User => "user",
        Client => "client",
        Anonymous => "anonymous",
        System => "system",
    }
}

/// One audit entry to write.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: Option<String>,
    /// The centre the record belongs to, so its coordinators can see the entry.
    pub centre_id: Option<CentreId>,
    pub outcome: Outcome,
}

impl<'a> Event<'a> {
    pub fn new(actor: impl Into<Actor>, action: &'a str, resource_type: &'a str) -> Self {
        Self {
            actor: actor.into(),
            action,
            resource_type,
            resource_id: None,
            centre_id: None,
            outcome: Outcome::Success,
        }
    }

    pub fn resource(mut self, id: impl ToString) -> Self {
        self.resource_id = Some(id.to_string());
        self
    }

    pub fn centre(mut self, centre_id: Option<CentreId>) -> Self {
        self.centre_id = centre_id;
        self
    }

    pub fn denied(mut self) -> Self {
        self.outcome = Outcome::Denied;
        self
    }
}
