//! The caller's own account.

use actix_web::{get, web};

use super::dto::UserResponse;
use super::repo as users;
use super::Caller;
use crate::db::Pool;
use crate::error::{ApiError, Problem};

/// The caller's own account.
#[utoipa::path(
    tag = "identity",
    responses(
        (status = 200, description = "The caller", body = UserResponse),
        (status = 403, description = "Integration clients have no account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(
    pool: web::Data<Pool>,
    caller: Caller,
) -> Result<web::Json<UserResponse>, ApiError> {
    let principal = caller.person()?;
    let mut conn = pool.get().await?;
    let user = users::find_user(&mut conn, principal.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(UserResponse::new(
        user,
        principal.centre_ids.clone(),
    )?))
}
