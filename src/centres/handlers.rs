use actix_web::{get, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use super::dto::{CentreResponse, CentreStatus, CreateCentreRequest};
use super::repo::{self, Centre};
use crate::audit::{self, Event};
use crate::auth::principal::{AuthUser, MaybeAuthUser, Principal};
use crate::auth::roles::{Role, Scope};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::text_enum::parse_column;

fn response(centre: Centre) -> Result<CentreResponse, ApiError> {
    Ok(CentreResponse {
        id: centre.id,
        name: centre.name,
        status: parse_column(&centre.status)?,
    })
}

/// Create a centre (network admins).
#[utoipa::path(
    tag = "centres",
    request_body = CreateCentreRequest,
    responses(
        (status = 201, description = "Created", body = CentreResponse),
        (status = 403, description = "Not a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres")]
pub async fn create_centre(
    pool: web::Data<Pool>,
    caller: AuthUser,
    body: web::Json<CreateCentreRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.0.require_role(&[Role::NetworkAdmin])?;
    body.validate()?;
    let name = body.into_inner().name;
    let mut conn = pool.get().await?;
    let centre = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre = repo::insert(conn, name.trim()).await?;
            audit::record(
                conn,
                Event::new(&caller, "create", "centre")
                    .resource(centre.id)
                    .centre(Some(centre.id)),
            )
            .await?;
            Ok(centre)
        })
        .await?;
    let body = response(centre)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/centres/{}", body.id)))
        .json(body))
}

/// One centre. Anyone sees an active centre; a suspended or closed one only its
/// own coordinators and staff, and network admins.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    responses(
        (status = 200, description = "The centre", body = CentreResponse),
        (status = 401, description = "A bad token was sent", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An integration client without centres:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/centres/{id}")]
pub async fn get_centre(
    pool: web::Data<Pool>,
    caller: MaybeAuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CentreResponse>, ApiError> {
    if let Some(principal) = &caller.0 {
        principal.require_scope(Scope::CentresRead)?;
    }
    let mut conn = pool.get().await?;
    let centre = repo::find(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let visible = parse_column::<CentreStatus>(&centre.status)? == CentreStatus::Active
        || match &caller.0 {
            Some(Principal::User(u)) => {
                u.role == Role::NetworkAdmin || u.centre_ids.contains(&centre.id)
            }
            _ => false,
        };
    if !visible {
        return Err(ApiError::NotFound);
    }
    Ok(web::Json(response(centre)?))
}
