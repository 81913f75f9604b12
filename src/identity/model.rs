use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::schema::{integration_clients, organisations, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub referrer_type: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub status: &'a str,
    pub password_hash: Option<&'a str>,
    pub referrer_type: Option<&'a str>,
    pub organisation_id: Option<Uuid>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub email_domain: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = integration_clients)]
pub struct IntegrationClient {
    pub id: Uuid,
    pub name: String,
    pub secret_hash: Vec<u8>,
    /// Never null in practice (a CHECK refuses nulls); the column type allows them.
    pub scopes: Vec<Option<String>>,
    pub organisation_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}
