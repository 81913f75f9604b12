//! The audit trail as network admins and coordinators read it.

use actix_web::{get, web};
use time::OffsetDateTime;

use super::access;
use super::audit_dto::{AuditEventResponse, AuditQuery};
use crate::audit::repo;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::Caller;
use crate::pagination::{Cursor, Page, PageParams};

/// The audit trail, oldest first: network admins see every entry, coordinators
/// the entries about their centres' records.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery, PageParams),
    responses(
        (status = 200, description = "A page of entries", body = Page<AuditEventResponse>),
        (status = 403, description = "Not a network admin or coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list_audit_events(
    pool: web::Data<Pool>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEventResponse>>, ApiError> {
    let scope = access::trail_scope(&caller)?;
    let filter = query.parse()?;
    let page = page.into_inner().parse::<OffsetDateTime>()?;
    let mut conn = pool.get().await?;
    let rows = repo::list(&mut conn, &filter, scope.centres(), &page).await?;
    Ok(web::Json(Page::from_rows(
        rows,
        &page,
        |e| Cursor {
            key: e.at,
            id: e.id,
        },
        AuditEventResponse::from,
    )))
}
