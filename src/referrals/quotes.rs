//! A charging centre's quote, recorded when it accepts the family: what is
//! charged, how much, and who pays. A centre that charges records one at
//! acceptance; a free centre records none. The centre and the referrer's
//! side read it; a party reads it only when they pay (or share it): who else
//! pays (legal aid, say) is not the other party's to know. Staff do not.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::schema::referral_quotes;
use crate::validation::FieldErrors;
use crate::vocabulary::{ReferralId, UserId};

crate::text_enum! {
    /// Who pays a centre's charge.
    pub enum Payer {
        ResidentParent => "resident_parent",
        NonResidentParent => "non_resident_parent",
        /// The parents share it.
        BothParents => "both_parents",
        LegalAid => "legal_aid",
        LocalAuthority => "local_authority",
        /// The organisation that referred the family.
        ReferringOrganisation => "referring_organisation",
        Other => "other",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_quotes)]
pub struct Quote {
    pub referral_id: ReferralId,
    pub what: String,
    pub amount_pence: i32,
    pub payer: Payer,
    pub recorded_by: UserId,
    pub recorded_at: OffsetDateTime,
}

/// The quote a coordinator gives with an acceptance.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"what": "Supervised contact, per two-hour session", "amount_pence": 4000, "payer": "non_resident_parent"}))]
pub struct QuoteInput {
    /// What is charged.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub what: String,
    /// How much, in pence.
    #[schema(minimum = 0, maximum = 10000000)]
    pub amount_pence: i32,
    /// Who pays.
    pub payer: Payer,
}

impl QuoteInput {
    /// The quote's text, read (field names under `quote.`).
    pub fn parse(&self, errors: &mut FieldErrors) -> String {
        if !(0..=10_000_000).contains(&self.amount_pence) {
            errors.push("quote.amount_pence", "range", "must be 0 to 10000000 pence");
        }
        errors.text("quote.what", &self.what, 1, 500)
    }
}

/// A quote as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteResponse {
    /// What is charged.
    pub what: String,
    /// How much, in pence.
    pub amount_pence: i32,
    /// Who pays.
    pub payer: Payer,
    /// When it was recorded.
    #[schema(format = DateTime)]
    pub recorded_at: String,
}

impl From<Quote> for QuoteResponse {
    fn from(q: Quote) -> Self {
        Self {
            what: q.what,
            amount_pence: q.amount_pence,
            payer: q.payer,
            recorded_at: crate::referrals::views::timestamp(q.recorded_at),
        }
    }
}

/// Whether `viewer` reads the quote (see the module's description).
pub fn shown_to(
    quote: &Quote,
    viewer: &crate::referrals::access::Viewer,
    b: &crate::referrals::model::ReferralBundle,
) -> bool {
    use crate::referrals::access::Viewer;
    use crate::referrals::model::Party;
    match viewer {
        Viewer::Centre | Viewer::Referrer => true,
        Viewer::Staff => false,
        Viewer::Parent { adult_ids } => {
            b.adults
                .iter()
                .filter(|a| adult_ids.contains(&a.id))
                .any(|a| match quote.payer {
                    Payer::ResidentParent => a.party == Party::ResidentParent,
                    Payer::NonResidentParent => a.party == Party::NonResidentParent,
                    Payer::BothParents => a.party.gives_own_part(),
                    _ => false,
                })
        }
    }
}

/// Records (or replaces) a referral's quote.
pub async fn record(conn: &mut AsyncPgConnection, quote: &Quote) -> Result<(), ApiError> {
    diesel::insert_into(referral_quotes::table)
        .values(quote)
        .on_conflict(referral_quotes::referral_id)
        .do_update()
        .set((
            referral_quotes::what.eq(&quote.what),
            referral_quotes::amount_pence.eq(quote.amount_pence),
            referral_quotes::payer.eq(quote.payer),
            referral_quotes::recorded_by.eq(quote.recorded_by),
            referral_quotes::recorded_at.eq(quote.recorded_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn of_referral(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
) -> Result<Option<Quote>, ApiError> {
    Ok(referral_quotes::table
        .find(id)
        .select(Quote::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn payers_send_their_database_words() {
        crate::text_enum::assert_wire_words(super::Payer::ALL, super::Payer::as_str);
    }
}
