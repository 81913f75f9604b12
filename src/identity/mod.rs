//! Identity: people and their roles, the centres and organisations they belong
//! to, and integration clients.

pub mod dto;
pub mod handlers;
pub mod model;
pub mod repo;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_user)
        .service(handlers::list_users)
        .service(handlers::get_user)
        .service(handlers::disable_user)
        .service(handlers::create_organisation)
        .service(handlers::list_organisations)
        .service(handlers::create_integration_client)
        .service(handlers::list_integration_clients)
        .service(handlers::rotate_integration_client_secret)
        .service(handlers::revoke_integration_client);
}
