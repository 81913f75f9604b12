//! `PUT|GET /referrals/{id}/assessment`.

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::{
    AssessmentQuery, AssessmentRequest, AssessmentResponse, Conditions, OrderConditions,
};
use super::repo::{self, Assessment};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::events::{self, DomainEvent};
use crate::http::preconditions::{self, IfMatch, IfMatchSent};
use crate::identity::{Caller, Principal};
use crate::referrals::access::{self, Viewer};
use crate::referrals::decisions::{machine::Side, side_of};
use crate::referrals::model::{ReferralBundle, ReferralStatus};
use crate::referrals::read::refusal_audited;
use crate::referrals::repo as referrals_repo;
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, parse_date};
use crate::vocabulary::ReferralId;

/// The statuses in which the centre assesses: once the referral reached it,
/// until it ends.
fn assessable(status: ReferralStatus) -> bool {
    use ReferralStatus::*;
    matches!(
        status,
        Submitted | UnderReview | InfoRequested | Waitlisted | Accepted | PreVisits | Active
    )
}

/// The request checked against the referral and its centre: every id is one
/// of this referral's, a barred adult does not attend, the service is one the
/// centre offers and the one each order requires. The stagger defaults to the
/// centre's.
fn checked(
    req: &AssessmentRequest,
    b: &ReferralBundle,
    offered: &[crate::vocabulary::ServiceType],
    centre_stagger: i32,
) -> Result<(String, Conditions), ApiError> {
    let mut errors = FieldErrors::default();
    let rationale = errors.text("rationale", &req.rationale, 1, 4000);
    let c = &req.conditions;
    if !offered.contains(&c.service) {
        errors.push(
            "conditions.service",
            "not_offered",
            "the centre does not offer this service",
        );
    }
    // The referrer or a party said the parties must not meet: the centre's
    // conditions keep them apart (it cannot lift a party's request).
    if b.referral.parties_must_not_meet && !c.parties_must_not_meet {
        errors.push(
            "conditions.parties_must_not_meet",
            "required",
            "the referral says the parties must not meet (the referrer or a party asked)",
        );
    }
    let stagger = c.stagger_minutes.unwrap_or(centre_stagger);
    if !(0..=120).contains(&stagger) {
        errors.push(
            "conditions.stagger_minutes",
            "range",
            "must be 0 to 120 minutes",
        );
    }
    let adult = |id: &Uuid| b.adults.iter().any(|a| Uuid::from(a.id) == *id);
    if c.may_attend.is_empty() {
        errors.push(
            "conditions.may_attend",
            "required",
            "name at least one adult who may attend",
        );
    }
    for (i, id) in c.may_attend.iter().enumerate() {
        if !adult(id) {
            errors.push(
                format!("conditions.may_attend[{i}]"),
                "unknown",
                "is not an adult of this referral",
            );
        }
    }
    for (i, order) in c.court_orders.iter().enumerate() {
        let field = |name: &str| format!("conditions.court_orders[{i}].{name}");
        if !b.court_orders.iter().any(|o| o.id == order.court_order_id) {
            errors.push(
                field("court_order_id"),
                "unknown",
                "is not a court order of this referral",
            );
        }
        if order.service.is_some_and(|s| s != c.service) {
            errors.push(
                field("service"),
                "conflict",
                "the order requires another service than the conditions give",
            );
        }
        for (j, barred) in order.barred_adult_ids.iter().enumerate() {
            let f = format!("{}[{j}]", field("barred_adult_ids"));
            if !adult(barred) {
                errors.push(f, "unknown", "is not an adult of this referral");
            } else if c.may_attend.contains(barred) {
                errors.push(f, "conflict", "an adult the order bars may not attend");
            }
        }
        if let Some(date) = &order.expires_on {
            errors.take(parse_date(&field("expires_on"), date));
        }
    }
    if c.court_orders.iter().enumerate().any(|(i, o)| {
        c.court_orders[..i]
            .iter()
            .any(|p| p.court_order_id == o.court_order_id)
    }) {
        errors.push(
            "conditions.court_orders",
            "duplicate",
            "each court order once",
        );
    }
    let conditions = Conditions {
        stagger_minutes: Some(stagger),
        court_orders: c
            .court_orders
            .iter()
            .map(|o| OrderConditions {
                expires_on: o
                    .expires_on
                    .as_deref()
                    .and_then(|d| parse_date("", d).ok())
                    .map(format_date),
                ..o.clone()
            })
            .collect(),
        ..c.clone()
    };
    errors.finish((rationale, conditions))
}

/// Words stored in a text array, read back as their enum.
fn parse_all<T: std::str::FromStr<Err = String>>(
    column: Vec<Option<String>>,
) -> Result<Vec<T>, ApiError> {
    column
        .into_iter()
        .flatten()
        .map(|w| w.parse().map_err(ApiError::internal))
        .collect()
}

/// The assessment as the viewer may see it: staff the conditions alone.
fn view(a: Assessment, full: bool) -> Result<AssessmentResponse, ApiError> {
    let court_orders: Vec<OrderConditions> =
        serde_json::from_value(a.court_orders).map_err(ApiError::internal)?;
    Ok(AssessmentResponse {
        version: a.version,
        assessed_at: crate::referrals::views::timestamp(a.assessed_at),
        factors: if full {
            Some(parse_all(a.factors)?)
        } else {
            None
        },
        checks_made: if full {
            Some(parse_all(a.checks_made)?)
        } else {
            None
        },
        level: if full {
            Some(a.level.parse().map_err(ApiError::internal)?)
        } else {
            None
        },
        rationale: full.then_some(a.rationale),
        conditions: Conditions {
            service: a.service,
            parties_must_not_meet: a.parties_must_not_meet,
            stagger_minutes: Some(a.stagger_minutes),
            may_attend: a.may_attend.into_iter().flatten().collect(),
            court_orders,
        },
    })
}

/// A coordinator records the centre's assessment: the factors, checks, level
/// and rationale, and the conditions contact runs under. Each `PUT` keeps a
/// new version (the first answers 201). A case change: send the referral's
/// `ETag` in `If-Match`.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = String, Header, description = "The referral's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = AssessmentRequest,
    responses(
        (status = 200, description = "A new version recorded", body = AssessmentResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 201, description = "The first version recorded", body = AssessmentResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The path of the assessment"),
            )),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The referral has not reached the centre, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: ids not of this referral, a barred adult attending, a service the centre does not offer", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/referrals/{id}/assessment")]
pub async fn put_assessment(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<AssessmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let request = body.into_inner();
    // What can be checked without the case is checked first: bad input is a
    // 422 whatever the case's version.
    {
        let mut errors = FieldErrors::default();
        errors.text("rationale", &request.rationale, 1, 4000);
        if request
            .conditions
            .stagger_minutes
            .is_some_and(|m| !(0..=120).contains(&m))
        {
            errors.push(
                "conditions.stagger_minutes",
                "range",
                "must be 0 to 120 minutes",
            );
        }
        for (i, order) in request.conditions.court_orders.iter().enumerate() {
            if let Some(date) = &order.expires_on {
                errors.take(parse_date(
                    &format!("conditions.court_orders[{i}].expires_on"),
                    date,
                ));
            }
        }
        errors.finish(())?;
    }
    let mut conn = pool.get().await?;
    let (assessment, version) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            if side_of(&caller, &b)? != Side::Centre {
                return Err(ApiError::Forbidden);
            }
            if_match.check(b.referral.version, IfMatch::Required)?;
            if !assessable(b.referral.status) {
                return Err(ApiError::Conflict(format!(
                    "a referral that is {} is not assessed: the centre assesses from its review until it ends",
                    b.referral.status.as_str()
                )));
            }
            let centre = crate::centres::repo::find_centre(conn, b.referral.centre_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let (rationale, conditions) =
                checked(&request, &b, &centre.services, centre.stagger_minutes)?;
            let Principal::User(user) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let previous = repo::find(conn, id, None).await?.map_or(0, |a| a.version);
            let dedup = |mut v: Vec<String>| {
                v.sort();
                v.dedup();
                v.into_iter().map(Some).collect::<Vec<_>>()
            };
            let row = Assessment {
                id: Uuid::now_v7(),
                referral_id: id,
                version: previous + 1,
                assessed_by: user.id,
                assessed_at: OffsetDateTime::now_utc(),
                factors: dedup(request.factors.iter().map(|f| f.as_str().to_owned()).collect()),
                checks_made: dedup(request.checks_made.iter().map(|c| c.as_str().to_owned()).collect()),
                level: request.level.as_str().to_owned(),
                rationale,
                service: conditions.service,
                parties_must_not_meet: conditions.parties_must_not_meet,
                stagger_minutes: conditions.stagger_minutes.unwrap_or(centre.stagger_minutes),
                may_attend: conditions.may_attend.iter().copied().map(Some).collect(),
                court_orders: serde_json::to_value(&conditions.court_orders).map_err(ApiError::internal)?,
            };
            repo::insert(conn, &row).await?;
            events::record(
                conn,
                DomainEvent {
                    event_type: "referral.assessed",
                    resource_type: "referral",
                    resource_id: id.into(),
                    centre_id: Some(b.referral.centre_id),
                    organisation_id: None,
                    payload: serde_json::json!({"referral_id": id, "version": row.version}),
                },
            )
            .await?;
            audit::record(
                conn,
                Event::new(&caller, "assess", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            let version = referrals_repo::version_of(conn, id).await?;
            Ok((view(row, true)?, version))
        })
        .await?;
    Ok(match assessment.version {
        1 => preconditions::created(
            version,
            &assessment,
            &format!("/api/v1/referrals/{id}/assessment"),
        ),
        _ => preconditions::changed(version, &assessment),
    })
}

/// The centre's assessment, the latest version or the one asked for: its
/// coordinators read all of it, its staff the conditions alone; anyone else
/// who sees the referral gets 403.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"), AssessmentQuery),
    responses(
        (status = 200, description = "The assessment, redacted for the caller", body = AssessmentResponse),
        (status = 403, description = "Not the centre's coordinators or staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see, or not assessed yet (or no such version)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad version", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["referrals:read"]))
)]
#[get("/referrals/{id}/assessment")]
pub async fn get_assessment(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    query: web::Query<AssessmentQuery>,
) -> Result<web::Json<AssessmentResponse>, ApiError> {
    let id = id.into_inner();
    let version = query.version;
    if version.is_some_and(|v| v < 1) {
        return Err(ApiError::field("version", "range", "versions start at 1"));
    }
    let mut conn = pool.get().await?;
    let reader = &caller;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = referrals_repo::load_bundle(conn, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            let full = match (side_of(reader, &b)?, access::viewer(reader, &b)?) {
                (Side::Centre, _) => true,
                (_, Viewer::Staff) => false,
                _ => return Err(ApiError::Forbidden),
            };
            let Some(found) = repo::find(conn, id, version).await? else {
                // Not assessed yet: nothing was read, and nothing refused.
                return Ok(None);
            };
            audit::record(
                conn,
                Event::new(reader, "read_assessment", "referral")
                    .resource(id)
                    .centre(Some(b.referral.centre_id)),
            )
            .await?;
            view(found, full).map(Some)
        })
        .await;
    let event = Event::new(&caller, "read_assessment", "referral").resource(id);
    let found = refusal_audited(&mut conn, event, outcome).await?;
    Ok(web::Json(found.ok_or(ApiError::NotFound)?))
}
