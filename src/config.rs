//! Configuration, read once from the environment at start-up.
//!
//! Every variable, its default and its meaning is listed in README.md. A missing
//! or malformed variable stops start-up with one message naming the variable;
//! secrets are wrapped in [`Secret`] so that `Debug` output and logs never show them.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

/// A value that must never be printed: its `Debug` and `Display` show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself; call only where it is used, never to log or format it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The most HTTP workers actix-web runs.
pub const MAX_WORKERS: usize = 512;

/// Connections the workers hold unless `DB_POOL_SIZE` says otherwise:
/// [`CONNECTIONS_PER_WORKER`] each, but no more than
/// [`MAX_DEFAULT_POOL`] in all (PostgreSQL allows 100 connections unless
/// told otherwise, shared by every instance), and at least one each.
pub fn default_pool_size(workers: usize) -> usize {
    (CONNECTIONS_PER_WORKER * workers).min(MAX_DEFAULT_POOL.max(workers))
}

/// See [`default_pool_size`].
pub const MAX_DEFAULT_POOL: usize = 32;

/// Connections a worker's pool holds by default (see [`default_pool_size`]).
/// A worker is one thread; a few connections keep PostgreSQL busy while it
/// works on other requests, and more only have PostgreSQL switch between
/// backends: on two cores a day sheet ran 1.08-1.26x faster with four a
/// worker than with eight (two runs).
pub const CONNECTIONS_PER_WORKER: usize = 4;

/// The whole service configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: PostgreSQL connection URL (may hold a password, so secret).
    pub database_url: Secret<String>,
    /// `HOST`: address to listen on.
    pub host: IpAddr,
    /// `PORT`: port to listen on; 0 picks a free one.
    pub port: u16,
    /// `PUBLIC_URL`: the base URL that clients use, shown as the spec's server.
    pub public_url: String,
    /// `DB_POOL_SIZE`: most connections the HTTP workers hold together, an
    /// even share each, at least one (so at least `workers`); by default
    /// [`default_pool_size`]. Start-up and the background jobs hold at most
    /// `db::JOBS_POOL_SIZE` more.
    pub db_pool_size: usize,
    /// `DB_TIMEOUT_MS`: longest wait for a pooled or new connection before 503.
    pub db_timeout: Duration,
    /// `MAX_JSON_BYTES`: largest JSON request body accepted (413 above it).
    pub max_json_bytes: usize,
    /// `SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may run after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `WORKERS`: HTTP worker threads; 0 (the default) means one per core.
    pub workers: usize,
    /// `DIRECTORY_RECHECK_MS`: how long an instance answers searches from its copy
    /// of the directory before asking the database whether it changed (0: every
    /// search). Changes made through the same instance show at once.
    pub directory_recheck: Duration,
    /// `JOBS_INTERVAL_SECS`: how often this instance runs the jobs (`jobs`):
    /// passing on lapsed places, pruning the limits' tables. 0: never.
    pub jobs_interval: Option<Duration>,
    /// Signing keys and claims of access tokens.
    pub jwt: JwtConfig,
    /// `REFRESH_TOKEN_TTL_DAYS`: how long a refresh token lives.
    pub refresh_token_ttl: Duration,
    /// `ONE_TIME_TOKEN_TTL_HOURS`: how long an invitation, confirmation or reset link lives.
    pub one_time_token_ttl: Duration,
    /// `PARTY_PART_TTL_DAYS`: how long an adult party has to add their part of a referral.
    pub party_part_ttl: Duration,
    /// `BOOTSTRAP_ADMIN_EMAIL` / `BOOTSTRAP_ADMIN_PASSWORD`: the first network admin,
    /// created at start-up when none exists.
    pub bootstrap_admin: Option<(String, Secret<String>)>,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins allowed to call from a browser.
    pub cors_allowed_origins: Vec<String>,
    /// `LOGIN_MAX_FAILURES` in `LOGIN_WINDOW_SECS`: failed logins allowed per client
    /// address and per account and address pair before 429, and per account
    /// before its attempts are spaced out (`auth::repo::begin_login_attempt`).
    pub login_max_failures: i64,
    pub login_window: Duration,
    /// `UNSOLICITED_PER_ADDRESS`: registrations and password resets one client
    /// address may ask for in an hour (`auth::repo::count_unsolicited`).
    pub unsolicited_per_address: i64,
    /// `TRUST_FORWARDED_FOR`: take the client address from `X-Forwarded-For` (set
    /// only behind a load balancer that overwrites it).
    pub trust_forwarded_for: bool,
    /// `MAIL_TRANSPORT` (`none`, `files` with `MAIL_DIR`, `smtp` with
    /// `SMTP_URL`): how the jobs deliver the notifications outbox.
    pub mail: MailTransport,
    /// `MAIL_FROM`: the sender of every message.
    pub mail_from: String,
}

/// How the jobs deliver the notifications outbox (`notifications::delivery`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// `none` (the default): messages wait in the outbox, for a separate
    /// mail worker to read.
    None,
    /// `files`: each message is written to this directory as an `.eml` file
    /// (`make run`, so a newcomer reads their invitation without a mail server).
    Files(std::path::PathBuf),
    /// `smtp`: each message goes to the relay at `SMTP_URL`
    /// (`smtp://[user:password@]host[:port]`, plain SMTP to a relay on a
    /// trusted network, which carries it on).
    Smtp(Secret<String>),
}

/// Access tokens are HS256 JWTs signed with the current key; a previous key is
/// still accepted so that keys can be rotated without logging everyone out.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `JWT_KEY_ID` / `JWT_SECRET` (at least 32 bytes).
    pub key_id: String,
    pub secret: Secret<String>,
    /// `JWT_PREVIOUS_KEY_ID` / `JWT_PREVIOUS_SECRET`: still accepted, never used to sign.
    pub previous: Option<(String, Secret<String>)>,
    /// `JWT_ISSUER`, `JWT_AUDIENCE`.
    pub issuer: String,
    pub audience: String,
    /// `ACCESS_TOKEN_TTL_SECS`.
    pub access_ttl: Duration,
}

/// Why the configuration could not be read: names the variable and what is wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} is not set; see the configuration table in README.md")]
    Missing(&'static str),
    #[error("{name} is malformed: {reason}; see the configuration table in README.md")]
    Malformed { name: &'static str, reason: String },
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so that tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let database_url = env.required("DATABASE_URL")?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Malformed {
                name: "DATABASE_URL",
                reason: "expected a postgres:// or postgresql:// URL".into(),
            });
        }
        let host: IpAddr = env.parsed("HOST", "127.0.0.1".parse().ok())?;
        let port: u16 = env.parsed("PORT", Some(8080))?;
        let public_url = env
            .optional("PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{host}:{port}"));
        // actix-web serves with at most 512 workers.
        let workers = match env.parsed::<usize>("WORKERS", Some(0))? {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
        .min(MAX_WORKERS);
        let db_pool_size: usize = env.parsed("DB_POOL_SIZE", Some(default_pool_size(workers)))?;
        // Each worker has a pool of its own, of at least one connection.
        if db_pool_size < workers {
            return Err(ConfigError::Malformed {
                name: "DB_POOL_SIZE",
                reason: format!(
                    "must be at least WORKERS ({workers}): each worker has its own pool"
                ),
            });
        }
        let db_timeout_ms: u64 = env.parsed("DB_TIMEOUT_MS", Some(2_000))?;
        let max_json_bytes: usize = env.parsed("MAX_JSON_BYTES", Some(256 * 1024))?;
        let shutdown_secs: u64 = env.parsed("SHUTDOWN_TIMEOUT_SECS", Some(30))?;
        let directory_recheck_ms: u64 = env.parsed("DIRECTORY_RECHECK_MS", Some(250))?;
        if directory_recheck_ms > 60_000 {
            return Err(ConfigError::Malformed {
                name: "DIRECTORY_RECHECK_MS",
                reason: "must be at most 60000".into(),
            });
        }
        let jobs_secs: u64 = env.parsed("JOBS_INTERVAL_SECS", Some(30))?;
        if jobs_secs > 86_400 {
            return Err(ConfigError::Malformed {
                name: "JOBS_INTERVAL_SECS",
                reason: "must be at most 86400".into(),
            });
        }
        let jwt = JwtConfig {
            key_id: env
                .optional("JWT_KEY_ID")
                .unwrap_or_else(|| "k1".to_owned()),
            secret: Secret::new(env.secret_key("JWT_SECRET")?),
            previous: match env.optional("JWT_PREVIOUS_SECRET") {
                None => None,
                Some(_) => Some((
                    env.required("JWT_PREVIOUS_KEY_ID")?,
                    Secret::new(env.secret_key("JWT_PREVIOUS_SECRET")?),
                )),
            },
            issuer: env
                .optional("JWT_ISSUER")
                .unwrap_or_else(|| "ccc".to_owned()),
            audience: env
                .optional("JWT_AUDIENCE")
                .unwrap_or_else(|| "ccc-api".to_owned()),
            access_ttl: Duration::from_secs(env.bounded("ACCESS_TOKEN_TTL_SECS", 900, 86_400)?),
        };
        let bootstrap_admin = match (
            env.optional("BOOTSTRAP_ADMIN_EMAIL"),
            env.optional("BOOTSTRAP_ADMIN_PASSWORD"),
        ) {
            (Some(email), Some(password)) => Some((email, Secret::new(password))),
            (None, None) => None,
            (Some(_), None) => return Err(ConfigError::Missing("BOOTSTRAP_ADMIN_PASSWORD")),
            (None, Some(_)) => return Err(ConfigError::Missing("BOOTSTRAP_ADMIN_EMAIL")),
        };
        let cors_allowed_origins: Vec<String> = env
            .optional("CORS_ALLOWED_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for origin in &cors_allowed_origins {
            if !(origin.starts_with("https://") || origin.starts_with("http://")) {
                return Err(ConfigError::Malformed {
                    name: "CORS_ALLOWED_ORIGINS",
                    reason: format!("{origin} is not an http(s) origin"),
                });
            }
        }
        let login_max_failures: i64 = env.parsed("LOGIN_MAX_FAILURES", Some(10))?;
        if !(1..=10_000).contains(&login_max_failures) {
            return Err(ConfigError::Malformed {
                name: "LOGIN_MAX_FAILURES",
                reason: "must be between 1 and 10000".into(),
            });
        }
        let unsolicited_per_address: i64 = env.parsed("UNSOLICITED_PER_ADDRESS", Some(30))?;
        if !(1..=100_000).contains(&unsolicited_per_address) {
            return Err(ConfigError::Malformed {
                name: "UNSOLICITED_PER_ADDRESS",
                reason: "must be between 1 and 100000".into(),
            });
        }
        let mail = match env.optional("MAIL_TRANSPORT").as_deref() {
            None | Some("none") => MailTransport::None,
            Some("files") => MailTransport::Files(env.required("MAIL_DIR")?.into()),
            Some("smtp") => {
                let url = env.required("SMTP_URL")?;
                if !url.starts_with("smtp://") {
                    return Err(ConfigError::Malformed {
                        name: "SMTP_URL",
                        reason: "expected smtp://[user:password@]host[:port]".into(),
                    });
                }
                MailTransport::Smtp(Secret::new(url))
            }
            Some(other) => {
                return Err(ConfigError::Malformed {
                    name: "MAIL_TRANSPORT",
                    reason: format!("{other} is not one of none, files, smtp"),
                })
            }
        };
        let mail_from = env
            .optional("MAIL_FROM")
            .unwrap_or_else(|| "Child contact centres <no-reply@localhost>".to_owned());
        Ok(Self {
            jwt,
            mail,
            mail_from,
            unsolicited_per_address,
            refresh_token_ttl: Duration::from_secs(
                env.bounded("REFRESH_TOKEN_TTL_DAYS", 30, 365)? * 86_400,
            ),
            party_part_ttl: Duration::from_secs(
                env.bounded("PARTY_PART_TTL_DAYS", 14, 90)? * 86_400,
            ),
            one_time_token_ttl: Duration::from_secs(
                env.bounded("ONE_TIME_TOKEN_TTL_HOURS", 72, 720)? * 3_600,
            ),
            bootstrap_admin,
            cors_allowed_origins,
            login_max_failures,
            login_window: Duration::from_secs(env.bounded("LOGIN_WINDOW_SECS", 900, 86_400)?),
            trust_forwarded_for: env.parsed("TRUST_FORWARDED_FOR", Some(false))?,
            database_url: Secret::new(database_url),
            host,
            port,
            public_url: public_url.trim_end_matches('/').to_owned(),
            db_pool_size,
            db_timeout: Duration::from_millis(db_timeout_ms),
            max_json_bytes,
            shutdown_timeout: Duration::from_secs(shutdown_secs),
            workers,
            directory_recheck: Duration::from_millis(directory_recheck_ms),
            jobs_interval: (jobs_secs > 0).then(|| Duration::from_secs(jobs_secs)),
        })
    }
}

struct Env<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Env<'_, F> {
    /// A set, non-blank value, trimmed.
    fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError::Missing(name))
    }

    /// A signing secret: required, at least 32 bytes.
    fn secret_key(&self, name: &'static str) -> Result<String, ConfigError> {
        let value = self.required(name)?;
        if value.len() < 32 {
            return Err(ConfigError::Malformed {
                name,
                reason: "must be at least 32 bytes".into(),
            });
        }
        Ok(value)
    }

    /// A whole number from 1 to `max` (default `default`): durations and limits
    /// outside that range would disable a protection or overflow.
    fn bounded(&self, name: &'static str, default: u64, max: u64) -> Result<u64, ConfigError> {
        let value: u64 = self.parsed(name, Some(default))?;
        if (1..=max).contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::Malformed {
                name,
                reason: format!("must be between 1 and {max}"),
            })
        }
    }

    fn parsed<T>(&self, name: &'static str, default: Option<T>) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match self.optional(name) {
            None => default.ok_or(ConfigError::Missing(name)),
            Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::Malformed {
                name,
                reason: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const URL: (&str, &str) = ("DATABASE_URL", "postgres://app:hunter2@localhost:5433/ccc");
    const KEY: (&str, &str) = ("JWT_SECRET", "0123456789abcdef0123456789abcdef-signing");

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let c = config(&[URL, KEY, KEY]).expect("valid");
        assert_eq!(c.port, 8080);
        assert_eq!(c.host.to_string(), "127.0.0.1");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(c.workers >= 1);
        assert_eq!(c.db_pool_size, CONNECTIONS_PER_WORKER * c.workers);
        assert_eq!(c.max_json_bytes, 262_144);
        assert_eq!(c.shutdown_timeout, Duration::from_secs(30));
    }

    #[test]
    fn the_pool_follows_the_workers_unless_set() {
        let c = config(&[URL, KEY, ("WORKERS", "3")]).expect("valid");
        assert_eq!((c.workers, c.db_pool_size), (3, 12));
        let c = config(&[URL, KEY, ("WORKERS", "3"), ("DB_POOL_SIZE", "5")]).expect("valid");
        assert_eq!((c.workers, c.db_pool_size), (3, 5));
        // Capped in all, but never below one a worker.
        assert_eq!(default_pool_size(16), 32);
        assert_eq!(default_pool_size(64), 64);
        let c = config(&[URL, KEY, ("WORKERS", "10000")]).expect("valid");
        assert_eq!(c.workers, MAX_WORKERS);
    }

    #[test]
    fn every_worker_needs_a_connection() {
        let err =
            config(&[URL, KEY, ("WORKERS", "4"), ("DB_POOL_SIZE", "3")]).expect_err("too few");
        assert!(err.to_string().contains("DB_POOL_SIZE"), "{err}");
    }

    #[test]
    fn missing_database_url_names_the_variable() {
        let err = config(&[]).expect_err("must fail");
        assert_eq!(err, ConfigError::Missing("DATABASE_URL"));
        assert!(err.to_string().contains("DATABASE_URL is not set"));
    }

    #[test]
    fn malformed_port_names_the_variable_and_reason() {
        let err = config(&[URL, KEY, ("PORT", "eighty")]).expect_err("must fail");
        let msg = err.to_string();
        assert!(msg.starts_with("PORT is malformed"), "{msg}");
        let err = config(&[URL, KEY, ("PORT", "70000")]).expect_err("must fail");
        assert!(err.to_string().starts_with("PORT is malformed"));
    }

    #[test]
    fn non_postgres_url_is_refused() {
        let err = config(&[("DATABASE_URL", "mysql://x"), KEY]).expect_err("must fail");
        assert!(err.to_string().starts_with("DATABASE_URL is malformed"));
    }

    #[test]
    fn a_short_signing_key_is_refused() {
        let err = config(&[URL, ("JWT_SECRET", "short")]).expect_err("must fail");
        assert!(err.to_string().starts_with("JWT_SECRET is malformed"));
        let err = config(&[URL]).expect_err("must fail");
        assert_eq!(err, ConfigError::Missing("JWT_SECRET"));
    }

    #[test]
    fn a_bootstrap_email_without_a_password_is_refused() {
        let err = config(&[URL, KEY, ("BOOTSTRAP_ADMIN_EMAIL", "a@b.org")]).expect_err("fail");
        assert_eq!(err, ConfigError::Missing("BOOTSTRAP_ADMIN_PASSWORD"));
    }

    #[test]
    fn cors_origins_are_a_trimmed_list() {
        let c = config(&[
            URL,
            KEY,
            ("CORS_ALLOWED_ORIGINS", "https://a.org/, http://b.org"),
        ])
        .expect("valid");
        assert_eq!(
            c.cors_allowed_origins,
            vec!["https://a.org", "http://b.org"]
        );
        assert!(config(&[URL, KEY, ("CORS_ALLOWED_ORIGINS", "a.org")]).is_err());
    }

    #[test]
    fn limits_and_lifetimes_out_of_range_are_refused() {
        for (name, value) in [
            ("LOGIN_MAX_FAILURES", "0"),
            ("LOGIN_WINDOW_SECS", "0"),
            ("REFRESH_TOKEN_TTL_DAYS", "100000000000000000"),
            ("ACCESS_TOKEN_TTL_SECS", "0"),
        ] {
            let err = config(&[URL, KEY, (name, value)]).expect_err("must fail");
            assert!(
                err.to_string().starts_with(&format!("{name} is malformed")),
                "{err}"
            );
        }
    }

    #[test]
    fn zero_pool_size_is_refused() {
        let err = config(&[URL, KEY, ("DB_POOL_SIZE", "0")]).expect_err("must fail");
        assert!(err.to_string().starts_with("DB_POOL_SIZE is malformed"));
    }

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let c = config(&[URL, KEY, KEY]).expect("valid");
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("Secret(***)"));
    }
}
