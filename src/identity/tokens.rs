//! Access tokens (JWT), and the opaque random tokens (refresh, one-time, client
//! secrets) that are stored only as SHA-256 hashes.

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::JwtConfig;
use crate::error::ApiError;

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    User,
    Client,
}

/// The claims of an access token. Every one is required.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: Uuid,
    /// `user` or `client`.
    pub typ: Subject,
    /// A user's role (for a client: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A client's scopes, space-separated (for a user: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Which of a client's secrets got the token
    /// ([`super::secrets::secret_fingerprint`]; for a user: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sec: Option<String>,
}

const ALGORITHM: Algorithm = Algorithm::HS256;

/// Signs and checks access tokens with the configured keys.
pub struct TokenKeys {
    config: JwtConfig,
    encoding: EncodingKey,
    decoding: Vec<(String, DecodingKey)>,
}

impl TokenKeys {
    pub fn new(config: &JwtConfig) -> Self {
        let mut decoding = vec![(
            config.key_id.clone(),
            DecodingKey::from_secret(config.secret.expose().as_bytes()),
        )];
        if let Some((kid, secret)) = &config.previous {
            decoding.push((
                kid.clone(),
                DecodingKey::from_secret(secret.expose().as_bytes()),
            ));
        }
        Self {
            config: config.clone(),
            encoding: EncodingKey::from_secret(config.secret.expose().as_bytes()),
            decoding,
        }
    }

    pub fn access_ttl_secs(&self) -> i64 {
        self.config.access_ttl.as_secs() as i64
    }

    /// A fresh access token for `sub`.
    pub fn issue(
        &self,
        typ: Subject,
        sub: Uuid,
        role: Option<String>,
        scope: Option<String>,
    ) -> Result<String, ApiError> {
        self.issue_with(typ, sub, role, scope, None)
    }

    /// A client's token, naming the secret that got it.
    pub fn issue_client(
        &self,
        sub: Uuid,
        scope: String,
        secret_fingerprint: String,
    ) -> Result<String, ApiError> {
        self.issue_with(
            Subject::Client,
            sub,
            None,
            Some(scope),
            Some(secret_fingerprint),
        )
    }

    fn issue_with(
        &self,
        typ: Subject,
        sub: Uuid,
        role: Option<String>,
        scope: Option<String>,
        sec: Option<String>,
    ) -> Result<String, ApiError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            sub,
            exp: now + self.access_ttl_secs(),
            iat: now,
            nbf: now,
            jti: Uuid::now_v7(),
            typ,
            role,
            scope,
            sec,
        };
        self.sign(&claims)
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.config.key_id.clone());
        encode(&header, claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Checks a token: only HS256, a known key id, the right key, issuer and
    /// audience, within its validity, with every claim present.
    pub fn verify(&self, token: &str) -> Result<Claims, BadToken> {
        let forged = |why: &'static str| BadToken { why, forged: true };
        let header = decode_header(token).map_err(|_| forged("is malformed"))?;
        if header.alg != ALGORITHM {
            return Err(forged("uses an algorithm that is not accepted"));
        }
        let kid = header.kid.ok_or_else(|| forged("names no key"))?;
        let key = self
            .decoding
            .iter()
            .find(|(id, _)| *id == kid)
            .map(|(_, key)| key)
            .ok_or_else(|| forged("names an unknown key"))?;
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        decode::<Claims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                // Expiry and a token from a moment ahead (clock skew) are
                // what honest clients meet; anything else was not made here.
                let routine = |why| BadToken { why, forged: false };
                match e.kind() {
                    ErrorKind::ExpiredSignature => routine("has expired"),
                    ErrorKind::ImmatureSignature => routine("is not valid yet"),
                    ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => {
                        forged("was not issued for this service")
                    }
                    ErrorKind::InvalidSignature => forged("has an invalid signature"),
                    _ => forged("is not valid"),
                }
            })
    }
}

/// Why an access token was refused, and whether it looks made elsewhere
/// (audited) rather than merely out of date (not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadToken {
    pub why: &'static str,
    pub forged: bool,
}

impl From<BadToken> for ApiError {
    fn from(bad: BadToken) -> Self {
        ApiError::Unauthenticated(format!("the access token {}", bad.why))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use std::time::Duration;

    fn config(kid: &str, secret: &str) -> JwtConfig {
        JwtConfig {
            key_id: kid.into(),
            secret: Secret::new(secret.into()),
            previous: None,
            issuer: "ccc".into(),
            audience: "ccc-api".into(),
            access_ttl: Duration::from_secs(900),
        }
    }

    #[test]
    fn a_token_verifies_with_its_key_and_a_rotated_one_with_the_previous_key() {
        let old = TokenKeys::new(&config("k1", &"a".repeat(32)));
        let token = old
            .issue(Subject::User, Uuid::now_v7(), Some("staff".into()), None)
            .expect("sign");
        assert!(old.verify(&token).is_ok());
        let mut rotated = config("k2", &"b".repeat(32));
        rotated.previous = Some(("k1".into(), Secret::new("a".repeat(32))));
        assert!(TokenKeys::new(&rotated).verify(&token).is_ok());
        // Without the previous key, the old token is refused.
        assert!(TokenKeys::new(&config("k2", &"b".repeat(32)))
            .verify(&token)
            .is_err());
    }
}
