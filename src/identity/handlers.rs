//! People, organisations and integration clients.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use time::OffsetDateTime;
use validator::Validate;

use super::accounts::{self, NewAccount};
use super::dto::*;
use super::links::Purpose;
use super::model::Organisation;
use super::repo::{self, NewClient, UserScope};
use super::Caller;
use crate::audit::{self, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::{Role, UserStatus};
use crate::identity::secrets::{random_token, token_hash};
use crate::pagination::{Cursor, Page, PageParams};
use crate::vocabulary::{CentreId, ClientId, UserId};

/// May `actor` invite a person with `role` into `centres`? A network admin
/// invites network admins and coordinators; a coordinator invites staff into
/// centres they run themselves. Referrers register themselves and parents are
/// invited from referrals.
fn may_invite(actor: &crate::identity::UserPrincipal, role: Role, centres: &[CentreId]) -> bool {
    match (actor.role, role) {
        (Role::NetworkAdmin, Role::NetworkAdmin | Role::Coordinator) => true,
        (Role::Coordinator, Role::Staff) => centres.iter().all(|c| actor.centre_ids.contains(c)),
        _ => false,
    }
}

/// Invite a person. They receive (through the notifications outbox) a link to
/// choose a password; until then the account is `invited`.
#[utoipa::path(
    tag = "identity",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Invited", body = UserResponse),
        (status = 403, description = "Not allowed to invite this role into these centres", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email already has an account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown centre", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    caller: Caller,
    body: web::Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.person()?.clone();
    body.validate()?;
    let mut request = body.into_inner();
    request.centre_ids.sort();
    request.centre_ids.dedup();
    if !may_invite(&actor, request.role, &request.centre_ids) {
        return Err(ApiError::Forbidden);
    }
    let needs_centres = matches!(request.role, Role::Coordinator | Role::Staff);
    if needs_centres == request.centre_ids.is_empty() {
        return Err(ApiError::field(
            "centre_ids",
            "centres",
            if needs_centres {
                "coordinators and staff belong to at least one centre"
            } else {
                "only coordinators and staff belong to centres"
            },
        ));
    }
    let ttl = config.one_time_token_ttl;
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let email = repo::normalise_email(&request.email);
            let account = NewAccount {
                email: &email,
                name: request.name.trim(),
                role: request.role,
                referrer_type: None,
                organisation_id: None,
                centre_ids: &request.centre_ids,
            };
            let context = serde_json::json!({"role": request.role});
            let user = accounts::open(conn, account, Purpose::Invitation, ttl, context).await?;
            audit::record(
                conn,
                Event::new(&caller, "invite", "user")
                    .resource(user.id)
                    .centre(request.centre_ids.first().copied()),
            )
            .await?;
            UserResponse::new(user, request.centre_ids.clone())
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", response.id)))
        .json(response))
}

/// People the caller manages: a network admin sees everyone, a coordinator the
/// people of their centres. Ordered by email.
#[utoipa::path(
    tag = "identity",
    params(UserQuery, PageParams),
    responses(
        (status = 200, description = "A page of users", body = Page<UserResponse>),
        (status = 403, description = "Not a network admin or coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    pool: web::Data<Pool>,
    caller: Caller,
    query: web::Query<UserQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<UserResponse>>, ApiError> {
    let actor = caller
        .0
        .require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let page = page.into_inner().parse::<String>()?;
    let scope = match actor.role {
        Role::NetworkAdmin => UserScope::All,
        _ => UserScope::Centres(&actor.centre_ids),
    };
    let mut conn = pool.get().await?;
    let rows = repo::list_users(&mut conn, scope, query.role, &page).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |u| Cursor {
            key: u.email.clone(),
            id: u.id.into(),
        },
        |u| u,
    );
    let ids: Vec<UserId> = page.items.iter().map(|u| u.id).collect();
    let mut centres = repo::centre_ids_of_many(&mut conn, &ids).await?;
    Ok(web::Json(Page {
        items: page
            .items
            .into_iter()
            .map(|u| {
                let c = centres.remove(&u.id).unwrap_or_default();
                UserResponse::new(u, c)
            })
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    }))
}

/// Loads a user the caller may see: themselves, anyone for a network admin, the
/// people of their centres for a coordinator. Anyone else's id is a 404.
async fn visible_user(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: UserId,
) -> Result<(super::model::User, Vec<CentreId>), ApiError> {
    let actor = caller.person()?;
    let user = repo::find_user(conn, id).await?.ok_or(ApiError::NotFound)?;
    let centres = repo::centre_ids_of(conn, id).await?;
    let visible = actor.id == id
        || actor.role == Role::NetworkAdmin
        || (actor.role == Role::Coordinator
            && centres.iter().any(|c| actor.centre_ids.contains(c)));
    if visible {
        Ok((user, centres))
    } else {
        Err(ApiError::NotFound)
    }
}

/// One person's account.
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 403, description = "Integration clients cannot read people", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let mut conn = pool.get().await?;
    let (user, centres) = visible_user(&mut conn, &caller, *id).await?;
    Ok(web::Json(UserResponse::new(user, centres)?))
}

/// Disable an account: its tokens stop working at once and its refresh tokens
/// are revoked. A network admin disables anyone but themselves; a coordinator
/// the staff of their centres.
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Disabled", body = UserResponse),
        (status = 403, description = "Not allowed to disable this account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/disable")]
pub async fn disable_user(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let (user, centres) = visible_user(&mut conn, &caller, id).await?;
    let actor = caller.person()?;
    let target_role: Role = user.role;
    let allowed = actor.id != id
        && match actor.role {
            Role::NetworkAdmin => true,
            Role::Coordinator => target_role == Role::Staff,
            _ => false,
        };
    if !allowed {
        return Err(ApiError::Forbidden);
    }
    let mut user = user;
    let user = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            repo::set_status(conn, id, UserStatus::Disabled).await?;
            super::refresh_tokens::revoke_all_refresh_tokens(conn, id).await?;
            audit::record(
                conn,
                Event::new(&caller, "disable", "user")
                    .resource(id)
                    .centre(centres.first().copied()),
            )
            .await?;
            user.status = UserStatus::Disabled;
            UserResponse::new(user, centres)
        })
        .await?;
    Ok(web::Json(user))
}

/// Register an organisation that referrers belong to (network admins).
#[utoipa::path(
    tag = "identity",
    request_body = CreateOrganisationRequest,
    responses(
        (status = 201, description = "Created", body = OrganisationResponse),
        (status = 403, description = "Not a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organisations")]
pub async fn create_organisation(
    pool: web::Data<Pool>,
    caller: Caller,
    body: web::Json<CreateOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_role(&[Role::NetworkAdmin])?;
    body.validate()?;
    let request = body.into_inner();
    let mut conn = pool.get().await?;
    let organisation = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let organisation = repo::insert_organisation(
                conn,
                &Organisation {
                    id: crate::vocabulary::OrganisationId::new(),
                    name: request.name.trim().to_owned(),
                    kind: request.kind,
                    email_domain: request.email_domain,
                    created_at: OffsetDateTime::now_utc(),
                },
            )
            .await?;
            audit::record(
                conn,
                Event::new(&caller, "create", "organisation").resource(organisation.id),
            )
            .await?;
            OrganisationResponse::try_from(organisation)
        })
        .await?;
    Ok(HttpResponse::Created().json(organisation))
}

/// Organisations, by name. Public: a referrer picks theirs when registering.
#[utoipa::path(
    tag = "identity",
    params(PageParams),
    responses(
        (status = 200, description = "A page of organisations", body = Page<OrganisationResponse>),
        (status = 422, description = "Bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/organisations")]
pub async fn list_organisations(
    pool: web::Data<Pool>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OrganisationResponse>>, ApiError> {
    let page = page.into_inner().parse::<String>()?;
    let mut conn = pool.get().await?;
    let rows = repo::list_organisations(&mut conn, &page).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |o| Cursor {
            key: o.name.clone(),
            id: o.id.into(),
        },
        |o| o,
    );
    Ok(web::Json(Page {
        items: page
            .items
            .into_iter()
            .map(OrganisationResponse::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    }))
}

/// May the caller manage a client bound to this organisation or centre? Network
/// admins any; coordinators only clients of their own centres.
fn may_manage_client(actor: &crate::identity::UserPrincipal, centre_id: Option<CentreId>) -> bool {
    match actor.role {
        Role::NetworkAdmin => true,
        Role::Coordinator => centre_id.is_some_and(|c| actor.centre_ids.contains(&c)),
        _ => false,
    }
}

/// Register an integration client. The secret is in this answer only.
#[utoipa::path(
    tag = "identity",
    request_body = CreateClientRequest,
    responses(
        (status = 201, description = "Registered; keep the secret now", body = ClientWithSecretResponse),
        (status = 403, description = "Not allowed to register a client for this organisation or centre", body = Problem, content_type = "application/problem+json"),
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
        .0
        .require_role(&[Role::NetworkAdmin, Role::Coordinator])?
        .clone();
    body.validate()?;
    let request = body.into_inner();
    if request.organisation_id.is_some() == request.centre_id.is_some() {
        return Err(ApiError::field(
            "organisation_id",
            "binding",
            "give exactly one of organisation_id and centre_id",
        ));
    }
    if !may_manage_client(&actor, request.centre_id) {
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
                    name: request.name.trim(),
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
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ClientResponse>>, ApiError> {
    let actor = caller
        .0
        .require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let page = page.into_inner().parse::<OffsetDateTime>()?;
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

/// Loads a client the caller may manage; anyone else's is a 404.
async fn managed_client(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: ClientId,
) -> Result<super::model::IntegrationClient, ApiError> {
    let actor = caller
        .0
        .require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let client = repo::find_client(conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if may_manage_client(actor, client.centre_id) {
        Ok(client)
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
        (status = 403, description = "Not a network admin or coordinator", body = Problem, content_type = "application/problem+json"),
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
    let client = managed_client(&mut conn, &caller, id).await?;
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
    let client = managed_client(&mut conn, &caller, id).await?;
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
