//! The audit trail as network admins and coordinators read it.

use actix_web::{get, web};
use time::OffsetDateTime;

use super::access;
use super::audit_dto::{AuditEventResponse, AuditQuery};
use crate::audit::repo;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::repo as identity_repo;
use crate::identity::Caller;
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::vocabulary::UserId;
use uuid::Uuid;

/// The audit trail, oldest first: network admins see every entry (never
/// naming a parent: a parent's id as actor or subject is left out),
/// coordinators the entries about their centres' records.
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
    cursors: web::Data<CursorKey>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEventResponse>>, ApiError> {
    let scope = access::trail_scope(&caller)?;
    let filter = query.parse()?;
    let page = page
        .into_inner()
        .parse::<OffsetDateTime>(cursors.seal("audit", &filter))?;
    let mut conn = pool.get().await?;
    // A filter on a parent's id (as actor or subject) finds nothing for
    // someone who may not name parents: the rows it would select are the
    // parent's own trail, even with their id left out of each entry.
    if !scope.sees_parents() {
        let named: Vec<UserId> = [
            filter.actor_id,
            filter.resource_id.as_deref().and_then(|r| r.parse().ok()),
        ]
        .into_iter()
        .flatten()
        .map(UserId::from)
        .collect();
        if !identity_repo::parents_among(&mut conn, &named)
            .await?
            .is_empty()
        {
            return Ok(web::Json(Page {
                items: Vec::new(),
                next_cursor: None,
            }));
        }
    }
    let rows = repo::list(&mut conn, &filter, scope.centres(), &page).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |e| Cursor {
            key: e.at,
            id: e.id,
        },
        AuditEventResponse::from,
    );
    if scope.sees_parents() {
        return Ok(web::Json(page));
    }
    // Network admins see no family detail: an entry still says a parent did
    // or was the subject of something, never which parent.
    let mut page = page;
    let subject = |e: &AuditEventResponse| e.resource_id.as_deref()?.parse::<Uuid>().ok();
    let ids: Vec<UserId> = page
        .items
        .iter()
        .flat_map(|e| [e.actor_id, subject(e)])
        .flatten()
        .map(UserId::from)
        .collect();
    let parents = identity_repo::parents_among(&mut conn, &ids).await?;
    let is_parent = |id: Uuid| parents.contains(&UserId::from(id));
    for e in &mut page.items {
        if e.actor_role.as_deref() == Some("parent") || e.actor_id.is_some_and(is_parent) {
            e.actor_id = None;
        }
        if subject(e).is_some_and(is_parent) {
            e.resource_id = None;
        }
    }
    Ok(web::Json(page))
}
