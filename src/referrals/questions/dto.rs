//! Request and response bodies of the questions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::repo::Question;
use crate::error::ApiError;
use crate::referrals::views::timestamp;
use crate::validation::FieldErrors;

crate::text_enum! {
    /// Whom a question is to.
    pub enum QuestionRecipient {
        /// The referrer's side: the referring organisation, or the parent who
        /// referred themselves.
        Referrer => "referrer",
        /// One adult party, named by `adult_id`.
        Party => "party",
    }
}

/// The centre asks the referrer's side or one party a question.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "to": "party",
    "adult_id": "01a2f4c0-0000-7000-8000-0000000000a1",
    "question": "Which Saturdays can you bring Alex, and does anyone else need to come?"
}))]
pub struct AskRequest {
    /// The referrer's side, or one party.
    pub to: QuestionRecipient,
    /// The adult party asked: required when `to` is `party`, absent otherwise.
    pub adult_id: Option<Uuid>,
    /// The question, as the recipient reads it.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub question: String,
}

impl AskRequest {
    /// The question, trimmed.
    pub fn parse(&self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::default();
        let question = errors.text("question", &self.question, 1, 2000);
        match (self.to, self.adult_id) {
            (QuestionRecipient::Party, None) => {
                errors.push("adult_id", "required", "name the party asked")
            }
            (QuestionRecipient::Referrer, Some(_)) => errors.push(
                "adult_id",
                "unexpected",
                "a question to the referrer's side names no party",
            ),
            _ => {}
        }
        errors.finish(question)
    }
}

/// The recipient answers a question.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"answer": "Every other Saturday from 10; only me and Alex."}))]
pub struct AnswerRequest {
    /// The answer, as the centre reads it.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub answer: String,
}

impl AnswerRequest {
    /// The answer, trimmed.
    pub fn parse(&self) -> Result<String, ApiError> {
        let mut errors = FieldErrors::default();
        let answer = errors.text("answer", &self.answer, 1, 4000);
        errors.finish(answer)
    }
}

/// A question and, once given, its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionResponse {
    /// The question's id.
    pub id: Uuid,
    /// Whom it is to.
    pub to: QuestionRecipient,
    /// The adult party asked, for a question to a party.
    pub adult_id: Option<Uuid>,
    /// The question.
    pub question: String,
    /// When it was asked.
    #[schema(format = DateTime)]
    pub asked_at: String,
    /// The answer, once given.
    pub answer: Option<String>,
    /// When it was answered.
    #[schema(format = DateTime)]
    pub answered_at: Option<String>,
}

impl From<Question> for QuestionResponse {
    fn from(q: Question) -> Self {
        Self {
            id: q.id.into(),
            to: match q.to_adult_id {
                Some(_) => QuestionRecipient::Party,
                None => QuestionRecipient::Referrer,
            },
            adult_id: q.to_adult_id.map(Into::into),
            question: q.question,
            asked_at: timestamp(q.asked_at),
            answer: q.answer,
            answered_at: q.answered_at.map(timestamp),
        }
    }
}
