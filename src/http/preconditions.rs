//! Conditional requests on a case (a referral and its family): reads carry an
//! `ETag` made from the referral's version number, which every change to the
//! referral or its people moves (database triggers, migration 000013); a
//! change sends it back in `If-Match`.
//!
//! The tag is a version, not a hash of the body: each viewer sees a different
//! body of the same case, and a change must be refused as stale whichever
//! view the writer read it through.
//!
//! - A read is never `304` (see [`read`]): the tag is for `If-Match`.
//! - A case change without `If-Match` is refused with 428; with a tag that is
//!   not the current one, 412 (someone changed the case since it was read).
//!   The centre's decisions check `If-Match` when it is sent.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::{ApiError, ProblemType, Refusal};

/// This module's problems, for the catalogue.
pub const PROBLEMS: &[ProblemType] = &[
    ProblemType {
        uri: "/problems/if-match-required",
        title: "Send the case's ETag in If-Match",
        statuses: &[428],
        meaning: "A change to a case must say which version it was made against: read the referral or family, and send its `ETag` in `If-Match`.",
    },
    ProblemType {
        uri: "/problems/stale",
        title: "The case changed since it was read",
        statuses: &[412],
        meaning: "The `If-Match` tag is not the case's current one: someone changed it since you read it. Read it again, then decide.",
    },
];

/// The strong `ETag` of a case at `version`.
pub fn tag(version: i64) -> String {
    format!("\"{version}\"")
}

/// Whether `If-Match` must be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// A case change: 428 without it.
    Required,
    /// Checked when sent.
    Optional,
}

/// The tags a request sent in `If-Match`, read before the transaction that
/// locks the case (a request does not cross into it).
#[derive(Debug, Clone, Default)]
pub struct IfMatchSent(Vec<String>);

impl IfMatchSent {
    pub fn of(req: &HttpRequest) -> Self {
        Self(
            req.headers()
                .get_all(header::IF_MATCH)
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Checks the tags against the case's current `version` (strong
    /// comparison, RFC 9110 13.1.1; `*` matches any).
    pub fn check(&self, version: i64, need: IfMatch) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return match need {
                IfMatch::Required => Err(Refusal::new(
                    StatusCode::PRECONDITION_REQUIRED,
                    "/problems/if-match-required",
                    "Send the case's ETag in If-Match",
                    "read the case and send its ETag in If-Match",
                )
                .into()),
                IfMatch::Optional => Ok(()),
            };
        }
        let current = tag(version);
        if self.0.iter().any(|t| t == "*" || *t == current) {
            return Ok(());
        }
        Err(Refusal::new(
            StatusCode::PRECONDITION_FAILED,
            "/problems/stale",
            "The case changed since it was read",
            "the case changed since it was read: read it again",
        )
        .with("current_etag", current)
        .into())
    }
}

/// A case read as JSON with its `ETag` (private to the reader: bodies differ
/// by viewer). Never `304`: parts of a case's body move without its version
/// (an offer lapsing, a place in line as other families come and go, a
/// party's time to answer running out), so a held copy is never known to be
/// current.
pub fn read<T: Serialize>(version: i64, body: &T) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ))
        .insert_header((header::VARY, HeaderValue::from_static("Authorization")));
    if let Ok(value) = HeaderValue::from_str(&tag(version)) {
        response.insert_header((header::ETAG, value));
    }
    response.json(body)
}

/// A case's new part as JSON, `201` at `location`, with the case's new `ETag`.
pub fn created<T: Serialize>(version: i64, body: &T, location: &str) -> HttpResponse {
    let mut response = HttpResponse::Created();
    if let Ok(value) = HeaderValue::from_str(&tag(version)) {
        response.insert_header((header::ETAG, value));
    }
    if let Ok(value) = HeaderValue::from_str(location) {
        response.insert_header((header::LOCATION, value));
    }
    response.json(body)
}

/// A changed case as JSON with its new `ETag`, for the next change.
pub fn changed<T: Serialize>(version: i64, body: &T) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Ok(value) = HeaderValue::from_str(&tag(version)) {
        response.insert_header((header::ETAG, value));
    }
    response.json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn with(name: header::HeaderName, value: &str) -> HttpRequest {
        TestRequest::default()
            .insert_header((name, value))
            .to_http_request()
    }

    #[test]
    fn a_case_change_needs_the_current_tag() {
        let none = TestRequest::default().to_http_request();
        let status = |r: Result<(), ApiError>| {
            r.err()
                .map(|e| actix_web::ResponseError::status_code(&e).as_u16())
        };
        let check = |req: &HttpRequest, version, need| IfMatchSent::of(req).check(version, need);
        assert_eq!(status(check(&none, 7, IfMatch::Required)), Some(428));
        assert_eq!(status(check(&none, 7, IfMatch::Optional)), None);
        assert_eq!(
            status(check(
                &with(header::IF_MATCH, "\"7\""),
                7,
                IfMatch::Required
            )),
            None
        );
        assert_eq!(
            status(check(
                &with(header::IF_MATCH, "\"6\", \"7\""),
                7,
                IfMatch::Required
            )),
            None
        );
        assert_eq!(
            status(check(&with(header::IF_MATCH, "*"), 7, IfMatch::Required)),
            None
        );
        assert_eq!(
            status(check(
                &with(header::IF_MATCH, "\"6\""),
                7,
                IfMatch::Optional
            )),
            Some(412)
        );
        // A weak tag never matches If-Match (strong comparison).
        assert_eq!(
            status(check(
                &with(header::IF_MATCH, "W/\"7\""),
                7,
                IfMatch::Required
            )),
            Some(412)
        );
    }

    #[test]
    fn a_case_read_is_never_304_and_carries_its_version() {
        let read = read(3, &1);
        assert_eq!(read.status().as_u16(), 200);
        assert_eq!(read.headers().get(header::ETAG).unwrap(), "\"3\"");
    }
}
