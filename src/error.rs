//! The one error type every handler returns, answered as RFC 9457
//! `application/problem+json`.
//!
//! Errors are mapped to statuses here and nowhere else; handlers use `?`. No body
//! ever carries internal detail (SQL, stack, file paths): an unexpected error is
//! logged with an id and answered with that id alone.
//!
//! Its unit tests (mapping, bodies, headers) sit beside it (a fifth of the file).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::request_id;

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as a JSON path into the request (`children[0].date_of_birth`) or
    /// the name of a query or path parameter.
    #[schema(example = "limit")]
    pub field: String,
    /// A stable machine-readable code for the rule that failed.
    #[schema(example = "range")]
    pub code: String,
    /// What is wrong, for a person.
    #[schema(example = "must be between 1 and 100")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem: every error answer of this API has this shape.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation",
    "title": "The request is not valid",
    "status": 422,
    "detail": "1 field is not valid",
    "request_id": "01890a5d-ac96-774b-b9aa-9f3b6a4c1e2f",
    "errors": [{"field": "limit", "code": "range", "message": "must be between 1 and 100"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem; stable, safe to branch on.
    #[serde(rename = "type")]
    #[schema(example = "/problems/not-found")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The id of the request (also in the `X-Request-Id` header); quote it to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For an unexpected error: the id under which it was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// For a validation problem: each invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// Members a module's own kind of problem adds (such as `alternatives`),
    /// documented by the module that declares the problem.
    #[serde(flatten)]
    #[schema(ignore)]
    pub members: serde_json::Map<String, serde_json::Value>,
}

/// A refusal declared by the module where it arises, for a problem of that
/// module's own: its stable `type`, title, status, what happened, and any
/// members of its own (`alternatives`, `allowed`, ...). `ApiError`'s other
/// variants are the problems every module shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub status: StatusCode,
    /// A URI reference, `/problems/<kind>`; stable, clients branch on it.
    pub problem_type: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub members: serde_json::Map<String, serde_json::Value>,
}

impl Refusal {
    pub fn new(
        status: StatusCode,
        problem_type: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            problem_type,
            title,
            detail: detail.into(),
            members: serde_json::Map::new(),
        }
    }

    /// Adds a member to the problem body.
    pub fn with(mut self, name: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.members.insert(name.to_owned(), value);
        self
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(Box::new(refusal))
    }
}

/// An unexpected error: what it was, where it was turned into an `ApiError`,
/// and its source. Logged with an id; the client sees only the id.
#[derive(Debug)]
pub struct Internal {
    pub message: String,
    pub location: &'static std::panic::Location<'static>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A kind of problem a client can meet, for the catalogue that the spec lists
/// and `/problems/{kind}` serves as a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// The `type` member, `/problems/<kind>`.
    pub uri: &'static str,
    pub title: &'static str,
    /// The statuses it comes with.
    pub statuses: &'static [u16],
    /// What it means and what a client does about it.
    pub meaning: &'static str,
}

/// The problems every module shares ([`ApiError`]'s kinds but `Refused`).
pub const SHARED_PROBLEMS: &[ProblemType] = &[
    ProblemType {
        uri: "/problems/bad-request",
        title: "The request cannot be read",
        statuses: &[400],
        meaning: "The body is not well-formed JSON (or form), or not in UTF-8. Fix the request; retrying it as it is will fail again.",
    },
    ProblemType {
        uri: "/problems/unauthenticated",
        title: "Authentication is required or has failed",
        statuses: &[401],
        meaning: "No access token, or one that is expired, revoked or not valid; or wrong credentials. Get a new token (log in, refresh, or ask /auth/token) and retry.",
    },
    ProblemType {
        uri: "/problems/forbidden",
        title: "This action is not allowed",
        statuses: &[403],
        meaning: "The caller is known but their role, centre, organisation or token scopes do not allow this. Retrying will not help.",
    },
    ProblemType {
        uri: "/problems/not-found",
        title: "The resource was not found",
        statuses: &[404],
        meaning: "Nothing at this path, or nothing the caller may see there: the two are not told apart, so a record's existence is not revealed.",
    },
    ProblemType {
        uri: "/problems/method-not-allowed",
        title: "The method is not allowed on this resource",
        statuses: &[405],
        meaning: "The path exists with other methods, listed in the Allow header.",
    },
    ProblemType {
        uri: "/problems/conflict",
        title: "The request conflicts with the current state",
        statuses: &[409],
        meaning: "A record with the same unique values exists, the record is not in a state that allows this (a referral already sent), or a concurrent change won. Read the record again before deciding.",
    },
    ProblemType {
        uri: "/problems/payload-too-large",
        title: "The request body is too large",
        statuses: &[413],
        meaning: "The body is over the limit named in `detail` (JSON bodies, MAX_JSON_BYTES; documents, 10 MB).",
    },
    ProblemType {
        uri: "/problems/unsupported-media-type",
        title: "The request body must be application/json",
        statuses: &[415],
        meaning: "Send the body as the operation documents it, with that Content-Type.",
    },
    ProblemType {
        uri: "/problems/validation",
        title: "The request is not valid",
        statuses: &[422],
        meaning: "One or more fields or parameters break a rule; `errors` lists each as {field, code, message}. Fix those fields.",
    },
    ProblemType {
        uri: "/problems/unprocessable",
        title: "The request cannot be carried out",
        statuses: &[422],
        meaning: "Well-formed, but it breaks a rule of the stored data (it names a record that does not exist, for example).",
    },
    ProblemType {
        uri: "/problems/too-many-requests",
        title: "Too many requests",
        statuses: &[429],
        meaning: "A limit holds (failed logins, messages to one address). Wait the seconds in Retry-After.",
    },
    ProblemType {
        uri: "/problems/internal",
        title: "An unexpected error occurred",
        statuses: &[500],
        meaning: "A fault on the service's side, logged under `error_id`. Quote the error_id and request_id to support.",
    },
    ProblemType {
        uri: "/problems/unavailable",
        title: "The service is temporarily unavailable",
        statuses: &[503],
        meaning: "The database cannot be reached, a connection was lost mid-request, or none is free in time. Retry after Retry-After seconds; a write whose answer was lost may have landed, so read before writing again.",
    },
];

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or a parameter cannot be read at all (malformed JSON, bad encoding).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No credentials, or credentials that are not valid.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Authenticated, but not allowed to do this.
    #[error("forbidden")]
    Forbidden,
    /// No such resource, or one outside the caller's scope (never say which).
    #[error("not found")]
    NotFound,
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<Method> },
    /// The request conflicts with the current state (duplicate, concurrent change).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The body is larger than the configured limit.
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// The body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Fields that break a rule.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request was understood but a domain rule refuses it.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// A refusal of a module's own kind (see [`Refusal`]).
    #[error("{}: {}", .0.problem_type, .0.detail)]
    Refused(Box<Refusal>),
    /// Too many attempts; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database cannot be reached or no connection is free in time.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected. The text is logged, never sent.
    #[error("internal error at {}: {}", .0.location, .0.message)]
    Internal(Box<Internal>),
}

impl ApiError {
    /// An unexpected error, keeping where it arose (the caller's file and line).
    #[track_caller]
    pub fn internal(err: impl std::fmt::Display) -> Self {
        Self::Internal(Box::new(Internal {
            message: err.to_string(),
            location: std::panic::Location::caller(),
        }))
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) => ("/problems/bad-request", "The request cannot be read"),
            Self::Unauthenticated(_) => (
                "/problems/unauthenticated",
                "Authentication is required or has failed",
            ),
            Self::Forbidden => ("/problems/forbidden", "This action is not allowed"),
            Self::NotFound => ("/problems/not-found", "The resource was not found"),
            Self::MethodNotAllowed { .. } => (
                "/problems/method-not-allowed",
                "The method is not allowed on this resource",
            ),
            Self::Conflict(_) => (
                "/problems/conflict",
                "The request conflicts with the current state",
            ),
            Self::PayloadTooLarge { .. } => (
                "/problems/payload-too-large",
                "The request body is too large",
            ),
            Self::UnsupportedMediaType => (
                "/problems/unsupported-media-type",
                "The request body must be application/json",
            ),
            Self::Validation(_) => ("/problems/validation", "The request is not valid"),
            Self::Unprocessable(_) => (
                "/problems/unprocessable",
                "The request cannot be carried out",
            ),
            Self::Refused(r) => (r.problem_type, r.title),
            Self::TooManyRequests { .. } => ("/problems/too-many-requests", "Too many requests"),
            Self::Unavailable(_) => (
                "/problems/unavailable",
                "The service is temporarily unavailable",
            ),
            Self::Internal(_) => ("/problems/internal", "An unexpected error occurred"),
        }
    }

    /// The problem body for this error; `error_id` is set for unexpected errors.
    pub fn problem(&self, error_id: Option<Uuid>) -> Problem {
        let (problem_type, title) = self.kind();
        let detail = match self {
            Self::BadRequest(d) | Self::Conflict(d) | Self::Unprocessable(d) => Some(d.clone()),
            Self::Refused(r) => Some(r.detail.clone()),
            Self::Unauthenticated(d) => Some(d.clone()),
            Self::PayloadTooLarge { limit } => {
                Some(format!("the body must be at most {limit} bytes"))
            }
            Self::MethodNotAllowed { allow } => Some(format!(
                "allowed methods: {}",
                allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Self::Validation(errors) => Some(match errors.len() {
                1 => "1 field is not valid".to_owned(),
                n => format!("{n} fields are not valid"),
            }),
            Self::TooManyRequests { retry_after_secs } => {
                Some(format!("try again in {retry_after_secs} seconds"))
            }
            Self::Unavailable(_) => Some("please retry shortly".to_owned()),
            Self::Internal(_) => Some("quote the error_id when reporting this".to_owned()),
            Self::Forbidden | Self::NotFound | Self::UnsupportedMediaType => None,
        };
        Problem {
            problem_type: problem_type.to_owned(),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            request_id: request_id::current(),
            error_id: error_id.map(|id| id.to_string()),
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
            members: match self {
                Self::Refused(r) => r.members.clone(),
                _ => serde_json::Map::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Refused(r) => r.status,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let error_id = match self {
            Self::Internal(internal) => {
                let id = Uuid::now_v7();
                log::error!(
                    "error_id={id} request_id={} at {}: {}",
                    request_id::current().unwrap_or_default(),
                    internal.location,
                    internal.message
                );
                Some(id)
            }
            Self::Unavailable(msg) => {
                log::warn!(
                    "unavailable request_id={} {msg}",
                    request_id::current().unwrap_or_default()
                );
                None
            }
            _ => None,
        };
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            Self::MethodNotAllowed { allow } => {
                let list = allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Ok(value) = HeaderValue::from_str(&list) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::Unauthenticated(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"ccc\""),
                ));
            }
            _ => {}
        }
        // Serialising the problem cannot fail: it holds only strings and numbers.
        let body = serde_json::to_vec(&self.problem(error_id)).unwrap_or_default();
        response.body(body)
    }
}

impl From<DieselError> for ApiError {
    /// With `?`, the location kept for an unexpected error is the `?`'s.
    #[track_caller]
    fn from(err: DieselError) -> Self {
        if connection_lost(&err) {
            return Self::Unavailable(format!("database connection lost: {err}"));
        }
        match &err {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => {
                    Self::Conflict("a record with the same unique values already exists".to_owned())
                }
                DatabaseErrorKind::ForeignKeyViolation => Self::Unprocessable(
                    "the request refers to a record that does not exist".to_owned(),
                ),
                DatabaseErrorKind::SerializationFailure => Self::Conflict(
                    "a concurrent change conflicted with this one; retry the request".to_owned(),
                ),
                // Raised only by the schema's own triggers, whose message
                // says what stands in the way (dates at most, never a person).
                DatabaseErrorKind::RestrictViolation => Self::Conflict(info.message().to_owned()),
                DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                    Self::Unprocessable("the request breaks a rule of the stored data".to_owned())
                }
                _ if info.message().contains("deadlock detected") => Self::Conflict(
                    "a concurrent change conflicted with this one; retry the request".to_owned(),
                ),
                // PostgreSQL text cannot hold NUL; input validation refuses it first,
                // this keeps any field it missed a 422 rather than a 500.
                _ if info.message().contains("invalid byte sequence") => Self::field(
                    "body",
                    "nul",
                    "text must not contain NUL (\\u0000) characters",
                ),
                // Only the message is kept: a constraint's detail can quote the values.
                _ => Self::internal(format!("database error: {}", info.message())),
            },
            _ => Self::internal(format!("database error: {err}")),
        }
    }
}

/// Whether `err` says the connection to the database went away (the server was
/// stopped or restarted, the network dropped, a backend was terminated) rather
/// than that the request was wrong. The client can retry such a request, so it
/// is a 503, never a 500. A write whose COMMIT was cut off may still have landed:
/// clients retry with their own idempotent checks (a duplicate referral is a 409).
fn connection_lost(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        // tokio-postgres errors without a SQLSTATE: only the transport ones.
        // "error serializing parameter" is a bug, and stays a 500.
        DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
            const TRANSPORT: [&str; 4] = [
                "connection closed",
                "error communicating with the server",
                "error connecting to server",
                "timeout waiting for server",
            ];
            TRANSPORT.iter().any(|t| info.message().starts_with(t))
        }
        // SQLSTATE class 57P: the server ends the session (admin_shutdown,
        // crash_shutdown, cannot_connect_now, idle_session_timeout).
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            message.starts_with("terminating connection")
                || message.starts_with("the database system is")
        }
        // The connection died inside a transaction and its state is unknown.
        DieselError::BrokenTransactionManager => true,
        DieselError::RollbackErrorOnCommit { commit_error, .. } => connection_lost(commit_error),
        _ => false,
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(err: crate::db::PoolError) -> Self {
        // Pool timeouts, refused connections and a closed pool all mean the same
        // to a client: the database is not available right now.
        Self::Unavailable(format!("database pool: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(err: &ApiError) -> serde_json::Value {
        let bytes = err
            .error_response()
            .into_body()
            .try_into_bytes()
            .unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or_default()
    }

    #[test]
    fn internal_errors_carry_an_error_id_and_no_internal_text() {
        let err = ApiError::internal("relation \"users\" does not exist at src/db.rs:10");
        let response = err.error_response();
        assert_eq!(response.status(), 500);
        assert_eq!(
            response
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(PROBLEM_JSON.as_bytes())
        );
        let body = body_of(&err);
        let text = body.to_string();
        assert!(!text.contains("relation"), "{text}");
        assert!(!text.contains("src/"), "{text}");
        let id = body["error_id"].as_str().unwrap_or_default();
        assert!(Uuid::parse_str(id).is_ok(), "{text}");
    }

    #[test]
    fn database_errors_map_to_their_statuses() {
        assert_eq!(
            ApiError::from(DieselError::NotFound).status_code(),
            StatusCode::NOT_FOUND
        );
        let unique = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key value violates unique constraint".to_owned()),
        );
        assert_eq!(ApiError::from(unique).status_code(), StatusCode::CONFLICT);
        let fk = DieselError::DatabaseError(
            DatabaseErrorKind::ForeignKeyViolation,
            Box::new("violates foreign key constraint".to_owned()),
        );
        assert_eq!(
            ApiError::from(fk).status_code(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let serial = DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new("could not serialize access".to_owned()),
        );
        assert_eq!(ApiError::from(serial).status_code(), StatusCode::CONFLICT);
        let closed = DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection".to_owned()),
        );
        assert_eq!(
            ApiError::from(closed).status_code(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn each_shared_problem_is_sent_as_the_catalogue_describes_it() {
        let samples = [
            ApiError::BadRequest("x".into()),
            ApiError::Unauthenticated("x".into()),
            ApiError::Forbidden,
            ApiError::NotFound,
            ApiError::MethodNotAllowed { allow: vec![] },
            ApiError::Conflict("x".into()),
            ApiError::PayloadTooLarge { limit: 1 },
            ApiError::UnsupportedMediaType,
            ApiError::field("f", "c", "m"),
            ApiError::Unprocessable("x".into()),
            ApiError::TooManyRequests {
                retry_after_secs: 1,
            },
            ApiError::internal("x"),
            ApiError::Unavailable("x".into()),
        ];
        assert_eq!(samples.len(), SHARED_PROBLEMS.len());
        for err in samples {
            let problem = err.problem(None);
            let entry = SHARED_PROBLEMS
                .iter()
                .find(|p| p.uri == problem.problem_type)
                .unwrap_or_else(|| panic!("{} is not in the catalogue", problem.problem_type));
            assert_eq!(entry.title, problem.title);
            assert_eq!(entry.statuses, [problem.status]);
        }
    }

    #[test]
    fn a_lost_connection_is_a_503_and_a_bug_stays_a_500() {
        let db =
            |kind, message: &str| DieselError::DatabaseError(kind, Box::new(message.to_owned()));
        for lost in [
            db(DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            db(
                DatabaseErrorKind::UnableToSendCommand,
                "error communicating with the server: Connection reset by peer",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "the database system is shutting down",
            ),
            DieselError::BrokenTransactionManager,
            DieselError::RollbackErrorOnCommit {
                rollback_error: Box::new(DieselError::BrokenTransactionManager),
                commit_error: Box::new(db(
                    DatabaseErrorKind::UnableToSendCommand,
                    "connection closed",
                )),
            },
        ] {
            let text = lost.to_string();
            let err = ApiError::from(lost);
            assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE, "{text}");
            assert_eq!(
                err.error_response()
                    .headers()
                    .get(header::RETRY_AFTER)
                    .map(|v| v.as_bytes()),
                Some(&b"1"[..]),
                "{text}"
            );
        }
        for bug in [
            db(
                DatabaseErrorKind::UnableToSendCommand,
                "error serializing parameter 0",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "relation \"users\" does not exist",
            ),
            DieselError::AlreadyInTransaction,
        ] {
            let text = bug.to_string();
            assert_eq!(
                ApiError::from(bug).status_code(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{text}"
            );
        }
    }

    #[test]
    fn method_not_allowed_lists_the_allowed_methods() {
        let err = ApiError::MethodNotAllowed {
            allow: vec![Method::GET, Method::POST],
        };
        let response = err.error_response();
        assert_eq!(response.status(), 405);
        assert_eq!(
            response.headers().get(header::ALLOW).map(|v| v.as_bytes()),
            Some(&b"GET, POST"[..])
        );
    }
}
