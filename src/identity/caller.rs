//! Who is calling: the extractors that turn a bearer token into a [`Principal`]
//! ([`Caller`] when a token is required, [`MaybeCaller`] where it is optional),
//! and the one-line policy checks handlers use. The caller's account is read
//! through identity's functions, never its tables.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::refused_tokens::{self, Refused};
use super::secrets::secret_fingerprint;
use super::tokens::{Subject, TokenKeys};
use crate::audit::Actor;
use crate::config::Config;
use crate::db::Pool;
use crate::error::ApiError;
use crate::http::client_addr::client_addr;
use crate::identity::repo as identity;
use crate::identity::roles::{Role, Scope, UserStatus};
use crate::vocabulary::{CentreId, ClientId, OrganisationId, UserId};

/// A person, with what scopes their queries.
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    pub id: UserId,
    pub role: Role,
    /// The centres a coordinator or staff member belongs to.
    pub centre_ids: Vec<CentreId>,
    /// A referrer's organisation.
    pub organisation_id: Option<OrganisationId>,
}

/// An integration client, limited to its scopes and its organisation or centre.
#[derive(Debug, Clone)]
pub struct ClientPrincipal {
    pub id: ClientId,
    pub scopes: Vec<Scope>,
    pub organisation_id: Option<OrganisationId>,
    pub centre_id: Option<CentreId>,
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

/// The authenticated caller, a person or an integration client; no token, or a
/// bad one, is a 401. It derefs to its [`Principal`].
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl std::ops::Deref for Caller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// The caller if a token was sent. A token that is sent must be valid: a bad
/// token is a 401, never silently anonymous.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Principal>);

impl MaybeCaller {
    pub fn principal(&self) -> Option<&Principal> {
        self.0.as_ref()
    }
}

/// Audit entries name the caller.
impl From<&Principal> for Actor {
    fn from(principal: &Principal) -> Self {
        match principal {
            Principal::User(u) => Actor::user(u.id, u.role.as_str()),
            Principal::Client(c) => Actor::client(c.id),
        }
    }
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        Actor::from(&caller.0)
    }
}

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
    let pool = req
        .app_data::<web::Data<Pool>>()
        .ok_or_else(|| ApiError::internal("pool is not configured"))?;
    let mut refused = None;
    let principal = principal_of(keys, pool, &token, &mut refused).await;
    if let (Err(_), Some(refused), Some(config)) =
        (&principal, refused, req.app_data::<web::Data<Config>>())
    {
        refused_tokens::record(pool, &client_addr(&req, config), refused).await;
    }
    principal.map(Some)
}

/// The principal a token stands for. A refusal worth auditing is left in
/// `refused` (see [`refused_tokens`]).
async fn principal_of(
    keys: &TokenKeys,
    pool: &Pool,
    token: &str,
    refused: &mut Option<Refused>,
) -> Result<Principal, ApiError> {
    let claims = keys.verify(token).inspect_err(|bad| {
        if bad.forged {
            *refused = Some(Refused::Forged);
        }
    })?;
    let mut conn = pool.get().await?;
    let gone = || ApiError::Unauthenticated("the access token's account is not active".into());
    match claims.typ {
        Subject::User => {
            let Some((user, centre_ids)) =
                identity::find_user_with_centres(&mut conn, claims.sub.into()).await?
            else {
                // Signed with our key for no account we have.
                *refused = Some(Refused::Forged);
                return Err(gone());
            };
            // A disabled (or not yet active) account's tokens stop working at once.
            if user.status != UserStatus::Active {
                *refused = Some(Refused::AccountInactive(Actor::user(
                    user.id,
                    user.role.as_str(),
                )));
                return Err(gone());
            }
            Ok(Principal::User(UserPrincipal {
                id: user.id,
                role: user.role,
                centre_ids,
                organisation_id: user.organisation_id,
            }))
        }
        Subject::Client => {
            let Some(client) = identity::find_client(&mut conn, claims.sub.into()).await? else {
                *refused = Some(Refused::Forged);
                return Err(ApiError::Unauthenticated(
                    "the client has been revoked".into(),
                ));
            };
            if client.revoked_at.is_some() {
                *refused = Some(Refused::ClientRevoked(Actor::client(client.id)));
                return Err(ApiError::Unauthenticated(
                    "the client has been revoked".into(),
                ));
            }
            // A token of any other secret than the current one: got
            // before a rotation (or while one was under way, with the old
            // secret still readable), or before tokens named their secret.
            if claims.sec.as_deref() != Some(secret_fingerprint(&client.secret_hash).as_str()) {
                *refused = Some(Refused::ClientRotated(Actor::client(client.id)));
                return Err(ApiError::Unauthenticated(
                    "the access token was issued before the client's secret was rotated".into(),
                ));
            }
            // The token's scopes may be fewer than the client's; never more.
            let granted: Vec<Scope> = claims
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .filter(|s: &Scope| client.scopes.contains(s))
                .collect();
            Ok(Principal::Client(ClientPrincipal {
                id: client.id,
                scopes: granted,
                organisation_id: client.organisation_id,
                centre_id: client.centre_id,
            }))
        }
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(MaybeCaller) })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req)
                .await?
                .map(Caller)
                .ok_or_else(|| ApiError::Unauthenticated("an access token is required".into()))
        })
    }
}
