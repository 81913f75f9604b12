//! The audit trail as network admins and coordinators read it.

use actix_web::{get, web};
use time::OffsetDateTime;

use super::audit_dto::{AuditEventResponse, AuditQuery};
use crate::audit::repo;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::Role;
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
    let user = caller
        .0
        .require_role(&[Role::NetworkAdmin, Role::Coordinator])?;
    let filter = query.parse()?;
    let page = page.into_inner().parse::<OffsetDateTime>()?;
    let centres = (user.role == Role::Coordinator).then_some(user.centre_ids.as_slice());
    let mut conn = pool.get().await?;
    let rows = repo::list(&mut conn, &filter, centres, &page).await?;
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
