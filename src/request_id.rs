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

    fn kept(id: &str) -> bool {
        let value = HeaderValue::from_str(id).expect("a header value");
        accept_or_make(Some(&value)) == id
    }

    #[test]
    fn a_well_formed_id_is_kept() {
        assert!(kept("abc-123_x.y:z"));
        assert!(kept(&"a".repeat(128)));
    }

    #[test]
    fn a_missing_or_bad_id_is_replaced_by_a_fresh_uuid() {
        // Each is a valid header value that reaches the check and fails it:
        // too long, a space, a tab, non-ASCII text, a slash, a quote.
        for bad in [
            &"a".repeat(129),
            "has space",
            "tab\there",
            "caf\u{e9}",
            "a/b",
            "x\"y",
        ] {
            assert!(!kept(bad), "{bad:?} was kept");
            assert!(!is_well_formed(bad), "{bad:?}");
        }
        assert!(Uuid::parse_str(&accept_or_make(None)).is_ok());
        // A newline cannot even be a header value: the server never sees it.
        assert!(HeaderValue::from_str("new\nline").is_err());
        let made = accept_or_make(Some(&HeaderValue::from_static("has space")));
        assert_eq!(Uuid::parse_str(&made).map(|u| u.get_version_num()), Ok(7));
    }

    proptest! {
        /// Ids from the allowed alphabet, 1 to 128 long, come back unchanged.
        #[test]
        fn ids_from_the_allowed_alphabet_are_kept(id in "[A-Za-z0-9._:-]{1,128}") {
            prop_assert!(kept(&id));
        }

        /// Any id with one character outside the alphabet is replaced.
        #[test]
        fn an_id_with_any_other_character_is_replaced(
            before in "[A-Za-z0-9]{0,20}",
            odd in "[^A-Za-z0-9._:\\-]",
            after in "[A-Za-z0-9]{0,20}",
        ) {
            let id = format!("{before}{odd}{after}");
            let made = match HeaderValue::from_str(&id) {
                Ok(v) => accept_or_make(Some(&v)),
                Err(_) => accept_or_make(None),
            };
            prop_assert_ne!(&made, &id);
            prop_assert!(Uuid::parse_str(&made).is_ok(), "{made}");
        }
    }
}
