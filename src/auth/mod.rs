//! Signing in: who is calling ([`Caller`], from a bearer token), access tokens,
//! and the flows that give them out, one file per flow. Accounts themselves
//! (people, roles, passwords, one-time links, clients) belong to
//! [`crate::identity`]; this module reads them only through its functions.

pub mod caller;
pub mod client_tokens;
pub mod dto;
pub mod passwords;
pub mod registration;
pub mod repo;
pub mod sign_in;
pub mod tokens;

use utoipa_actix_web::service_config::ServiceConfig;

pub use caller::{Caller, ClientPrincipal, MaybeCaller, Principal, UserPrincipal};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sign_in::login)
        .service(sign_in::refresh)
        .service(sign_in::logout)
        .service(client_tokens::issue_client_token)
        .service(passwords::change_password)
        .service(passwords::request_password_reset)
        .service(passwords::confirm_password_reset)
        .service(registration::accept_invitation)
        .service(registration::register_referrer)
        .service(registration::register_parent)
        .service(registration::confirm_email);
}
