//! Child contact centres API: the library behind the `ccc` binary.

pub mod attendance;
pub mod audit;
pub mod auth;
pub mod centres;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod families;
pub mod health;
pub mod http;
pub mod identity;
pub mod jobs;
pub mod notifications;
pub mod openapi;
pub mod pagination;
pub mod postcodes;
pub mod problem_types;
pub mod referrals;
pub mod reports;
pub mod request_id;
pub mod router;
pub mod schema;
pub mod sessions;
pub mod startup;
pub mod text_enum;
pub mod validation;
pub mod vocabulary;

use std::net::TcpListener;

use config::Config;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Migrations(#[from] db::MigrationError),
    #[error("{0}")]
    Pool(String),
    #[error("cannot create the first network admin: {0}")]
    Bootstrap(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// A started service: where it listens, and the server to await.
pub struct Application {
    pub port: u16,
    pub server: actix_web::dev::Server,
    /// The instance's own pool: start-up and the background jobs.
    pub pool: db::Pool,
    /// The HTTP workers' pools.
    pub worker_pools: db::WorkerPools,
}

/// Migrates the database, builds the pools, binds the listener and starts serving.
pub async fn run(config: Config) -> Result<Application, StartupError> {
    let applied = db::run_migrations(config.database_url.expose()).await?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    let pool = db::build_pool(&config, db::JOBS_POOL_SIZE).map_err(StartupError::Pool)?;
    let worker_pools = db::WorkerPools::build(&config).map_err(StartupError::Pool)?;
    identity::bootstrap::bootstrap_admin(&pool, &config)
        .await
        .map_err(|e| StartupError::Bootstrap(e.to_string()))?;
    let addr = format!("{}:{}", config.host, config.port);
    let listener = TcpListener::bind(&addr).map_err(|source| StartupError::Bind {
        addr: addr.clone(),
        source,
    })?;
    let port = listener
        .local_addr()
        .map_err(|source| StartupError::Bind { addr, source })?
        .port();
    let server =
        startup::run(listener, config, pool.clone(), worker_pools.clone()).map_err(|source| {
            StartupError::Bind {
                addr: format!("port {port}"),
                source,
            }
        })?;
    Ok(Application {
        port,
        server,
        pool,
        worker_pools,
    })
}
