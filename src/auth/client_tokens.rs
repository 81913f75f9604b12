//! Access tokens for integration clients: the OAuth 2.0 client-credentials grant.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::dto::*;
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::client_addr::client_addr;
use crate::identity::repo as users;
use crate::identity::roles::Scope;
use crate::identity::secrets::{secret_fingerprint, token_hash};
use crate::identity::tokens::TokenKeys;
use crate::vocabulary::ClientId;

/// Client id and secret from HTTP Basic, else from the form.
fn client_credentials(
    req: &HttpRequest,
    form: &ClientCredentialsRequest,
) -> Option<(String, String)> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(i, s)| (i.to_owned(), s.to_owned())));
    basic.or_else(|| Some((form.client_id.clone()?, form.client_secret.clone()?)))
}

/// Constant-time comparison of two hashes.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An access token for an integration client (OAuth 2.0 client-credentials grant),
/// limited to the client's scopes or the subset asked for.
#[utoipa::path(
    tag = "identity",
    request_body(content = ClientCredentialsRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token", body = TokenResponse),
        (status = 400, description = "Unsupported grant type, or a malformed form", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown or revoked client, or a wrong secret", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not form-encoded", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A scope the client does not have", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/token")]
pub async fn issue_client_token(
    req: HttpRequest,
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    keys: web::Data<TokenKeys>,
    form: web::Form<ClientCredentialsRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    // Only `grant_type=client_credentials` deserialises; anything else is a 400.
    let form = form.into_inner();
    let invalid = || ApiError::Unauthenticated("the client credentials are not valid".into());
    let (id, secret) = client_credentials(&req, &form).ok_or_else(invalid)?;
    // Wrong secrets are limited as wrong passwords are (`auth::repo`), per
    // client id and address, so that a flood of refusals cannot fill the
    // audit trail; the client's own address is never held up by someone
    // else's guesses.
    let key = format!("client:{id}");
    let addr = client_addr(&req, &config);
    let mut conn = pool.get().await?;
    super::repo::check_client_attempt(&mut conn, &key, &addr, &config).await?;
    let id = ClientId(id.parse().map_err(|_| invalid())?);
    let client = users::find_client(&mut conn, id).await?;
    let Some(client) =
        client.filter(|c| c.revoked_at.is_none() && same(&c.secret_hash, &token_hash(&secret)))
    else {
        audit::record(
            &mut conn,
            Event::new(Actor::anonymous(), "token", "integration_client")
                .resource(id)
                .denied(),
        )
        .await?;
        super::repo::record_client_attempt(&mut conn, &key, &addr, false).await?;
        return Err(invalid());
    };
    super::repo::record_client_attempt(&mut conn, &key, &addr, true).await?;
    let granted: Vec<String> = match form
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => client
            .scopes
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        Some(asked) => {
            let mut granted = Vec::new();
            for scope in asked.split_whitespace() {
                let known = scope.parse::<Scope>().is_ok()
                    && client.scopes.iter().any(|s| s.as_str() == scope);
                if !known {
                    return Err(ApiError::field(
                        "scope",
                        "scope",
                        format!("{scope} is not a scope of this client"),
                    ));
                }
                granted.push(scope.to_owned());
            }
            granted
        }
    };
    let scope = granted.join(" ");
    audit::record(
        &mut conn,
        Event::new(
            Actor {
                kind: "client",
                id: Some(client.id.into()),
                role: None,
            },
            "token",
            "integration_client",
        )
        .resource(client.id)
        .centre(client.centre_id),
    )
    .await?;
    Ok(web::Json(TokenResponse {
        access_token: keys.issue_client(
            client.id.into(),
            scope.clone(),
            secret_fingerprint(&client.secret_hash),
        )?,
        token_type: super::dto::TokenType::Bearer,
        expires_in: keys.access_ttl_secs(),
        refresh_token: None,
        scope: Some(scope),
    }))
}
