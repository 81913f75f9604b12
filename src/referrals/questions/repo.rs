//! The `referral_questions` table.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::schema::referral_questions;
use crate::vocabulary::{AdultId, ClientId, QuestionId, ReferralId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_questions)]
pub struct Question {
    pub id: QuestionId,
    pub referral_id: ReferralId,
    /// The adult party asked; none for the referrer's side.
    pub to_adult_id: Option<AdultId>,
    pub question: String,
    pub asked_by: UserId,
    pub asked_at: OffsetDateTime,
    pub answer: Option<String>,
    pub answered_by_user: Option<UserId>,
    pub answered_by_client: Option<ClientId>,
    pub answered_at: Option<OffsetDateTime>,
}

pub async fn insert(conn: &mut AsyncPgConnection, q: &Question) -> Result<(), ApiError> {
    diesel::insert_into(referral_questions::table)
        .values(q)
        .execute(conn)
        .await?;
    Ok(())
}

/// A referral's questions, oldest first.
pub async fn of_referral(
    conn: &mut AsyncPgConnection,
    referral_id: ReferralId,
) -> Result<Vec<Question>, ApiError> {
    Ok(referral_questions::table
        .filter(referral_questions::referral_id.eq(referral_id))
        .order((referral_questions::asked_at, referral_questions::id))
        .select(Question::as_select())
        .load(conn)
        .await?)
}

/// Records an answer; false when the question was answered meanwhile.
pub async fn answer(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    text: &str,
    by: (Option<UserId>, Option<ClientId>),
) -> Result<bool, ApiError> {
    let changed = diesel::update(referral_questions::table.find(id))
        .filter(referral_questions::answered_at.is_null())
        .set((
            referral_questions::answer.eq(text),
            referral_questions::answered_by_user.eq(by.0),
            referral_questions::answered_by_client.eq(by.1),
            referral_questions::answered_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(changed == 1)
}
