//! The `pre_visits` table.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use super::rules::Instants;
use super::PreVisitStatus;
use crate::error::ApiError;
use crate::schema::pre_visits;
use crate::vocabulary::{AdultId, CentreId, FamilyId, ReferralId, UserId, VenueId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pre_visits)]
pub struct PreVisit {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub centre_id: CentreId,
    pub adult_id: AdultId,
    pub venue_id: VenueId,
    pub with_children: bool,
    pub keep_apart: bool,
    pub on_date: Date,
    pub starts: Time,
    pub ends: Time,
    /// Derived from the local date and times by the table's trigger.
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub status: PreVisitStatus,
    pub identity_checked: bool,
    pub recorded_by: Option<UserId>,
    pub recorded_at: Option<OffsetDateTime>,
    pub booked_by: UserId,
    pub booked_at: OffsetDateTime,
}

/// A pre-visit to book (its instants are the table's to derive).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = pre_visits)]
pub struct NewPreVisit {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub centre_id: CentreId,
    pub adult_id: AdultId,
    pub venue_id: VenueId,
    pub with_children: bool,
    pub keep_apart: bool,
    pub on_date: Date,
    pub starts: Time,
    pub ends: Time,
    pub booked_by: UserId,
}

/// Takes the venue's lock for booking visits kept apart, to the end of the
/// transaction: two families' bookings at once are judged one after the
/// other.
pub async fn lock_venue(conn: &mut AsyncPgConnection, venue_id: VenueId) -> Result<(), ApiError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210017))")
        .bind::<diesel::sql_types::Text, _>(venue_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Other families' booked visits kept apart at `venue_id` within `gap`
/// minutes of `when`.
pub async fn kept_apart_near(
    conn: &mut AsyncPgConnection,
    venue_id: VenueId,
    except: ReferralId,
    when: Instants,
    gap: i64,
) -> Result<Vec<PreVisit>, ApiError> {
    let gap = time::Duration::minutes(gap);
    Ok(pre_visits::table
        .filter(pre_visits::venue_id.eq(venue_id))
        .filter(pre_visits::keep_apart)
        .filter(pre_visits::status.eq(PreVisitStatus::Booked))
        .filter(pre_visits::referral_id.ne(except))
        .filter(pre_visits::starts_at.lt(when.ends + gap))
        .filter(pre_visits::ends_at.gt(when.starts - gap))
        .order(pre_visits::starts_at)
        .select(PreVisit::as_select())
        .load(conn)
        .await?)
}

/// The adults of family `family_id` whose identity was checked at a done
/// pre-visit. Keyed by the family, so that it goes out with the reads that
/// find the family's referral.
pub async fn identity_checked_of_family(
    conn: &AsyncPgConnection,
    family_id: FamilyId,
) -> Result<Vec<AdultId>, ApiError> {
    let mut conn = conn;
    Ok(pre_visits::table
        .filter(pre_visits::referral_id.eq_any(crate::referrals::family::referral_of(family_id)))
        .filter(pre_visits::status.eq(PreVisitStatus::Done))
        .filter(pre_visits::identity_checked.eq(true))
        .select(pre_visits::adult_id)
        .load(&mut conn)
        .await?)
}

/// A referral's pre-visits, by time.
pub async fn of_referral(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<Vec<PreVisit>, ApiError> {
    Ok(pre_visits::table
        .filter(pre_visits::referral_id.eq(referral_id))
        .order((pre_visits::starts_at, pre_visits::id))
        .select(PreVisit::as_select())
        .load(conn)
        .await?)
}

/// Books a pre-visit: a party's second booked one is a 409 (one at a time,
/// held by the table's unique index, so two coordinators booking at once
/// cannot both succeed).
pub async fn insert(conn: &mut AsyncPgConnection, v: &NewPreVisit) -> Result<PreVisit, ApiError> {
    diesel::insert_into(pre_visits::table)
        .values(v)
        .returning(PreVisit::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::Conflict(
                "this party already has a booked pre-visit: record it done or missed first".into(),
            ),
            other => other.into(),
        })
}

/// Records a booked pre-visit as done or missed; `None` when it was no
/// longer booked (recorded meanwhile).
pub async fn record(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: PreVisitStatus,
    identity_checked: bool,
    by: UserId,
) -> Result<Option<PreVisit>, ApiError> {
    Ok(diesel::update(
        pre_visits::table
            .filter(pre_visits::id.eq(id))
            .filter(pre_visits::status.eq(PreVisitStatus::Booked)),
    )
    .set((
        pre_visits::status.eq(status),
        pre_visits::identity_checked.eq(identity_checked),
        pre_visits::recorded_by.eq(Some(by)),
        pre_visits::recorded_at.eq(Some(OffsetDateTime::now_utc())),
    ))
    .returning(PreVisit::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// The instants of local times at the centre (Europe/London) on `date`, or
/// `None` when one of them does not exist there (the hour the clocks skip).
pub async fn instants(
    conn: &mut AsyncPgConnection,
    date: Date,
    starts: Time,
    ends: Time,
) -> Result<Option<Instants>, ApiError> {
    use crate::vocabulary::calendar::{instant_of_local, local_of_instant, UK_ZONE};
    let (s, e) = (
        time::PrimitiveDateTime::new(date, starts),
        time::PrimitiveDateTime::new(date, ends),
    );
    // A local time exists when its instant reads back as the same local
    // time (the skipped hour does not).
    let (starts_at, ends_at, exists): (OffsetDateTime, OffsetDateTime, bool) = diesel::select((
        instant_of_local(UK_ZONE, s),
        instant_of_local(UK_ZONE, e),
        local_of_instant(UK_ZONE, instant_of_local(UK_ZONE, s))
            .eq(s)
            .and(local_of_instant(UK_ZONE, instant_of_local(UK_ZONE, e)).eq(e)),
    ))
    .get_result(conn)
    .await?;
    Ok(exists.then_some(Instants {
        starts: starts_at,
        ends: ends_at,
    }))
}
