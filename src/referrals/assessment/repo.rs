//! The `referral_assessments` table: one row per version.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::ApiError;
use crate::schema::referral_assessments;
use crate::vocabulary::{ReferralId, ServiceType, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_assessments)]
pub struct Assessment {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub version: i32,
    pub assessed_by: UserId,
    pub assessed_at: OffsetDateTime,
    /// Text arrays read back as PostgreSQL gives them (elements nullable;
    /// the rows never hold a null).
    pub factors: Vec<Option<String>>,
    pub checks_made: Vec<Option<String>>,
    pub level: String,
    pub rationale: String,
    pub service: ServiceType,
    pub parties_must_not_meet: bool,
    pub stagger_minutes: i32,
    pub may_attend: Vec<Option<Uuid>>,
    /// `[{court_order_id, service, barred_adult_ids, expires_on}]`
    /// (`dto::OrderConditions`).
    pub court_orders: serde_json::Value,
}

/// The latest version, or the one asked for.
pub async fn find(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
    version: Option<i32>,
) -> Result<Option<Assessment>, ApiError> {
    let mut q = referral_assessments::table
        .filter(referral_assessments::referral_id.eq(referral_id))
        .into_boxed();
    if let Some(version) = version {
        q = q.filter(referral_assessments::version.eq(version));
    }
    Ok(q.order(referral_assessments::version.desc())
        .select(Assessment::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert(conn: &mut AsyncPgConnection, a: &Assessment) -> Result<(), ApiError> {
    diesel::insert_into(referral_assessments::table)
        .values(a)
        .execute(conn)
        .await?;
    Ok(())
}
