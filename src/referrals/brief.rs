//! What a day sheet shows of several families' referrals: their children,
//! their adults (names and parties only) and the risk statements the
//! coordinators marked for staff. No other risk text leaves the centre's
//! coordinators, and no contact detail is even read.
//!
//! The three parts are one statement (`UNION ALL`), its rows told apart by
//! their first column and ordered here: a day sheet reads them on every
//! request, and each statement costs PostgreSQL more than its few rows.

use diesel::prelude::*;
use diesel::sql_types::{Date as SqlDate, Nullable, SmallInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{Party, RiskKind};
use crate::error::ApiError;
use crate::schema::{referral_adults, referral_children, referral_risks};
use crate::vocabulary::{AdultId, ReferralId};

/// A child as a day sheet shows them.
#[derive(Debug, Clone)]
pub struct ChildInBrief {
    pub referral_id: ReferralId,
    pub name: String,
    pub date_of_birth: Date,
    pub needs: String,
}

/// An adult as a day sheet names them: who they are to the family, never
/// how to reach them.
#[derive(Debug, Clone)]
pub struct AdultInBrief {
    pub id: AdultId,
    pub referral_id: ReferralId,
    pub name: String,
    pub party: Party,
}

/// A risk statement marked for staff.
#[derive(Debug, Clone)]
pub struct RiskInBrief {
    pub referral_id: ReferralId,
    pub kind: RiskKind,
    pub details: String,
}

/// Several referrals in brief: children and adults in their referral's
/// order, risks in the order they were stated.
#[derive(Debug, Default)]
pub struct InBrief {
    pub children: Vec<ChildInBrief>,
    pub adults: Vec<AdultInBrief>,
    pub risks: Vec<RiskInBrief>,
}

const CHILD: i16 = 0;
const ADULT: i16 = 1;
const RISK: i16 = 2;

/// A row of the statement: (part, referral, id, position, name or the
/// risk's details, date of birth, needs, party, risk kind, stated at).
/// Each part fills the columns it has; the others are null or empty.
type Row = (
    i16,
    ReferralId,
    Uuid,
    i16,
    String,
    Option<Date>,
    String,
    Option<Party>,
    Option<RiskKind>,
    Option<OffsetDateTime>,
);

/// The children, adults and staff-marked risks of some referrals, in one
/// statement sent alongside others on the connection.
pub async fn in_brief(conn: &AsyncPgConnection, ids: &[ReferralId]) -> Result<InBrief, ApiError> {
    // The three selects line up column for column with `Row`: the types
    // only check that each column's SQL type agrees, so a name and a risk's
    // details (both text) could be swapped unseen. Keep them in step; the
    // day sheet tests read each part of two families back.
    // The columns a part lacks are typed bind parameters, not SQL text, so
    // the statement stays one PostgreSQL prepares once per connection.
    let no_text = || None::<String>.into_sql::<Nullable<Text>>();
    let no_date = || None::<Date>.into_sql::<Nullable<SqlDate>>();
    let no_needs = || String::new().into_sql::<Text>();
    let no_instant = || None::<OffsetDateTime>.into_sql::<Nullable<Timestamptz>>();
    let children = referral_children::table
        .filter(referral_children::referral_id.eq_any(ids))
        .select((
            CHILD.into_sql::<SmallInt>(),
            referral_children::referral_id,
            referral_children::id,
            referral_children::position,
            referral_children::name,
            referral_children::date_of_birth.nullable(),
            referral_children::needs,
            no_text(),
            no_text(),
            no_instant(),
        ));
    let adults = referral_adults::table
        .filter(referral_adults::referral_id.eq_any(ids))
        .select((
            ADULT.into_sql::<SmallInt>(),
            referral_adults::referral_id,
            referral_adults::id,
            referral_adults::position,
            referral_adults::name,
            no_date(),
            no_needs(),
            referral_adults::party.nullable(),
            no_text(),
            no_instant(),
        ));
    let risks = referral_risks::table
        .filter(referral_risks::referral_id.eq_any(ids))
        .filter(referral_risks::visible_to_staff.eq(true))
        .select((
            RISK.into_sql::<SmallInt>(),
            referral_risks::referral_id,
            referral_risks::id,
            0i16.into_sql::<SmallInt>(),
            referral_risks::details,
            no_date(),
            no_needs(),
            no_text(),
            referral_risks::kind.nullable(),
            referral_risks::created_at.nullable(),
        ));
    let mut rows: Vec<Row> = children
        .union_all(adults)
        .union_all(risks)
        .load(&mut &*conn)
        .await?;
    // Children and adults by referral and position; risks as stated.
    rows.sort_unstable_by_key(|r| (r.0, r.9, r.1, r.3, r.2));
    let mut brief = InBrief::default();
    for (part, referral_id, id, _, name, born, needs, party, kind, _) in rows {
        match (part, born, party, kind) {
            (CHILD, Some(date_of_birth), _, _) => brief.children.push(ChildInBrief {
                referral_id,
                name,
                date_of_birth,
                needs,
            }),
            (ADULT, _, Some(party), _) => brief.adults.push(AdultInBrief {
                id: id.into(),
                referral_id,
                name,
                party,
            }),
            (RISK, _, _, Some(kind)) => brief.risks.push(RiskInBrief {
                referral_id,
                kind,
                details: name,
            }),
            _ => return Err(ApiError::internal("a referral brief row of no known part")),
        }
    }
    Ok(brief)
}
