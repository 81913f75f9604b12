//! Centres: the directory of child contact centres, their venues, services and
//! opening times, and finding the nearest centre that offers a service.
//!
//! For now a centre is a minimal record (name and status) that a network admin
//! creates, so that coordinators and staff can belong to it.

pub mod dto;
pub mod handlers;
pub mod postcode;
pub mod repo;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_centre)
        .service(handlers::get_centre);
}
