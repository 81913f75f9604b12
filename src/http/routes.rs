//! Registering the API's routes grouped by their first segment.
//!
//! actix-web tries a scope's routes one by one, each a regular expression,
//! until one matches. With every module's routes in one scope, a request met
//! every route registered before its own (a day sheet, near the end, about
//! ninety). Here each first segment (`/centres`, `/referrals`, ...) gets its
//! own scope, guarded by a string comparison, holding the routes of every
//! module that begins with it; a request meets only those. Within a group
//! the routes keep the modules' order, so were a fixed segment and a
//! parameter ever to compete for one path, the one registered first would
//! still win. The guard reads the path as sent: a first segment written
//! with percent-escapes (`/api/v1/%63entres`) matches no group (404).

use std::collections::BTreeSet;

use actix_web::dev::HttpServiceFactory;
use actix_web::guard::{Guard, GuardContext};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::OpenApiFactory;

/// What a module registers its routes with (`cfg.service(handler)`), each
/// route's path as its handler declares it (`/centres/{id}/day-sheet`).
pub struct Routes<'a, 's> {
    mode: Mode<'a, 's>,
}

enum Mode<'a, 's> {
    /// Noting the first segment of each route.
    Survey(&'a mut BTreeSet<String>),
    /// Registering the routes whose first segment is this one.
    Register(&'a mut ServiceConfig<'s>, &'a str),
}

impl Routes<'_, '_> {
    pub fn service<F>(&mut self, handler: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + utoipa::Path + 'static,
    {
        let path = F::path();
        match &mut self.mode {
            Mode::Survey(segments) => {
                segments.insert(first_segment(&path).to_owned());
            }
            Mode::Register(cfg, segment) => {
                if first_segment(&path) == *segment {
                    cfg.service(handler);
                }
            }
        }
        self
    }
}

/// Registers under `prefix` the routes `modules` register, one guarded
/// scope per first segment. The OpenAPI document is the same as with one
/// scope: each route is registered once, at its own path.
pub fn grouped(cfg: &mut ServiceConfig, prefix: &'static str, modules: fn(&mut Routes)) {
    let mut segments = BTreeSet::new();
    modules(&mut Routes {
        mode: Mode::Survey(&mut segments),
    });
    let mut api = scope(prefix);
    for segment in segments {
        let group = scope("").guard(FirstSegment {
            prefix,
            segment: segment.clone(),
        });
        api = api.service(group.configure(|cfg| {
            modules(&mut Routes {
                mode: Mode::Register(cfg, &segment),
            })
        }));
    }
    cfg.service(api);
}

/// `centres` of `/centres/{id}/day-sheet`; empty unless the path begins
/// with `/`.
fn first_segment(path: &str) -> &str {
    path.strip_prefix('/')
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
}

/// Whether a request's path under `prefix` begins with `segment`.
struct FirstSegment {
    prefix: &'static str,
    segment: String,
}

impl Guard for FirstSegment {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        ctx.head()
            .uri
            .path()
            .strip_prefix(self.prefix)
            .is_some_and(|rest| first_segment(rest) == self.segment)
    }
}

#[cfg(test)]
mod tests {
    use super::first_segment;

    #[test]
    fn the_first_segment_is_the_one_after_the_leading_slash() {
        assert_eq!(first_segment("/centres/{id}/day-sheet"), "centres");
        assert_eq!(first_segment("/me"), "me");
        assert_eq!(first_segment("/"), "");
        assert_eq!(first_segment(""), "");
        assert_eq!(first_segment("x/centres"), "");
    }
}
