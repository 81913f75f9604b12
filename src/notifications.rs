//! The notifications outbox: messages to people (invitations, confirmations,
//! resets) are written here in the transaction that causes them, and delivered
//! by a separate worker. The service itself has no mail server.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiError;
use crate::schema::notifications_outbox;

/// What a message is; the delivery worker picks the wording.
#[derive(Debug, Clone, Copy)]
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
}

impl Template {
    fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::ConfirmEmail => "confirm_email",
            Self::AccountExists => "account_exists",
            Self::PasswordReset => "password_reset",
            Self::ReferralPart => "referral_part",
        }
    }
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
