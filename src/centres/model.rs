//! The directory's domain words and its database rows.

use diesel::prelude::*;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::error::{ApiError, FieldError};
use crate::schema::{centres, closures, opening_sessions, venues};
use crate::text_enum;
use crate::text_enum::parse_column;

text_enum! {
    /// What a centre offers (DOMAIN.md `service_type`).
    pub enum ServiceType {
        /// Several families share a room, staff present, no observation, no report.
        Supported => "supported",
        /// One-to-one, staff within sight and sound, observations and a report.
        Supervised => "supervised",
        /// The centre as drop-off and pick-up point; parents do not meet.
        Handover => "handover",
        VirtualSupported => "virtual_supported",
        VirtualSupervised => "virtual_supervised",
        /// Letters, cards and gifts checked and forwarded ("letterbox").
        Indirect => "indirect",
        /// Escorted contact in a public place.
        Community => "community",
        /// Identity work that ends with a keepsake.
        LifeStory => "life_story",
        /// Assessment and preparation before contact.
        Preparatory => "preparatory",
        SupervisedAssessment => "supervised_assessment",
    }
}

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

text_enum! {
    /// A day of the week.
    pub enum Weekday {
        Monday => "monday",
        Tuesday => "tuesday",
        Wednesday => "wednesday",
        Thursday => "thursday",
        Friday => "friday",
        Saturday => "saturday",
        Sunday => "sunday",
    }
}

impl Weekday {
    /// ISO 8601 number, as stored: 1 = Monday .. 7 = Sunday.
    pub fn iso(self) -> i16 {
        match self {
            Self::Monday => 1,
            Self::Tuesday => 2,
            Self::Wednesday => 3,
            Self::Thursday => 4,
            Self::Friday => 5,
            Self::Saturday => 6,
            Self::Sunday => 7,
        }
    }

    pub fn from_iso(n: i16) -> Result<Self, ApiError> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.iso() == n)
            .ok_or_else(|| ApiError::Internal(format!("weekday {n} out of range")))
    }

    pub fn of(date: Date) -> Self {
        match date.weekday() {
            time::Weekday::Monday => Self::Monday,
            time::Weekday::Tuesday => Self::Tuesday,
            time::Weekday::Wednesday => Self::Wednesday,
            time::Weekday::Thursday => Self::Thursday,
            time::Weekday::Friday => Self::Friday,
            time::Weekday::Saturday => Self::Saturday,
            time::Weekday::Sunday => Self::Sunday,
        }
    }
}

/// Reads a weekday word sent by a client.
pub fn parse_weekday(field: &str, text: &str) -> Result<Weekday, FieldError> {
    text.trim().parse().map_err(|_| {
        FieldError::new(
            field,
            "enum",
            "must be a weekday: monday, tuesday, ... sunday",
        )
    })
}

/// Reads a list of service words sent by a client, naming each bad entry
/// (`services[2]`) so that the caller sees which one is wrong.
pub fn parse_services(field: &str, words: &[String]) -> Result<Vec<ServiceType>, Vec<FieldError>> {
    let mut services = Vec::with_capacity(words.len());
    let mut errors = Vec::new();
    for (i, word) in words.iter().enumerate() {
        match word.parse::<ServiceType>() {
            Ok(s) if services.contains(&s) => errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "duplicate",
                format!("{word} is listed twice"),
            )),
            Ok(s) => services.push(s),
            Err(_) => errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "enum",
                format!(
                    "must be one of {}",
                    ServiceType::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(services)
    } else {
        Err(errors)
    }
}

/// Services as stored (`text[]`).
pub fn services_column(services: &[ServiceType]) -> Vec<Option<String>> {
    services
        .iter()
        .map(|s| Some(s.as_str().to_owned()))
        .collect()
}

/// Services as read back; an unknown word is a data error.
pub fn services_from_column(column: &[Option<String>]) -> Result<Vec<ServiceType>, ApiError> {
    column
        .iter()
        .map(|s| parse_column(s.as_deref().unwrap_or_default()))
        .collect()
}

/// Text list as read back from a `text[]` that refuses NULLs.
pub fn texts_from_column(column: Vec<Option<String>>) -> Vec<String> {
    column.into_iter().flatten().collect()
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = centres)]
pub struct Centre {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub description: String,
    pub accrediting_body: Option<String>,
    pub accreditation_status: String,
    pub accredited_on: Option<Date>,
    pub accreditation_expires_on: Option<Date>,
    pub services: Vec<Option<String>>,
    pub accepts_self_referrals: bool,
    pub fee_kind: String,
    pub fee_description: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website: Option<String>,
    pub min_referral_notice_days: i32,
    pub status_reason: Option<String>,
    pub demo: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = centres)]
pub struct NewCentre {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub description: String,
    pub accrediting_body: Option<String>,
    pub accreditation_status: String,
    pub accredited_on: Option<Date>,
    pub accreditation_expires_on: Option<Date>,
    pub services: Vec<Option<String>>,
    pub accepts_self_referrals: bool,
    pub fee_kind: String,
    pub fee_description: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website: Option<String>,
    pub min_referral_notice_days: i32,
    pub demo: bool,
}

/// A coordinator's edit of their centre's entry; `None` leaves a column alone.
#[derive(Debug, Clone, Default, PartialEq, AsChangeset)]
#[diesel(table_name = centres)]
pub struct CentreChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub services: Option<Vec<Option<String>>>,
    pub accepts_self_referrals: Option<bool>,
    pub fee_kind: Option<String>,
    pub fee_description: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub min_referral_notice_days: Option<i32>,
}

/// The network's record of a centre's accreditation.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = centres, treat_none_as_null = true)]
pub struct AccreditationChanges {
    pub accrediting_body: Option<String>,
    pub accreditation_status: String,
    pub accredited_on: Option<Date>,
    pub accreditation_expires_on: Option<Date>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = venues)]
pub struct Venue {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    pub postcode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub location_source: String,
    pub rooms: Vec<Option<String>>,
    pub separate_entrances: bool,
    pub accessibility: String,
    pub parking: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
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
    pub location_source: String,
    pub rooms: Vec<Option<String>>,
    pub separate_entrances: bool,
    pub accessibility: String,
    pub parking: String,
}

/// A venue with its ids, for inserting many at once.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = venues)]
pub struct NewVenue {
    pub id: Uuid,
    pub centre_id: Uuid,
    #[diesel(embed)]
    pub fields: VenueFields,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = opening_sessions)]
pub struct OpeningSession {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub venue_id: Uuid,
    pub weekday: i16,
    pub starts_at: Time,
    pub ends_at: Time,
    pub room: String,
    pub capacity: i32,
    pub services: Vec<Option<String>>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = opening_sessions, treat_none_as_null = true)]
pub struct OpeningSessionFields {
    pub venue_id: Uuid,
    pub weekday: i16,
    pub starts_at: Time,
    pub ends_at: Time,
    pub room: String,
    pub capacity: i32,
    pub services: Vec<Option<String>>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
}

/// An opening session with its ids, for inserting many at once.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = opening_sessions)]
pub struct NewOpeningSession {
    pub id: Uuid,
    pub centre_id: Uuid,
    #[diesel(embed)]
    pub fields: OpeningSessionFields,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = closures)]
pub struct Closure {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub venue_id: Option<Uuid>,
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
        crate::text_enum::assert_wire_words(ServiceType::ALL, ServiceType::as_str);
        crate::text_enum::assert_wire_words(CentreStatus::ALL, CentreStatus::as_str);
        crate::text_enum::assert_wire_words(AccreditationStatus::ALL, AccreditationStatus::as_str);
        crate::text_enum::assert_wire_words(FeeKind::ALL, FeeKind::as_str);
        crate::text_enum::assert_wire_words(LocationSource::ALL, LocationSource::as_str);
        crate::text_enum::assert_wire_words(Weekday::ALL, Weekday::as_str);
    }

    #[test]
    fn weekdays_are_iso_numbered() {
        let saturday = time::macros::date!(2026 - 11 - 28);
        assert_eq!(Weekday::of(saturday), Weekday::Saturday);
        assert_eq!(Weekday::Saturday.iso(), 6);
        for d in Weekday::ALL {
            assert_eq!(Weekday::from_iso(d.iso()).ok(), Some(*d));
        }
        assert!(Weekday::from_iso(0).is_err());
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

    #[test]
    fn bad_service_words_are_named_by_position() {
        let words = ["supported", "teleport", "supported"].map(String::from);
        let errors = parse_services("services", &words).err().unwrap_or_default();
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("services[1]", "enum"), ("services[2]", "duplicate")]
        );
    }
}
