//! Centres: search, entries, accreditation, status, and the network's counts.

use crate::vocabulary::CentreId;
use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;

use super::access::{self, require_read};
use super::directory::DirectoryCache;
use super::dto::{
    Accreditation, CentreResponse, CentreSearchPage, ChangeCentreStatusRequest,
    CreateCentreRequest, SearchOrigin, UpdateCentreRequest,
};
use super::model::CentreStatus;
use super::search::{CentreSearchParams, Place};
use super::{changes, repo, rules, search, views};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::caching::{json_with_etag, PUBLIC_REVALIDATE};
use crate::identity::roles::Role;
use crate::identity::{Caller, MaybeCaller};
use crate::pagination::CursorKey;
use crate::postcodes;

/// Find a centre: active centres offering `service`, nearest first from a
/// `postcode` (or district) or `lat`/`lon`, each with its nearest venue and the
/// distance in km; alphabetical without a location. Public: no token needed,
/// no personal data shown. Answers carry an `ETag`; send it back in
/// `If-None-Match` to get `304 Not Modified`. Postcode positions: contains OS
/// data © Crown copyright and database right 2025; contains Royal Mail data ©
/// Royal Mail copyright and database right 2025.
#[utoipa::path(
    tag = "centres",
    params(CentreSearchParams),
    responses(
        (status = 200, description = "A page of centres", body = CentreSearchPage,
            headers(("ETag" = String, description = "A tag of this answer, for If-None-Match"))),
        (status = 304, description = "The tag sent in If-None-Match is still current"),
        (status = 403, description = "An integration client without centres:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad parameter, or a well-formed postcode that is not known (type /problems/unknown-postcode)", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("oauth2" = ["centres:read"]))
)]
#[get("/centres")]
pub async fn list_centres(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    cursors: web::Data<CursorKey>,
    caller: MaybeCaller,
    req: HttpRequest,
    query: web::Query<CentreSearchParams>,
) -> Result<HttpResponse, ApiError> {
    require_read(caller.principal())?;
    let search = query.into_inner().parse(&cursors)?;
    let origin = match &search.place {
        None => None,
        Some(Place::Point {
            latitude,
            longitude,
        }) => Some(SearchOrigin {
            postcode: None,
            precision: None,
            latitude: *latitude,
            longitude: *longitude,
        }),
        Some(Place::Postcode(postcode)) => {
            let mut conn = pool.get().await?;
            let location = postcodes::repo::locate(&mut conn, postcode)
                .await?
                .ok_or_else(|| crate::postcodes::unknown_postcode(&postcode.to_string(), false))?;
            Some(SearchOrigin {
                postcode: Some(location.postcode),
                precision: Some(location.precision),
                latitude: location.latitude,
                longitude: location.longitude,
            })
        }
    };
    let point = origin.as_ref().map(|o| (o.latitude, o.longitude));
    let (snapshot, today) = directory.current(&pool).await?;
    let (items, next_cursor) = search::run(&snapshot, today, &search, point);
    let page = CentreSearchPage {
        items,
        next_cursor,
        origin,
        attribution: postcodes::ATTRIBUTION,
    };
    json_with_etag(&req, &page, PUBLIC_REVALIDATE)
}

/// Create a centre (network admins). It starts active, with no venues.
#[utoipa::path(
    tag = "centres",
    request_body = CreateCentreRequest,
    responses(
        (status = 201, description = "Created", body = CentreResponse,
            headers(("Location" = String, description = "The path of the new centre"))),
        (status = 403, description = "Not a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres")]
pub async fn create_centre(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    body: web::Json<CreateCentreRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_role(&[Role::NetworkAdmin])?;
    let new = rules::new_centre(body.into_inner(), false)?;
    let mut conn = pool.get().await?;
    let centre = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre = repo::insert_centre(conn, &new).await?;
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
    // Search on this instance sees the change at once.
    directory.invalidate();
    let body = views::centre(centre, Vec::new(), access::Viewer::Insider)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/centres/{}", body.id)))
        .json(body))
}

/// One centre with its venues. Anyone sees an active centre; a suspended or
/// closed one only its own coordinators and staff, and network admins, who also
/// see room names and why it is suspended or closed.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    responses(
        (status = 200, description = "The centre", body = CentreResponse),
        (status = 403, description = "An integration client without centres:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("oauth2" = ["centres:read"]))
)]
#[get("/centres/{id}")]
pub async fn get_centre(
    pool: web::Data<Pool>,
    caller: MaybeCaller,
    id: web::Path<CentreId>,
) -> Result<web::Json<CentreResponse>, ApiError> {
    require_read(caller.principal())?;
    let mut conn = pool.get().await?;
    let centre = access::visible(caller.principal(), repo::find_centre(&mut conn, *id).await?)?;
    let venues = repo::venues_of(&mut conn, centre.id).await?;
    let viewer = access::viewer(caller.principal(), centre.id);
    Ok(web::Json(views::centre(centre, venues, viewer)?))
}

/// Change a centre's entry (its coordinators, or network admins). A service
/// still offered by a current or future opening session cannot be withdrawn.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = UpdateCentreRequest,
    responses(
        (status = 200, description = "The centre as changed", body = CentreResponse),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a service still in use", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/centres/{id}")]
pub async fn update_centre(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<UpdateCentreRequest>,
) -> Result<web::Json<CentreResponse>, ApiError> {
    let id = id.into_inner();
    let (changes, services) = rules::centre_changes(body.into_inner())?;
    let mut conn = pool.get().await?;
    let body = changes::update(&mut conn, &caller, id, changes, services).await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    Ok(web::Json(body))
}

/// Record a centre's accreditation (network admins): body, status, dates.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = Accreditation,
    responses(
        (status = 200, description = "The centre as changed", body = CentreResponse),
        (status = 403, description = "Not a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/centres/{id}/accreditation")]
pub async fn update_accreditation(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<Accreditation>,
) -> Result<web::Json<CentreResponse>, ApiError> {
    caller.require_role(&[Role::NetworkAdmin])?;
    let id = id.into_inner();
    let changes = rules::accreditation_changes(&body)?;
    let mut conn = pool.get().await?;
    let body = changes::accredit(&mut conn, &caller, id, changes).await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    Ok(web::Json(body))
}

/// Suspend, close or reinstate a centre (network admins). Suspending or
/// closing takes a reason; a closed centre stays closed. Only active centres
/// are public or found by search.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = ChangeCentreStatusRequest,
    responses(
        (status = 200, description = "The centre as changed", body = CentreResponse),
        (status = 403, description = "Not a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The centre cannot go from its status to this one", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a reason is required to suspend or close)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres/{id}/status")]
pub async fn change_centre_status(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<ChangeCentreStatusRequest>,
) -> Result<web::Json<CentreResponse>, ApiError> {
    caller.require_role(&[Role::NetworkAdmin])?;
    body.check()?;
    let id = id.into_inner();
    let ChangeCentreStatusRequest { status, reason } = body.into_inner();
    let reason = reason.map(|r| r.trim().to_owned());
    if status != CentreStatus::Active && reason.is_none() {
        return Err(ApiError::field(
            "reason",
            "required",
            "say why the centre is suspended or closed",
        ));
    }
    let mut conn = pool.get().await?;
    let body = changes::change_status(&mut conn, &caller, id, status, reason).await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    Ok(web::Json(body))
}
