//! Referrals: how a family reaches a centre, from a professional or a parent,
//! and the centre's risk assessment and decision.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut ServiceConfig) {}
