//! Who is calling: the extractors that turn a bearer token into a [`Principal`],
//! and the one-line policy checks handlers use.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::roles::{Role, Scope, UserStatus};
use super::tokens::{Subject, TokenKeys};
use crate::db::Pool;
use crate::error::ApiError;
use crate::schema::{integration_clients, users};
use crate::text_enum::parse_column;

/// A person, with what scopes their queries.
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    pub id: Uuid,
    pub role: Role,
    /// The centres a coordinator or staff member belongs to.
    pub centre_ids: Vec<Uuid>,
    /// A referrer's organisation.
    pub organisation_id: Option<Uuid>,
}

/// An integration client, limited to its scopes and its organisation or centre.
#[derive(Debug, Clone)]
pub struct ClientPrincipal {
    pub id: Uuid,
    pub scopes: Vec<Scope>,
    pub organisation_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub enum Principal {
    User(UserPrincipal),
    Client(ClientPrincipal),
}

impl Principal {
    /// The caller as a person, whatever their role; integration clients are refused.
    pub fn person(&self) -> Result<&UserPrincipal, ApiError> {
        match self {
            Self::User(user) => Ok(user),
            Self::Client(_) => Err(ApiError::Forbidden),
        }
    }

    /// The caller as a person with one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<&UserPrincipal, ApiError> {
        let user = self.person()?;
        if roles.contains(&user.role) {
            Ok(user)
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// For an integration client: it must hold `scope`. People are governed by
    /// their role instead, so this passes for them.
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        match self {
            Self::Client(client) if !client.scopes.contains(&scope) => Err(ApiError::Forbidden),
            _ => Ok(()),
        }
    }
}

/// The authenticated caller; no token, or a bad one, is a 401.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Principal);

/// The caller if a token was sent. A token that is sent must be valid: a bad
/// token is a 401, never silently anonymous.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<Principal>);

fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("the Authorization header is malformed".into()))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::Unauthenticated(
            "the Authorization header must be `Bearer <token>`".into(),
        )),
    }
}

async fn authenticate(req: HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(token) = bearer(&req)? else {
        return Ok(None);
    };
    let keys = req
        .app_data::<web::Data<TokenKeys>>()
        .ok_or_else(|| ApiError::internal("token keys are not configured"))?;
    let claims = keys.verify(&token)?;
    let pool = req
        .app_data::<web::Data<Pool>>()
        .ok_or_else(|| ApiError::internal("pool is not configured"))?;
    let mut conn = pool.get().await?;
    let gone = || ApiError::Unauthenticated("the access token's account is not active".into());
    match claims.typ {
        Subject::User => {
            let (role, status, organisation_id) = users::table
                .find(claims.sub)
                .select((users::role, users::status, users::organisation_id))
                .first::<(String, String, Option<Uuid>)>(&mut conn)
                .await
                .optional()?
                .ok_or_else(gone)?;
            // A disabled (or not yet active) account's tokens stop working at once.
            if parse_column::<UserStatus>(&status)? != UserStatus::Active {
                return Err(gone());
            }
            let centre_ids = crate::identity::repo::centre_ids_of(&mut conn, claims.sub).await?;
            Ok(Some(Principal::User(UserPrincipal {
                id: claims.sub,
                role: parse_column(&role)?,
                centre_ids,
                organisation_id,
            })))
        }
        Subject::Client => {
            let (scopes, organisation_id, centre_id) = integration_clients::table
                .find(claims.sub)
                .filter(integration_clients::revoked_at.is_null())
                .select((
                    integration_clients::scopes,
                    integration_clients::organisation_id,
                    integration_clients::centre_id,
                ))
                .first::<(Vec<Option<String>>, Option<Uuid>, Option<Uuid>)>(&mut conn)
                .await
                .optional()?
                .ok_or_else(|| ApiError::Unauthenticated("the client has been revoked".into()))?;
            // The token's scopes may be fewer than the client's; never more.
            let granted: Vec<Scope> = claims
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .filter(|s: &Scope| scopes.iter().flatten().any(|c| c == s.as_str()))
                .collect();
            Ok(Some(Principal::Client(ClientPrincipal {
                id: claims.sub,
                scopes: granted,
                organisation_id,
                centre_id,
            })))
        }
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(MaybeAuthUser) })
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req)
                .await?
                .map(AuthUser)
                .ok_or_else(|| ApiError::Unauthenticated("an access token is required".into()))
        })
    }
}
