//! Organisations referrers belong to.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use time::OffsetDateTime;

use super::dto::*;
use super::model::Organisation;
use super::repo::{self};
use super::Caller;
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::Role;
use crate::pagination::{Cursor, CursorKey, Page, PageParams};

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
    let name = body.parse()?;
    let request = body.into_inner();
    let mut conn = pool.get().await?;
    let organisation = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let organisation = repo::insert_organisation(
                conn,
                &Organisation {
                    id: crate::vocabulary::OrganisationId::new(),
                    name: name.into_inner(),
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
    cursors: web::Data<CursorKey>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OrganisationResponse>>, ApiError> {
    let page = page
        .into_inner()
        .parse::<String>(cursors.seal("organisations", &()))?;
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
