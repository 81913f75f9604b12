//! Sessions: pre-visits and contact sessions booked into a centre's opening
//! sessions, staggered where parties must not meet.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut ServiceConfig) {}
