//! `GET /centres/{id}/day-sheet`.

use actix_web::{get, web};

use super::dto::{DaySheetParams, DaySheetResponse};
use super::sheet;
use crate::audit::{self, Event};
use crate::centres::{access as centre_access, repo as centres_repo};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::{Role, Scope};
use crate::identity::{Caller, Principal};
use crate::sessions::contact::repo as contact_repo;
use crate::validation::FieldErrors;
use crate::vocabulary::calendar::{format_date, parse_date};
use crate::vocabulary::CentreId;

/// The centre's people: its coordinators and staff. Their membership says
/// the centre exists and that they see it whatever its status
/// (`centres::access::is_insider`).
fn of_its_people(caller: &Principal, centre_id: CentreId) -> bool {
    matches!(caller, Principal::User(u)
        if matches!(u.role, Role::Coordinator | Role::Staff) && u.centre_ids.contains(&centre_id))
}

/// The centre's people, and its own integration client holding
/// `sessions:read`: those who run the day. A network admin sees no family.
fn may_read(caller: &Principal, centre_id: CentreId) -> Result<(), ApiError> {
    let allowed = of_its_people(caller, centre_id)
        || matches!(caller, Principal::Client(c)
            if c.centre_id == Some(centre_id) && c.scopes.contains(&Scope::SessionsRead));
    allowed.then_some(()).ok_or(ApiError::Forbidden)
}

/// A centre's day sheet: its contact sessions of the day by time (those
/// starting that day and handovers picked up that day, cancelled ones
/// included so staff know not to expect them), each with the venue and
/// room, the family's names, children and needs, the parties who attend
/// and the people approved to come with them, every window and its
/// entrance, whether the parties must not meet, the staff member, approved
/// observers and the risk statements marked for staff. No addresses or
/// contact details. Reads by people are audited.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = "The centre's id"), DaySheetParams),
    responses(
        (status = 200, description = "The day's sessions, by time", body = DaySheetResponse),
        (status = 403, description = "Not one of the centre's people, nor its client with sessions:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such centre the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad date", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("oauth2" = ["sessions:read"]))
)]
#[get("/centres/{id}/day-sheet")]
pub async fn day_sheet(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<CentreId>,
    query: web::Query<DaySheetParams>,
) -> Result<web::Json<DaySheetResponse>, ApiError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let on = errors.take(parse_date("date", &query.date));
    let on = errors.finish_one(on)?;
    let conn = pool.get().await?;
    let sessions = if of_its_people(&caller, id) {
        contact_repo::of_centre_on(&conn, id, on).await?
    } else {
        // Anyone else is judged on the centre: one they may not see does
        // not exist for them (404), and then may they read its day (403).
        // The centre and its day are read together (one round trip);
        // nothing of the day leaves before the caller is judged.
        let (centre, sessions) = futures_util::future::try_join(
            centres_repo::find_centre_alongside(&conn, id),
            contact_repo::of_centre_on(&conn, id, on),
        )
        .await?;
        centre_access::visible(Some(&caller), centre)?;
        may_read(&caller, id)?;
        sessions
    };
    let audited = async {
        match &*caller {
            Principal::User(_) => {
                audit::record_alongside(
                    &conn,
                    Event::new(&caller, "read_day_sheet", "centre")
                        .resource(id)
                        .centre(Some(id)),
                )
                .await
            }
            Principal::Client(_) => Ok(()),
        }
    };
    let (sessions, ()) =
        futures_util::future::try_join(sheet::assemble(&conn, id, sessions), audited).await?;
    Ok(web::Json(DaySheetResponse {
        centre_id: id.into(),
        date: format_date(on),
        sessions,
    }))
}
