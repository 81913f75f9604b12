//! Integration clients: registered, listed, rotated and revoked.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use time::OffsetDateTime;

use super::access::{may_create_client, may_manage_client};
use super::dto::*;
use super::repo::{self, NewClient};
use super::{Caller, UserPrincipal};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::Role;
use crate::identity::secrets::{random_token, token_hash};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::vocabulary::ClientId;

/// Register an integration client. The secret is in this answer only.
#[utoipa::path(
    tag = "identity",
    request_body = CreateClientRequest,
    responses(
        (status = 201, description = "Registered; keep the secret now", body = ClientWithSecretResponse),
        (status = 403, description = "Not allowed to register a client for this organisation or centre, or (a network admin) to give a centre's client a scope that reads its families (`referrals:*`, `sessions:read`, `attendance:read`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown organisation or centre", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/integration-clients")]
pub async fn create_integration_client(
    pool: web::Data<Pool>,
    caller: Caller,
    body: web::Json<CreateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller
        .require_role(&[Role::NetworkAdmin, Role::Coordinator])?
        .clone();
    let name = body.parse()?;
    let request = body.into_inner();
    if request.organisation_id.is_some() == request.centre_id.is_some() {
        return Err(ApiError::field(
            "organisation_id",
            "binding",
            "give exactly one of organisation_id and centre_id",
        ));
    }
    if !may_create_client(&actor, request.centre_id, &request.scopes) {
        return Err(ApiError::Forbidden);
    }
    let secret = random_token()?;
    let mut scopes = request.scopes.clone();
    scopes.sort_by_key(|s| s.as_str());
    scopes.dedup();
    let hash = token_hash(&secret);
    let mut conn = pool.get().await?;
    let client = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let client = repo::insert_client(
                conn,
                NewClient {
                    name: name.as_str(),
                    secret_hash: hash,
                    scopes,
                    organisation_id: request.organisation_id,
                    centre_id: request.centre_id,
                    created_by: actor.id,
                },
            )
            .await?;
            audit::record(
                conn,
                Event::new(&caller, "create", "integration_client")
                    .resource(client.id)
                    .centre(client.centre_id),
            )
            .await?;
            Ok(client)
        })
        .await?;
    Ok(HttpResponse::Created().json(ClientWithSecretResponse {
        client: client.into(),
        client_secret: secret,
    }))
}

/// Integration clients, newest first: all for a network admin, their centres'
/// for a coordinator.
#[utoipa::path(
    tag = "identity",
    params(PageParams),
    responses(
        (status = 200, description = "A page of clients", body = Page<ClientResponse>),
        (status = 403, description = "Not a network admin or coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/integration-clients")]
pub async fn list_integration_clients(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ClientResponse>>, ApiError> {
    let actor = caller.require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let page = page
        .into_inner()
        .parse::<OffsetDateTime>(cursors.seal("integration-clients", &()))?;
    let centres = (actor.role == Role::Coordinator).then_some(actor.centre_ids.as_slice());
    let mut conn = pool.get().await?;
    let rows = repo::list_clients(&mut conn, centres, &page).await?;
    Ok(web::Json(Page::from_rows(
        rows,
        &page,
        |c| Cursor {
            key: c.created_at,
            id: c.id.into(),
        },
        ClientResponse::from,
    )))
}

/// Loads a client the caller may manage, with the caller as its manager;
/// anyone else's is a 404.
async fn managed_client<'c>(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &'c Caller,
    id: ClientId,
) -> Result<(&'c UserPrincipal, super::model::IntegrationClient), ApiError> {
    let actor = caller.require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let client = repo::find_client(conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if may_manage_client(actor, client.centre_id) {
        Ok((actor, client))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Rotate a client's secret: the old one stops working at once.
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The new secret; keep it now", body = ClientWithSecretResponse),
        (status = 403, description = "Not a network admin or coordinator, or (a network admin) the client is a centre's that reads its families: its coordinator rotates it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client the caller manages", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client is revoked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/integration-clients/{id}/rotate-secret")]
pub async fn rotate_integration_client_secret(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<web::Json<ClientWithSecretResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let (actor, client) = managed_client(&mut conn, &caller, id).await?;
    // Whoever holds the new secret reads what the client reads: the rule
    // for giving its scopes (a network admin no centre's family scopes).
    if !may_create_client(actor, client.centre_id, &client.scopes) {
        return Err(ApiError::Forbidden);
    }
    if client.revoked_at.is_some() {
        return Err(ApiError::Conflict("the client is revoked".into()));
    }
    let secret = random_token()?;
    let hash = token_hash(&secret);
    let centre = client.centre_id;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        repo::set_client_secret(conn, id, hash).await?;
        audit::record(
            conn,
            Event::new(&caller, "rotate_secret", "integration_client")
                .resource(id)
                .centre(centre),
        )
        .await
    })
    .await?;
    Ok(web::Json(ClientWithSecretResponse {
        client: client.into(),
        client_secret: secret,
    }))
}

/// Revoke a client: its tokens stop working at once and it can get no more.
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = "The client's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not a network admin or coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client the caller manages", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/integration-clients/{id}/revoke")]
pub async fn revoke_integration_client(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let (_, client) = managed_client(&mut conn, &caller, id).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        repo::revoke_client(conn, id).await?;
        audit::record(
            conn,
            Event::new(&caller, "revoke", "integration_client")
                .resource(id)
                .centre(client.centre_id),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
