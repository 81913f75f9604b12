//! The first network admin, made at start-up from configuration.

use diesel_async::AsyncConnection;

use super::model::NewUser;
use super::passwords;
use super::repo as users;
use super::roles::{Role, UserStatus};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::Pool;
use crate::error::ApiError;

/// At start-up: when no network admin exists, create one from
/// `BOOTSTRAP_ADMIN_EMAIL` / `BOOTSTRAP_ADMIN_PASSWORD`; without them, say how.
pub async fn bootstrap_admin(pool: &Pool, config: &Config) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    if users::any_network_admin(&mut conn).await? {
        return Ok(());
    }
    let Some((email, password)) = &config.bootstrap_admin else {
        log::warn!(
            "no network admin exists: set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD \
             and restart to create the first one"
        );
        return Ok(());
    };
    passwords::check_policy("BOOTSTRAP_ADMIN_PASSWORD", password.expose()).map_err(|_| {
        ApiError::internal(
            "BOOTSTRAP_ADMIN_PASSWORD is too weak: at least 12 characters, not a common password",
        )
    })?;
    let hash = passwords::hash_blocking(password.expose().clone()).await?;
    let email = users::normalise_email(email);
    conn.transaction::<_, ApiError, _>(async move |conn| {
        // Two instances starting together: the second finds the first's admin.
        diesel_async::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_xact_lock(7210003)"),
            conn,
        )
        .await?;
        if users::any_network_admin(conn).await? {
            return Ok(());
        }
        let user = users::insert_user(
            conn,
            NewUser {
                id: crate::vocabulary::UserId::new(),
                email: &email,
                name: "Network admin",
                role: Role::NetworkAdmin,
                status: UserStatus::Active,
                password_hash: Some(&hash),
                referrer_type: None,
                organisation_id: None,
            },
            &[],
        )
        .await?;
        audit::record(
            conn,
            Event::new(Actor::system(), "bootstrap_admin", "user").resource(user.id),
        )
        .await?;
        log::info!("created the first network admin");
        Ok(())
    })
    .await
}
