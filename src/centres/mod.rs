//! Centres: the directory of child contact centres, their venues, services and
//! opening times, and finding the nearest centre that offers a service.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut ServiceConfig) {}
