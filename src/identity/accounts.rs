//! Accounts that start with a one-time link: people invited by a network admin
//! or a coordinator, referrers and parents who register themselves, parents
//! named in a referral. They are all made here, the same way: the account is
//! `invited` (no password) until its owner uses the link sent to the address.
//!
//! An address cannot be squatted: a self-registration nobody confirmed is
//! *unclaimed*: an invitation or a referral naming the address replaces it,
//! and its links end. Each registration's confirmation link carries what that
//! registration chose, and using it makes exactly that account: whatever
//! others register at the address, the owner's own link makes the owner's
//! choice (and only the owner reads the links).

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

impl<'a> NewAccount<'a> {
    /// The account's row as it starts: `invited`, no password, under `id`.
    fn invited(&self, id: UserId) -> NewUser<'a> {
        NewUser {
            id,
            email: self.email,
            name: self.name,
            role: self.role,
            status: UserStatus::Invited,
            password_hash: None,
            referrer_type: self.referrer_type,
            organisation_id: self.organisation_id,
        }
    }
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
    let new = account.invited(UserId::new());
    lock_address(conn, account.email).await?;
    let user = match repo::find_user_by_email(conn, account.email).await? {
        Some(unclaimed) if is_unclaimed(conn, &unclaimed).await? => {
            // Whoever registered it never proved the address: its links end.
            links::end_all(conn, unclaimed.id).await?;
            repo::replace_unclaimed(conn, unclaimed.id, new, account.centre_ids).await?
        }
        _ => repo::insert_user(conn, new, account.centre_ids).await?,
    };
    send_link(conn, &user, purpose, ttl, context).await?;
    Ok(user)
}

/// What a self-registration chose; its confirmation link carries it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Chosen {
    name: String,
    role: Role,
    referrer_type: Option<ReferrerType>,
    organisation_id: Option<OrganisationId>,
}

/// A self-registration: an `invited` account at a free address, or the
/// unclaimed one already there (the caller has checked the address with
/// [`find_claimed`]), and a confirmation link that carries what this
/// registration chose. Earlier registrations' links stay as they were: each
/// makes, when used, the account its own registration chose, and only the
/// address's owner can use any of them.
pub async fn register(
    conn: &mut AsyncPgConnection,
    account: NewAccount<'_>,
    ttl: Duration,
) -> Result<User, ApiError> {
    lock_address(conn, account.email).await?;
    let user = match repo::find_user_by_email(conn, account.email).await? {
        Some(unclaimed) if is_unclaimed(conn, &unclaimed).await? => unclaimed,
        Some(_) => return Err(ApiError::Conflict("the address has an account".into())),
        None => repo::insert_user(conn, account.invited(UserId::new()), &[]).await?,
    };
    let chosen = Chosen {
        name: account.name.to_owned(),
        role: account.role,
        referrer_type: account.referrer_type,
        organisation_id: account.organisation_id,
    };
    let chosen = serde_json::to_value(&chosen).map_err(ApiError::internal)?;
    let purpose = Purpose::ConfirmEmail;
    let token =
        links::create_one_time_token(conn, user.id, purpose, ttl, Some(chosen.clone())).await?;
    // The message says what the link makes, so the owner knows their own.
    let mut payload = serde_json::json!({"user_id": user.id, "token": token});
    if let (Some(payload), serde_json::Value::Object(chosen)) = (payload.as_object_mut(), chosen) {
        payload.extend(chosen);
    }
    notifications::enqueue(conn, &user.email, purpose.template(), payload).await?;
    Ok(user)
}

/// Makes the unconfirmed account the one its confirmation link's
/// registration chose (`account`, as [`register`] stored it).
pub async fn confirm_chosen(
    conn: &mut AsyncPgConnection,
    user: &User,
    account: serde_json::Value,
) -> Result<(), ApiError> {
    let chosen: Chosen = serde_json::from_value(account).map_err(ApiError::internal)?;
    let account = NewAccount {
        email: &user.email,
        name: &chosen.name,
        role: chosen.role,
        referrer_type: chosen.referrer_type,
        organisation_id: chosen.organisation_id,
        centre_ids: &[],
    };
    repo::replace_unclaimed(conn, user.id, account.invited(user.id), &[]).await?;
    Ok(())
}

/// How `account` would read once invited, with a fresh id: the answer to an
/// invitation that must not say the address already has an account.
pub fn as_invited(account: NewAccount<'_>, at: time::OffsetDateTime) -> User {
    User {
        id: UserId::new(),
        email: account.email.to_owned(),
        name: account.name.to_owned(),
        role: account.role,
        status: UserStatus::Invited,
        password_hash: None,
        referrer_type: account.referrer_type,
        organisation_id: account.organisation_id,
        created_at: at,
    }
}

/// The account at an address, unless it is unclaimed (see the module
/// comment), in which case the address is free to use.
pub async fn find_claimed(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<User>, ApiError> {
    lock_address(conn, email).await?;
    match repo::find_user_by_email(conn, email).await? {
        Some(user) if is_unclaimed(conn, &user).await? => Ok(None),
        found => Ok(found),
    }
}

/// Serialises the uses of one address to the end of the caller's
/// transaction, so that two of them (a registration and an invitation at
/// once) cannot both find it unclaimed and both take it.
async fn lock_address(conn: &mut AsyncPgConnection, email: &str) -> Result<(), ApiError> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210008))")
        .bind::<diesel::sql_types::Text, _>(email)
        .execute(conn)
        .await?;
    Ok(())
}

/// A self-registration never confirmed: invited, no password, and no
/// invitation ever sent to it by a person or a referral.
async fn is_unclaimed(conn: &mut AsyncPgConnection, user: &User) -> Result<bool, ApiError> {
    Ok(user.status == UserStatus::Invited
        && user.password_hash.is_none()
        && !links::ever_made(conn, user.id, Purpose::Invitation).await?)
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
    let token = links::create_one_time_token(conn, user.id, purpose, ttl, None).await?;
    let mut payload = serde_json::json!({"user_id": user.id, "token": token});
    if let (Some(payload), serde_json::Value::Object(extra)) = (payload.as_object_mut(), context) {
        payload.extend(extra);
    }
    notifications::enqueue(conn, &user.email, purpose.template(), payload).await
}
