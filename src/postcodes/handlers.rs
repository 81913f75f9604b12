use actix_web::{get, web, HttpRequest, HttpResponse};

use super::dto::PostcodeResponse;
use super::{parse, repo};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::http::caching::{json_with_etag, PUBLIC_ONE_DAY};

/// Where a Great Britain postcode or postcode district is: its British National
/// Grid reference and WGS84 latitude and longitude. Public. Typed forms are
/// accepted (`ca11aa`, ` CA1 1AA `); an outward code alone (`CA1`) gives the
/// district's centroid. Contains OS data © Crown copyright and database right
/// 2025; contains Royal Mail data © Royal Mail copyright and database right 2025.
#[utoipa::path(
    tag = "postcodes",
    params(("postcode" = String, Path, description = "A postcode or outward code, in any case and spacing", example = "CA1 1AA",
        pattern = "^\\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\\s*([0-9][A-Za-z]{2})?\\s*$")),
    responses(
        (status = 200, description = "Where it is", body = PostcodeResponse,
            headers(("ETag" = String, description = "A tag of this answer, for If-None-Match"))),
        (status = 304, description = "The tag sent in If-None-Match is still current"),
        (status = 404, description = "Well-formed, but not a known postcode or district (type /problems/unknown-postcode)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a postcode", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/postcodes/{postcode}")]
pub async fn get_postcode(
    pool: web::Data<Pool>,
    req: HttpRequest,
    postcode: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let postcode =
        parse(&postcode).map_err(|e| ApiError::field("postcode", "postcode", e.to_string()))?;
    let mut conn = pool.get().await?;
    let location = repo::locate(&mut conn, &postcode)
        .await?
        .ok_or_else(|| crate::postcodes::unknown_postcode(&postcode.to_string(), true))?;
    json_with_etag(&req, &PostcodeResponse::from(location), PUBLIC_ONE_DAY)
}
