use diesel::prelude::*;
use time::OffsetDateTime;

use crate::identity::roles::{OrganisationKind, ReferrerType, Role, Scope, UserStatus};
use crate::schema::{integration_clients, organisations, users};
use crate::vocabulary::{CentreId, ClientId, OrganisationId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub referrer_type: Option<ReferrerType>,
    pub organisation_id: Option<OrganisationId>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub status: UserStatus,
    pub password_hash: Option<&'a str>,
    pub referrer_type: Option<ReferrerType>,
    pub organisation_id: Option<OrganisationId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub email_domain: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = integration_clients)]
pub struct IntegrationClient {
    pub id: ClientId,
    pub name: String,
    pub secret_hash: Vec<u8>,
    pub scopes: Vec<Scope>,
    pub organisation_id: Option<OrganisationId>,
    pub centre_id: Option<CentreId>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub secret_rotated_at: Option<OffsetDateTime>,
}
