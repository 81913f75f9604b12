//! Venues: where a centre runs its sessions.

use crate::vocabulary::{CentreId, VenueId};
use actix_web::{patch, post, web, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::access::{self, require_manager};
use super::directory::DirectoryCache;
use super::dto::{CreateVenueRequest, UpdateVenueRequest, VenueResponse};
use super::model::LocationSource;
use super::rules::{self, Placement, VenueDraft};
use super::{repo, views};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::Caller;
use crate::postcodes;
use crate::postcodes::repo::Precision;

/// Places a checked venue: its postcode looked up, or the coordinates given.
async fn place(conn: &mut AsyncPgConnection, draft: &mut VenueDraft) -> Result<(), ApiError> {
    match &draft.placement {
        Placement::Unchanged => Ok(()),
        Placement::Postcode(postcode) => {
            let location = postcodes::repo::locate(conn, postcode).await?;
            rules::place(&mut draft.fields, postcode, location)
        }
        Placement::Given {
            postcode,
            latitude,
            longitude,
        } => {
            // A postcode whose own position Code-Point knows places the venue
            // itself; coordinates are for venues it cannot place exactly (no GB
            // postcode, or only its district is known).
            if let Some(p) = postcode {
                let location = postcodes::repo::locate(conn, p).await?;
                if location.is_some_and(|l| l.precision == Precision::Unit) {
                    return Err(ApiError::field(
                        "latitude",
                        "not_allowed",
                        format!("{p} is a known postcode, which places the venue; leave out latitude and longitude"),
                    ));
                }
                draft.fields.postcode = Some(p.to_string());
            }
            draft.fields.latitude = *latitude;
            draft.fields.longitude = *longitude;
            draft.fields.location_source = LocationSource::Given;
            Ok(())
        }
    }
}

/// Add a venue to a centre (its coordinators, or network admins). A GB postcode
/// places it on the map; a venue without one gives latitude and longitude.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = CreateVenueRequest,
    responses(
        (status = 201, description = "Created", body = VenueResponse,
            headers(("Location" = String, description = "The path of the new venue"))),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown postcode (type /problems/unknown-postcode)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres/{id}/venues")]
pub async fn create_venue(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<CreateVenueRequest>,
) -> Result<HttpResponse, ApiError> {
    let centre_id = id.into_inner();
    let mut conn = pool.get().await?;
    let centre = access::visible(
        Some(&caller),
        repo::find_centre(&mut conn, centre_id).await?,
    )?;
    require_manager(&caller, centre.id)?;
    let mut draft = rules::new_venue(body.into_inner())?;
    place(&mut conn, &mut draft).await?;
    let venue = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let venue = repo::insert_venue(conn, centre_id, &draft.fields).await?;
            audit::record(
                conn,
                Event::new(&caller, "create", "venue")
                    .resource(venue.id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(venue)
        })
        .await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    let body = views::venue(venue, access::Viewer::Insider)?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/centres/{centre_id}/venues/{}", body.id),
        ))
        .json(body))
}

/// Change a venue (its centre's coordinators, or network admins). A room still
/// used by a current or future opening session cannot be removed.
#[utoipa::path(
    tag = "centres",
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("venue_id" = Uuid, Path, description = "The venue's id"),
    ),
    request_body = UpdateVenueRequest,
    responses(
        (status = 200, description = "The venue as changed", body = VenueResponse),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre or venue the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An entrance named by contact sessions still to come would be renamed or removed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a room in use, or an unknown postcode", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/centres/{id}/venues/{venue_id}")]
pub async fn update_venue(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    path: web::Path<(CentreId, VenueId)>,
    body: web::Json<UpdateVenueRequest>,
) -> Result<web::Json<VenueResponse>, ApiError> {
    let (centre_id, venue_id) = path.into_inner();
    let body = body.into_inner();
    let mut conn = pool.get().await?;
    let venue = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            // Locked before reading the venue, so that concurrent edits of the
            // centre's venues and slots apply one after the other.
            let centre = access::visible(Some(&caller), repo::lock_centre(conn, centre_id).await?)?;
            require_manager(&caller, centre.id)?;
            let current = repo::find_venue(conn, centre_id, venue_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let mut draft = rules::venue_changes(current, body)?;
            place(conn, &mut draft).await?;
            let today = crate::vocabulary::calendar::uk_today(conn).await?;
            let removed: Vec<String> = repo::rooms_in_use(conn, venue_id, today)
                .await?
                .into_iter()
                .filter(|r| !draft.fields.rooms.iter().flatten().any(|n| n == r))
                .collect();
            if !removed.is_empty() {
                return Err(ApiError::field(
                    "rooms",
                    "in_use",
                    format!(
                        "opening sessions are still held in {}; move or end them first",
                        removed.join(", ")
                    ),
                ));
            }
            let venue = repo::update_venue(conn, venue_id, &draft.fields).await?;
            audit::record(
                conn,
                Event::new(&caller, "update", "venue")
                    .resource(venue_id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(venue)
        })
        .await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    Ok(web::Json(views::venue(venue, access::Viewer::Insider)?))
}
