//! Reports: what the network and its centres are told about themselves (the
//! network's figures, the audit trail). A layer above the
//! resource modules, reading them only through their `pub` functions.

pub mod access;
pub mod audit_dto;
pub mod audit_trail;
pub mod dto;
pub mod network;

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(audit_trail::list_audit_events)
        .service(network::get_network_summary);
}
