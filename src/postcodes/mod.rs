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

use utoipa_actix_web::service_config::ServiceConfig;

/// The attribution the Open Government Licence asks of anyone who shows the data.
pub const ATTRIBUTION: &str = "Contains OS data © Crown copyright and database right 2025. \
Contains Royal Mail data © Royal Mail copyright and database right 2025.";

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_postcode);
}
