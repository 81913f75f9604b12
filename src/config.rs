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
    /// `DB_POOL_SIZE`: most connections one instance holds.
    pub db_pool_size: usize,
    /// `DB_TIMEOUT_MS`: longest wait for a pooled or new connection before 503.
    pub db_timeout: Duration,
    /// `MAX_JSON_BYTES`: largest JSON request body accepted (413 above it).
    pub max_json_bytes: usize,
    /// `SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may run after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `WORKERS`: HTTP worker threads; 0 means one per core.
    pub workers: usize,
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
        let db_pool_size: usize = env.parsed("DB_POOL_SIZE", Some(16))?;
        if db_pool_size == 0 {
            return Err(ConfigError::Malformed {
                name: "DB_POOL_SIZE",
                reason: "must be at least 1".into(),
            });
        }
        let db_timeout_ms: u64 = env.parsed("DB_TIMEOUT_MS", Some(2_000))?;
        let max_json_bytes: usize = env.parsed("MAX_JSON_BYTES", Some(256 * 1024))?;
        let shutdown_secs: u64 = env.parsed("SHUTDOWN_TIMEOUT_SECS", Some(30))?;
        let workers: usize = env.parsed("WORKERS", Some(0))?;
        Ok(Self {
            database_url: Secret::new(database_url),
            host,
            port,
            public_url: public_url.trim_end_matches('/').to_owned(),
            db_pool_size,
            db_timeout: Duration::from_millis(db_timeout_ms),
            max_json_bytes,
            shutdown_timeout: Duration::from_secs(shutdown_secs),
            workers,
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

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let c = config(&[URL]).expect("valid");
        assert_eq!(c.port, 8080);
        assert_eq!(c.host.to_string(), "127.0.0.1");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.db_pool_size, 16);
        assert_eq!(c.max_json_bytes, 262_144);
        assert_eq!(c.shutdown_timeout, Duration::from_secs(30));
    }

    #[test]
    fn missing_database_url_names_the_variable() {
        let err = config(&[]).expect_err("must fail");
        assert_eq!(err, ConfigError::Missing("DATABASE_URL"));
        assert!(err.to_string().contains("DATABASE_URL is not set"));
    }

    #[test]
    fn malformed_port_names_the_variable_and_reason() {
        let err = config(&[URL, ("PORT", "eighty")]).expect_err("must fail");
        let msg = err.to_string();
        assert!(msg.starts_with("PORT is malformed"), "{msg}");
        let err = config(&[URL, ("PORT", "70000")]).expect_err("must fail");
        assert!(err.to_string().starts_with("PORT is malformed"));
    }

    #[test]
    fn non_postgres_url_is_refused() {
        let err = config(&[("DATABASE_URL", "mysql://x")]).expect_err("must fail");
        assert!(err.to_string().starts_with("DATABASE_URL is malformed"));
    }

    #[test]
    fn zero_pool_size_is_refused() {
        let err = config(&[URL, ("DB_POOL_SIZE", "0")]).expect_err("must fail");
        assert!(err.to_string().starts_with("DB_POOL_SIZE is malformed"));
    }

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let c = config(&[URL]).expect("valid");
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("Secret(***)"));
    }
}
