//! Answers for requests that match no route: 405 with an `Allow` header when the
//! path exists with other methods, 404 otherwise.
//!
//! The table is built from the OpenAPI document, which is generated from the same
//! declarations as the router, so the two cannot disagree.

use actix_web::http::Method;
use actix_web::{web, HttpRequest};

use crate::error::ApiError;

/// The documented paths with the methods each one answers.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<Method>)>,
}

#[derive(Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

impl RouteTable {
    pub fn from_openapi(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<Method> = [
                    (item.get.is_some(), Method::GET),
                    (item.head.is_some(), Method::HEAD),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                    (item.options.is_some(), Method::OPTIONS),
                ]
                .into_iter()
                .filter_map(|(present, m)| present.then_some(m))
                .collect();
                (parse(path), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods allowed on `path`, if it is a documented path.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = split(path).collect();
        let mut found: Option<Vec<Method>> = None;
        for (segments, methods) in &self.routes {
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Param => !p.is_empty(),
                });
            if matches {
                let all = found.get_or_insert_with(Vec::new);
                for m in methods {
                    if !all.contains(m) {
                        all.push(m.clone());
                    }
                }
            }
        }
        found
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_end_matches('/').split('/').skip(1)
}

fn parse(path: &str) -> Vec<Segment> {
    split(path)
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

/// The default service: what an unrouted request gets.
pub async fn not_routed(
    req: HttpRequest,
    table: Option<web::Data<RouteTable>>,
) -> Result<actix_web::HttpResponse, ApiError> {
    match table.and_then(|t| t.allowed(req.path())) {
        Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        None => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::OpenApiBuilder;

    fn table() -> RouteTable {
        let op = || OperationBuilder::new().build();
        let spec = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path("/health", PathItem::new(HttpMethod::Get, op()))
                    .path("/api/v1/centres/{id}", PathItem::new(HttpMethod::Get, op()))
                    .path(
                        "/api/v1/centres/{id}",
                        PathItem::new(HttpMethod::Patch, op()),
                    ),
            )
            .build();
        RouteTable::from_openapi(&spec)
    }

    #[test]
    fn a_known_path_lists_its_methods() {
        let t = table();
        assert_eq!(
            t.allowed("/api/v1/centres/abc"),
            Some(vec![Method::GET, Method::PATCH])
        );
        assert_eq!(t.allowed("/health"), Some(vec![Method::GET]));
    }

    #[test]
    fn an_unknown_path_has_no_methods() {
        let t = table();
        assert_eq!(t.allowed("/api/v1/centres"), None);
        assert_eq!(t.allowed("/api/v1/centres/abc/venues"), None);
        assert_eq!(t.allowed("/nowhere"), None);
    }
}
