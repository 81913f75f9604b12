//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{get, web, HttpResponse};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, Problem};

/// The state of this instance.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` while the process serves.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Is the process alive? Answers without touching the database.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is up", body = Health)),
    security(())
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Can this instance serve requests? 200 when the database answers, 503 when it
/// does not. The instance keeps running and becomes ready again by itself when
/// the database comes back. The question goes through the pool of the worker
/// that answers, as a request's queries would: a worker whose connections are
/// all busy past `DB_TIMEOUT_MS` says 503.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database does not answer", body = Problem,
            content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/ready")]
pub async fn ready(
    pool: web::Data<Pool>,
    config: web::Data<Config>,
) -> Result<HttpResponse, ApiError> {
    let check = async {
        let mut conn = pool.get().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        Ok::<_, ApiError>(())
    };
    match tokio::time::timeout(config.db_timeout, check).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(Health { status: "ok" })),
        Ok(Err(ApiError::Internal(e))) => Err(ApiError::Unavailable(e.message)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(ApiError::Unavailable(
            "database did not answer in time".into(),
        )),
    }
}
