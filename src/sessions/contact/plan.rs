//! A booking judged once against the case, before any date: the opening
//! session, the service the assessment and court orders allow, who is
//! assigned, the link or place, and who attends (the windows' parties).

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{one_to_one, repo};
use crate::centres::model::{OpeningSession, Venue};
use crate::error::ApiError;
use crate::identity::vetting::{self, Staffing};
use crate::referrals::assessment::dto::OrderConditions;
use crate::referrals::assessment::repo::Assessment;
use crate::referrals::model::ReferralBundle;
use crate::sessions::pre_visits;
use crate::validation::FieldErrors;
use crate::vocabulary::{AdultId, FamilyId, OpeningSessionId, ServiceType, UserId};

/// What a booking asks, read: the same for one date, a repeat, and the
/// arrangement contact starts with.
#[derive(Debug, Clone)]
pub struct Asked {
    pub opening_session_id: Uuid,
    pub service: Option<ServiceType>,
    pub staff_id: Option<Uuid>,
    pub meeting_link: Option<String>,
    pub place: Option<String>,
    pub pick_up_after_days: Option<i64>,
}

/// A booking judged against the case: everything each date needs.
pub struct Plan {
    pub family_id: FamilyId,
    pub slot: OpeningSession,
    pub venue: Venue,
    pub service: ServiceType,
    /// The staff member assigned, as read once for every date.
    pub staff: Option<Staffing>,
    pub meeting_link: Option<String>,
    pub place: Option<String>,
    pub pick_up_after: i64,
    pub keep_apart: bool,
    pub stagger: i32,
    /// Who brings and collects the child (they live with them).
    pub residents: Vec<AdultId>,
    /// The other parties who attend.
    pub visitors: Vec<AdultId>,
    pub booker: UserId,
    pub series_id: Uuid,
}

/// Who attends the family's sessions. Only named people attend: the
/// assessment's list where it made one, never an adult a court order bars.
pub fn attending(b: &ReferralBundle, assessed: &Assessment) -> Vec<AdultId> {
    let may_attend: Vec<Uuid> = assessed.may_attend.iter().flatten().copied().collect();
    let barred: Vec<Uuid> = orders(&assessed.court_orders)
        .iter()
        .flat_map(|o| o.barred_adult_ids.clone())
        .collect();
    b.adults
        .iter()
        .filter(|a| {
            let id = Uuid::from(a.id);
            (may_attend.is_empty() || may_attend.contains(&id)) && !barred.contains(&id)
        })
        .map(|a| a.id)
        .collect()
}

/// The court orders' conditions the assessment recorded.
fn orders(conditions: &serde_json::Value) -> Vec<OrderConditions> {
    serde_json::from_value(conditions.clone()).unwrap_or_default()
}

/// Judges a booking's fields against the case: an opening session of the
/// family's centre that offers the service; the service the assessment
/// decided, and no court order naming another; a staff member for a
/// one-to-one service (none otherwise); a link for a virtual one, a place
/// for community contact. Per-field 422s, all at once.
pub async fn plan(
    conn: &mut AsyncPgConnection,
    b: &ReferralBundle,
    family_id: FamilyId,
    asked: &Asked,
    booker: UserId,
) -> Result<Plan, ApiError> {
    let centre_id = b.referral.centre_id;
    let mut errors = FieldErrors::default();
    let slot = crate::centres::repo::find_opening_session(
        conn,
        centre_id,
        OpeningSessionId::from(asked.opening_session_id),
    )
    .await?;
    if slot.is_none() {
        errors.push(
            "opening_session_id",
            "unknown_opening_session",
            "is not an opening session of this centre",
        );
    }
    let assessed = crate::referrals::assessment::repo::find(conn, b.referral.id, None).await?;
    let Some(assessed) = assessed else {
        return Err(ApiError::Conflict(
            "the family has no assessment: contact is booked under its conditions".into(),
        ));
    };
    let service = asked.service.unwrap_or(assessed.service);
    if service != assessed.service {
        errors.push(
            "service",
            "not_assessed",
            format!(
                "the assessment decided {} contact",
                assessed.service.as_str()
            ),
        );
    }
    let court = orders(&assessed.court_orders);
    if let Some(o) = court
        .iter()
        .find(|o| o.service.is_some_and(|s| s != service))
    {
        errors.push(
            "service",
            "court_order",
            format!(
                "a court order requires {} contact",
                o.service.map_or("other", |s| s.as_str())
            ),
        );
    }
    if service == ServiceType::Indirect {
        errors.push(
            "service",
            "not_a_session",
            "indirect contact (letterbox) is not booked into sessions",
        );
    }
    if let Some(s) = &slot {
        if !s.services.contains(&service) {
            errors.push(
                "service",
                "not_in_opening_session",
                format!(
                    "the opening session does not offer {} contact",
                    service.as_str()
                ),
            );
        }
    }
    match (one_to_one(service), asked.staff_id) {
        (true, None) => errors.push(
            "staff_id",
            "required",
            "a one-to-one service needs a vetted staff member assigned",
        ),
        (false, Some(_)) => errors.push(
            "staff_id",
            "not_one_to_one",
            "only one-to-one services are assigned a staff member",
        ),
        _ => {}
    }
    let virtual_call = matches!(
        service,
        ServiceType::VirtualSupported | ServiceType::VirtualSupervised
    );
    let link = asked.meeting_link.as_deref().map(str::trim);
    match (virtual_call, link) {
        (true, None) => errors.push(
            "meeting_link",
            "required",
            "a virtual session needs its link",
        ),
        (true, Some(l))
            if !l.starts_with("https://") || l.len() > 500 || l.contains(char::is_whitespace) =>
        {
            errors.push(
                "meeting_link",
                "url",
                "must be an https:// link of at most 500 characters",
            )
        }
        (false, Some(_)) => errors.push(
            "meeting_link",
            "not_virtual",
            "only virtual sessions have a link",
        ),
        _ => {}
    }
    let place = asked
        .place
        .as_deref()
        .map(|p| errors.text("place", p, 1, 500));
    match (service == ServiceType::Community, &place) {
        (true, None) => errors.push(
            "place",
            "required",
            "community contact names the public place",
        ),
        (false, Some(_)) => errors.push(
            "place",
            "not_community",
            "only community contact meets in a public place",
        ),
        _ => {}
    }
    let pick_up_after = asked.pick_up_after_days.unwrap_or(0);
    if !(0..=repo::LONGEST_HANDOVER_DAYS).contains(&pick_up_after) {
        errors.push("pick_up_after_days", "range", "must be 0 to 14");
    } else if pick_up_after > 0 && service != ServiceType::Handover {
        errors.push(
            "pick_up_after_days",
            "not_handover",
            "only a handover's pick-up may be on a later day",
        );
    }
    let slot = errors.finish_one(slot)?;
    let staff = match asked.staff_id {
        Some(id) => Some(vetting::staffing(conn, UserId::from(id), centre_id).await?),
        None => None,
    };
    let venue = crate::centres::repo::find_venue(conn, centre_id, slot.venue_id)
        .await?
        .ok_or_else(|| ApiError::internal("an opening session's venue is gone"))?;
    // As `pre_visits::booking::apart` judges it, from the assessment in hand.
    let apart = pre_visits::booking::Apart {
        stagger: assessed.stagger_minutes,
        keep_apart: b.referral.parties_must_not_meet || assessed.parties_must_not_meet,
    };
    let (residents, visitors): (Vec<_>, Vec<_>) =
        attending(b, &assessed).into_iter().partition(|id| {
            b.relations
                .iter()
                .any(|r| r.adult_id == *id && r.lives_with)
        });
    Ok(Plan {
        family_id,
        slot,
        venue,
        service,
        staff,
        meeting_link: link.map(str::to_owned),
        place,
        pick_up_after,
        keep_apart: apart.keep_apart,
        stagger: apart.stagger,
        residents,
        visitors,
        booker,
        series_id: Uuid::now_v7(),
    })
}

/// A `staff_id` the caller sent names someone of the centre at all, or it is
/// a bad field whatever the dates (vetting and availability are judged date
/// by date). Only for a staff member just asked for: one named earlier (a
/// proposal being agreed, a session being moved) who has since left is
/// judged date by date, as the booking skips them.
pub fn require_member(plan: &Plan) -> Result<(), ApiError> {
    if plan.staff.as_ref().is_some_and(|s| !s.is_member()) {
        return Err(ApiError::field(
            "staff_id",
            "not_staff",
            "must be an active staff member or coordinator of the centre",
        ));
    }
    Ok(())
}
