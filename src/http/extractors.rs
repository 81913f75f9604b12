//! How a request that cannot be read becomes a problem: malformed JSON 400, a body
//! that is not JSON 415, a body over the limit 413, a JSON value of the wrong shape
//! or a bad query parameter 422, a malformed path parameter 404.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};

use crate::error::{ApiError, FieldError};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| json_error(err, limit).into())
}

pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(16 * 1024)
        .error_handler(|err, _req| form_error(err).into())
}

fn form_error(err: actix_web::error::UrlencodedError) -> ApiError {
    use actix_web::error::UrlencodedError;
    match err {
        UrlencodedError::ContentType => ApiError::UnsupportedMediaType,
        UrlencodedError::Overflow { limit, .. } => ApiError::PayloadTooLarge { limit },
        UrlencodedError::Parse(e) => ApiError::BadRequest(format!("malformed form: {e}")),
        _ => ApiError::BadRequest("the form cannot be read".to_owned()),
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(err).into())
}

pub fn path_config() -> web::PathConfig {
    // A path parameter that cannot be parsed (a malformed id) names no resource.
    web::PathConfig::default()
        .error_handler(|_err: PathError, _req: &HttpRequest| ApiError::NotFound.into())
}

fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            // Well-formed JSON of the wrong shape: name what serde found wrong.
            ApiError::Validation(vec![FieldError::new("body", "invalid", strip_position(&e))])
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("malformed JSON: {}", strip_position(&e)))
        }
        JsonPayloadError::Payload(_) => {
            ApiError::BadRequest("the request body could not be read".to_owned())
        }
        _ => ApiError::BadRequest("the request body is not valid JSON".to_owned()),
    }
}

/// serde_json appends "at line L column C"; keep the message, which is what a
/// caller can act on.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn query_error(err: QueryPayloadError) -> ApiError {
    match err {
        QueryPayloadError::Deserialize(e) => {
            ApiError::Validation(vec![FieldError::new("query", "invalid", e.to_string())])
        }
        _ => ApiError::BadRequest("the query string cannot be read".to_owned()),
    }
}
