//! The network's figures as they are sent.

use serde::Serialize;
use utoipa::ToSchema;

use crate::centres::model::{AccreditationStatus, CentreStatus};
use crate::vocabulary::{CentreId, ServiceType};

/// Counts across the network (network admins).
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkSummaryResponse {
    pub centres: i64,
    pub by_status: Vec<StatusCount>,
    /// Active centres offering each service.
    pub by_service: Vec<ServiceCount>,
    pub by_accreditation_status: Vec<AccreditationCount>,
    /// Centres (not closed) whose accreditation expires within 90 days, soonest first.
    pub accreditation_expiring: Vec<ExpiringAccreditation>,
    /// Referrals across the network by status (drafts left out): counts only.
    pub referrals_by_status: Vec<ReferralStatusCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralStatusCount {
    pub status: crate::referrals::model::ReferralStatus,
    pub referrals: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: CentreStatus,
    pub centres: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceCount {
    pub service: ServiceType,
    pub centres: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccreditationCount {
    pub status: AccreditationStatus,
    pub centres: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiringAccreditation {
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    pub name: String,
    #[schema(format = Date)]
    pub expires_on: String,
}
