//! When a centre opens: weekly opening sessions, closures, and the dated
//! openings that follow from them.
//!
//! Eight short routes (slots, closures, openings), each an extract-check-call-answer.

use crate::vocabulary::{CentreId, ClosureId, OpeningSessionId, VenueId};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use time::Duration;
use utoipa::IntoParams;

use super::access::{self, require_insider, require_manager, require_read};
use super::directory::DirectoryCache;
use super::dto::{
    ClosureResponse, CreateClosureRequest, CreateOpeningSessionRequest, OpeningResponse,
    OpeningSessionResponse, OpeningsResponse, UpdateOpeningSessionRequest,
};
use super::model::{Centre, Closure, OpeningSession, OpeningSessionFields};
use super::openings::{self, MAX_DAYS};
use super::rules::{self, SlotContext};
use super::{repo, views};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::caching::{json_with_etag, PUBLIC_REVALIDATE};
use crate::identity::{Caller, MaybeCaller, Principal};
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::vocabulary::calendar::{format_date, format_time, parse_date};
use crate::vocabulary::Weekday;

/// The centre, if the caller may manage it (404 if they may not see it).
async fn managed_centre(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    centre_id: CentreId,
) -> Result<Centre, ApiError> {
    let centre = access::visible(Some(caller), repo::lock_centre(conn, centre_id).await?)?;
    require_manager(caller, centre.id)?;
    Ok(centre)
}

/// What a slot is checked against: the centre's services, the rooms of its
/// venue (which must be the centre's), and today's date.
async fn check_slot_context(
    conn: &mut AsyncPgConnection,
    centre: &Centre,
    venue_id: VenueId,
) -> Result<(Vec<crate::vocabulary::ServiceType>, Vec<String>, time::Date), ApiError> {
    let venue = repo::find_venue(conn, centre.id, venue_id)
        .await?
        .ok_or_else(|| {
            ApiError::field("venue_id", "unknown_venue", "is not a venue of this centre")
        })?;
    Ok((
        centre.services.clone(),
        rules::room_names(&venue),
        crate::vocabulary::calendar::uk_today(conn).await?,
    ))
}

fn refuse_clash(
    slot: &OpeningSessionFields,
    existing: &[super::model::OpeningSession],
    except: Option<crate::vocabulary::OpeningSessionId>,
) -> Result<(), ApiError> {
    match rules::clash(slot, existing, except) {
        Some(other) => Err(rules::clash_error(other)),
        None => Ok(()),
    }
}

/// A centre's weekly opening sessions, with rooms and capacities (its own
/// coordinators and staff, and network admins).
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id"), PageParams),
    responses(
        (status = 200, description = "A page of the weekly slots, current, past and future, by weekday and start time", body = Page<OpeningSessionResponse>),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the centre's people or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/centres/{id}/opening-sessions")]
pub async fn list_opening_sessions(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<CentreId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OpeningSessionResponse>>, ApiError> {
    let page = page
        .into_inner()
        .parse::<(i16, u32)>(cursors.seal("opening-sessions", &*id))?;
    let mut conn = pool.get().await?;
    let centre = access::visible(Some(&caller), repo::find_centre(&mut conn, *id).await?)?;
    require_insider(&caller, centre.id)?;
    let mut sessions = repo::opening_sessions_of(&mut conn, centre.id, None).await?;
    let cursor = |s: &OpeningSession| Cursor {
        key: (
            s.weekday,
            u32::from(s.starts_at.hour()) * 60 + u32::from(s.starts_at.minute()),
        ),
        id: s.id.into(),
    };
    sessions.sort_by(|a, b| {
        let (a, b) = (cursor(a), cursor(b));
        (a.key, a.id).cmp(&(b.key, b.id))
    });
    let page = Page::of_sorted(sessions, &page, cursor, |s| s);
    Ok(web::Json(Page {
        items: page
            .items
            .into_iter()
            .map(views::opening_session)
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    }))
}

/// Add a weekly opening session at one of the centre's venues (its coordinators,
/// or network admins). The room must be free at that time, the services offered
/// by the centre, the end after the start.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = CreateOpeningSessionRequest,
    responses(
        (status = 201, description = "Created", body = OpeningSessionResponse,
            headers(("Location" = String, description = "The path of the new weekly slot"))),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the room is taken at that time (code overlap)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres/{id}/opening-sessions")]
pub async fn create_opening_session(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<CreateOpeningSessionRequest>,
) -> Result<HttpResponse, ApiError> {
    let centre_id = id.into_inner();
    let body = body.into_inner();
    let mut conn = pool.get().await?;
    let session = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre = managed_centre(conn, &caller, centre_id).await?;
            let (services, rooms, today) = check_slot_context(conn, &centre, body.venue_id).await?;
            let ctx = SlotContext {
                centre_services: &services,
                venue_rooms: &rooms,
                today,
            };
            let slot = rules::new_opening_session(body, &ctx)?;
            let existing = repo::opening_sessions_of(conn, centre_id, None).await?;
            refuse_clash(&slot, &existing, None)?;
            let session = repo::insert_opening_session(conn, centre_id, &slot).await?;
            audit::record(
                conn,
                Event::new(&caller, "create", "opening_session")
                    .resource(session.id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(session)
        })
        .await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    let body = views::opening_session(session)?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/centres/{centre_id}/opening-sessions/{}", body.id),
        ))
        .json(body))
}

/// Change a weekly opening session; to stop it, set `effective_to`.
#[utoipa::path(
    tag = "centres",
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("session_id" = Uuid, Path, description = "The opening session's id"),
    ),
    request_body = UpdateOpeningSessionRequest,
    responses(
        (status = 200, description = "The slot as changed", body = OpeningSessionResponse),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre or slot the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the room is taken at that time (code overlap)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/centres/{id}/opening-sessions/{session_id}")]
pub async fn update_opening_session(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    path: web::Path<(CentreId, OpeningSessionId)>,
    body: web::Json<UpdateOpeningSessionRequest>,
) -> Result<web::Json<OpeningSessionResponse>, ApiError> {
    let (centre_id, session_id) = path.into_inner();
    let body = body.into_inner();
    let mut conn = pool.get().await?;
    let session = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let centre = managed_centre(conn, &caller, centre_id).await?;
            let current = repo::find_opening_session(conn, centre_id, session_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let (services, rooms, today) =
                check_slot_context(conn, &centre, current.venue_id).await?;
            let ctx = SlotContext {
                centre_services: &services,
                venue_rooms: &rooms,
                today,
            };
            let slot = rules::opening_session_changes(&current, body, &ctx)?;
            let existing = repo::opening_sessions_of(conn, centre_id, None).await?;
            refuse_clash(&slot, &existing, Some(session_id))?;
            let session = repo::update_opening_session(conn, session_id, &slot).await?;
            audit::record(
                conn,
                Event::new(&caller, "update", "opening_session")
                    .resource(session_id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(session)
        })
        .await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    Ok(web::Json(views::opening_session(session)?))
}

/// Remove a weekly opening session entered by mistake (to stop one that has
/// run, set its `effective_to` instead, which keeps its history). One with
/// contact sessions booked in it is never removed (409, listing the dates
/// still to come): ending it with `effective_to` cancels those after that
/// day, with notice to each family.
#[utoipa::path(
    tag = "centres",
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("session_id" = Uuid, Path, description = "The opening session's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre or slot the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Contact sessions are booked in it (the dates still to come are listed): end it with `effective_to` instead", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/centres/{id}/opening-sessions/{session_id}")]
pub async fn delete_opening_session(
    pool: web::Data<Pool>,
    directory: web::Data<DirectoryCache>,
    caller: Caller,
    path: web::Path<(CentreId, OpeningSessionId)>,
) -> Result<HttpResponse, ApiError> {
    let (centre_id, session_id) = path.into_inner();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        managed_centre(conn, &caller, centre_id).await?;
        if !repo::delete_opening_session(conn, centre_id, session_id).await? {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Event::new(&caller, "delete", "opening_session")
                .resource(session_id)
                .centre(Some(centre_id)),
        )
        .await
    })
    .await?;
    // Search on this instance sees the change at once.
    directory.invalidate();
    Ok(HttpResponse::NoContent().finish())
}

/// A centre's closures, by start date (its own people, and network admins).
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id"), PageParams),
    responses(
        (status = 200, description = "A page of the closures, by start date", body = Page<ClosureResponse>),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the centre's people or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/centres/{id}/closures")]
pub async fn list_closures(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    id: web::Path<CentreId>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ClosureResponse>>, ApiError> {
    let page = page
        .into_inner()
        .parse::<i32>(cursors.seal("closures", &*id))?;
    let mut conn = pool.get().await?;
    let centre = access::visible(Some(&caller), repo::find_centre(&mut conn, *id).await?)?;
    require_insider(&caller, centre.id)?;
    // Read by start date and id, the cursor's order.
    let closures = repo::closures_of(&mut conn, centre.id, None).await?;
    let cursor = |c: &Closure| Cursor {
        key: c.starts_on.to_julian_day(),
        id: c.id.into(),
    };
    Ok(web::Json(Page::of_sorted(
        closures,
        &page,
        cursor,
        views::closure,
    )))
}

/// Close a venue, or the whole centre (no `venue_id`), for a day or a range:
/// bank holidays, ad hoc closures. Dated openings leave those days out.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = CreateClosureRequest,
    responses(
        (status = 201, description = "Created", body = ClosureResponse,
            headers(("Location" = String, description = "The path of the new closure"))),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/centres/{id}/closures")]
pub async fn create_closure(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<CentreId>,
    body: web::Json<CreateClosureRequest>,
) -> Result<HttpResponse, ApiError> {
    let centre_id = id.into_inner();
    let body = body.into_inner();
    let mut conn = pool.get().await?;
    let closure = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            managed_centre(conn, &caller, centre_id).await?;
            let venue_ok = match body.venue_id {
                Some(venue_id) => repo::find_venue(conn, centre_id, venue_id).await?.is_some(),
                None => true,
            };
            let closure = rules::new_closure(centre_id, body, venue_ok)?;
            let closure = repo::insert_closure(conn, &closure).await?;
            audit::record(
                conn,
                Event::new(&caller, "create", "closure")
                    .resource(closure.id)
                    .centre(Some(centre_id)),
            )
            .await?;
            Ok(closure)
        })
        .await?;
    let body = views::closure(closure);
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/centres/{centre_id}/closures/{}", body.id),
        ))
        .json(body))
}

/// Remove a closure.
#[utoipa::path(
    tag = "centres",
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("closure_id" = Uuid, Path, description = "The closure's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a coordinator of this centre or a network admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre or closure the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/centres/{id}/closures/{closure_id}")]
pub async fn delete_closure(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(CentreId, ClosureId)>,
) -> Result<HttpResponse, ApiError> {
    let (centre_id, closure_id) = path.into_inner();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        managed_centre(conn, &caller, centre_id).await?;
        if !repo::delete_closure(conn, centre_id, closure_id).await? {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Event::new(&caller, "delete", "closure")
                .resource(closure_id)
                .centre(Some(centre_id)),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The date range of `GET /centres/{id}/openings`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpeningsParams {
    /// First date (default today, UK time).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub from: Option<String>,
    /// Last date (default `from` + 27 days); at most 92 days after `from`.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<String>,
}

/// A centre's dated openings between two dates: its weekly opening sessions on
/// each day they run, without the days its venue or the whole centre is closed.
/// Public for an active centre. Answers carry an `ETag` for `If-None-Match`.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id"), OpeningsParams),
    responses(
        (status = 200, description = "Openings by date and time", body = OpeningsResponse,
            headers(("ETag" = String, description = "A tag of this answer, for If-None-Match"))),
        (status = 304, description = "The tag sent in If-None-Match is still current"),
        (status = 403, description = "An integration client without centres:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad dates, or a range over 92 days", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("oauth2" = ["centres:read"]))
)]
#[get("/centres/{id}/openings")]
pub async fn list_openings(
    pool: web::Data<Pool>,
    caller: MaybeCaller,
    req: HttpRequest,
    id: web::Path<CentreId>,
    query: web::Query<OpeningsParams>,
) -> Result<HttpResponse, ApiError> {
    require_read(caller.principal())?;
    let mut conn = pool.get().await?;
    let today = crate::vocabulary::calendar::uk_today(&mut conn).await?;
    let (from, to) = openings_range(&query, today)?;
    let centre = access::visible(caller.principal(), repo::find_centre(&mut conn, *id).await?)?;
    let sessions = repo::opening_sessions_of(&mut conn, centre.id, Some((from, to))).await?;
    let closures = repo::closures_of(&mut conn, centre.id, Some((from, to))).await?;
    let venues = repo::venues_of(&mut conn, centre.id).await?;
    let items = openings::expand(&sessions, &closures, from, to)
        .into_iter()
        .map(|o| {
            Ok(OpeningResponse {
                date: format_date(o.date),
                weekday: Weekday::of(o.date),
                starts_at: format_time(o.session.starts_at),
                ends_at: format_time(o.session.ends_at),
                venue_id: o.session.venue_id,
                venue_name: venues
                    .iter()
                    .find(|v| v.id == o.session.venue_id)
                    .map(|v| v.name.clone())
                    .unwrap_or_default(),
                services: o.session.services.clone(),
                opening_session_id: o.session.id,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let body = OpeningsResponse {
        from: format_date(from),
        to: format_date(to),
        items,
    };
    json_with_etag(&req, &body, PUBLIC_REVALIDATE)
}

fn openings_range(
    query: &OpeningsParams,
    today: time::Date,
) -> Result<(time::Date, time::Date), ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let from = match query.from.as_deref() {
        Some(d) => parse_date("from", d).map_err(|e| errors.push(e)).ok(),
        None => Some(today),
    };
    let to = match query.to.as_deref() {
        Some(d) => parse_date("to", d).map_err(|e| errors.push(e)).ok(),
        None => from.and_then(|f| f.checked_add(Duration::days(27))),
    };
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.push(FieldError::new("to", "order", "must be on or after from"));
        } else if (to - from).whole_days() > MAX_DAYS {
            errors.push(FieldError::new(
                "to",
                "range",
                format!("must be at most {MAX_DAYS} days after from"),
            ));
        }
        if errors.is_empty() {
            return Ok((from, to));
        }
    }
    Err(ApiError::Validation(errors))
}
