//! Request ids: an incoming well-formed `X-Request-Id` is kept, otherwise one is
//! made; it is returned on every response and put into problem bodies and logs.

use actix_web::http::header::{HeaderName, HeaderValue};
use uuid::Uuid;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    /// The id of the request being served by this task. Handlers and error
    /// responses run inside the middleware's scope, so they can read it.
    static CURRENT: String;
}

/// The id of the request being served, when called while serving one.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Runs `fut` with `id` as the current request id.
pub async fn scope<F: std::future::Future>(id: String, fut: F) -> F::Output {
    CURRENT.scope(id, fut).await
}

/// An incoming id is honoured when it is 1 to 128 characters of letters, digits,
/// `-`, `_`, `.` or `:`; anything else (which could forge log lines or carry
/// personal data) is replaced by a fresh id.
pub fn accept_or_make(incoming: Option<&HeaderValue>) -> String {
    incoming
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_well_formed(v))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string())
}

fn is_well_formed(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_well_formed_id_is_kept() {
        let v = HeaderValue::from_static("abc-123_x.y:z");
        assert_eq!(accept_or_make(Some(&v)), "abc-123_x.y:z");
    }

    #[test]
    fn a_missing_or_bad_id_is_replaced_by_a_uuid() {
        for bad in ["", "has space", "new\\nline", "ü"] {
            let made = HeaderValue::from_str(bad)
                .ok()
                .map(|v| accept_or_make(Some(&v)))
                .unwrap_or_else(|| accept_or_make(None));
            assert!(Uuid::parse_str(&made).is_ok(), "{bad:?} gave {made}");
        }
        let long = HeaderValue::from_str(&"a".repeat(129)).ok();
        assert!(Uuid::parse_str(&accept_or_make(long.as_ref())).is_ok());
    }

    proptest! {
        #[test]
        fn whatever_comes_in_the_id_going_out_is_well_formed(s in "\\PC{0,200}") {
            let made = match HeaderValue::from_str(&s) {
                Ok(v) => accept_or_make(Some(&v)),
                Err(_) => accept_or_make(None),
            };
            prop_assert!(is_well_formed(&made));
        }
    }
}
