//! People: invited, listed, read and disabled by those who manage them.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::AsyncConnection;

use super::access::{may_invite, user_scope, visible_user};
use super::accounts::{self, NewAccount};
use super::dto::*;
use super::links::Purpose;
use super::repo::{self};
use super::Caller;
use crate::audit::{self, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::{Role, UserStatus};
use crate::notifications::{self, Template};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::vocabulary::UserId;

/// Invite a person. They receive (through the notifications outbox) a link to
/// choose a password; until then the account is `invited`.
#[utoipa::path(
    tag = "identity",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Invited", body = UserResponse,
            headers(("Location" = String, description = "The path of the new account"))),
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
    let (email, name) = body.parse()?;
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
            let email = email.into_inner();
            let account = NewAccount {
                email: &email,
                name: name.as_str(),
                role: request.role,
                referrer_type: None,
                organisation_id: None,
                centre_ids: &request.centre_ids,
            };
            let context = serde_json::json!({"role": request.role});
            if let Some(parent) = accounts::find_claimed(conn, &email)
                .await?
                .filter(|u| u.role == Role::Parent)
            {
                // A parent's account is family detail the inviter may not
                // see: the answer is the invitation's, and the address's
                // owner hears that it already has an account. (The id in
                // the answer names no account: reading it is a 404.)
                notifications::enqueue(
                    conn,
                    &parent.email,
                    Template::AccountExists,
                    serde_json::json!({"user_id": parent.id}),
                )
                .await?;
                audit::record(conn, Event::new(&caller, "invite", "user").denied()).await?;
                // Stamped by the database as a real invitation is (to the
                // microsecond), so the answer's form says nothing either.
                let now: time::OffsetDateTime = {
                    use diesel::IntoSql;
                    use diesel_async::RunQueryDsl;
                    diesel::select(diesel::dsl::now.into_sql::<diesel::sql_types::Timestamptz>())
                        .get_result(conn)
                        .await?
                };
                let unsent = accounts::as_invited(account, now);
                return UserResponse::new(unsent, request.centre_ids.clone());
            }
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

/// People the caller manages: a network admin sees everyone but parents (whose
/// accounts are family detail), a coordinator the people of their centres.
/// Ordered by email.
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
    cursors: web::Data<CursorKey>,
    caller: Caller,
    query: web::Query<UserQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<UserResponse>>, ApiError> {
    let actor = caller.require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let page = page
        .into_inner()
        .parse::<String>(cursors.seal("users", &query.role))?;
    let scope = user_scope(actor);
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
    let (user, centres) = visible_user(&mut conn, caller.person()?, *id).await?;
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
    let (user, centres) = visible_user(&mut conn, caller.person()?, id).await?;
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

/// Send an invitation again: a fresh link for an account still `invited`
/// (its link expired, or the mail went astray); the last link stops
/// working. Whoever may invite that role into its centres may ask: a network
/// admin for coordinators and admins, a coordinator for the staff of their
/// centres. An account already in use needs no invitation (409).
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 202, description = "A fresh invitation is on its way", body = UserResponse),
        (status = 403, description = "Not allowed to invite this account's role into its centres", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is not waiting for an invitation (already accepted, or disabled)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/invitation")]
pub async fn invite_again(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = caller.person()?.clone();
    let ttl = config.one_time_token_ttl;
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (user, centres) = visible_user(conn, &actor, id).await?;
            if actor.id == id || !may_invite(&actor, user.role, &centres) {
                return Err(ApiError::Forbidden);
            }
            if user.status != UserStatus::Invited {
                return Err(ApiError::Conflict(
                    "the account is not waiting for an invitation".into(),
                ));
            }
            let context = serde_json::json!({"role": user.role});
            accounts::send_link(conn, &user, Purpose::Invitation, ttl, context).await?;
            audit::record(
                conn,
                Event::new(&caller, "invite_again", "user")
                    .resource(id)
                    .centre(centres.first().copied()),
            )
            .await?;
            UserResponse::new(user, centres)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(response))
}
