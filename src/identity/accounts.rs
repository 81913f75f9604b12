//! Accounts that start with a one-time link: people invited by a network admin
//! or a coordinator, referrers and parents who register themselves, parents
//! named in a referral. They are all made here, the same way: the account is
//! `invited` (no password) until its owner uses the link sent to the address.

use std::time::Duration;

use diesel_async::AsyncPgConnection;

use super::links::{self, Purpose};
use super::model::{NewUser, User};
use super::repo;
use super::roles::{ReferrerType, Role, UserStatus};
use crate::error::ApiError;
use crate::notifications;
use crate::vocabulary::{CentreId, OrganisationId, UserId};

/// Who the new account is for.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Already normalised ([`repo::normalise_email`]).
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub referrer_type: Option<ReferrerType>,
    pub organisation_id: Option<OrganisationId>,
    /// For coordinators and staff: their centres.
    pub centre_ids: &'a [CentreId],
}

/// Makes an `invited` account and sends its first link (`purpose`: an
/// invitation, or a confirmation for a self-registered account). `context`
/// says what the message is about (a role, a referral) beside the token.
pub async fn open(
    conn: &mut AsyncPgConnection,
    account: NewAccount<'_>,
    purpose: Purpose,
    ttl: Duration,
    context: serde_json::Value,
) -> Result<User, ApiError> {
    let user = repo::insert_user(
        conn,
        NewUser {
            id: UserId::new(),
            email: account.email,
            name: account.name,
            role: account.role,
            status: UserStatus::Invited,
            password_hash: None,
            referrer_type: account.referrer_type,
            organisation_id: account.organisation_id,
        },
        account.centre_ids,
    )
    .await?;
    send_link(conn, &user, purpose, ttl, context).await?;
    Ok(user)
}

/// Sends a fresh one-time link of `purpose` to the account's address. The
/// message carries the account, the token and `context` (an object).
pub async fn send_link(
    conn: &mut AsyncPgConnection,
    user: &User,
    purpose: Purpose,
    ttl: Duration,
    context: serde_json::Value,
) -> Result<(), ApiError> {
    // Only the newest link of a purpose works: asking again retires the last.
    links::end(conn, user.id, purpose).await?;
    let token = links::create_one_time_token(conn, user.id, purpose, ttl).await?;
    let mut payload = serde_json::json!({"user_id": user.id, "token": token});
    if let (Some(payload), serde_json::Value::Object(extra)) = (payload.as_object_mut(), context) {
        payload.extend(extra);
    }
    notifications::enqueue(conn, &user.email, purpose.template(), payload).await
}
