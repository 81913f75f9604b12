//! Opaque random secrets (refresh tokens, one-time links, client secrets),
//! stored only as SHA-256 hashes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// A random token of 32 bytes, URL-safe.
pub fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// How a random token is stored: its SHA-256. The tokens carry 256 random bits,
/// so a fast hash is enough (unlike passwords).
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Which of a client's secrets got an access token, carried in the token
/// (`sec`): 12 bytes of the SHA-256 of the stored hash, so the token says
/// nothing of the hash itself. A rotation changes it, ending every token of
/// the old secret, however close to the rotation it was minted.
pub fn secret_fingerprint(secret_hash: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(secret_hash)[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_differ_and_hash_to_32_bytes() {
        let a = random_token().expect("random");
        let b = random_token().expect("random");
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 32);
    }

    #[test]
    fn a_fingerprint_names_one_secret_and_shows_nothing_of_its_hash() {
        let a = token_hash("first secret");
        let b = token_hash("second secret");
        assert_eq!(secret_fingerprint(&a), secret_fingerprint(&a));
        assert_ne!(secret_fingerprint(&a), secret_fingerprint(&b));
        assert!(!URL_SAFE_NO_PAD.encode(&a).contains(&secret_fingerprint(&a)));
    }
}
