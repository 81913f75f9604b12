//! The directory's domain words and its database rows.

use diesel::prelude::*;
use time::{Date, OffsetDateTime, Time};

use crate::schema::{centres, closures, opening_sessions, venues};
use crate::text_enum;
use crate::vocabulary::{CentreId, ClosureId, OpeningSessionId, ServiceType, VenueId};

text_enum! {
    /// Whether a centre is open to referrals. Only active centres are public.
    pub enum CentreStatus {
        Active => "active",
        Suspended => "suspended",
        Closed => "closed",
    }
}

impl CentreStatus {
    /// Network admins suspend and close centres; a suspended centre may be
    /// reinstated; a closed one stays closed.
    pub fn may_become(self, next: CentreStatus) -> bool {
        use CentreStatus::*;
        matches!(
            (self, next),
            (Active, Suspended) | (Active, Closed) | (Suspended, Active) | (Suspended, Closed)
        )
    }
}

text_enum! {
    /// A centre's standing with its accrediting body.
    pub enum AccreditationStatus {
        Accredited => "accredited",
        /// Working towards accreditation.
        Provisional => "provisional",
        Suspended => "suspended",
        Expired => "expired",
        NotAccredited => "not_accredited",
    }
}

text_enum! {
    /// Whether families pay.
    pub enum FeeKind {
        Free => "free",
        Charged => "charged",
    }
}

text_enum! {
    /// Where a venue's coordinates came from.
    pub enum LocationSource {
        /// The venue's postcode, from the full Code-Point Open table.
        Postcode => "postcode",
        /// The centroid of the postcode's district (the full table was not loaded).
        PostcodeDistrict => "postcode_district",
        /// Given by the coordinator (a venue with no GB postcode, as in Northern Ireland).
        Given => "given",
    }
}

/// Text list as read back from a `text[]` that refuses NULLs.
pub fn texts_from_column(column: Vec<Option<String>>) -> Vec<String> {
    column.into_iter().flatten().collect()
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = centres)]
pub struct Centre {
    pub id: CentreId,
    pub name: String,
    pub status: CentreStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub description: String,
    pub accrediting_body: Option<String>,
    pub accreditation_status: AccreditationStatus,
    pub accredited_on: Option<Date>,
    pub accreditation_expires_on: Option<Date>,
    pub services: Vec<ServiceType>,
    pub accepts_self_referrals: bool,
    /// Whether a children's court officer may ask to observe a session.
    pub allows_observations: bool,
    pub fee_kind: FeeKind,
    pub fee_description: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website: Option<String>,
    pub min_referral_notice_days: i32,
    /// Minutes between one party's arrival or leaving and the other's, where
    /// parties must not meet: the default of a new assessment.
    pub stagger_minutes: i32,
    /// Days an offer of a place is held for a waitlisted family.
    pub offer_days: i32,
    pub status_reason: Option<String>,
    pub demo: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = centres)]
pub struct NewCentre {
    pub id: CentreId,
    pub name: String,
    pub status: CentreStatus,
    pub description: String,
    pub accrediting_body: Option<String>,
    pub accreditation_status: AccreditationStatus,
    pub accredited_on: Option<Date>,
    pub accreditation_expires_on: Option<Date>,
    pub services: Vec<ServiceType>,
    pub accepts_self_referrals: bool,
    /// Whether a children's court officer may ask to observe a session.
    pub allows_observations: bool,
    pub fee_kind: FeeKind,
    pub fee_description: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website: Option<String>,
    pub min_referral_notice_days: i32,
    pub stagger_minutes: i32,
    pub demo: bool,
}

/// A coordinator's edit of their centre's entry; `None` leaves a column alone.
#[derive(Debug, Clone, Default, PartialEq, AsChangeset)]
#[diesel(table_name = centres)]
pub struct CentreChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub services: Option<Vec<ServiceType>>,
    pub accepts_self_referrals: Option<bool>,
    pub allows_observations: Option<bool>,
    pub fee_kind: Option<FeeKind>,
    pub fee_description: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub min_referral_notice_days: Option<i32>,
    pub stagger_minutes: Option<i32>,
}

/// The network's record of a centre's accreditation.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = centres, treat_none_as_null = true)]
pub struct AccreditationChanges {
    pub accrediting_body: Option<String>,
    pub accreditation_status: AccreditationStatus,
    pub accredited_on: Option<Date>,
    pub accreditation_expires_on: Option<Date>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = venues)]
pub struct Venue {
    pub id: VenueId,
    pub centre_id: CentreId,
    pub name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    pub postcode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub location_source: LocationSource,
    pub rooms: Vec<Option<String>>,
    pub separate_entrances: bool,
    pub accessibility: String,
    pub parking: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Named entrances: parties who must not meet use different ones where
    /// the venue has separate entrances.
    pub entrances: Vec<Option<String>>,
}

impl Venue {
    /// The entrances' names, in order.
    pub fn entrance_names(&self) -> Vec<String> {
        texts_from_column(self.entrances.clone())
    }
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = venues, treat_none_as_null = true)]
pub struct VenueFields {
    pub name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    pub postcode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub location_source: LocationSource,
    pub rooms: Vec<Option<String>>,
    pub separate_entrances: bool,
    pub accessibility: String,
    pub parking: String,
    pub entrances: Vec<Option<String>>,
}

/// A venue with its ids, for inserting many at once.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = venues)]
pub struct NewVenue {
    pub id: VenueId,
    pub centre_id: CentreId,
    #[diesel(embed)]
    pub fields: VenueFields,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = opening_sessions)]
pub struct OpeningSession {
    pub id: OpeningSessionId,
    pub centre_id: CentreId,
    pub venue_id: VenueId,
    pub weekday: i16,
    pub starts_at: Time,
    pub ends_at: Time,
    pub room: String,
    pub capacity: i32,
    pub services: Vec<ServiceType>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = opening_sessions, treat_none_as_null = true)]
pub struct OpeningSessionFields {
    pub venue_id: VenueId,
    pub weekday: i16,
    pub starts_at: Time,
    pub ends_at: Time,
    pub room: String,
    pub capacity: i32,
    pub services: Vec<ServiceType>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
}

/// An opening session with its ids, for inserting many at once.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = opening_sessions)]
pub struct NewOpeningSession {
    pub id: OpeningSessionId,
    pub centre_id: CentreId,
    #[diesel(embed)]
    pub fields: OpeningSessionFields,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = closures)]
pub struct Closure {
    pub id: ClosureId,
    pub centre_id: CentreId,
    pub venue_id: Option<VenueId>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_sends_its_database_word() {
        crate::text_enum::assert_wire_words(CentreStatus::ALL, CentreStatus::as_str);
        crate::text_enum::assert_wire_words(AccreditationStatus::ALL, AccreditationStatus::as_str);
        crate::text_enum::assert_wire_words(FeeKind::ALL, FeeKind::as_str);
        crate::text_enum::assert_wire_words(LocationSource::ALL, LocationSource::as_str);
    }

    #[test]
    fn a_closed_centre_stays_closed() {
        use CentreStatus::*;
        assert!(Active.may_become(Suspended));
        assert!(Suspended.may_become(Active));
        assert!(!Closed.may_become(Active));
        assert!(!Closed.may_become(Suspended));
        assert!(!Active.may_become(Active));
    }
}
