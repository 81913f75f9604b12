//! Family records: a referral that reaches its centre (`submitted`) records
//! its family, once. The family's people are the referral's children and
//! adults; the families module reads them through this module.

use crate::vocabulary::{CentreId, FamilyId, OrganisationId, ReferralId};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::ApiError;
use crate::events::{self, DomainEvent};
use crate::schema::families;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = families)]
pub struct Family {
    pub id: FamilyId,
    pub referral_id: ReferralId,
    pub centre_id: CentreId,
}

/// Creates the family of a referral that has reached the centre (once).
pub async fn create_for(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
    centre_id: CentreId,
    organisation_id: Option<OrganisationId>,
) -> Result<FamilyId, ApiError> {
    if let Some(existing) = of_referral(conn, referral_id).await? {
        return Ok(existing);
    }
    let id = FamilyId::new();
    diesel::insert_into(families::table)
        .values((
            families::id.eq(id),
            families::referral_id.eq(referral_id),
            families::centre_id.eq(centre_id),
        ))
        .execute(conn)
        .await?;
    events::record(
        conn,
        DomainEvent {
            event_type: "family.created",
            resource_type: "family",
            resource_id: id.into(),
            centre_id: Some(centre_id),
            organisation_id,
            payload: serde_json::json!({"family_id": id, "referral_id": referral_id}),
        },
    )
    .await?;
    Ok(id)
}

pub async fn of_referral(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<Option<FamilyId>, ApiError> {
    Ok(families::table
        .filter(families::referral_id.eq(referral_id))
        .select(families::id)
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: FamilyId) -> Result<Option<Family>, ApiError> {
    Ok(families::table
        .find(id)
        .select(Family::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The referral of family `id`, as a subquery (`… WHERE referral_id IN
/// (this)`): a read keyed by the family's id then needs no round trip to
/// find its referral first.
#[diesel::dsl::auto_type]
pub fn referral_of(id: FamilyId) -> _ {
    families::table
        .filter(families::id.eq(id))
        .select(families::referral_id)
}
