use crate::vocabulary::{CentreId, ClientId, OrganisationId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::model::{IntegrationClient, Organisation, User};
use crate::error::ApiError;
use crate::identity::roles::{OrganisationKind, ReferrerType, Role, Scope, UserStatus};
use crate::validation::{Email, FieldErrors, Name};

/// A person's account, as its owner and those who manage it see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// The account's id.
    #[schema(value_type = Uuid)]
    pub id: UserId,
    /// The email they sign in with.
    #[schema(example = "sam.coordinator@carlisle-ccc.org.uk", format = Email)]
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Whether the account is invited, active or disabled.
    pub status: UserStatus,
    /// For a referrer: what kind of professional.
    pub referrer_type: Option<ReferrerType>,
    /// For a referrer: their organisation.
    #[schema(value_type = Option<Uuid>)]
    pub organisation_id: Option<OrganisationId>,
    /// The centres a coordinator or staff member belongs to.
    #[schema(value_type = Vec<Uuid>)]
    pub centre_ids: Vec<CentreId>,
    /// When the account was made.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl UserResponse {
    pub fn new(user: User, centre_ids: Vec<CentreId>) -> Result<Self, ApiError> {
        Ok(Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            status: user.status,
            referrer_type: user.referrer_type,
            organisation_id: user.organisation_id,
            centre_ids,
            created_at: user.created_at,
        })
    }
}

/// Invites a person: a network admin invites network admins and coordinators, a
/// coordinator invites staff of their own centres. The person receives a link
/// to choose a password.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "sam@carlisle-ccc.org.uk", "name": "Sam Taylor", "role": "staff", "centre_ids": ["01a2f4c0-0000-7000-8000-000000000001"]}))]
pub struct CreateUserRequest {
    /// Where the invitation goes; they sign in with it.
    #[schema(example = "alex.staff@carlisle-ccc.org.uk", max_length = 254, format = Email)]
    pub email: String,
    /// Their name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Their role: a network admin invites coordinators, a coordinator invites staff.
    pub role: Role,
    /// Required for coordinators and staff: the centres they belong to.
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    pub centre_ids: Vec<CentreId>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users with this role.
    pub role: Option<Role>,
}

/// An organisation referrers belong to.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationResponse {
    /// The organisation's id.
    #[schema(value_type = Uuid)]
    pub id: OrganisationId,
    /// Its name.
    #[schema(example = "Smith & Jones Family Law")]
    pub name: String,
    /// What kind of organisation it is.
    pub kind: OrganisationKind,
    /// Referrers register into it with an email on this domain.
    #[schema(example = "smithjones-law.co.uk")]
    pub email_domain: String,
}

impl TryFrom<Organisation> for OrganisationResponse {
    type Error = ApiError;
    fn try_from(o: Organisation) -> Result<Self, ApiError> {
        Ok(Self {
            id: o.id,
            name: o.name,
            kind: o.kind,
            email_domain: o.email_domain,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Family Law LLP", "kind": "law_firm", "email_domain": "familylaw.example.co.uk"}))]
pub struct CreateOrganisationRequest {
    /// Its name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// What kind of organisation it is.
    pub kind: OrganisationKind,
    /// The email domain of its people, e.g. `smithjones-law.co.uk`.
    #[schema(
        min_length = 4,
        max_length = 253,
        pattern = "^[a-z0-9.-]+\\.[a-z]{2,}$"
    )]
    pub email_domain: String,
}

/// A lower-case domain such as `example.org.uk`.
fn check_domain(errors: &mut FieldErrors, field: &str, domain: &str) {
    let ok = (4..=253).contains(&domain.len())
        && domain.contains('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()));
    if !ok {
        errors.push(
            field,
            "domain",
            "must be a lower-case domain such as example.org.uk",
        );
    }
}

/// Registers an integration client bound to an organisation or a centre (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Family Law LLP case management", "scopes": ["referrals:read", "referrals:write"], "organisation_id": "01a2f4c0-0000-7000-8000-000000000003"}))]
pub struct CreateClientRequest {
    /// What the client is, for people who manage it.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Smith & Jones case management"
    )]
    pub name: String,
    /// What its tokens may do (a coordinator's clients: their centre's scopes).
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// The organisation it acts for (one of this or `centre_id`).
    #[schema(value_type = Option<Uuid>)]
    pub organisation_id: Option<OrganisationId>,
    /// The centre it acts for (one of this or `organisation_id`).
    #[schema(value_type = Option<Uuid>)]
    pub centre_id: Option<CentreId>,
}

/// An integration client; its secret is never shown again after creation or rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientResponse {
    /// The `client_id` for `POST /api/v1/auth/token`.
    #[schema(value_type = Uuid)]
    pub id: ClientId,
    /// What the client is, for people who manage it.
    pub name: String,
    /// What its tokens may do.
    pub scopes: Vec<Scope>,
    /// The organisation it acts for, if any.
    #[schema(value_type = Option<Uuid>)]
    pub organisation_id: Option<OrganisationId>,
    /// The centre it acts for, if any.
    #[schema(value_type = Option<Uuid>)]
    pub centre_id: Option<CentreId>,
    /// Whether it has been revoked (its tokens no longer work).
    pub revoked: bool,
    /// When it was registered.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<IntegrationClient> for ClientResponse {
    fn from(c: IntegrationClient) -> Self {
        Self {
            id: c.id,
            name: c.name,
            scopes: c.scopes,
            organisation_id: c.organisation_id,
            centre_id: c.centre_id,
            revoked: c.revoked_at.is_some(),
            created_at: c.created_at,
        }
    }
}

/// A client with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecretResponse {
    /// The client.
    pub client: ClientResponse,
    /// Store it now: only its hash is kept.
    pub client_secret: String,
}

// Each request is checked by its `parse`: every broken rule in one 422
// (crate::validation).

impl CreateUserRequest {
    pub fn parse(&self) -> Result<(Email, Name), ApiError> {
        let mut errors = FieldErrors::default();
        let email = errors.email("email", &self.email);
        let name = errors.name("name", &self.name);
        if self.centre_ids.len() > 50 {
            errors.push("centre_ids", "length", "at most 50 centres");
        }
        errors.finish_both(email, name)
    }
}

impl CreateOrganisationRequest {
    pub fn parse(&self) -> Result<Name, ApiError> {
        let mut errors = FieldErrors::default();
        let name = errors.name("name", &self.name);
        check_domain(&mut errors, "email_domain", &self.email_domain);
        match name {
            Some(name) => errors.finish(name),
            None => Err(ApiError::Validation(errors.0)),
        }
    }
}

impl CreateClientRequest {
    pub fn parse(&self) -> Result<Name, ApiError> {
        let mut errors = FieldErrors::default();
        let name = errors.name("name", &self.name);
        if self.scopes.is_empty() {
            errors.push("scopes", "length", "must name at least one scope");
        }
        match name {
            Some(name) => errors.finish(name),
            None => Err(ApiError::Validation(errors.0)),
        }
    }
}
