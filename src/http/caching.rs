//! Conditional GET for public reads: an `ETag` that is a hash of the body, and
//! `304 Not Modified` when the client already holds it.
//!
//! Hashing the body (rather than tracking versions) keeps every instance in
//! agreement without shared state: the same data gives the same tag anywhere.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Public data that may be stored by shared caches, revalidated on every use.
pub const PUBLIC_REVALIDATE: &str = "public, no-cache";
/// Reference data that changes a few times a year.
pub const PUBLIC_ONE_DAY: &str = "public, max-age=86400";

/// Answers `body` as JSON with an `ETag`, or `304` if `If-None-Match` matches.
pub fn json_with_etag<T: Serialize>(
    req: &HttpRequest,
    body: &T,
    cache_control: &'static str,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let digest = Sha256::digest(&bytes);
    let tag = format!("\"{}\"", hex(&digest[..16]));
    let mut response = if matches(req, &tag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, tag.clone()))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, "Authorization"));
    if matches(req, &tag) {
        return Ok(response.finish());
    }
    Ok(response.content_type("application/json").body(bytes))
}

/// `If-None-Match` holds the tag (weakly compared, RFC 9110 13.1.2) or `*`.
fn matches(req: &HttpRequest, tag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn a_matching_tag_gives_304_and_any_other_gives_the_body() {
        let body = serde_json::json!({"name": "Carlisle"});
        let first = json_with_etag(
            &TestRequest::default().to_http_request(),
            &body,
            PUBLIC_REVALIDATE,
        )
        .map_err(|e| e.to_string());
        let Ok(first) = first else {
            panic!("{first:?}")
        };
        assert_eq!(first.status(), 200);
        let tag = first
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(tag.starts_with('"') && tag.len() == 34, "{tag}");
        for sent in [
            tag.clone(),
            format!("W/{tag}"),
            format!("\"x\", {tag}"),
            "*".to_owned(),
        ] {
            let req = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, sent.as_str()))
                .to_http_request();
            let status = json_with_etag(&req, &body, PUBLIC_REVALIDATE).map(|r| r.status());
            assert_eq!(
                status.ok(),
                Some(actix_web::http::StatusCode::NOT_MODIFIED),
                "{sent}"
            );
        }
        let req = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "\"other\""))
            .to_http_request();
        let status = json_with_etag(&req, &body, PUBLIC_REVALIDATE).map(|r| r.status());
        assert_eq!(status.ok(), Some(actix_web::http::StatusCode::OK));
    }
}
