//! Families: the children and adults of an accepted referral, their contact
//! details with consent to share, approved attendees and do-not-meet rules.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut ServiceConfig) {}
