use crate::vocabulary::OrganisationId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::identity::roles::ReferrerType;
use crate::validation::{Email, FieldErrors, Name};

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "sam@carlisle-ccc.org.uk", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    /// The email of the account.
    #[schema(
        example = "sam.coordinator@carlisle-ccc.org.uk",
        min_length = 1,
        max_length = 254
    )]
    pub email: String,
    /// Its password.
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

/// An access token, and for a person a refresh token to get the next one.
/// How the access token is sent: `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum TokenType {
    Bearer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// How to send the token: `Authorization: Bearer <token>`.
    pub token_type: TokenType,
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

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"refresh_token": "q0yVjR3oKc1bU7cO8m0j3c2Yp5m0kqQ6cY3b1o9bJmE"}))]
pub struct RefreshRequest {
    /// The refresh token of the last login or refresh (good once).
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
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "01a2f4c0-0000-7000-8000-0000000000c1", "client_secret": "s3cr3t-returned-once-at-creation", "scope": "referrals:read referrals:write"}))]
pub struct ClientCredentialsRequest {
    /// Always `client_credentials`.
    pub grant_type: GrantType,
    /// The client's id (or HTTP Basic authentication).
    pub client_id: Option<String>,
    /// The client's secret (or HTTP Basic authentication).
    pub client_secret: Option<String>,
    /// Space-separated scopes to ask for: a subset of the client's (default all).
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "correct horse battery staple", "new_password": "a longer pass phrase for 2027"}))]
pub struct ChangePasswordRequest {
    /// The password now.
    #[schema(min_length = 1, max_length = 256)]
    pub current_password: String,
    /// At least 12 characters and not one of the 10,000 most common passwords.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "sam@carlisle-ccc.org.uk"}))]
pub struct PasswordResetRequest {
    /// The email of the account; a link goes there if it has one.
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
}

/// Uses a one-time link's token to set a password (reset, or accepting an invitation).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "tX1cA9sV0lQm3yJ6bN2rK8pD4fG7hE5wZ1uI0oL2aS4", "password": "correct horse battery staple"}))]
pub struct SetPasswordWithTokenRequest {
    /// The token from the emailed link.
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
    /// At least 12 characters and not one of the 10,000 most common passwords.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

/// A referrer registers themselves into their organisation, with an email on the
/// organisation's domain; the password is chosen with the confirmation link.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "sam.patel@familylaw.example.co.uk", "name": "Sam Patel", "referrer_type": "solicitor", "organisation_id": "01a2f4c0-0000-7000-8000-000000000003"}))]
pub struct RegisterReferrerRequest {
    /// Your work email, on your organisation's domain; a confirmation link goes there.
    #[schema(example = "jo.bloggs@smithjones-law.co.uk", max_length = 254, format = Email)]
    pub email: String,
    /// Your name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// What kind of professional you are.
    pub referrer_type: ReferrerType,
    /// Your organisation (`GET /api/v1/organisations`).
    #[schema(value_type = Uuid)]
    pub organisation_id: OrganisationId,
}

/// A parent's own registration.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "jo@example.org", "name": "Jo Smith"}))]
pub struct RegisterParentRequest {
    /// Your email; a confirmation link goes there.
    #[schema(example = "jo@example.org", max_length = 254, format = Email)]
    pub email: String,
    /// Your name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// The request was taken; what happens next arrives by email.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    /// Always `accepted`: the answer says nothing of whether the email has an account.
    #[schema(example = "check your email")]
    pub status: &'static str,
}

// Each request is checked by its `check`: every broken rule in one 422
// (crate::validation).

impl LoginRequest {
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        errors.opaque("email", &self.email, 1, 254);
        errors.opaque("password", &self.password, 1, 256);
        errors.finish(())
    }
}

impl RefreshRequest {
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        errors.opaque("refresh_token", &self.refresh_token, 1, 128);
        errors.finish(())
    }
}

impl ChangePasswordRequest {
    /// The new password's policy is checked by `passwords::check_policy`.
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        errors.opaque("current_password", &self.current_password, 1, 256);
        errors.finish(())
    }
}

impl PasswordResetRequest {
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        errors.opaque("email", &self.email, 1, 254);
        errors.finish(())
    }
}

impl SetPasswordWithTokenRequest {
    /// The password's policy is checked by `passwords::check_policy`.
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        errors.opaque("token", &self.token, 1, 128);
        errors.finish(())
    }
}

impl RegisterReferrerRequest {
    pub fn parse(&self) -> Result<(Email, Name), ApiError> {
        let mut errors = FieldErrors::default();
        let email = errors.email("email", &self.email);
        let name = errors.name("name", &self.name);
        errors.finish_both(email, name)
    }
}

impl RegisterParentRequest {
    pub fn parse(&self) -> Result<(Email, Name), ApiError> {
        let mut errors = FieldErrors::default();
        let email = errors.email("email", &self.email);
        let name = errors.name("name", &self.name);
        errors.finish_both(email, name)
    }
}
