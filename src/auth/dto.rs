use crate::vocabulary::OrganisationId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::identity::roles::ReferrerType;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254))]
    #[schema(
        example = "sam.coordinator@carlisle-ccc.org.uk",
        min_length = 1,
        max_length = 254
    )]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

/// An access token, and for a person a refresh token to get the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// For people: a one-time refresh token for `POST /api/v1/auth/refresh`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// For integration clients: the granted scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub refresh_token: String,
}

/// The only grant this endpoint serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    ClientCredentials,
}

/// The OAuth 2.0 client-credentials grant (RFC 6749 §4.4), form-encoded. The
/// client may authenticate with HTTP Basic instead of the two client fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientCredentialsRequest {
    pub grant_type: GrantType,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated scopes to ask for: a subset of the client's (default all).
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub current_password: String,
    /// At least 12 characters and not one of the 10,000 most common passwords.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PasswordResetRequest {
    #[validate(length(min = 1, max = 254))]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
}

/// Uses a one-time link's token to set a password (reset, or accepting an invitation).
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct SetPasswordWithTokenRequest {
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
    /// At least 12 characters and not one of the 10,000 most common passwords.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

/// A referrer registers themselves into their organisation, with an email on the
/// organisation's domain; the password is chosen with the confirmation link.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterReferrerRequest {
    #[validate(email(message = "must be an email address"), length(max = 254))]
    #[schema(example = "jo.bloggs@smithjones-law.co.uk", max_length = 254)]
    pub email: String,
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validation::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub referrer_type: ReferrerType,
    #[schema(value_type = Uuid)]
    pub organisation_id: OrganisationId,
}

/// A parent's own registration.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterParentRequest {
    #[validate(email(message = "must be an email address"), length(max = 254))]
    #[schema(example = "jo@example.org", max_length = 254)]
    pub email: String,
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validation::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// The request was taken; what happens next arrives by email.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    #[schema(example = "check your email")]
    pub status: &'static str,
}
