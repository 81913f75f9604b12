//! Staff vetting: the criminal-record check of a staff member or
//! coordinator (DBS in England and Wales, AccessNI in Northern Ireland),
//! their training and their weekly availability. Only a person whose check
//! is current on a session's date, and who is available then, is assigned
//! to a one-to-one session (DOMAIN.md, "Staff vetting").
//!
//! A coordinator records the vetting of the staff of their centres, a
//! network admin that of coordinators; never one's own. The person, those
//! who may record it, and nobody else read it.

use actix_web::{get, put, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::{Date, Time};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::visible_user;
use super::roles::{Role, UserStatus};
use super::{Caller, UserPrincipal};
use crate::audit::{self, Event};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::schema::{centre_memberships, staff_availability, staff_vetting, users};
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, format_time, parse_date, parse_time};
use crate::vocabulary::{CentreId, UserId, Weekday};

crate::text_enum! {
    /// The criminal-record check.
    pub enum VettingScheme {
        /// Disclosure and Barring Service (England and Wales).
        Dbs => "dbs",
        /// AccessNI (Northern Ireland).
        AccessNi => "access_ni",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = staff_vetting)]
struct Vetting {
    user_id: UserId,
    scheme: VettingScheme,
    certificate_number: String,
    issued_on: Date,
    renewal_due_on: Date,
    training: Vec<Option<String>>,
    recorded_by: UserId,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_availability)]
struct Available {
    user_id: UserId,
    weekday: i16,
    starts: Time,
    ends: Time,
}

/// A weekly time a person can be assigned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"weekday": "saturday", "starts": "09:00", "ends": "13:00"}))]
pub struct AvailabilityEntry {
    /// The day of the week, lower case (`monday` … `sunday`).
    pub weekday: String,
    /// Local start time (`HH:MM`).
    #[schema(example = "09:00")]
    pub starts: String,
    /// Local end time (`HH:MM`), after the start.
    #[schema(example = "13:00")]
    pub ends: String,
}

/// A person's vetting, training and availability, recorded in full.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "scheme": "dbs", "certificate_number": "001234567890",
    "issued_on": "2025-03-01", "renewal_due_on": "2028-03-01",
    "training": ["Safeguarding level 2", "NACCC supervised contact"],
    "availability": [{"weekday": "saturday", "starts": "09:00", "ends": "13:00"}]
}))]
pub struct VettingRequest {
    /// `dbs` or `access_ni`.
    pub scheme: VettingScheme,
    /// The certificate's number.
    #[schema(min_length = 1, max_length = 40, pattern = r"^[A-Za-z0-9 -]+$")]
    pub certificate_number: String,
    /// When the certificate was issued (not in the future).
    #[schema(format = Date)]
    pub issued_on: String,
    /// When it must be renewed (after it was issued): from that date the
    /// person is not assigned.
    #[schema(format = Date)]
    pub renewal_due_on: String,
    /// Training completed, by course name.
    #[serde(default)]
    #[schema(max_items = 30)]
    pub training: Vec<String>,
    /// When they can be assigned, each week. None listed: any time the
    /// centre is open.
    #[serde(default)]
    #[schema(max_items = 21)]
    pub availability: Vec<AvailabilityEntry>,
}

/// A person's vetting as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct VettingResponse {
    /// The staff member or coordinator.
    pub user_id: Uuid,
    /// `dbs` or `access_ni`.
    pub scheme: VettingScheme,
    /// The certificate's number.
    pub certificate_number: String,
    /// When it was issued.
    #[schema(format = Date)]
    pub issued_on: String,
    /// When it must be renewed: from then they are not assigned.
    #[schema(format = Date)]
    pub renewal_due_on: String,
    /// Whether the check is current today.
    pub current: bool,
    /// Training completed, by course name.
    pub training: Vec<String>,
    /// When they can be assigned each week (none: any time the centre is open).
    pub availability: Vec<AvailabilityEntry>,
}

/// Why a person cannot be assigned to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unassignable {
    /// Not an active staff member or coordinator of the centre.
    NotStaff,
    /// No check recorded, or its renewal was due by the session's date.
    NotVetted,
    /// Not available at the session's time.
    Unavailable,
}

/// What decides whether a person may be assigned to a centre's sessions,
/// read once for a booking of many dates.
#[derive(Debug, Clone)]
pub struct Staffing {
    pub user_id: UserId,
    /// An active staff member or coordinator of the centre.
    member: bool,
    /// When their check must be renewed, if one is recorded.
    renewal_due_on: Option<Date>,
    times: Vec<Available>,
}

/// `user_id`'s staffing at `centre_id`.
pub async fn staffing(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    centre_id: CentreId,
) -> Result<Staffing, ApiError> {
    let member: Option<(Role, UserStatus)> = users::table
        .inner_join(centre_memberships::table)
        .filter(users::id.eq(user_id))
        .filter(centre_memberships::centre_id.eq(centre_id))
        .select((users::role, users::status))
        .first(conn)
        .await
        .optional()?;
    let renewal_due_on: Option<Date> = staff_vetting::table
        .find(user_id)
        .select(staff_vetting::renewal_due_on)
        .first(conn)
        .await
        .optional()?;
    let times: Vec<Available> = staff_availability::table
        .filter(staff_availability::user_id.eq(user_id))
        .select(Available::as_select())
        .load(conn)
        .await?;
    Ok(Staffing {
        user_id,
        member: matches!(
            member,
            Some((Role::Staff | Role::Coordinator, UserStatus::Active))
        ),
        renewal_due_on,
        times,
    })
}

impl Staffing {
    /// Whether they are an active staff member or coordinator of the centre
    /// at all (vetted or not).
    pub fn is_member(&self) -> bool {
        self.member
    }

    /// Whether they may be assigned to a session on `date` from `starts` to
    /// `ends` (local times): a member, vetted past that date, available then
    /// (no times recorded: whenever the centre is open).
    pub fn assignable(&self, date: Date, starts: Time, ends: Time) -> Result<(), Unassignable> {
        if !self.member {
            return Err(Unassignable::NotStaff);
        }
        if self.renewal_due_on.is_none_or(|d| d <= date) {
            return Err(Unassignable::NotVetted);
        }
        let day = Weekday::of(date).iso();
        let covered = self.times.is_empty()
            || self
                .times
                .iter()
                .any(|t| t.weekday == day && t.starts <= starts && t.ends >= ends);
        match covered {
            true => Ok(()),
            false => Err(Unassignable::Unavailable),
        }
    }
}

/// Whose vetting a coordinator or admin may record: a coordinator the staff
/// of their centres, a network admin coordinators; never their own.
fn may_record(actor: &UserPrincipal, target: UserId, role: Role, centres: &[CentreId]) -> bool {
    actor.id != target
        && match (actor.role, role) {
            (Role::NetworkAdmin, Role::Coordinator) => true,
            (Role::Coordinator, Role::Staff) => {
                centres.iter().any(|c| actor.centre_ids.contains(c))
            }
            _ => false,
        }
}

/// A weekly time: ISO weekday, start, end.
type Weekly = (i16, Time, Time);

fn parse(req: &VettingRequest, today: Date) -> Result<(Date, Date, Vec<Weekly>), ApiError> {
    let mut errors = FieldErrors::default();
    errors.text("certificate_number", &req.certificate_number, 1, 40);
    if !req
        .certificate_number
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        errors.push(
            "certificate_number",
            "pattern",
            "letters, digits, spaces and hyphens only",
        );
    }
    let issued = errors.take(parse_date("issued_on", &req.issued_on));
    let due = errors.take(parse_date("renewal_due_on", &req.renewal_due_on));
    if issued.is_some_and(|i| i > today) {
        errors.push("issued_on", "future", "must not be after today");
    }
    if let (Some(i), Some(d)) = (issued, due) {
        if d <= i {
            errors.push(
                "renewal_due_on",
                "before_issue",
                "must be after the issue date",
            );
        }
    }
    if req.training.len() > 30 {
        errors.push("training", "length", "list at most 30 courses");
    }
    for (i, t) in req.training.iter().enumerate() {
        errors.text(&format!("training[{i}]"), t, 1, 200);
    }
    if req.availability.len() > 21 {
        errors.push("availability", "length", "list at most 21 times");
    }
    let mut times = Vec::new();
    for (i, a) in req.availability.iter().enumerate() {
        let f = |n: &str| format!("availability[{i}].{n}");
        let day = errors.take(crate::vocabulary::calendar::parse_weekday(
            &f("weekday"),
            &a.weekday,
        ));
        let starts = errors.take(parse_time(&f("starts"), &a.starts));
        let ends = errors.take(parse_time(&f("ends"), &a.ends));
        match (day, starts, ends) {
            (Some(d), Some(s), Some(e)) if e > s => {
                if times.iter().any(|(td, ts, _)| *td == d.iso() && *ts == s) {
                    errors.push(f("starts"), "duplicate", "this time is listed twice");
                }
                times.push((d.iso(), s, e))
            }
            (Some(_), Some(_), Some(_)) => {
                errors.push(f("ends"), "before_start", "must be after the start")
            }
            _ => {}
        }
    }
    let (issued, due) = errors.finish_both(issued, due)?;
    Ok((issued, due, times))
}

fn respond(v: Vetting, times: Vec<Available>, today: Date) -> Result<VettingResponse, ApiError> {
    Ok(VettingResponse {
        user_id: v.user_id.into(),
        scheme: v.scheme,
        certificate_number: v.certificate_number,
        issued_on: format_date(v.issued_on),
        renewal_due_on: format_date(v.renewal_due_on),
        current: v.renewal_due_on > today,
        training: v.training.into_iter().flatten().collect(),
        availability: times
            .into_iter()
            .map(|t| {
                Ok(AvailabilityEntry {
                    weekday: Weekday::from_iso(t.weekday)?.as_str().to_owned(),
                    starts: format_time(t.starts),
                    ends: format_time(t.ends),
                })
            })
            .collect::<Result<_, ApiError>>()?,
    })
}

const USER_ID: &str = "The staff member's or coordinator's id";

/// Records a staff member's or coordinator's vetting, training and
/// availability in full (replacing what was recorded). A coordinator
/// records the staff of their centres, a network admin coordinators.
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = USER_ID)),
    request_body = VettingRequest,
    responses(
        (status = 200, description = "Recorded", body = VettingResponse),
        (status = 403, description = "Not one who records this person's vetting (one's own, a parent's or a referrer's)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/users/{id}/vetting")]
pub async fn record_vetting(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<UserId>,
    body: web::Json<VettingRequest>,
) -> Result<web::Json<VettingResponse>, ApiError> {
    let id = id.into_inner();
    let actor = caller.person()?.clone();
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (user, centres) = visible_user(conn, &actor, id).await?;
            if !may_record(&actor, id, user.role, &centres) {
                return Err(ApiError::Forbidden);
            }
            let today = crate::vocabulary::calendar::uk_today(conn).await?;
            let (issued_on, renewal_due_on, times) = parse(&body, today)?;
            let v = Vetting {
                user_id: id,
                scheme: body.scheme,
                certificate_number: body.certificate_number.trim().to_owned(),
                issued_on,
                renewal_due_on,
                training: body
                    .training
                    .iter()
                    .map(|t| Some(t.trim().to_owned()))
                    .collect(),
                recorded_by: actor.id,
            };
            diesel::insert_into(staff_vetting::table)
                .values(&v)
                .on_conflict(staff_vetting::user_id)
                .do_update()
                .set((&v, staff_vetting::recorded_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await?;
            diesel::delete(staff_availability::table.filter(staff_availability::user_id.eq(id)))
                .execute(conn)
                .await?;
            let times: Vec<Available> = times
                .into_iter()
                .map(|(weekday, starts, ends)| Available {
                    user_id: id,
                    weekday,
                    starts,
                    ends,
                })
                .collect();
            diesel::insert_into(staff_availability::table)
                .values(&times)
                .execute(conn)
                .await?;
            audit::record(
                conn,
                Event::new(&caller, "record_vetting", "user")
                    .resource(id)
                    .centre(<[CentreId]>::first(&centres).copied()),
            )
            .await?;
            respond(v, times, today)
        })
        .await?;
    Ok(web::Json(response))
}

/// A staff member's or coordinator's vetting: for themselves, and for those
/// who record it.
#[utoipa::path(
    tag = "identity",
    params(("id" = Uuid, Path, description = USER_ID)),
    responses(
        (status = 200, description = "The vetting as recorded", body = VettingResponse),
        (status = 403, description = "Not the person, nor one who records their vetting", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user the caller may see, or no vetting recorded", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users/{id}/vetting")]
pub async fn get_vetting(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<web::Json<VettingResponse>, ApiError> {
    let id = id.into_inner();
    let actor = caller.person()?.clone();
    let mut conn = pool.get().await?;
    let response = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (user, centres) = visible_user(conn, &actor, id).await?;
            if actor.id != id && !may_record(&actor, id, user.role, &centres) {
                return Err(ApiError::Forbidden);
            }
            let v: Vetting = staff_vetting::table
                .find(id)
                .select(Vetting::as_select())
                .first(conn)
                .await
                .optional()?
                .ok_or(ApiError::NotFound)?;
            let times: Vec<Available> = staff_availability::table
                .filter(staff_availability::user_id.eq(id))
                .order((staff_availability::weekday, staff_availability::starts))
                .select(Available::as_select())
                .load(conn)
                .await?;
            audit::record(
                conn,
                Event::new(&caller, "read_vetting", "user")
                    .resource(id)
                    .centre(<[CentreId]>::first(&centres).copied()),
            )
            .await?;
            let today = crate::vocabulary::calendar::uk_today(conn).await?;
            respond(v, times, today)
        })
        .await?;
    Ok(web::Json(response))
}
