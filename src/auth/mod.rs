//! Signing in: the flows that give out access and refresh tokens, one file per
//! flow, and the limit on password guesses. Accounts, their credentials and
//! who is calling belong to [`crate::identity`]; this module uses them only
//! through its functions.

pub mod client_tokens;
pub mod dto;
pub mod passwords;
pub mod registration;
pub mod repo;
pub mod sign_in;

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
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
