//! Postcodes: where a Great Britain postcode (or a district) is, from OS
//! Code-Point Open.
//!
//! Contains OS data © Crown copyright and database right 2025.
//! Contains Royal Mail data © Royal Mail copyright and database right 2025.
//!
//! The full table is loaded by `ccc import-postcodes PATH`; one centroid per
//! district ships with the migrations, so that districts resolve without it.
//! Other modules place things through [`repo::locate`].

pub mod dto;
pub mod handlers;
pub mod import;
pub mod parse;
pub mod repo;

pub use parse::{parse, MalformedPostcode, Postcode};

use crate::http::routes::Routes;

/// The attribution the Open Government Licence asks of anyone who shows the data.
pub const ATTRIBUTION: &str = "Contains OS data © Crown copyright and database right 2025. \
Contains Royal Mail data © Royal Mail copyright and database right 2025.";

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(handlers::get_postcode);
}

/// This module's problems, for the catalogue.
pub const PROBLEMS: &[crate::error::ProblemType] = &[crate::error::ProblemType {
    uri: "/problems/unknown-postcode",
    title: "The postcode is not a known Great Britain postcode",
    statuses: &[404, 422],
    meaning: "Well-formed, but not in OS Code-Point Open (Great Britain only): 404 where the postcode is the resource asked for, 422 where it is a field (a venue in Northern Ireland gives coordinates instead).",
}];

/// A well-formed postcode that Code-Point Open does not know: 404 where the
/// postcode is the resource asked for, 422 where it is a field of a request.
pub fn unknown_postcode(postcode: &str, is_resource: bool) -> crate::error::ApiError {
    use actix_web::http::StatusCode;
    let status = match is_resource {
        true => StatusCode::NOT_FOUND,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    crate::error::Refusal::new(
        status,
        "/problems/unknown-postcode",
        "The postcode is not a known Great Britain postcode",
        format!(
            "{postcode} is well-formed but not in OS Code-Point Open \
             (Great Britain only; Northern Ireland venues take coordinates)"
        ),
    )
    .into()
}
