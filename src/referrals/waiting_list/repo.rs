//! The waiting list's rows: waitlisted referrals and `referral_offers`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::OfferState;
use super::{in_order, next_in_line, Waiting};
use crate::error::ApiError;
use crate::referrals::decisions::letters::plain;
use crate::referrals::letters;
use crate::referrals::model::ReferralStatus;
use crate::schema::{referral_offers, referrals};
use crate::vocabulary::{CentreId, ReferralId, ServiceType};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_offers)]
pub struct Offer {
    pub id: Uuid,
    /// The place, followed from offer to offer as it passes on.
    pub place_id: Uuid,
    pub referral_id: ReferralId,
    pub centre_id: CentreId,
    pub service: ServiceType,
    pub offered_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// `taken`, `refused` or `lapsed`; none while open.
    pub outcome: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub passed_on: bool,
}

impl Offer {
    /// Where it stands at `now`: an open offer past its expiry has lapsed,
    /// whether or not the lapse was written yet.
    pub fn state(&self, now: OffsetDateTime) -> OfferState {
        match self.outcome.as_deref() {
            Some("taken") => OfferState::Taken,
            Some("refused") => OfferState::Refused,
            Some(_) => OfferState::Lapsed,
            None if self.expires_at <= now => OfferState::Lapsed,
            None => OfferState::Open,
        }
    }
}

/// A waitlisted referral: id, when it joined the list, when it last changed
/// (for rows from before `waitlisted_at` was kept), its priority reason, its
/// service.
type WaitingRow = (
    ReferralId,
    Option<OffsetDateTime>,
    OffsetDateTime,
    Option<String>,
    ServiceType,
);

/// The families waiting at a centre, for one service or all, in order.
pub async fn waiting(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    service: Option<ServiceType>,
) -> Result<Vec<(Waiting, ServiceType)>, ApiError> {
    let mut q = referrals::table
        .filter(referrals::centre_id.eq(centre_id))
        .filter(referrals::status.eq(ReferralStatus::Waitlisted))
        .into_boxed();
    if let Some(service) = service {
        q = q.filter(referrals::service.eq(service));
    }
    let rows: Vec<WaitingRow> = q
        .select((
            referrals::id,
            referrals::waitlisted_at,
            referrals::updated_at,
            referrals::priority_reason,
            referrals::service,
        ))
        .load(conn)
        .await?;
    let by_service: Vec<(Waiting, ServiceType)> = rows
        .into_iter()
        .map(|(referral_id, at, updated, priority_reason, service)| {
            (
                Waiting {
                    referral_id,
                    waitlisted_at: at.unwrap_or(updated),
                    priority_reason,
                },
                service,
            )
        })
        .collect();
    let mut ordered = Vec::new();
    for service in ServiceType::ALL {
        let list: Vec<Waiting> = by_service
            .iter()
            .filter(|(_, s)| s == service)
            .map(|(w, _)| w.clone())
            .collect();
        ordered.extend(in_order(list).into_iter().map(|w| (w, *service)));
    }
    Ok(ordered)
}

/// The referral's latest offer.
pub async fn latest(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<Option<Offer>, ApiError> {
    Ok(referral_offers::table
        .filter(referral_offers::referral_id.eq(referral_id))
        .order(referral_offers::offered_at.desc())
        .select(Offer::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Every offer at a centre that is open or still to pass on.
async fn live(conn: &mut AsyncPgConnection, centre_id: CentreId) -> Result<Vec<Offer>, ApiError> {
    Ok(referral_offers::table
        .filter(referral_offers::centre_id.eq(centre_id))
        .filter(
            referral_offers::outcome
                .is_null()
                .or(referral_offers::outcome
                    .eq_any(["refused", "lapsed"])
                    .and(referral_offers::passed_on.eq(false))),
        )
        .select(Offer::as_select())
        .load(conn)
        .await?)
}

/// Offers a place to a family and tells the referrer's side.
pub async fn offer(
    conn: &mut AsyncPgConnection,
    place_id: Uuid,
    referral_id: ReferralId,
    days: i32,
    now: OffsetDateTime,
) -> Result<Offer, ApiError> {
    let b = crate::referrals::repo::load_bundle(conn, referral_id, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (centre_id, service) = (b.referral.centre_id, b.referral.service);
    let offer = Offer {
        id: Uuid::now_v7(),
        place_id,
        referral_id,
        centre_id,
        service,
        offered_at: now,
        expires_at: now + time::Duration::days(days.into()),
        outcome: None,
        decided_at: None,
        passed_on: false,
    };
    diesel::insert_into(referral_offers::table)
        .values(&offer)
        .execute(conn)
        .await?;
    // The offer goes to whoever takes or refuses it: the referrer's side.
    if let Some(to) = letters::referrer_side(&b) {
        let centre = crate::centres::repo::name_of(conn, centre_id).await?;
        let until = crate::vocabulary::calendar::format_date(
            offer.expires_at.to_offset(time::UtcOffset::UTC).date(),
        );
        let draft = letters::Draft {
            kind: letters::LetterKind::Offer,
            to,
            subject: format!(
                "A place for {} contact at {centre}",
                plain(service.as_str())
            ),
            body: format!(
                "{centre} can now offer the family a place for {} contact. \
                 The place is held until {until} (UTC). Please take it or refuse it \
                 before then; if we do not hear from you, it passes to the next \
                 family waiting.",
                plain(service.as_str())
            ),
        };
        letters::send(conn, &b.referral, draft).await?;
    }
    Ok(offer)
}

/// Records the family's answer to an open offer; false when it is not open.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    offer_id: Uuid,
    outcome: OfferState,
    now: OffsetDateTime,
) -> Result<bool, ApiError> {
    let changed = diesel::update(referral_offers::table.find(offer_id))
        .filter(referral_offers::outcome.is_null())
        .filter(referral_offers::expires_at.gt(now))
        .set((
            referral_offers::outcome.eq(outcome.as_str()),
            referral_offers::decided_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

/// Takes the lock on the waiting list of the referral's centre. Every write
/// that can change a list (a move, an offer and its answer, a priority, the
/// sweep) takes it before it locks any referral row, so they queue in one
/// order and never deadlock, and no family leaves the list while its place
/// is being passed on.
pub async fn lock_list_of(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<(), ApiError> {
    let centre: Option<CentreId> = referrals::table
        .find(referral_id)
        .select(referrals::centre_id)
        .first(conn)
        .await
        .optional()?;
    if let Some(centre) = centre {
        crate::db::advisory_xact_lock(conn, "waiting-list", centre.into()).await?;
    }
    Ok(())
}

/// Closes the referral's open offer as it leaves the list (`taken` when it
/// is accepted, `refused` when it is closed), so the place is neither held
/// for a family that left nor offered twice.
pub async fn settle_open(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
    outcome: OfferState,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    diesel::update(referral_offers::table)
        .filter(referral_offers::referral_id.eq(referral_id))
        .filter(referral_offers::outcome.is_null())
        .filter(referral_offers::expires_at.gt(now))
        .set((
            referral_offers::outcome.eq(outcome.as_str()),
            referral_offers::decided_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the lapses of the centre's expired offers and passes each refused
/// or lapsed place to the next family in line that has not had it, under the
/// lock on the centre's list, so that instances never offer a place twice.
/// `now` is the request's one clock, the same its reads show.
pub async fn sweep(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
    offer_days: i32,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    crate::db::advisory_xact_lock(conn, "waiting-list", centre_id.into()).await?;
    diesel::update(referral_offers::table)
        .filter(referral_offers::centre_id.eq(centre_id))
        .filter(referral_offers::outcome.is_null())
        .filter(referral_offers::expires_at.le(now))
        .set((
            referral_offers::outcome.eq(OfferState::Lapsed.as_str()),
            referral_offers::decided_at.eq(referral_offers::expires_at.nullable()),
        ))
        .execute(conn)
        .await?;
    let live = live(conn, centre_id).await?;
    let to_pass: Vec<&Offer> = live
        .iter()
        .filter(|o| matches!(o.outcome.as_deref(), Some("refused" | "lapsed")) && !o.passed_on)
        .collect();
    if to_pass.is_empty() {
        return Ok(());
    }
    let mut holding: Vec<ReferralId> = live
        .iter()
        .filter(|o| o.outcome.is_none())
        .map(|o| o.referral_id)
        .collect();
    for passing in to_pass {
        let had: Vec<ReferralId> = referral_offers::table
            .filter(referral_offers::place_id.eq(passing.place_id))
            .select(referral_offers::referral_id)
            .load(conn)
            .await?;
        let line: Vec<Waiting> = waiting(conn, centre_id, Some(passing.service))
            .await?
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        if let Some(next) = next_in_line(&line, &had, &holding) {
            offer(conn, passing.place_id, next, offer_days, now).await?;
            holding.push(next);
        }
        // Passed on, or to nobody (everyone waiting has had it): either way
        // this offer is done with.
        diesel::update(referral_offers::table.find(passing.id))
            .set(referral_offers::passed_on.eq(true))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Passes on the places of offers that lapsed, at every centre that has one,
/// without waiting for a read of its list: each centre in a transaction of
/// its own, skipped when another instance (or a request) holds its list's
/// lock, since that one is passing them on. Returns the centres swept.
pub async fn pass_on_lapsed(
    pool: &crate::db::Pool,
    now: OffsetDateTime,
) -> Result<usize, ApiError> {
    use diesel_async::AsyncConnection;
    let mut conn = pool.get().await?;
    let centres: Vec<CentreId> = referral_offers::table
        .filter(referral_offers::outcome.is_null())
        .filter(referral_offers::expires_at.le(now))
        .select(referral_offers::centre_id)
        .distinct()
        .load(&mut conn)
        .await?;
    let mut swept = 0;
    for centre in centres {
        let done = conn
            .transaction::<_, ApiError, _>(async move |conn| {
                let free: bool = diesel::select(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "pg_try_advisory_xact_lock(hashtextextended(",
                    )
                    .bind::<diesel::sql_types::Text, _>(format!("waiting-list:{centre}"))
                    .sql(", 7210010))"),
                )
                .get_result(conn)
                .await?;
                if !free {
                    return Ok(false);
                }
                let days = crate::centres::repo::find_centre(conn, centre)
                    .await?
                    .map_or(7, |c| c.offer_days);
                sweep(conn, centre, days, now).await?;
                Ok(true)
            })
            .await?;
        swept += usize::from(done);
    }
    Ok(swept)
}
