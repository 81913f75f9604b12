//! Authentication and authorisation: passwords, tokens, the extractors that
//! say who is calling, and the policy checks handlers state in one line.

pub mod dto;
pub mod handlers;
pub mod passwords;
pub mod principal;
pub mod repo;
pub mod roles;
pub mod tokens;

use utoipa_actix_web::service_config::ServiceConfig;

pub use principal::{AuthUser, MaybeAuthUser, Principal};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::issue_client_token)
        .service(handlers::me)
        .service(handlers::change_password)
        .service(handlers::request_password_reset)
        .service(handlers::confirm_password_reset)
        .service(handlers::accept_invitation)
        .service(handlers::register_referrer)
        .service(handlers::register_parent)
        .service(handlers::confirm_email);
}
