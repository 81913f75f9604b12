//! The notifications outbox: messages to people (invitations, confirmations,
//! resets, word of a letter) are written here in the transaction that causes
//! them, and delivered by the jobs ([`delivery`]): to an SMTP relay, to files
//! (`make run`), or left for a separate mail worker. What each says is
//! [`messages`].

pub mod delivery;
pub mod messages;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiError;
use crate::schema::notifications_outbox;

/// What a message is; [`messages::render`] picks the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A new account: a link to set a password and accept.
    Invitation,
    /// A self-registered account: a link to confirm the email.
    ConfirmEmail,
    /// Someone tried to register with an email that already has an account.
    AccountExists,
    /// A link to choose a new password.
    PasswordReset,
    /// An adult named in a referral, who has an account, is asked to add their part.
    ReferralPart,
    /// The centre asked the recipient a question about a referral (the
    /// message says there is one, never what it is).
    ReferralQuestion,
    /// A waitlisted family is offered a place, held until a date.
    PlaceOffered,
    /// A letter about a referral is waiting for the recipient in the app
    /// (the message says there is one, never what it says).
    Letter,
    /// A contact session is cancelled (the date, never who or why).
    SessionCancelled,
    /// A children's court officer asks to observe a session (to the
    /// centre's coordinators; the day, never the clients).
    ObservationRequested,
    /// The coordinators answered an officer's request to observe (the day,
    /// never the answer or the family).
    ObservationAnswered,
    /// An approved observation is pending again: its session was cancelled
    /// or moved (to the officer: the day, never why nor the family).
    ObservationReleased,
    /// A staff member can no longer be assigned to a session (to the
    /// centre's coordinators: the date and why, so they assign another).
    StaffUnassigned,
    /// A contact session is tomorrow (to each party who attends: their own
    /// arrival and leaving times only).
    SessionReminder,
    /// A contact session is moved (to each party who attends: the old date
    /// and their own new times only).
    SessionMoved,
    /// The centre proposes a new regular arrangement (to each party whose
    /// agreement it needs).
    ArrangementProposed,
    /// A new arrangement every party agreed is in force (to each party).
    ArrangementInForce,
}

impl Template {
    const ALL: [Template; 17] = [
        Self::Invitation,
        Self::ConfirmEmail,
        Self::AccountExists,
        Self::PasswordReset,
        Self::ReferralPart,
        Self::ReferralQuestion,
        Self::PlaceOffered,
        Self::Letter,
        Self::SessionCancelled,
        Self::ObservationRequested,
        Self::ObservationAnswered,
        Self::ObservationReleased,
        Self::StaffUnassigned,
        Self::SessionReminder,
        Self::SessionMoved,
        Self::ArrangementProposed,
        Self::ArrangementInForce,
    ];

    /// The template a stored word names.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == word)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::ConfirmEmail => "confirm_email",
            Self::AccountExists => "account_exists",
            Self::PasswordReset => "password_reset",
            Self::ReferralPart => "referral_part",
            Self::ReferralQuestion => "referral_question",
            Self::PlaceOffered => "place_offered",
            Self::Letter => "letter",
            Self::SessionCancelled => "session_cancelled",
            Self::ObservationRequested => "observation_requested",
            Self::ObservationAnswered => "observation_answered",
            Self::ObservationReleased => "observation_released",
            Self::StaffUnassigned => "staff_unassigned",
            Self::SessionReminder => "session_reminder",
            Self::SessionMoved => "session_moved",
            Self::ArrangementProposed => "arrangement_proposed",
            Self::ArrangementInForce => "arrangement_in_force",
        }
    }
}

/// How many messages of one kind anyone may cause to one address in an hour
/// without signing in.
pub const UNSOLICITED_PER_HOUR: i64 = 5;

/// The messages anyone can cause without signing in, each kind with its own
/// allowance: a flood of registrations must not use up the owner's resets
/// (and a flood of resets only puts working links in the owner's mailbox).
#[derive(Debug, Clone, Copy)]
pub enum Unsolicited {
    /// Confirmations and "this address has an account".
    Registration,
    /// Password-reset links.
    Reset,
}

impl Unsolicited {
    fn templates(self) -> &'static [Template] {
        match self {
            Self::Registration => &[Template::ConfirmEmail, Template::AccountExists],
            Self::Reset => &[Template::PasswordReset],
        }
    }
}

/// May one more unsolicited message of `kind` (see [`UNSOLICITED_PER_HOUR`])
/// go to `recipient` now? Counted from the outbox, which every instance shares,
/// under an advisory lock on the address held to the end of the caller's
/// transaction, so parallel requests cannot race past the limit. Asked
/// before any work for the message is done, whether or not the address has
/// an account, so the answer and its timing say nothing of the account;
/// beyond the limit the caller stays silent.
pub async fn unsolicited_allowed(
    conn: &mut AsyncPgConnection,
    recipient: &str,
    kind: Unsolicited,
) -> Result<bool, ApiError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210006))")
        .bind::<diesel::sql_types::Text, _>(recipient)
        .execute(conn)
        .await?;
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let unsolicited: Vec<&str> = kind.templates().iter().map(|t| t.as_str()).collect();
    let sent: i64 = notifications_outbox::table
        .filter(notifications_outbox::recipient.eq(recipient))
        .filter(notifications_outbox::template.eq_any(unsolicited))
        .filter(notifications_outbox::created_at.gt(since))
        .count()
        .get_result(conn)
        .await?;
    Ok(sent < UNSOLICITED_PER_HOUR)
}

/// Queues a message to `recipient`.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    recipient: &str,
    template: Template,
    payload: serde_json::Value,
) -> Result<(), ApiError> {
    diesel::insert_into(notifications_outbox::table)
        .values((
            notifications_outbox::id.eq(Uuid::now_v7()),
            notifications_outbox::recipient.eq(recipient),
            notifications_outbox::template.eq(template.as_str()),
            notifications_outbox::payload.eq(payload),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Template;

    #[test]
    fn every_template_reads_back_from_its_word() {
        for t in Template::ALL {
            assert_eq!(Template::parse(t.as_str()), Some(t));
        }
        assert_eq!(Template::parse("nothing"), None);
    }
}
