//! Reports: what the network is told about itself. A layer above the
//! resource modules, reading them only through their `pub` functions.

pub mod dto;
pub mod network;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(network::get_network_summary);
}
