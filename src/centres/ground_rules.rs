//! A centre's ground rules, versioned: what every party agrees to before
//! contact starts (no discussing the case in front of the child, no gifts
//! without the centre's agreement, arrive and leave at your own times...).
//! A published version is never changed; publishing a new one means each
//! party agrees again (`referrals::agreements`).
//!
//! Anyone who may read the centre reads its rules; its coordinators and
//! network admins publish them.

use actix_web::{get, post, web, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::access::{self, require_manager, require_read};
use super::repo;
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::{Caller, MaybeCaller, Principal};
use crate::schema::ground_rules;
use crate::validation::FieldErrors;
use crate::vocabulary::{CentreId, UserId};

/// One published version of a centre's ground rules.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ground_rules)]
pub struct GroundRules {
    pub centre_id: CentreId,
    pub version: i32,
    pub text: String,
    pub published_by: Option<UserId>,
    pub published_at: OffsetDateTime,
}

/// The version in force at a centre, if it has published any.
pub async fn current(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
) -> Result<Option<GroundRules>, ApiError> {
    Ok(ground_rules::table
        .filter(ground_rules::centre_id.eq(centre_id))
        .order(ground_rules::version.desc())
        .select(GroundRules::as_select())
        .first(conn)
        .await
        .optional()?)
}

async fn version_of(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    version: i32,
) -> Result<Option<GroundRules>, ApiError> {
    Ok(ground_rules::table
        .find((centre_id, version))
        .select(GroundRules::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Publishes the next version (under the centre's row lock, so two
/// publications never take one number).
pub async fn publish(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    text: String,
    by: Option<UserId>,
) -> Result<GroundRules, ApiError> {
    repo::lock_centre(conn, centre_id).await?;
    let next = current(conn, centre_id).await?.map_or(1, |g| g.version + 1);
    let rules = GroundRules {
        centre_id,
        version: next,
        text,
        published_by: by,
        published_at: OffsetDateTime::now_utc(),
    };
    diesel::insert_into(ground_rules::table)
        .values(&rules)
        .execute(conn)
        .await?;
    Ok(rules)
}

/// New ground rules for a centre.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"text": "Arrive and leave at the times given to you. Do not discuss the case or the other parent in front of the children. Gifts and food only as agreed with the coordinator. Photographs only with the other parent's written consent. Staff may end a session that is not in the children's interests."}))]
pub struct GroundRulesRequest {
    /// The rules, as the parties will read and agree them.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub text: String,
}

/// A version of a centre's ground rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroundRulesResponse {
    /// The centre.
    pub centre_id: uuid::Uuid,
    /// The version: each party agrees the current one.
    pub version: i32,
    /// The rules.
    pub text: String,
    /// When this version was published.
    #[schema(format = DateTime)]
    pub published_at: String,
}

impl From<GroundRules> for GroundRulesResponse {
    fn from(g: GroundRules) -> Self {
        Self {
            centre_id: g.centre_id.into(),
            version: g.version,
            text: g.text,
            published_at: g
                .published_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }
    }
}

/// The centre, if the caller may read it (404 otherwise).
async fn readable(
    conn: &mut AsyncPgConnection,
    caller: Option<&Principal>,
    centre_id: CentreId,
) -> Result<(), ApiError> {
    require_read(caller)?;
    access::visible(caller, repo::find_centre(conn, centre_id).await?)?;
    Ok(())
}

/// The ground rules in force at a centre: what each party agrees before
/// contact starts.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    responses(
        (status = 200, description = "The current version", body = GroundRulesResponse),
        (status = 403, description = "A client without `centres:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre, or it has published no ground rules yet", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("oauth2" = ["centres:read"]))
)]
#[get("/centres/{id}/ground-rules")]
pub async fn get_ground_rules(
    pool: web::Data<Pool>,
    caller: MaybeCaller,
    id: web::Path<CentreId>,
) -> Result<web::Json<GroundRulesResponse>, ApiError> {
    let mut conn = pool.get().await?;
    readable(&mut conn, caller.principal(), *id).await?;
    let rules = current(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(web::Json(rules.into()))
}

/// One version of a centre's ground rules, as a party agreed it.
#[utoipa::path(
    tag = "centres",
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("version" = i32, Path, minimum = 1, description = "The version"),
    ),
    responses(
        (status = 200, description = "That version", body = GroundRulesResponse),
        (status = 403, description = "A client without `centres:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre or version", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("oauth2" = ["centres:read"]))
)]
#[get("/centres/{id}/ground-rules/versions/{version}")]
pub async fn get_ground_rules_version(
    pool: web::Data<Pool>,
    caller: MaybeCaller,
    path: web::Path<(CentreId, i32)>,
) -> Result<web::Json<GroundRulesResponse>, ApiError> {
    let (id, version) = path.into_inner();
    let mut conn = pool.get().await?;
    readable(&mut conn, caller.principal(), id).await?;
    let rules = version_of(&mut conn, id, version)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(rules.into()))
}

/// Its coordinators (or a network admin) publish a new version of a centre's
/// ground rules. Every party agrees the new version before their next
/// contact is arranged.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = GroundRulesRequest,
    responses(
        (status = 201, description = "Published", body = GroundRulesResponse,
            headers(("Location" = String, description = "The new version's path"))),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres/{id}/ground-rules")]
pub async fn publish_ground_rules(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<GroundRulesRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let text = errors.text("text", &body.text, 1, 20000);
    errors.finish(())?;
    let centre_id = id.into_inner();
    let mut conn = pool.get().await?;
    let rules = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            access::visible(Some(&caller), repo::find_centre(conn, centre_id).await?)?;
            require_manager(&caller, centre_id)?;
            let by = match &*caller {
                Principal::User(u) => Some(u.id),
                Principal::Client(_) => None,
            };
            let rules = publish(conn, centre_id, text, by).await?;
            audit::record(
                conn,
                Event::new(&caller, "publish_ground_rules", "centre")
                    .resource(centre_id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(rules)
        })
        .await?;
    let location = format!(
        "/api/v1/centres/{centre_id}/ground-rules/versions/{}",
        rules.version
    );
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(GroundRulesResponse::from(rules)))
}
