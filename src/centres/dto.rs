//! Request and response shapes of the centres directory.
//!
//! Enum lists, dates and times arrive as text and are read field by field, so
//! that a bad entry is a 422 naming it (`services[1]`, `starts_at`), not a 400
//! about the whole body.
//!
//! Long because the directory has many shapes (centres, venues, slots,
//! closures, search), each field with its schema annotations; no logic here.

use crate::vocabulary::{CentreId, ClosureId, OpeningSessionId, VenueId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::model::{AccreditationStatus, CentreStatus, FeeKind, LocationSource};
use crate::error::ApiError;
use crate::postcodes::repo::Precision;
use crate::validation::{FieldErrors, Phone};
pub use crate::vocabulary::{ServiceType, Weekday};

/// Fees a family pays: free, or charged with a description of the charge.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fees {
    Free,
    Charged {
        /// What is charged.
        #[schema(
            min_length = 1,
            max_length = 1000,
            example = "£40 per supervised session; supported contact is free"
        )]
        description: String,
    },
}

/// The centre's own public contact details (never a person's).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CentreContact {
    /// Where to email the centre.
    #[schema(max_length = 254, example = "bookings@carlisle-ccc.org.uk", format = Email)]
    pub email: Option<String>,
    /// The centre's phone.
    #[schema(max_length = 40, example = "01228 000000")]
    pub phone: Option<String>,
    /// An `http` or `https` URL with a host, without spaces.
    #[schema(
        max_length = 500,
        pattern = r"^https?://[^/?#\s]+\S*$",
        example = "https://carlisle-ccc.org.uk"
    )]
    pub website: Option<String>,
}

/// A centre's standing with its accrediting body (NACCC in England and Wales,
/// the Northern Ireland Network in Northern Ireland).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"body": "NACCC", "status": "accredited", "accredited_on": "2025-04-01", "expires_on": "2028-03-31"}))]
pub struct Accreditation {
    /// The accrediting network (NACCC, say).
    #[schema(max_length = 200, example = "NACCC")]
    pub body: Option<String>,
    /// Whether it is active, suspended or closed.
    pub status: AccreditationStatus,
    /// When it was accredited.
    #[schema(value_type = Option<String>, format = Date, example = "2024-03-01")]
    pub accredited_on: Option<String>,
    /// When the accreditation ends.
    #[schema(value_type = Option<String>, format = Date, example = "2027-03-01")]
    pub expires_on: Option<String>,
}

/// A new centre (network admins).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Carlisle Child Contact Centre", "description": "Saturday supported and supervised contact in the city centre.", "services": ["supported", "supervised", "handover"], "accepts_self_referrals": true, "fees": {"kind": "charged", "description": "£40 per supervised session; supported contact is free"}, "contact": {"email": "bookings@carlisle-ccc.org.uk", "phone": "01228 000000", "website": "https://carlisle-ccc.org.uk"}, "min_referral_notice_days": 14, "stagger_minutes": 15}))]
pub struct CreateCentreRequest {
    /// Its name, as families see it.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Carlisle Child Contact Centre"
    )]
    pub name: String,
    /// What it offers, in a few sentences, for families and referrers.
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// Services offered; see `ServiceType`.
    #[schema(value_type = Vec<ServiceType>, example = json!(["supported", "handover"]))]
    #[serde(default)]
    pub services: Vec<String>,
    /// Whether parents may refer themselves (where the self-referral grid allows).
    #[serde(default)]
    pub accepts_self_referrals: bool,
    /// Whether a children's court officer may ask to observe a session
    /// (default no).
    #[serde(default)]
    pub allows_observations: bool,
    /// What a family pays, if anything.
    pub fees: Option<Fees>,
    /// How to reach the centre: email, phone, website.
    pub contact: Option<CentreContact>,
    /// Days between receiving a referral and the first contact (default 14).
    #[schema(minimum = 0, maximum = 365, default = 14)]
    pub min_referral_notice_days: Option<i32>,
    /// Minutes between one party's arrival or leaving and the other's where
    /// parties must not meet: the default of each assessment (default 15).
    #[schema(minimum = 0, maximum = 120, default = 15)]
    pub stagger_minutes: Option<i32>,
    /// Its accreditation by a network, and until when.
    pub accreditation: Option<Accreditation>,
}

/// Changes to a centre's entry (its coordinators, or network admins). Absent
/// (or `null`) fields are left as they are; a `contact` block replaces all three
/// contact details, so leaving one out of it clears that one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"description": "Now also open on Sunday afternoons.", "min_referral_notice_days": 7}))]
pub struct UpdateCentreRequest {
    /// Its name, as families see it.
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// What it offers, in a few sentences, for families and referrers.
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// The kinds of contact offered.
    #[schema(value_type = Option<Vec<ServiceType>>)]
    pub services: Option<Vec<String>>,
    /// Whether parents may refer themselves (where the self-referral grid allows).
    pub accepts_self_referrals: Option<bool>,
    /// Whether a children's court officer may ask to observe a session.
    pub allows_observations: Option<bool>,
    /// What a family pays, if anything.
    pub fees: Option<Fees>,
    /// How to reach the centre: email, phone, website.
    pub contact: Option<CentreContact>,
    /// Days of notice the centre needs between a referral and a first session.
    #[schema(minimum = 0, maximum = 365)]
    pub min_referral_notice_days: Option<i32>,
    /// Minutes between one party's arrival or leaving and the other's where
    /// parties must not meet: the default of each new assessment.
    #[schema(minimum = 0, maximum = 120)]
    pub stagger_minutes: Option<i32>,
}

/// A network admin suspends, closes or reinstates a centre.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"status": "suspended", "reason": "Venue closed for repairs until March"}))]
pub struct ChangeCentreStatusRequest {
    /// Whether it is active, suspended or closed.
    pub status: CentreStatus,
    /// Why; required to suspend or close.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"\S",
        example = "Accreditation lapsed pending review"
    )]
    pub reason: Option<String>,
}

/// A centre as its reader may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CentreResponse {
    /// Its id.
    #[schema(value_type = Uuid)]
    pub id: CentreId,
    /// Its name, as families see it.
    #[schema(example = "Carlisle Child Contact Centre")]
    pub name: String,
    /// What it offers, in a few sentences, for families and referrers.
    pub description: String,
    /// Whether it is active, suspended or closed.
    pub status: CentreStatus,
    /// Why it is suspended or closed (its own people and network admins only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Its accreditation by a network, and until when.
    pub accreditation: Accreditation,
    /// The kinds of contact offered.
    pub services: Vec<ServiceType>,
    /// Whether parents may refer themselves (where the self-referral grid allows).
    pub accepts_self_referrals: bool,
    /// Whether a children's court officer may ask to observe a session.
    pub allows_observations: bool,
    /// What a family pays, if anything.
    pub fees: Fees,
    /// How to reach the centre: email, phone, website.
    pub contact: CentreContact,
    /// Days of notice the centre needs between a referral and a first session.
    pub min_referral_notice_days: i32,
    /// Minutes between one party's arrival or leaving and the other's where
    /// parties must not meet: the default of each new assessment.
    pub stagger_minutes: i32,
    /// Where it runs sessions.
    pub venues: Vec<VenueResponse>,
    /// Demo data loaded by `ccc seed-demo`, not a real centre.
    pub demo: bool,
}

/// A venue's postal address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Address {
    /// The first line.
    #[schema(example = "Church Hall, 1 Warwick Road")]
    pub line1: String,
    /// The second line, if any.
    pub line2: Option<String>,
    /// The town.
    #[schema(example = "Carlisle")]
    pub town: String,
    /// The postcode; where known, it places the venue.
    #[schema(example = "CA1 1AA")]
    pub postcode: Option<String>,
}

/// Where a centre runs its sessions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueResponse {
    /// Its id.
    #[schema(value_type = Uuid)]
    pub id: VenueId,
    /// Its name, as families see it.
    #[schema(example = "Warwick Road Church Hall")]
    pub name: String,
    /// The venue's address.
    pub address: Address,
    /// WGS84 latitude, in degrees.
    pub latitude: f64,
    /// WGS84 longitude, in degrees.
    pub longitude: f64,
    /// Whether its position comes from its postcode or was given.
    pub location_source: LocationSource,
    /// Whether the venue has separate entrances, for handovers where parents must not meet.
    pub separate_entrances: bool,
    /// The entrances' names: each party's arrival and leaving window names one.
    pub entrances: Vec<String>,
    /// Step-free access, toilets, and other access notes.
    pub accessibility: String,
    /// Where to park.
    pub parking: String,
    /// Room names (the centre's own people and network admins only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rooms: Option<Vec<String>>,
}

/// A new venue. A GB postcode places it; a venue without one (Northern
/// Ireland, which Code-Point Open lacks) gives `latitude` and `longitude`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "St Cuthbert's Hall", "address_line1": "1 Church Street", "town": "Carlisle", "postcode": "CA1 1AA", "rooms": ["Main hall", "Family room"], "separate_entrances": true, "accessibility": "Step-free entrance; accessible toilet", "parking": "Street parking"}))]
pub struct CreateVenueRequest {
    /// Its name, as families see it.
    #[schema(min_length = 1, max_length = 200, example = "Warwick Road Church Hall")]
    pub name: String,
    /// The first line of the address.
    #[schema(min_length = 1, max_length = 200, example = "1 Warwick Road")]
    pub address_line1: String,
    /// The second line of the address, if any.
    #[schema(max_length = 200)]
    pub address_line2: Option<String>,
    /// The town.
    #[schema(min_length = 1, max_length = 100, example = "Carlisle")]
    pub town: String,
    /// The postcode; where known, it places the venue.
    #[schema(
        example = "CA1 1AA",
        pattern = "^\\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\\s*[0-9][A-Za-z]{2}\\s*$"
    )]
    pub postcode: Option<String>,
    /// WGS84 latitude, in degrees.
    #[schema(minimum = 49.0, maximum = 61.0, example = 54.597)]
    pub latitude: Option<f64>,
    /// WGS84 longitude, in degrees.
    #[schema(minimum = -11.0, maximum = 2.0, example = -5.930)]
    pub longitude: Option<f64>,
    /// Room names, each unique; opening sessions are held in one of them.
    #[schema(min_items = 1, max_items = 50, example = json!(["Main hall", "Family room"]))]
    pub rooms: Vec<String>,
    /// Whether parents who must not meet can arrive by separate entrances.
    #[serde(default)]
    pub separate_entrances: bool,
    /// The entrances' names (at least two with separate entrances); by
    /// default "Main entrance", or "Front entrance" and "Side entrance".
    #[schema(min_items = 1, max_items = 10, example = json!(["Front entrance", "Side entrance"]))]
    pub entrances: Option<Vec<String>>,
    /// Step-free access, toilets, and other access notes.
    #[schema(max_length = 1000)]
    pub accessibility: Option<String>,
    /// Where to park.
    #[schema(max_length = 1000)]
    pub parking: Option<String>,
}

/// Changes to a venue; absent (or `null`) fields are left as they are. A new postcode
/// places the venue again.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"parking": "Car park behind the hall, free on Saturdays"}))]
pub struct UpdateVenueRequest {
    /// Its name, as families see it.
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// The first line of the address.
    #[schema(min_length = 1, max_length = 200)]
    pub address_line1: Option<String>,
    /// The second line of the address, if any.
    #[schema(max_length = 200)]
    pub address_line2: Option<String>,
    /// The town.
    #[schema(min_length = 1, max_length = 100)]
    pub town: Option<String>,
    /// The postcode; where known, it places the venue.
    pub postcode: Option<String>,
    /// WGS84 latitude, in degrees.
    #[schema(minimum = 49.0, maximum = 61.0)]
    pub latitude: Option<f64>,
    /// WGS84 longitude, in degrees.
    #[schema(minimum = -11.0, maximum = 2.0)]
    pub longitude: Option<f64>,
    /// The rooms sessions use (weekly slots name one).
    #[schema(min_items = 1, max_items = 50)]
    pub rooms: Option<Vec<String>>,
    /// Whether parents who must not meet can arrive by separate entrances.
    pub separate_entrances: Option<bool>,
    /// The entrances' names (at least two with separate entrances).
    #[schema(min_items = 1, max_items = 10)]
    pub entrances: Option<Vec<String>>,
    /// Step-free access, toilets, and other access notes.
    #[schema(max_length = 1000)]
    pub accessibility: Option<String>,
    /// Where to park.
    #[schema(max_length = 1000)]
    pub parking: Option<String>,
}

/// A weekly slot at a venue.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"venue_id": "01a2f4c0-0000-7000-8000-000000000002", "weekday": "saturday", "starts_at": "10:00", "ends_at": "12:00", "room": "Main hall", "capacity": 8, "services": ["supported"], "effective_from": "2027-01-02"}))]
pub struct CreateOpeningSessionRequest {
    /// The venue of the slot.
    #[schema(value_type = Uuid)]
    pub venue_id: VenueId,
    /// The day of the week.
    #[schema(value_type = Weekday)]
    pub weekday: String,
    /// 24-hour clock, `HH:MM`.
    #[schema(
        example = "10:00",
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub starts_at: String,
    /// After `starts_at`, same day.
    #[schema(
        example = "12:00",
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub ends_at: String,
    /// One of the venue's rooms.
    #[schema(example = "Main hall")]
    pub room: String,
    /// Families at once.
    #[schema(minimum = 1, maximum = 500, example = 8, format = Int32)]
    pub capacity: i64,
    /// Services available in this slot, all offered by the centre.
    #[schema(value_type = Vec<ServiceType>, min_items = 1, example = json!(["supported"]))]
    pub services: Vec<String>,
    /// First date the slot runs (default today).
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-05")]
    pub effective_from: Option<String>,
    /// Last date it runs; absent for open-ended.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_to: Option<String>,
}

/// Changes to a weekly slot; absent (or `null`) fields are left as they are. To end a slot,
/// set `effective_to`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"capacity": 6, "effective_to": "2027-06-30"}))]
pub struct UpdateOpeningSessionRequest {
    /// The day of the week.
    #[schema(value_type = Option<Weekday>)]
    pub weekday: Option<String>,
    /// The time it starts, `HH:MM`, UK local time.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
    pub starts_at: Option<String>,
    /// The time it ends, `HH:MM`, UK local time.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
    pub ends_at: Option<String>,
    /// The room, one of the venue's rooms.
    pub room: Option<String>,
    /// How many families at once.
    #[schema(minimum = 1, maximum = 500, format = Int32)]
    pub capacity: Option<i64>,
    /// The kinds of contact offered.
    #[schema(value_type = Option<Vec<ServiceType>>, min_items = 1)]
    pub services: Option<Vec<String>>,
    /// The first date the slot runs.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_from: Option<String>,
    /// The last date the slot runs; none while it runs on.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningSessionResponse {
    /// Its id.
    #[schema(value_type = Uuid)]
    pub id: OpeningSessionId,
    /// The venue of the slot.
    #[schema(value_type = Uuid)]
    pub venue_id: VenueId,
    /// The day of the week.
    pub weekday: Weekday,
    /// The time it starts, `HH:MM`, UK local time.
    #[schema(example = "10:00")]
    pub starts_at: String,
    /// The time it ends, `HH:MM`, UK local time.
    #[schema(example = "12:00")]
    pub ends_at: String,
    /// The room, one of the venue's rooms.
    pub room: String,
    /// How many families at once.
    pub capacity: i32,
    /// The kinds of contact offered.
    pub services: Vec<ServiceType>,
    /// The first date the slot runs.
    #[schema(format = Date)]
    pub effective_from: String,
    /// The last date the slot runs; none while it runs on.
    #[schema(format = Date)]
    pub effective_to: Option<String>,
}

/// Days a venue, or the whole centre, does not open.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"starts_on": "2026-12-24", "ends_on": "2027-01-01", "reason": "Christmas and New Year"}))]
pub struct CreateClosureRequest {
    /// The venue closed; absent for the whole centre.
    #[schema(value_type = Option<Uuid>)]
    pub venue_id: Option<VenueId>,
    /// The first day closed.
    #[schema(value_type = String, format = Date, example = "2026-12-26")]
    pub starts_on: String,
    /// Last closed day (default: `starts_on`).
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<String>,
    /// Why (bank holiday, building work...).
    #[schema(min_length = 1, max_length = 500, example = "Boxing Day")]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureResponse {
    /// Its id.
    #[schema(value_type = Uuid)]
    pub id: ClosureId,
    /// The venue of the slot.
    #[schema(value_type = Option<Uuid>)]
    pub venue_id: Option<VenueId>,
    /// The first day closed.
    #[schema(format = Date)]
    pub starts_on: String,
    /// The last day closed.
    #[schema(format = Date)]
    pub ends_on: String,
    /// Why (bank holiday, building work...).
    pub reason: String,
}

/// One dated opening: a weekly slot on a day it is not closed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningResponse {
    /// The date.
    #[schema(format = Date, example = "2026-11-28")]
    pub date: String,
    /// The day of the week.
    pub weekday: Weekday,
    /// The time it starts, `HH:MM`, UK local time.
    #[schema(example = "10:00")]
    pub starts_at: String,
    /// The time it ends, `HH:MM`, UK local time.
    #[schema(example = "12:00")]
    pub ends_at: String,
    /// The venue of the slot.
    #[schema(value_type = Uuid)]
    pub venue_id: VenueId,
    /// The venue's name.
    pub venue_name: String,
    /// The kinds of contact offered.
    pub services: Vec<ServiceType>,
    /// The weekly slot this opening comes from.
    #[schema(value_type = Uuid)]
    pub opening_session_id: OpeningSessionId,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningsResponse {
    /// The first date covered.
    #[schema(format = Date)]
    pub from: String,
    /// The last date covered.
    #[schema(format = Date)]
    pub to: String,
    /// Each dated opening, by date and time.
    pub items: Vec<OpeningResponse>,
}

/// The venue nearest the search point (or, without one, the centre's first venue).
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueSummary {
    /// Its id.
    #[schema(value_type = Uuid)]
    pub id: VenueId,
    /// Its name, as families see it.
    pub name: String,
    /// The town.
    pub town: String,
    /// The postcode; where known, it places the venue.
    pub postcode: Option<String>,
    /// WGS84 latitude, in degrees.
    pub latitude: f64,
    /// WGS84 longitude, in degrees.
    pub longitude: f64,
    /// Whether parents who must not meet can arrive by separate entrances.
    pub separate_entrances: bool,
}

/// A centre in search results: public facts only, no personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct CentreSummary {
    /// Its id.
    #[schema(value_type = Uuid)]
    pub id: CentreId,
    /// Its name, as families see it.
    pub name: String,
    /// The kinds of contact offered.
    pub services: Vec<ServiceType>,
    /// Whether parents may refer themselves (where the self-referral grid allows).
    pub accepts_self_referrals: bool,
    /// Whether the centre charges.
    pub fee_kind: FeeKind,
    /// Its accreditation status.
    pub accreditation_status: AccreditationStatus,
    /// Absent for a centre with no venue yet (only listed when no location is given).
    pub venue: Option<VenueSummary>,
    /// Great-circle distance from the search point to `venue`, in km (2 decimals);
    /// absent without a location.
    #[schema(example = 12.34)]
    pub distance_km: Option<f64>,
    /// Whether it is a demonstration entry (seed data), not a real centre.
    pub demo: bool,
}

/// Where a search was measured from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOrigin {
    /// The postcode as understood, when one was given.
    pub postcode: Option<String>,
    /// How closely the point fits the postcode, when one was given.
    pub precision: Option<Precision>,
    /// WGS84 latitude, in degrees.
    pub latitude: f64,
    /// WGS84 longitude, in degrees.
    pub longitude: f64,
}

/// One page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct CentreSearchPage {
    /// Centres, nearest first (or by name without a place).
    pub items: Vec<CentreSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Absent when no location was given (alphabetical order).
    pub origin: Option<SearchOrigin>,
    /// The attribution of the postcode data (OS Code-Point Open).
    pub attribution: &'static str,
}

/// A centre that offers the service another one does not.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct AlternativeCentre {
    /// The centre.
    #[schema(value_type = Uuid)]
    pub centre_id: CentreId,
    /// Its name, as families see it.
    pub name: String,
    /// From the centre asked for, km (great-circle, between nearest venues);
    /// absent when that centre has no venue yet.
    pub distance_km: Option<f64>,
    /// Whether parents may refer themselves (where the self-referral grid allows).
    pub accepts_self_referrals: bool,
}

// Each request is checked by its `check`, which adds every broken rule to the
// request's FieldErrors (crate::validation); `centres::rules` reads the rest.

/// `prefix.name`, or `name` at the top of the body.
fn at(prefix: &str, name: &str) -> String {
    match prefix {
        "" => name.to_owned(),
        p => format!("{p}.{name}"),
    }
}

/// Optional text, checked when given: `min..=max` characters once trimmed
/// (with `min` 1, a blank value is refused rather than read as absent).
fn optional(errors: &mut FieldErrors, field: &str, text: Option<&String>, min: usize, max: usize) {
    if let Some(t) = text {
        errors.text(field, t, min, max);
    }
}

impl CentreContact {
    pub fn check(&self, errors: &mut FieldErrors, prefix: &str) {
        if let Some(email) = &self.email {
            errors.email(&at(prefix, "email"), email);
        }
        if let Some(phone) = &self.phone {
            errors.take(Phone::parse(&at(prefix, "phone"), phone));
        }
        if let Some(website) = &self.website {
            errors.website(&at(prefix, "website"), website);
        }
    }
}

impl Accreditation {
    pub fn check(&self, errors: &mut FieldErrors, prefix: &str) {
        optional(errors, &at(prefix, "body"), self.body.as_ref(), 1, 200);
    }
}

/// Days between receiving a referral and the first contact: 0 to 365; and
/// minutes between parties who must not meet: 0 to 120.
fn notice_days(errors: &mut FieldErrors, days: Option<i32>, stagger: Option<i32>) {
    if days.is_some_and(|d| !(0..=365).contains(&d)) {
        errors.push("min_referral_notice_days", "range", "must be 0 to 365 days");
    }
    if stagger.is_some_and(|m| !(0..=120).contains(&m)) {
        errors.push("stagger_minutes", "range", "must be 0 to 120 minutes");
    }
}

impl CreateCentreRequest {
    pub fn check(&self, errors: &mut FieldErrors) {
        errors.name("name", &self.name);
        if let Some(d) = &self.description {
            errors.text("description", d, 0, 4000);
        }
        if let Some(contact) = &self.contact {
            contact.check(errors, "contact");
        }
        notice_days(errors, self.min_referral_notice_days, self.stagger_minutes);
        if let Some(accreditation) = &self.accreditation {
            accreditation.check(errors, "accreditation");
        }
    }
}

impl UpdateCentreRequest {
    pub fn check(&self, errors: &mut FieldErrors) {
        if let Some(name) = &self.name {
            errors.name("name", name);
        }
        if let Some(d) = &self.description {
            errors.text("description", d, 0, 4000);
        }
        if let Some(contact) = &self.contact {
            contact.check(errors, "contact");
        }
        notice_days(errors, self.min_referral_notice_days, self.stagger_minutes);
    }
}

impl ChangeCentreStatusRequest {
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::default();
        optional(&mut errors, "reason", self.reason.as_ref(), 1, 500);
        errors.finish(())
    }
}

impl CreateVenueRequest {
    pub fn check(&self, errors: &mut FieldErrors) {
        errors.name("name", &self.name);
        errors.text("address_line1", &self.address_line1, 1, 200);
        optional(errors, "address_line2", self.address_line2.as_ref(), 1, 200);
        errors.text("town", &self.town, 1, 100);
        optional(
            errors,
            "accessibility",
            self.accessibility.as_ref(),
            0,
            1000,
        );
        optional(errors, "parking", self.parking.as_ref(), 0, 1000);
    }
}

impl UpdateVenueRequest {
    pub fn check(&self, errors: &mut FieldErrors) {
        if let Some(name) = &self.name {
            errors.name("name", name);
        }
        optional(errors, "address_line1", self.address_line1.as_ref(), 1, 200);
        optional(errors, "address_line2", self.address_line2.as_ref(), 1, 200);
        optional(errors, "town", self.town.as_ref(), 1, 100);
        optional(
            errors,
            "accessibility",
            self.accessibility.as_ref(),
            0,
            1000,
        );
        optional(errors, "parking", self.parking.as_ref(), 0, 1000);
    }
}

impl CreateClosureRequest {
    pub fn check(&self, errors: &mut FieldErrors) {
        errors.text("reason", &self.reason, 1, 500);
    }
}
