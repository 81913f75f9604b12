//! The network's figures as they are sent.

use serde::Serialize;
use utoipa::ToSchema;

use crate::centres::model::{AccreditationStatus, CentreStatus};
use crate::vocabulary::{CentreId, ServiceType};

/// Counts across the network (network admins).
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkSummaryResponse {
    /// Centres in the network.
    pub centres: i64,
    /// Centres by status.
    pub by_status: Vec<StatusCount>,
    /// Active centres offering each service.
    pub by_service: Vec<ServiceCount>,
    /// Centres by accreditation status.
    pub by_accreditation_status: Vec<AccreditationCount>,
    /// Centres (not closed) whose accreditation expires within 90 days, soonest first.
    pub accreditation_expiring: Vec<ExpiringAccreditation>,
    /// Referrals across the network by status (drafts left out): counts only.
    pub referrals_by_status: Vec<ReferralStatusCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralStatusCount {
    /// A referral status.
    pub status: crate::referrals::model::ReferralStatus,
    /// How many referrals are in it.
    pub referrals: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    /// A centre status.
    pub status: CentreStatus,
    /// How many centres have it.
    pub centres: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceCount {
    /// A service.
    pub service: ServiceType,
    /// How many open centres offer it.
    pub centres: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccreditationCount {
    /// An accreditation status.
    pub status: AccreditationStatus,
    /// How many centres have it.
    pub centres: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiringAccreditation {
    /// The centre.
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    /// Its name.
    pub name: String,
    /// When its accreditation ends.
    #[schema(format = Date)]
    pub expires_on: String,
}
