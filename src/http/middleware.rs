//! The middleware every request passes through: request id, access log and the
//! headers every response carries.

use std::future::{ready, Ready};
use std::rc::Rc;
use std::time::Instant;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::HeaderValue;
use actix_web::Error;
use futures_util::future::LocalBoxFuture;

use crate::request_id;

/// Gives each request its id, serves it inside that id's scope, puts the id on
/// the response, and writes one access-log line: method, route pattern, status,
/// latency and request id. Never the query string, body, headers or token.
pub struct RequestContext;

impl<S, B> Transform<S, ServiceRequest> for RequestContext
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = RequestContextMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequestContextMiddleware {
            service: Rc::new(service),
        }))
    }
}

pub struct RequestContextMiddleware<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequestContextMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let id = request_id::accept_or_make(req.headers().get(request_id::HEADER));
        let service = Rc::clone(&self.service);
        let method = req.method().clone();
        // Answers to callers who sent credentials, and every answer of the token
        // endpoints (which carry tokens, RFC 6749 §5.1), must not be cached.
        let authenticated = req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION)
            || req.path().starts_with("/api/v1/auth/");
        Box::pin(request_id::scope(id.clone(), async move {
            // Handlers' errors are already responses here (actix converts them
            // inside the router, within this scope, so they carry the request id).
            let mut response = service.call(req).await?;
            if authenticated {
                response.headers_mut().insert(
                    actix_web::http::header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                );
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(request_id::HEADER, value);
            }
            let pattern = response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "(unmatched)".to_owned());
            log::info!(
                target: "ccc::access",
                "{method} {pattern} {status} {ms:.1}ms request_id={id}",
                status = response.status().as_u16(),
                ms = started.elapsed().as_secs_f64() * 1000.0,
            );
            Ok(response)
        }))
    }
}

/// CORS for the configured origins only; with none configured, no cross-origin
/// browser call is allowed (no CORS headers are sent).
pub fn cors(origins: &[String]) -> actix_web::middleware::Condition<actix_cors::Cors> {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::IF_NONE_MATCH,
        ])
        .expose_headers(["x-request-id", "etag", "retry-after", "location"])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    actix_web::middleware::Condition::new(!origins.is_empty(), cors)
}
