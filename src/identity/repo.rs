//! Queries of people, organisations and integration clients.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

pub use super::model::NewUser;
use super::model::{IntegrationClient, Organisation, User};
use crate::error::ApiError;
use crate::identity::roles::{Role, Scope, UserStatus};
use crate::pagination::{beyond, Cursor, Direction, PageRequest};
use crate::schema::{centre_memberships, integration_clients, organisations, users};
use crate::vocabulary::{CentreId, ClientId, OrganisationId, UserId};

/// Emails are compared trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn find_user(conn: &mut AsyncPgConnection, id: UserId) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A user with the centres they belong to, in one round trip: every
/// authenticated request asks for both.
pub async fn find_user_with_centres(
    conn: &mut AsyncPgConnection,
    id: UserId,
) -> Result<Option<(User, Vec<CentreId>)>, ApiError> {
    // Every authenticated request asks this: one statement (the centres as
    // an array beside the user), which diesel keeps prepared: no SQL text of
    // ours, which PostgreSQL would plan afresh each time.
    let centres = diesel::dsl::array::<diesel::sql_types::Uuid, _>(
        centre_memberships::table
            .filter(centre_memberships::user_id.eq(id))
            .order(centre_memberships::centre_id)
            .select(centre_memberships::centre_id),
    );
    Ok(users::table
        .find(id)
        .select((User::as_select(), centres))
        .first::<(User, Vec<CentreId>)>(conn)
        .await
        .optional()?)
}

pub async fn find_user_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn centre_ids_of(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
) -> Result<Vec<CentreId>, ApiError> {
    Ok(centre_memberships::table
        .filter(centre_memberships::user_id.eq(user_id))
        .select(centre_memberships::centre_id)
        .order(centre_memberships::centre_id)
        .load(conn)
        .await?)
}

/// The addresses of a centre's active coordinators, whom the centre's
/// notices reach.
pub async fn coordinator_emails(
    conn: &mut AsyncPgConnection,
    centre_id: CentreId,
) -> Result<Vec<String>, ApiError> {
    Ok(users::table
        .inner_join(centre_memberships::table)
        .filter(centre_memberships::centre_id.eq(centre_id))
        .filter(users::role.eq(Role::Coordinator))
        .filter(users::status.eq(UserStatus::Active))
        .select(users::email)
        .order(users::email)
        .load(conn)
        .await?)
}

/// Which of `ids` are parents' accounts, in one query (ids that are not
/// users at all are simply absent).
pub async fn parents_among(
    conn: &mut AsyncPgConnection,
    ids: &[UserId],
) -> Result<std::collections::HashSet<UserId>, ApiError> {
    let rows: Vec<UserId> = users::table
        .filter(users::id.eq_any(ids.to_vec()))
        .filter(users::role.eq(Role::Parent))
        .select(users::id)
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The centres of each of `user_ids`, in one query.
pub async fn centre_ids_of_many(
    conn: &mut AsyncPgConnection,
    user_ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, Vec<CentreId>>, ApiError> {
    let rows: Vec<(UserId, CentreId)> = centre_memberships::table
        .filter(centre_memberships::user_id.eq_any(user_ids.to_vec()))
        .select((centre_memberships::user_id, centre_memberships::centre_id))
        .order((centre_memberships::user_id, centre_memberships::centre_id))
        .load(conn)
        .await?;
    let mut map = std::collections::HashMap::<UserId, Vec<CentreId>>::new();
    for (user, centre) in rows {
        map.entry(user).or_default().push(centre);
    }
    Ok(map)
}

/// Inserts a user and their centre memberships. A taken email is a 409.
pub async fn insert_user(
    conn: &mut AsyncPgConnection,
    user: NewUser<'_>,
    centre_ids: &[CentreId],
) -> Result<User, ApiError> {
    let inserted = diesel::insert_into(users::table)
        .values(&user)
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => {
                ApiError::Conflict("an account with this email already exists".into())
            }
            other => other,
        })?;
    add_memberships(conn, inserted.id, centre_ids).await?;
    Ok(inserted)
}

/// Makes an unclaimed account (a self-registration never confirmed) into
/// `user`, keeping its id and address: its role, name, organisation and
/// centres are the new use's.
pub async fn replace_unclaimed(
    conn: &mut AsyncPgConnection,
    id: UserId,
    user: NewUser<'_>,
    centre_ids: &[CentreId],
) -> Result<User, ApiError> {
    // Only while it is still a registration nobody confirmed.
    let replaced = diesel::update(users::table.find(id))
        .filter(users::status.eq(UserStatus::Invited))
        .filter(users::password_hash.is_null())
        .set((
            users::name.eq(user.name),
            users::role.eq(user.role),
            users::status.eq(user.status),
            users::referrer_type.eq(user.referrer_type),
            users::organisation_id.eq(user.organisation_id),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await?;
    diesel::delete(centre_memberships::table.filter(centre_memberships::user_id.eq(id)))
        .execute(conn)
        .await?;
    add_memberships(conn, id, centre_ids).await?;
    Ok(replaced)
}

async fn add_memberships(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    centre_ids: &[CentreId],
) -> Result<(), ApiError> {
    let rows: Vec<_> = centre_ids
        .iter()
        .map(|c| {
            (
                centre_memberships::user_id.eq(user_id),
                centre_memberships::centre_id.eq(*c),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(centre_memberships::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Sets a password; `activate` also makes an invited account active.
pub async fn set_password(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    hash: &str,
    activate: bool,
) -> Result<(), ApiError> {
    let target = users::table.find(user_id);
    if activate {
        diesel::update(target)
            .set((
                users::password_hash.eq(hash),
                users::status.eq(UserStatus::Active),
            ))
            .execute(conn)
            .await?;
    } else {
        diesel::update(target)
            .set(users::password_hash.eq(hash))
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    status: UserStatus,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set(users::status.eq(status))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn any_network_admin(conn: &mut AsyncPgConnection) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(Role::NetworkAdmin)),
    ))
    .get_result(conn)
    .await?)
}

/// Which users a list may show.
pub enum UserScope<'a> {
    /// Everyone but parents (whose accounts are family detail).
    AllButParents,
    /// Users who belong to one of these centres.
    Centres(&'a [CentreId]),
}

pub async fn list_users(
    conn: &mut AsyncPgConnection,
    scope: UserScope<'_>,
    role: Option<Role>,
    page: &PageRequest<String>,
) -> Result<Vec<User>, ApiError> {
    let mut q = users::table
        .select(User::as_select())
        .order((users::email.asc(), users::id.asc()))
        .limit(page.fetch_limit())
        .into_boxed();
    match scope {
        UserScope::AllButParents => q = q.filter(users::role.ne(Role::Parent)),
        UserScope::Centres(centres) => {
            q = q.filter(
                users::id.eq_any(
                    centre_memberships::table
                        .filter(centre_memberships::centre_id.eq_any(centres.to_vec()))
                        .select(centre_memberships::user_id),
                ),
            )
        }
    }
    if let Some(role) = role {
        q = q.filter(users::role.eq(role));
    }
    if let Some(Cursor { key, id }) = &page.after {
        q = q.filter(beyond(
            users::email,
            users::id,
            Direction::Ascending,
            key.clone(),
            *id,
        ));
    }
    Ok(q.load(conn).await?)
}

pub async fn insert_organisation(
    conn: &mut AsyncPgConnection,
    organisation: &Organisation,
) -> Result<Organisation, ApiError> {
    diesel::insert_into(organisations::table)
        .values(organisation)
        .returning(Organisation::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => {
                ApiError::Conflict("an organisation with this name already exists".into())
            }
            other => other,
        })
}

pub async fn find_organisation(
    conn: &mut AsyncPgConnection,
    id: OrganisationId,
) -> Result<Option<Organisation>, ApiError> {
    Ok(organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn list_organisations(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<String>,
) -> Result<Vec<Organisation>, ApiError> {
    let mut q = organisations::table
        .select(Organisation::as_select())
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(Cursor { key, id }) = &page.after {
        q = q.filter(beyond(
            organisations::name,
            organisations::id,
            Direction::Ascending,
            key.clone(),
            *id,
        ));
    }
    Ok(q.load(conn).await?)
}

pub struct NewClient<'a> {
    pub name: &'a str,
    pub secret_hash: Vec<u8>,
    pub scopes: Vec<Scope>,
    pub organisation_id: Option<OrganisationId>,
    pub centre_id: Option<CentreId>,
    pub created_by: UserId,
}

pub async fn insert_client(
    conn: &mut AsyncPgConnection,
    client: NewClient<'_>,
) -> Result<IntegrationClient, ApiError> {
    Ok(diesel::insert_into(integration_clients::table)
        .values((
            integration_clients::id.eq(ClientId::new()),
            integration_clients::name.eq(client.name),
            integration_clients::secret_hash.eq(client.secret_hash),
            integration_clients::scopes.eq(client.scopes),
            integration_clients::organisation_id.eq(client.organisation_id),
            integration_clients::centre_id.eq(client.centre_id),
            integration_clients::created_by.eq(client.created_by),
        ))
        .returning(IntegrationClient::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_client(
    conn: &mut AsyncPgConnection,
    id: ClientId,
) -> Result<Option<IntegrationClient>, ApiError> {
    Ok(integration_clients::table
        .find(id)
        .select(IntegrationClient::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Clients, newest first; limited to `centres` when given.
pub async fn list_clients(
    conn: &mut AsyncPgConnection,
    centres: Option<&[CentreId]>,
    page: &PageRequest<OffsetDateTime>,
) -> Result<Vec<IntegrationClient>, ApiError> {
    let mut q = integration_clients::table
        .select(IntegrationClient::as_select())
        .order((
            integration_clients::created_at.desc(),
            integration_clients::id.desc(),
        ))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(centres) = centres {
        q = q.filter(integration_clients::centre_id.eq_any(centres.to_vec()));
    }
    if let Some(Cursor { key, id }) = &page.after {
        q = q.filter(beyond(
            integration_clients::created_at,
            integration_clients::id,
            Direction::Descending,
            *key,
            *id,
        ));
    }
    Ok(q.load(conn).await?)
}

pub async fn set_client_secret(
    conn: &mut AsyncPgConnection,
    id: ClientId,
    secret_hash: Vec<u8>,
) -> Result<(), ApiError> {
    diesel::update(integration_clients::table.find(id))
        .set((
            integration_clients::secret_hash.eq(secret_hash),
            integration_clients::secret_rotated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke_client(conn: &mut AsyncPgConnection, id: ClientId) -> Result<(), ApiError> {
    diesel::update(integration_clients::table.find(id))
        .filter(integration_clients::revoked_at.is_null())
        .set(integration_clients::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// The names of some users (the staff on a day sheet).
pub async fn names_of(
    conn: &AsyncPgConnection,
    ids: &[UserId],
) -> Result<Vec<(UserId, String)>, ApiError> {
    // No names to find is common (a day without staff assigned): no round
    // trip, and no statement PostgreSQL would plan afresh for an empty list.
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(&mut &*conn)
        .await?)
}
