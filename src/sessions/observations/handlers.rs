//! `POST|GET /observation-requests`, `GET /observation-requests/{id}`,
//! `POST /observation-requests/{id}/approve|decline|withdraw`.

use actix_web::{get, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::{
    ApproveObservationRequest, DeclineObservationRequest, ObservationRequestBody,
    ObservationRequestResponse,
};
use super::repo::{self, ObservationRequest, Whose};
use super::rules::{answer, officer, record, seen_by, shown, to_decide};
use super::views::{self, Seen};
use super::ObservationStatus;
use crate::audit::{self, Event};
use crate::centres::{access as centre_access, repo as centres_repo};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::repo as identity_repo;
use crate::identity::roles::Role;
use crate::identity::{Caller, Principal};
use crate::notifications::Template;
use crate::pagination::{Cursor, CursorKey, Page, PageParams};
use crate::referrals::model::ReferralStatus;
use crate::sessions::contact::handlers::family_case;
use crate::sessions::contact::repo as contact_repo;
use crate::sessions::contact::ContactSessionStatus;
use crate::validation::{FieldErrors, Name};
use crate::vocabulary::calendar::{parse_date, uk_today};
use crate::vocabulary::{CentreId, FamilyId};

const ID: &str = "The observation request's id";

/// A children's court officer asks to observe a session at a centre that
/// allows it: a later day than today on which the centre is open, naming
/// the clients. The answer says nothing of whether such a family attends
/// that day; the coordinators are told there is a request (never whom it
/// names) and match it to a session. The officer may name the family where
/// their organisation referred it.
#[utoipa::path(
    tag = "sessions",
    request_body = ObservationRequestBody,
    responses(
        (status = 201, description = "Asked; pending the coordinators' decision", body = ObservationRequestResponse,
            headers(("Location" = String, description = "The request"))),
        (status = 403, description = "Not a children's court officer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The centre does not take observation requests", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a day not still to come or the centre is not open, no clients, a family the officer's organisation did not refer there", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/observation-requests")]
pub async fn ask_to_observe(
    pool: web::Data<Pool>,
    caller: Caller,
    body: web::Json<ObservationRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    let on = errors.take(parse_date("date", &body.date));
    if body.clients.is_empty() || body.clients.len() > 10 {
        errors.push("clients", "count", "name 1 to 10 clients");
    }
    let clients: Vec<String> = body
        .clients
        .iter()
        .enumerate()
        .filter_map(|(i, c)| errors.take(Name::parse(&format!("clients[{i}].name"), &c.name)))
        .map(Name::into_inner)
        .collect();
    let note = errors.optional_text("note", body.note.as_deref(), 2000);
    let on = errors.finish_one(on)?;
    let mut conn = pool.get().await?;
    let created = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let user = officer(conn, &caller).await?;
            let centre_id = CentreId::from(body.centre_id);
            let centre = centre_access::visible(
                Some(&caller),
                centres_repo::find_centre(conn, centre_id).await?,
            )?;
            if !centre.allows_observations {
                return Err(ApiError::Conflict(
                    "this centre does not take observation requests".into(),
                ));
            }
            let mut errors = FieldErrors::default();
            // Asked before the day, for a day the centre is open (normal
            // hours: an observer joins a session, never a time of its own).
            if on <= uk_today(conn).await? {
                errors.push("date", "not_before", "must be a later day than today");
            } else if !centres_repo::opens_on(conn, centre_id, on).await? {
                errors.push("date", "not_open", "the centre is not open that day");
            }
            // A family may be named only where the officer's organisation
            // referred it to this centre; any other id reads as unknown.
            let family_id = match body.family_id.map(FamilyId::from) {
                Some(id) => {
                    let ours = match family_case(conn, id, false).await {
                        Ok(b) => {
                            b.referral.centre_id == centre_id
                                && b.referral.organisation_id.is_some()
                                && b.referral.organisation_id == user.organisation_id
                                && b.referral.status != ReferralStatus::Draft
                        }
                        Err(ApiError::NotFound) => false,
                        Err(e) => return Err(e),
                    };
                    if !ours {
                        errors.push(
                            "family_id",
                            "unknown",
                            "not a family your organisation referred to this centre",
                        );
                    }
                    Some(id)
                }
                None => None,
            };
            errors.finish(())?;
            let organisation_name = match user.organisation_id {
                Some(o) => identity_repo::find_organisation(conn, o)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let r = repo::insert(
                conn,
                &ObservationRequest {
                    id: Uuid::now_v7(),
                    centre_id,
                    requested_by: user.id,
                    organisation_id: user.organisation_id,
                    observer_name: user.name.clone(),
                    organisation_name,
                    on_date: on,
                    clients,
                    note,
                    family_id,
                    status: ObservationStatus::Pending,
                    contact_session_id: None,
                    decided_by: None,
                    decided_at: None,
                    decline_reason: None,
                    created_at: OffsetDateTime::now_utc(),
                },
            )
            .await?;
            let coordinators = identity_repo::coordinator_emails(conn, centre_id).await?;
            record(
                conn,
                &caller,
                &r,
                "ask_to_observe",
                "observation_request.asked",
                &coordinators,
                Template::ObservationRequested,
            )
            .await?;
            Ok(views::request(r, None, Seen::Requester))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/observation-requests/{}", created.id),
        ))
        .json(created))
}

/// Observation requests, newest first: an officer's own, or those to a
/// coordinator's centres. Others may not list them.
#[utoipa::path(
    tag = "sessions",
    params(PageParams),
    responses(
        (status = 200, description = "A page of requests, newest first", body = Page<ObservationRequestResponse>),
        (status = 403, description = "Neither a children's court officer nor a coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/observation-requests")]
pub async fn list_observation_requests(
    pool: web::Data<Pool>,
    cursors: web::Data<CursorKey>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ObservationRequestResponse>>, ApiError> {
    let mut conn = pool.get().await?;
    let (whose, seen) = match &*caller {
        Principal::User(u) if u.role == Role::Coordinator => {
            (Whose::Centres(u.centre_ids.clone()), Seen::Centre)
        }
        _ => (
            Whose::Requester(officer(&mut conn, &caller).await?.id),
            Seen::Requester,
        ),
    };
    let page = page
        .into_inner()
        .parse::<i64>(cursors.seal("observation_requests", &whose))?;
    let rows = repo::list(&mut conn, &whose, &page).await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.contact_session_id).collect();
    let sessions = contact_repo::by_ids(&mut conn, &ids).await?;
    audit::record(
        &mut conn,
        Event::new(&caller, "list", "observation_request"),
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let cursor = Cursor::at(r.created_at, r.id);
            let session = sessions.iter().find(|s| Some(s.id) == r.contact_session_id);
            (views::request(r, session, seen), cursor)
        })
        .collect::<Vec<_>>();
    Ok(web::Json(Page::from_rows(
        rows,
        &page,
        |(_, c)| c.clone(),
        |(r, _)| r,
    )))
}

/// One observation request: to the officer who asked it and the centre's
/// coordinators; 404 to anyone else.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    responses(
        (status = 200, description = "The request", body = ObservationRequestResponse),
        (status = 404, description = "No such request the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/observation-requests/{id}")]
pub async fn get_observation_request(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ObservationRequestResponse>, ApiError> {
    let mut conn = pool.get().await?;
    let r = repo::find(&mut conn, *id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    let seen = seen_by(&caller, &r)?;
    audit::record(
        &mut conn,
        Event::new(&caller, "read", "observation_request")
            .resource(r.id)
            .centre(Some(r.centre_id)),
    )
    .await?;
    Ok(web::Json(shown(&mut conn, r, seen).await?))
}

/// A coordinator approves a pending request, matching it to the family's
/// contact session at the centre that day (still scheduled, still to come).
/// The session is not changed: the observer joins it in its room and hours,
/// and staff see them on the day sheet. The officer is told it is answered.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    request_body = ApproveObservationRequest,
    responses(
        (status = 200, description = "Approved", body = ObservationRequestResponse),
        (status = 403, description = "Not a coordinator of the centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is no longer pending", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a scheduled session of the centre on the day asked, still to come", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/observation-requests/{id}/approve")]
pub async fn approve_observation(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<ApproveObservationRequest>,
) -> Result<web::Json<ObservationRequestResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (r, coordinator) = to_decide(conn, &caller, id).await?;
            // Share-locked: a cancellation racing this approval either
            // waits and releases the observer, or is seen here.
            let session = contact_repo::find_shared(conn, body.contact_session_id)
                .await?
                .filter(|s| {
                    s.centre_id == r.centre_id
                        && s.on_date == r.on_date
                        && s.status == ContactSessionStatus::Scheduled
                        && s.starts_at > OffsetDateTime::now_utc()
                        && r.family_id.is_none_or(|f| f == s.family_id)
                })
                .ok_or_else(|| {
                    ApiError::field(
                        "contact_session_id",
                        "not_that_day",
                        "not a scheduled session of this centre on the day asked, still to come",
                    )
                })?;
            let r = answer(
                conn,
                &caller,
                &r,
                coordinator,
                ObservationStatus::Approved,
                Some(session.id),
                None,
                ("approve_observation", "observation_request.approved"),
            )
            .await?;
            Ok(views::request(r, Some(&session), Seen::Centre))
        })
        .await?;
    Ok(web::Json(response))
}

/// A coordinator declines a pending request, with a reason kept for the
/// centre: the officer learns only that it is declined (a reason could say
/// whether the family attends).
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    request_body = DeclineObservationRequest,
    responses(
        (status = 200, description = "Declined", body = ObservationRequestResponse),
        (status = 403, description = "Not a coordinator of the centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is no longer pending", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/observation-requests/{id}/decline")]
pub async fn decline_observation(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<DeclineObservationRequest>,
) -> Result<web::Json<ObservationRequestResponse>, ApiError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let reason = errors.text("reason", &body.reason, 1, 2000);
    errors.finish(())?;
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (r, coordinator) = to_decide(conn, &caller, id).await?;
            let r = answer(
                conn,
                &caller,
                &r,
                coordinator,
                ObservationStatus::Declined,
                None,
                Some(reason),
                ("decline_observation", "observation_request.declined"),
            )
            .await?;
            Ok(views::request(r, None, Seen::Centre))
        })
        .await?;
    Ok(web::Json(response))
}

/// The officer withdraws their request, pending or approved, before the
/// day; the observer then leaves the day sheet.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    responses(
        (status = 200, description = "Withdrawn", body = ObservationRequestResponse),
        (status = 403, description = "A coordinator (the officer withdraws)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already declined or withdrawn, or the day has come", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/observation-requests/{id}/withdraw")]
pub async fn withdraw_observation(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ObservationRequestResponse>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let r = repo::find(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            if seen_by(&caller, &r)? != Seen::Requester {
                return Err(ApiError::Forbidden);
            }
            let open = matches!(
                r.status,
                ObservationStatus::Pending | ObservationStatus::Approved
            );
            if !open || r.on_date <= uk_today(conn).await? {
                return Err(ApiError::Conflict(
                    "only a pending or approved request is withdrawn, before the day".into(),
                ));
            }
            let r =
                repo::settle(conn, r.id, ObservationStatus::Withdrawn, None, None, None).await?;
            let coordinators = identity_repo::coordinator_emails(conn, r.centre_id).await?;
            record(
                conn,
                &caller,
                &r,
                "withdraw_observation",
                "observation_request.withdrawn",
                &coordinators,
                Template::ObservationAnswered,
            )
            .await?;
            Ok(views::request(r, None, Seen::Requester))
        })
        .await?;
    Ok(web::Json(response))
}
