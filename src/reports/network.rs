//! Figures across the network for its admins: centres by status, service and
//! accreditation, accreditations about to expire, referrals by status. No
//! family detail. Read through the centres and referrals modules' functions.

use actix_web::{get, web};
use time::Duration;

use super::access;
use super::dto::{
    AccreditationCount, ExpiringAccreditation, NetworkSummaryResponse, ReferralStatusCount,
    ServiceCount, StatusCount,
};
use crate::centres::model::{AccreditationStatus, CentreStatus};
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::Caller;
use crate::referrals::model::ReferralStatus;
use crate::vocabulary::calendar::format_date;
use crate::vocabulary::ServiceType;
use crate::{centres, referrals};

/// Days ahead within which an expiring accreditation is flagged.
const EXPIRY_WINDOW_DAYS: i64 = 90;

/// Counts across the network (network admins): centres by status, active
/// centres by service, by accreditation status, and accreditations expiring
/// within 90 days. No family detail.
#[utoipa::path(
    tag = "centres",
    responses(
        (status = 200, description = "The network's counts", body = NetworkSummaryResponse),
        (status = 403, description = "Not a network admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/network/summary")]
pub async fn get_network_summary(
    pool: web::Data<Pool>,
    caller: Caller,
) -> Result<web::Json<NetworkSummaryResponse>, ApiError> {
    access::require_network(&caller)?;
    let mut conn = pool.get().await?;
    let today = crate::vocabulary::calendar::uk_today(&mut conn).await?;
    let horizon = today + Duration::days(EXPIRY_WINDOW_DAYS);
    let centres = centres::repo::network_rows(&mut conn).await?;
    let mut by_status: Vec<StatusCount> = CentreStatus::ALL
        .iter()
        .map(|s| StatusCount {
            status: *s,
            centres: 0,
        })
        .collect();
    let mut by_service: Vec<ServiceCount> = ServiceType::ALL
        .iter()
        .map(|s| ServiceCount {
            service: *s,
            centres: 0,
        })
        .collect();
    let mut by_accreditation: Vec<AccreditationCount> = AccreditationStatus::ALL
        .iter()
        .map(|s| AccreditationCount {
            status: *s,
            centres: 0,
        })
        .collect();
    let mut expiring = Vec::new();
    for c in &centres {
        let status: CentreStatus = c.status;
        let accreditation: AccreditationStatus = c.accreditation_status;
        by_status
            .iter_mut()
            .filter(|s| s.status == status)
            .for_each(|s| s.centres += 1);
        by_accreditation
            .iter_mut()
            .filter(|a| a.status == accreditation)
            .for_each(|a| a.centres += 1);
        if status == CentreStatus::Active {
            for service in c.services.clone() {
                by_service
                    .iter_mut()
                    .filter(|s| s.service == service)
                    .for_each(|s| s.centres += 1);
            }
        }
        if let Some(expires) = c.accreditation_expires_on {
            if status != CentreStatus::Closed && today <= expires && expires <= horizon {
                expiring.push((expires, c.id, c.name.clone()));
            }
        }
    }
    expiring.sort();
    let referral_counts = referrals::repo::count_by_status(&mut conn).await?;
    let referrals_by_status = ReferralStatus::ALL
        .iter()
        .filter(|s| **s != ReferralStatus::Draft)
        .map(|s| ReferralStatusCount {
            status: *s,
            referrals: referral_counts
                .iter()
                .find(|(status, _)| status == s)
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();
    Ok(web::Json(NetworkSummaryResponse {
        referrals_by_status,
        centres: i64::try_from(centres.len()).unwrap_or(i64::MAX),
        by_status,
        by_service,
        by_accreditation_status: by_accreditation,
        accreditation_expiring: expiring
            .into_iter()
            .map(|(expires, centre_id, name)| ExpiringAccreditation {
                centre_id,
                name,
                expires_on: format_date(expires),
            })
            .collect(),
    }))
}
