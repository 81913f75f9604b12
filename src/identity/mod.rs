//! Identity: people and their roles, the centres and organisations they belong
//! to, and integration clients.

pub mod accounts;
pub mod bootstrap;
pub mod caller;
pub mod dto;
pub mod handlers;
pub mod links;
pub mod me;
pub mod model;
pub mod passwords;
pub mod refresh_tokens;
pub mod repo;
pub mod roles;
pub mod secrets;
pub mod tokens;

use utoipa_actix_web::service_config::ServiceConfig;

pub use caller::{Caller, ClientPrincipal, MaybeCaller, Principal, UserPrincipal};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(me::me)
        .service(handlers::create_user)
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
