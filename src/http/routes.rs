//! Registering the API's routes grouped by their first segment and their
//! number of segments.
//!
//! actix-web tries a scope's routes one by one, each a regular expression,
//! until one matches. With every module's routes in one scope, a request met
//! every route registered before its own (a day sheet, near the end, about
//! ninety). Here each shape (`/centres` with three segments, `/referrals`
//! with two, ...) gets its own scope, guarded by a string comparison,
//! holding the routes of every module with that shape; a request meets only
//! those. A parameter (`{id}`) matches one segment, never a `/`, so no
//! route of another shape could have matched. Within a group the routes
//! keep the modules' order, so were a fixed segment and a parameter ever to
//! compete for one path, the one registered first would still win. The
//! guard reads the path as sent: a first segment written with
//! percent-escapes (`/api/v1/%63entres`) matches no group (404).

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
    /// Noting the shape of each route.
    Survey(&'a mut BTreeSet<Shape>),
    /// Registering the routes of this shape.
    Register(&'a mut ServiceConfig<'s>, &'a Shape),
}

/// A path's first segment and how many segments it has:
/// `/centres/{id}/day-sheet` is (`centres`, 3).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    first: String,
    segments: usize,
}

impl Shape {
    /// The shape of `path`; no first segment unless it begins with `/`.
    fn of(path: &str) -> Shape {
        Shape {
            first: first_segment(path).to_owned(),
            segments: segment_count(path),
        }
    }

    /// Whether `path` has this shape, without building one.
    fn fits(&self, path: &str) -> bool {
        first_segment(path) == self.first && segment_count(path) == self.segments
    }
}

impl Routes<'_, '_> {
    pub fn service<F>(&mut self, handler: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + utoipa::Path + 'static,
    {
        let path = F::path();
        match &mut self.mode {
            Mode::Survey(shapes) => {
                shapes.insert(Shape::of(&path));
            }
            Mode::Register(cfg, shape) => {
                if shape.fits(&path) {
                    cfg.service(handler);
                }
            }
        }
        self
    }
}

/// Registers under `prefix` the routes `modules` register, one guarded
/// scope per shape. The OpenAPI document is the same as with one scope:
/// each route is registered once, at its own path.
pub fn grouped(cfg: &mut ServiceConfig, prefix: &'static str, modules: fn(&mut Routes)) {
    let mut shapes = BTreeSet::new();
    modules(&mut Routes {
        mode: Mode::Survey(&mut shapes),
    });
    let mut api = scope(prefix);
    for shape in shapes {
        let group = scope("").guard(Shaped {
            prefix,
            shape: shape.clone(),
        });
        api = api.service(group.configure(|cfg| {
            modules(&mut Routes {
                mode: Mode::Register(cfg, &shape),
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

/// 3 for `/centres/{id}/day-sheet`; 0 unless the path begins with `/`.
fn segment_count(path: &str) -> usize {
    path.strip_prefix('/')
        .map_or(0, |rest| rest.split('/').count())
}

/// Whether a request's path under `prefix` has `shape`.
struct Shaped {
    prefix: &'static str,
    shape: Shape,
}

impl Guard for Shaped {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        ctx.head()
            .uri
            .path()
            .strip_prefix(self.prefix)
            .is_some_and(|rest| self.shape.fits(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::{first_segment, Shape};

    #[test]
    fn a_shape_is_the_first_segment_and_the_number_of_segments() {
        let day_sheet = Shape::of("/centres/{id}/day-sheet");
        assert_eq!(day_sheet.first, "centres");
        assert_eq!(day_sheet.segments, 3);
        assert!(day_sheet.fits("/centres/7f45/day-sheet"));
        assert!(!day_sheet.fits("/centres/7f45"));
        assert!(!day_sheet.fits("/centres/7f45/day-sheet/"));
        assert!(!day_sheet.fits("/referrals/7f45/day-sheet"));
        assert!(!day_sheet.fits("centres/7f45/day-sheet"));
        assert_eq!(Shape::of("/me").segments, 1);
        assert_eq!(Shape::of("").segments, 0);
    }

    #[test]
    fn the_first_segment_is_the_one_after_the_leading_slash() {
        assert_eq!(first_segment("/centres/{id}/day-sheet"), "centres");
        assert_eq!(first_segment("/me"), "me");
        assert_eq!(first_segment("/"), "");
        assert_eq!(first_segment(""), "");
        assert_eq!(first_segment("x/centres"), "");
    }
}
