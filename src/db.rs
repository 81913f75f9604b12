//! The connection pool, the embedded migrations, and the transaction helper.

use diesel::connection::SimpleConnection;
use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::Config;

pub type Pool = deadpool::Pool<AsyncPgConnection>;
pub type PoolError = deadpool::PoolError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the session-level advisory lock held while migrating, so that several
/// instances starting together migrate one at a time (the others then find
/// nothing pending). Any constant works as long as it is the same everywhere.
const MIGRATION_LOCK_KEY: i64 = 0x0ccc_0001;

/// Connections the instance's own pool holds at most: start-up and the
/// background jobs, whose two loops each run one step at a time.
pub const JOBS_POOL_SIZE: usize = 2;

/// The pools of the HTTP workers, one each, sharing `DB_POOL_SIZE`
/// connections evenly (at least one each). A connection's driver task runs
/// on the thread that opened it; with one pool for every worker, a request
/// would often talk to PostgreSQL through another worker's thread, paying a
/// wake-up of that thread for every message each way. A worker takes its
/// own pool as it starts ([`WorkerPools::take`]) and opens its connections
/// itself.
#[derive(Clone)]
pub struct WorkerPools {
    pools: std::sync::Arc<[Pool]>,
    turn: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl WorkerPools {
    /// A pool for each of `WORKERS`, `DB_POOL_SIZE` shared out: 10 over 4
    /// workers is 3, 3, 2 and 2.
    pub fn build(config: &Config) -> Result<Self, String> {
        let pools = shares(config.db_pool_size, config.workers)
            .map(|size| build_pool(config, size))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            pools: pools.into(),
            turn: Default::default(),
        })
    }

    /// The next pool in turn: each worker takes one as it starts (a worker
    /// restarted after a panic takes the next, shared from then on).
    pub fn take(&self) -> Pool {
        use std::sync::atomic::Ordering;
        // Never empty: `build` makes at least one.
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        self.pools[turn % self.pools.len()].clone()
    }

    /// Every worker's pool, in the order they are taken.
    pub fn all(&self) -> &[Pool] {
        &self.pools
    }

    /// Closes every pool: their idle connections now, the rest as they are
    /// returned.
    pub fn close(&self) {
        self.pools.iter().for_each(Pool::close);
    }
}

/// `total` shared out among `workers` (at least one), the first taking one
/// more while some are left over; each at least one.
fn shares(total: usize, workers: usize) -> impl Iterator<Item = usize> {
    let workers = workers.max(1);
    let (each, over) = (total / workers, total % workers);
    (0..workers).map(move |i| (each + usize::from(i < over)).max(1))
}

/// Builds a pool of at most `size` connections. No connection is opened
/// yet: the service starts even while the database is down, and `/ready`
/// says so.
pub fn build_pool(config: &Config, size: usize) -> Result<Pool, String> {
    // A pooled connection is handed out again without a ping (a round trip,
    // and a statement for PostgreSQL, on every request). One the server
    // closed, as a restart or a terminated backend does, is known to be
    // closed once its driver task reads the end of the socket, and is dropped
    // on the way out of the pool; one that breaks while in use fails its
    // request with a retryable 503 and is not returned. A connection whose
    // network path died silently (no end of socket ever arrives) is found by
    // the TCP timeouts `connect` sets, within seconds, not the kernel's
    // quarter of an hour.
    let mut manager_config = ManagerConfig::default();
    manager_config.recycling_method = diesel_async::pooled_connection::RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(|url| Box::pin(connect(url.to_owned())));
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        config.database_url.expose(),
        manager_config,
    );
    deadpool::Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(config.db_timeout))
        .create_timeout(Some(config.db_timeout))
        .recycle_timeout(Some(config.db_timeout))
        .runtime(::deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| format!("cannot build the database pool: {e}"))
}

/// How long a connection may go unanswered before it counts as gone: an idle
/// one is probed after `DEAD_PATH_SECS` and dropped after three unanswered
/// probes; data sent and not acknowledged for as long closes it.
const DEAD_PATH_SECS: u64 = 10;

/// Opens a pooled connection with TCP keepalives and a user timeout, so that
/// a connection whose network path died silently fails fast (a 503 its
/// caller may retry) instead of hanging a request until the kernel gives up.
async fn connect(url: String) -> diesel::ConnectionResult<AsyncPgConnection> {
    use std::time::Duration;
    let bad = |e: tokio_postgres::Error| diesel::ConnectionError::BadConnection(e.to_string());
    let mut config: tokio_postgres::Config = url.parse().map_err(bad)?;
    config
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(DEAD_PATH_SECS))
        .keepalives_interval(Duration::from_secs(DEAD_PATH_SECS / 3))
        .keepalives_retries(3)
        .tcp_user_timeout(Duration::from_secs(DEAD_PATH_SECS));
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.map_err(bad)?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot take the migration lock: {0}")]
    Lock(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("the migration thread stopped unexpectedly")]
    Thread,
}

type SyncPg = AsyncConnectionWrapper<AsyncPgConnection>;

/// Runs every pending migration under the advisory lock. Blocking: call it from a
/// plain thread (see [`run_migrations`]) or before any runtime starts.
pub fn run_migrations_blocking(database_url: &str) -> Result<Vec<String>, MigrationError> {
    let mut conn = SyncPg::establish(database_url)?;
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(|v| v.to_string()).collect())
        .map_err(|e| MigrationError::Migrate(e.to_string()));
    // The lock also ends with the connection; unlocking first frees it sooner.
    let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
    let applied = result?;
    unlocked?;
    Ok(applied)
}

/// Reverts every migration (down.sql, newest first). Used by the migration check.
pub fn revert_all_migrations_blocking(database_url: &str) -> Result<usize, MigrationError> {
    let mut conn = SyncPg::establish(database_url)?;
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
    let result = conn
        .revert_all_migrations(MIGRATIONS)
        .map(|v| v.len())
        .map_err(|e| MigrationError::Migrate(e.to_string()));
    conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
    result
}

/// Runs the pending migrations from async code. The sync migration harness blocks,
/// so it runs on its own thread with its own small runtime.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, MigrationError> {
    let url = database_url.to_owned();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run_migrations_blocking(&url));
    });
    rx.await.map_err(|_| MigrationError::Thread)?
}

/// How many migrations the binary embeds.
pub fn migration_count() -> usize {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).map_or(0, |m| m.len())
}

/// Takes a transaction-level advisory lock on `namespace:id`, held until the
/// transaction ends: instances serialise work on one thing through the
/// database, not in memory.
pub async fn advisory_xact_lock(
    conn: &mut AsyncPgConnection,
    namespace: &str,
    id: uuid::Uuid,
) -> Result<(), diesel::result::Error> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210010))")
        .bind::<diesel::sql_types::Text, _>(format!("{namespace}:{id}"))
        .execute(conn)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::shares;

    #[test]
    fn the_connections_are_shared_out_among_the_workers() {
        assert_eq!(shares(10, 4).collect::<Vec<_>>(), [3, 3, 2, 2]);
        assert_eq!(shares(8, 2).collect::<Vec<_>>(), [4, 4]);
        assert_eq!(shares(1, 1).collect::<Vec<_>>(), [1]);
        assert_eq!(shares(5, 0).collect::<Vec<_>>(), [5]);
        // Never a worker without a connection.
        assert_eq!(shares(1, 2).collect::<Vec<_>>(), [1, 1]);
    }
}
