//! `POST /referrals/{id}/start`: contact starts for a family ready for it.
//! The regular arrangement is set, its sessions are booked, the referral
//! becomes `active`, and each party and the referrer get an acceptance
//! letter (kept as the PDF sent) with their own times only.

use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::{Date, Duration};

use super::booking::{self, Booked};
use super::dto::{StartRequest, StartedResponse};
use super::handlers::{booked_response, record};
use super::plan::{self, Asked, Plan};
use super::repo::{self, Arrangement};
use super::WindowKind;
use crate::db::Pool;
use crate::error::{ApiError, Problem, Refusal};
use crate::http::preconditions::{self, IfMatchSent};
use crate::identity::{Caller, Principal};
use crate::referrals::agreements;
use crate::referrals::decisions;
use crate::referrals::letters::{self, Draft, LetterKind, Recipient};
use crate::referrals::model::ReferralBundle;
use crate::referrals::repo as referrals_repo;
use crate::sessions::pre_visits::{self, PreVisitStatus};
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, format_time, parse_date, uk_date_of};
use crate::vocabulary::ReferralId;

/// Sessions are booked this far ahead when no end is given.
pub const DEFAULT_WEEKS: i64 = 12;

/// An arrangement's first and last dates as asked: the last at most a year
/// on, 12 weeks on when not given.
pub fn span(first_on: &str, until: Option<&str>) -> Result<(Date, Date), ApiError> {
    let mut errors = FieldErrors::default();
    let first = errors.take(parse_date("first_on", first_on));
    let until = until.and_then(|u| errors.take(parse_date("until", u)));
    if let (Some(f), Some(u)) = (first, until) {
        if u < f || u > f + Duration::days(366) {
            errors.push(
                "until",
                "range",
                "must be from the first date to a year after it",
            );
        }
    }
    let first = errors.finish_one(first)?;
    Ok((
        first,
        until.unwrap_or(first + Duration::weeks(DEFAULT_WEEKS) - Duration::days(1)),
    ))
}

/// What a family still lacks to start, each named.
async fn missing(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
) -> Result<Vec<serde_json::Value>, ApiError> {
    let visits = pre_visits::repo::of_referral(conn, b.referral.id).await?;
    let not_agreed = agreements::not_agreed(conn, b).await?;
    let mut missing = Vec::new();
    for a in &b.adults {
        let visited = visits
            .iter()
            .any(|v| v.adult_id == a.id && v.status == PreVisitStatus::Done);
        if !visited {
            missing.push(serde_json::json!({"what": "pre_visit", "adult_id": a.id,
                "detail": format!("{}'s pre-visit is not done", a.name)}));
        }
        if not_agreed.contains(&a.id) {
            missing.push(serde_json::json!({"what": "ground_rules", "adult_id": a.id,
                "detail": format!("{} has not agreed the centre's current ground rules", a.name)}));
        }
        if a.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
            missing.push(serde_json::json!({"what": "phone", "adult_id": a.id,
                "detail": format!("{}'s phone number is not recorded", a.name)}));
        }
    }
    Ok(missing)
}

/// A coordinator starts contact: the arrangement (opening session, how
/// often, from and until when) is set and its sessions booked. Refused,
/// naming each thing missing, unless every party's pre-visit is done, each
/// agreed the centre's current ground rules and has a phone recorded; the
/// first date is at least the centre's notice days after the referral
/// reached it.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag as read, to refuse the start (412) if the case changed since"),
    ),
    request_body = StartRequest,
    responses(
        (status = 201, description = "Contact started: the sessions booked, and the dates skipped", body = StartedResponse,
            headers(
                ("ETag" = String, description = "The case's new version"),
                ("Location" = String, description = "The family's sessions"),
            )),
        (status = 403, description = "Not a coordinator of the referral's centre", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not ready (`/problems/not-ready`, listing what is missing), not at pre-visits (`/problems/illegal-move`), or no session could be booked", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the ETag sent in If-Match (`/problems/stale`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a first date within the centre's notice or on another weekday, an opening session not of the centre, a service not offered, a staff member not of the centre or not vetted", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/start")]
pub async fn start_contact(
    req: HttpRequest,
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<ReferralId>,
    body: web::Json<StartRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (first, until) = span(&body.first_on, body.until.as_deref())?;
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let (response, version, family_id) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let first_on = format_date(first);
            // 404 and 403 before anything else; 409 unless at pre-visits.
            let b = decisions::handlers::start_contact(conn, &caller, id, &if_match, &first_on).await?;
            let Principal::User(coordinator) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let family_id = crate::referrals::family::of_referral(conn, id)
                .await?
                .ok_or_else(|| ApiError::Conflict("the family is not recorded yet".into()))?;
            let asked = Asked {
                opening_session_id: body.opening_session_id,
                service: None,
                staff_id: body.staff_id,
                meeting_link: body.meeting_link.clone(),
                place: body.place.clone(),
                pick_up_after_days: None,
            };
            let plan = plan::plan(conn, &b, family_id, &asked, coordinator.id).await?;
            plan::require_member(&plan)?;
            let centre = crate::centres::repo::find_centre(conn, b.referral.centre_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let received = match b.referral.received_at {
                Some(at) => uk_date_of(conn, at).await?,
                None => return Err(ApiError::Conflict("the referral has not reached the centre".into())),
            };
            let earliest = received + Duration::days(i64::from(centre.min_referral_notice_days));
            let mut errors = FieldErrors::default();
            if first < earliest {
                errors.push(
                    "first_on",
                    "notice",
                    format!(
                        "the centre needs {} days from the referral's arrival: {} at the earliest",
                        centre.min_referral_notice_days,
                        format_date(earliest)
                    ),
                );
            }
            if !booking::still_to_come(conn, &plan, first).await? {
                errors.push("first_on", "past", "must be still to come");
            }
            if !booking::runs_on(&plan.slot, first) {
                errors.push("first_on", "not_running", "the opening session does not run that day");
            }
            errors.finish(())?;
            let missing = missing(conn, &b).await?;
            if !missing.is_empty() {
                return Err(not_ready(missing));
            }
            repo::insert_arrangement(
                conn,
                &Arrangement {
                    referral_id: id,
                    opening_session_id: plan.slot.id,
                    service: plan.service,
                    frequency: body.frequency,
                    first_on: first,
                    until_on: Some(until),
                    staff_id: plan.staff.as_ref().map(|s| s.user_id),
                    set_by: coordinator.id,
                },
            )
            .await?;
            let dates = booking::dates(first, Some(body.frequency.days()), Some(until), None);
            let (booked, skipped) = booking::book_dates(conn, &b, &plan, &dates).await?;
            if booked.is_empty() {
                return Err(ApiError::Conflict(
                    "no session of the arrangement could be booked: choose another opening session or dates".into(),
                ));
            }
            for (s, _) in &booked {
                record(conn, &caller, s, "book_contact_session", "contact_session.booked").await?;
            }
            send_letters(conn, &b, &plan, &booked, body.frequency.as_str()).await?;
            let version = referrals_repo::version_of(conn, id).await?;
            let booked = booked_response(plan.series_id, booked, skipped);
            Ok((
                StartedResponse {
                    referral_id: id.into(),
                    frequency: body.frequency,
                    first_on,
                    until: format_date(until),
                    booked: booked.booked,
                    skipped: booked.skipped,
                },
                version,
                family_id,
            ))
        })
        .await?;
    let location = format!("/api/v1/families/{family_id}/contact-sessions");
    Ok(preconditions::created(version, &response, &location))
}

fn not_ready(missing: Vec<serde_json::Value>) -> ApiError {
    let detail = missing
        .iter()
        .filter_map(|m| m["detail"].as_str())
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::Refused(Box::new(
        Refusal::new(
            actix_web::http::StatusCode::CONFLICT,
            "/problems/not-ready",
            "The family is not ready for contact to start",
            detail,
        )
        .with("missing", serde_json::Value::Array(missing)),
    ))
}

/// One acceptance letter to each party, with their own arrival and leaving
/// times only, and one to the referrer, with the session times.
async fn send_letters(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    plan: &Plan,
    booked: &[Booked],
    frequency: &str,
) -> Result<(), ApiError> {
    let centre = crate::centres::repo::name_of(conn, b.referral.centre_id).await?;
    let rules = crate::centres::ground_rules::current(conn, b.referral.centre_id)
        .await?
        .map(|r| r.text)
        .unwrap_or_default();
    let attendees = crate::families::attendees::approved(conn, plan.family_id).await?;
    let (first, windows) = &booked[0];
    let v = &plan.venue;
    let who: Vec<String> = b
        .adults
        .iter()
        .filter(|a| plan.residents.contains(&a.id) || plan.visitors.contains(&a.id))
        .map(|a| a.name.clone())
        .chain(attendees.iter().map(|(_, name)| name.clone()))
        .collect();
    let common = format!(
        "{centre} will hold {} contact for your family at {}, {}, {}.\n\n\
         The first session is on {}; sessions are {frequency}, from {} to {} on the day.\n\n\
         Who may attend: {}, and the children. Nobody else may come.\n\n\
         The centre's ground rules:\n\n{rules}\n",
        first.service.as_str().replace('_', " "),
        v.name,
        v.address_line1,
        v.town,
        format_date(first.on_date),
        format_time(first.starts),
        format_time(first.ends),
        who.join(", "),
    );
    let subject = format!(
        "Contact at {centre} starts on {}",
        format_date(first.on_date)
    );
    // Only those who attend are told where and when: an adult the
    // assessment leaves out, or a court order bars, gets no letter.
    let attending = b
        .adults
        .iter()
        .filter(|a| plan.residents.contains(&a.id) || plan.visitors.contains(&a.id));
    for adult in attending {
        let own: Vec<String> = windows
            .iter()
            .filter(|w| w.adult_id == adult.id)
            .map(|w| {
                let what = match w.kind {
                    WindowKind::Arrives => "Please arrive",
                    WindowKind::Leaves => "Please leave",
                };
                format!(
                    "{what} between {} and {} by the {}.",
                    format_time(w.starts),
                    format_time(w.ends),
                    w.entrance
                )
            })
            .collect();
        let body = format!(
            "Dear {},\n\n{common}\nYour own times:\n\n{}\n\nThese times are yours alone: please keep to them.\n",
            adult.name,
            own.join("\n")
        );
        letters::send(
            conn,
            &b.referral,
            acceptance(Recipient::Party(adult), &subject, body),
        )
        .await?;
    }
    // The referrer's letter has the session times, no party's windows (a
    // self-referral's referrer is a party, with their own letter).
    let body = format!("Dear {},\n\n{common}", b.referral.referrer_name);
    letters::send(
        conn,
        &b.referral,
        acceptance(Recipient::Referrer, &subject, body),
    )
    .await
}

fn acceptance<'a>(to: Recipient<'a>, subject: &str, body: String) -> Draft<'a> {
    Draft {
        kind: LetterKind::Acceptance,
        to,
        subject: subject.to_owned(),
        body,
    }
}
