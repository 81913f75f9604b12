//! Passwords: argon2id hashes, and the rules a new password must meet.

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// The 10,000 most common passwords (from Django's CommonPasswordValidator list,
/// BSD licence), refused whatever their case.
const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).collect())
}

/// argon2id with m = 19456 KiB, t = 2, p = 1 (OWASP's minimum recommendation).
fn argon2() -> Argon2<'static> {
    // These constants are valid parameters; `Params::new` cannot fail on them.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password: 12 to 256 characters, not among the common ones.
pub fn check_policy(field: &str, password: &str) -> Result<(), ApiError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(ApiError::field(
            field,
            "too_short",
            format!("must be at least {MIN_LENGTH} characters"),
        ));
    }
    if length > MAX_LENGTH {
        return Err(ApiError::field(
            field,
            "too_long",
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    if common().contains(password.to_lowercase().as_str()) {
        return Err(ApiError::field(
            field,
            "too_common",
            "is one of the most common passwords; choose another",
        ));
    }
    Ok(())
}

/// Hashes a password (PHC string). CPU-heavy: call through [`hash_blocking`].
pub fn hash(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Whether `password` matches `stored`; with no stored hash (unknown account, or
/// no password yet) a dummy hash is checked so the answer takes the same time.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let (hash_text, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash_text) else {
        return false;
    };
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// At most this many argon2 computations run at once in one instance: each takes
/// 19 MiB, so a flood of logins queues here instead of exhausting memory.
const CONCURRENT_HASHES: usize = 8;

fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(CONCURRENT_HASHES))
}

/// Runs argon2 off the async worker threads, within the concurrency bound.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    actix_web::web::block(work)
        .await
        .map_err(ApiError::internal)
}

pub async fn hash_blocking(password: String) -> Result<String, ApiError> {
    bounded(move || hash(&password)).await?
}

pub async fn verify_blocking(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    bounded(move || verify(&password, stored.as_deref())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_ten_thousand_passwords() {
        assert_eq!(common().len(), 10_000);
    }

    /// The code of the one field error `check_policy` gives, or "ok".
    fn verdict(password: &str) -> String {
        match check_policy("password", password) {
            Ok(()) => "ok".to_owned(),
            Err(ApiError::Validation(errors)) if errors.len() == 1 => errors[0].code.clone(),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert_eq!(verdict("eleven char"), "too_short");
        assert_eq!(verdict("twelve chars"), "ok");
        assert_eq!(verdict(&"x".repeat(256)), "ok");
        assert_eq!(verdict(&"x".repeat(257)), "too_long");
        // Length counts characters, not bytes.
        assert_eq!(verdict(&"é".repeat(12)), "ok");
        // Long enough, but on the list, in any case.
        assert!(common().contains("q1w2e3r4t5y6"));
        assert_eq!(verdict("q1w2e3r4t5y6"), "too_common");
        assert_eq!(verdict("Q1W2E3R4T5Y6"), "too_common");
        assert_eq!(verdict("correct horse battery staple"), "ok");
    }

    #[test]
    fn a_hash_verifies_only_its_own_password_and_is_argon2id() {
        let h = hash("correct horse battery staple").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", Some(&h)));
        assert!(!verify("correct horse battery stapler", Some(&h)));
        assert!(!verify("anything", None));
    }
}
