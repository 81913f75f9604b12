//! Identity: people and their roles, the centres and organisations they belong
//! to, and integration clients.

pub mod access;
pub mod accounts;
pub mod bootstrap;
pub mod caller;
pub mod clients;
pub mod dto;
pub mod links;
pub mod me;
pub mod model;
pub mod organisations;
pub mod passwords;
pub mod refresh_tokens;
pub mod refused_tokens;
pub mod repo;
pub mod roles;
pub mod secrets;
pub mod tokens;
pub mod users;
pub mod vetting;

use crate::http::routes::Routes;

pub use caller::{Caller, ClientPrincipal, MaybeCaller, Principal, UserPrincipal};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(me::me)
        .service(users::create_user)
        .service(users::list_users)
        .service(users::get_user)
        .service(users::disable_user)
        .service(users::invite_again)
        .service(vetting::record_vetting)
        .service(vetting::get_vetting)
        .service(organisations::create_organisation)
        .service(organisations::list_organisations)
        .service(clients::create_integration_client)
        .service(clients::list_integration_clients)
        .service(clients::rotate_integration_client_secret)
        .service(clients::revoke_integration_client);
}
