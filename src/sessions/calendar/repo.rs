//! The `calendar_feeds` table.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::ApiError;
use crate::schema::calendar_feeds;
use crate::vocabulary::{AdultId, FamilyId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_feeds)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Feed {
    pub id: Uuid,
    pub family_id: FamilyId,
    pub adult_id: AdultId,
    pub token_hash: Vec<u8>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn insert(conn: &mut AsyncPgConnection, f: &Feed) -> Result<(), ApiError> {
    diesel::insert_into(calendar_feeds::table)
        .values(f)
        .execute(conn)
        .await?;
    Ok(())
}

/// A party's feeds of a family, newest first.
pub async fn of_adults(
    conn: &mut AsyncPgConnection,
    family_id: FamilyId,
    adults: &[AdultId],
) -> Result<Vec<Feed>, ApiError> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::family_id.eq(family_id))
        .filter(calendar_feeds::adult_id.eq_any(adults))
        .order((calendar_feeds::created_at.desc(), calendar_feeds::id.desc()))
        .select(Feed::as_select())
        .load(conn)
        .await?)
}

/// The live feed a token opens, if any.
pub async fn by_token(conn: &mut AsyncPgConnection, hash: &[u8]) -> Result<Option<Feed>, ApiError> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(hash))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(Feed::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Revokes one of a party's feeds; false when there is no live one.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    family_id: FamilyId,
    adults: &[AdultId],
    id: Uuid,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        calendar_feeds::table
            .filter(calendar_feeds::id.eq(id))
            .filter(calendar_feeds::family_id.eq(family_id))
            .filter(calendar_feeds::adult_id.eq_any(adults))
            .filter(calendar_feeds::revoked_at.is_null()),
    )
    .set(calendar_feeds::revoked_at.eq(OffsetDateTime::now_utc()))
    .execute(conn)
    .await?;
    Ok(n == 1)
}
