//! Rows to responses, showing each reader what they may see.

use super::access::Viewer;
use super::dto::{
    Accreditation, Address, CentreContact, CentreResponse, ClosureResponse, Fees,
    OpeningSessionResponse, VenueResponse,
};
use super::model::{texts_from_column, Centre, Closure, FeeKind, OpeningSession, Venue};
use crate::error::ApiError;
use crate::vocabulary::calendar::{format_date, format_time};
use crate::vocabulary::Weekday;

/// A centre with its venues; an [`Viewer::Insider`] also sees what only its own people and
/// network admins see (rooms, why it is suspended or closed).
pub fn centre(c: Centre, venues: Vec<Venue>, viewer: Viewer) -> Result<CentreResponse, ApiError> {
    let insider = viewer == Viewer::Insider;
    Ok(CentreResponse {
        id: c.id,
        name: c.name,
        description: c.description,
        status: c.status,
        status_reason: c.status_reason.filter(|_| insider),
        accreditation: Accreditation {
            body: c.accrediting_body,
            status: c.accreditation_status,
            accredited_on: c.accredited_on.map(format_date),
            expires_on: c.accreditation_expires_on.map(format_date),
        },
        services: c.services.clone(),
        accepts_self_referrals: c.accepts_self_referrals,
        allows_observations: c.allows_observations,
        fees: match c.fee_kind {
            FeeKind::Free => Fees::Free,
            FeeKind::Charged => Fees::Charged {
                description: c.fee_description.unwrap_or_default(),
            },
        },
        contact: CentreContact {
            email: c.contact_email,
            phone: c.contact_phone,
            website: c.website,
        },
        min_referral_notice_days: c.min_referral_notice_days,
        stagger_minutes: c.stagger_minutes,
        venues: venues
            .into_iter()
            .map(|v| venue(v, viewer))
            .collect::<Result<_, _>>()?,
        demo: c.demo,
    })
}

pub fn venue(v: Venue, viewer: Viewer) -> Result<VenueResponse, ApiError> {
    let insider = viewer == Viewer::Insider;
    Ok(VenueResponse {
        id: v.id,
        name: v.name,
        address: Address {
            line1: v.address_line1,
            line2: v.address_line2,
            town: v.town,
            postcode: v.postcode,
        },
        latitude: v.latitude,
        longitude: v.longitude,
        location_source: v.location_source,
        separate_entrances: v.separate_entrances,
        entrances: texts_from_column(v.entrances),
        accessibility: v.accessibility,
        parking: v.parking,
        rooms: insider.then(|| texts_from_column(v.rooms)),
    })
}

pub fn opening_session(s: OpeningSession) -> Result<OpeningSessionResponse, ApiError> {
    Ok(OpeningSessionResponse {
        id: s.id,
        venue_id: s.venue_id,
        weekday: Weekday::from_iso(s.weekday)?,
        starts_at: format_time(s.starts_at),
        ends_at: format_time(s.ends_at),
        room: s.room,
        capacity: s.capacity,
        services: s.services.clone(),
        effective_from: format_date(s.effective_from),
        effective_to: s.effective_to.map(format_date),
    })
}

pub fn closure(c: Closure) -> ClosureResponse {
    ClosureResponse {
        id: c.id,
        venue_id: c.venue_id,
        starts_on: format_date(c.starts_on),
        ends_on: format_date(c.ends_on),
        reason: c.reason,
    }
}
