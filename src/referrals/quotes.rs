//! A charging centre's quote, recorded when it accepts the family: what is
//! charged, how much, and who pays. A centre that charges records one at
//! acceptance; a free centre records none. The centre and the referrer's
//! side read it; a party reads it only when they pay (or share it): who else
//! pays (legal aid, say) is not the other party's to know. Staff do not.

use actix_web::put;
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
    /// The quote's text, read (field names under `quote.` when it comes
    /// with an acceptance).
    pub fn parse_under(&self, errors: &mut FieldErrors, prefix: &str) -> String {
        if !(0..=10_000_000).contains(&self.amount_pence) {
            errors.push(
                format!("{prefix}amount_pence"),
                "range",
                "must be 0 to 10000000 pence",
            );
        }
        errors.text(&format!("{prefix}what"), &self.what, 1, 500)
    }

    /// The quote's text, read on its own.
    pub fn parse(&self, errors: &mut FieldErrors) -> String {
        self.parse_under(errors, "")
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

/// A charging centre's coordinators record (or correct) the quote of an
/// accepted family: for a family that took an offered place, say, accepted
/// without one. A case change, with `If-Match`.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("If-Match" = String, Header, description = "The referral's ETag as read: a case change is made against the version it was read at"),
    ),
    request_body = QuoteInput,
    responses(
        (status = 200, description = "Recorded: the referral as the caller now sees it", body = crate::referrals::dto::ReferralResponse,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "Not a coordinator of the referral's centre", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral the caller may see", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an accepted family (accepted, in pre-visits or active)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read (`/problems/stale`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the centre charges nothing", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match (`/problems/if-match-required`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/referrals/{id}/quote")]
pub async fn put_quote(
    req: actix_web::HttpRequest,
    pool: actix_web::web::Data<crate::db::Pool>,
    caller: crate::identity::Caller,
    id: actix_web::web::Path<ReferralId>,
    body: actix_web::web::Json<QuoteInput>,
) -> Result<actix_web::HttpResponse, ApiError> {
    use crate::http::preconditions::{self, IfMatch, IfMatchSent};
    use crate::referrals::decisions::{machine::Side, side_of};
    use crate::referrals::model::ReferralStatus;
    use diesel_async::AsyncConnection;
    let mut errors = FieldErrors::default();
    let what = body.parse(&mut errors);
    errors.finish(())?;
    let id = id.into_inner();
    let if_match = IfMatchSent::of(&req);
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let b = crate::referrals::repo::load_bundle(conn, id, true)
                .await?
                .ok_or(ApiError::NotFound)?;
            let crate::identity::Principal::User(u) = &*caller else {
                side_of(&caller, &b)?;
                return Err(ApiError::Forbidden);
            };
            if side_of(&caller, &b)? != Side::Centre {
                return Err(ApiError::Forbidden);
            }
            if_match.check(b.referral.version, IfMatch::Required)?;
            if !matches!(
                b.referral.status,
                ReferralStatus::Accepted | ReferralStatus::PreVisits | ReferralStatus::Active
            ) {
                return Err(ApiError::Conflict(
                    "a quote is recorded for an accepted family".into(),
                ));
            }
            if !charges(conn, &b).await? {
                return Err(ApiError::field(
                    "what",
                    "free_centre",
                    "this centre charges nothing",
                ));
            }
            record(
                conn,
                &Quote {
                    referral_id: id,
                    what,
                    amount_pence: body.amount_pence,
                    payer: body.payer,
                    recorded_by: u.id,
                    recorded_at: OffsetDateTime::now_utc(),
                },
            )
            .await?;
            crate::referrals::read::audited_answer(conn, &caller, "record_quote", id).await
        })
        .await?;
    Ok(preconditions::changed(answer.version, &answer.body))
}

/// Whether the referral's centre charges.
pub async fn charges(
    conn: &mut AsyncPgConnection,
    b: &crate::referrals::model::ReferralBundle,
) -> Result<bool, ApiError> {
    Ok(
        crate::centres::repo::find_centre(conn, b.referral.centre_id)
            .await?
            .is_some_and(|c| c.fee_kind == crate::centres::model::FeeKind::Charged),
    )
}
