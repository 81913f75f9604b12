//! The directory's field rules: requests checked and turned into rows, with
//! every broken rule named by field.
//!
//! One rule per field of centres, venues, slots and closures, named by field;
//! to be split by record when sessions add their own rules here.

use time::Date;

use super::dto::{
    Accreditation, CreateCentreRequest, CreateClosureRequest, CreateOpeningSessionRequest,
    CreateVenueRequest, Fees, UpdateCentreRequest, UpdateOpeningSessionRequest, UpdateVenueRequest,
};
use super::model::{
    texts_from_column, AccreditationChanges, AccreditationStatus, CentreChanges, CentreStatus,
    Closure, FeeKind, LocationSource, NewCentre, OpeningSession, OpeningSessionFields, Venue,
    VenueFields,
};
use super::search::{LATITUDE_RANGE, LONGITUDE_RANGE};
use crate::error::{ApiError, FieldError};
use crate::postcodes::repo::{Location, Precision};
use crate::postcodes::{self, Postcode};
use crate::vocabulary::calendar::parse_weekday;
use crate::vocabulary::calendar::{parse_date, parse_time};
use crate::vocabulary::service::parse_services;
use crate::vocabulary::{CentreId, OpeningSessionId, ServiceType, Weekday};

use crate::validation::FieldErrors as Errors;

/// Services of a request, each bad entry kept as an error.
fn services(errors: &mut Errors, field: &str, words: &[String]) -> Vec<ServiceType> {
    parse_services(field, words)
        .map_err(|mut e| errors.0.append(&mut e))
        .unwrap_or_default()
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A charge is described, in 1 to 1000 characters.
fn fees(errors: &mut Errors, fees: &Fees) -> (FeeKind, Option<String>) {
    match fees {
        Fees::Free => (FeeKind::Free, None),
        Fees::Charged { description } => {
            let description = description.trim();
            if description.is_empty()
                || description.chars().count() > 1000
                || description.contains('\0')
            {
                errors.push(
                    "fees.description",
                    "length",
                    "describe what is charged in 1 to 1000 characters",
                );
            }
            (FeeKind::Charged, Some(description.to_owned()))
        }
    }
}

/// Accreditation is by a body until a date, after the date it was given.
fn accreditation(errors_out: &mut Vec<FieldError>, a: &Accreditation) -> AccreditationChanges {
    let mut errors = Errors::default();
    let field = |name: &str| format!("accreditation.{name}");
    let accredited_on = a
        .accredited_on
        .as_deref()
        .and_then(|d| errors.take(parse_date(&field("accredited_on"), d)));
    let expires_on = a
        .expires_on
        .as_deref()
        .and_then(|d| errors.take(parse_date(&field("expires_on"), d)));
    let body = trimmed(a.body.clone());
    if a.status != AccreditationStatus::NotAccredited {
        if body.is_none() {
            errors.push(field("body"), "required", "name the accrediting body");
        }
        if a.expires_on.is_none() {
            errors.push(
                field("expires_on"),
                "required",
                "give the date accreditation expires",
            );
        }
    }
    if let (Some(from), Some(to)) = (accredited_on, expires_on) {
        if to <= from {
            errors.push(field("expires_on"), "order", "must be after accredited_on");
        }
    }
    errors_out.append(&mut errors.0);
    AccreditationChanges {
        accrediting_body: body,
        accreditation_status: a.status,
        accredited_on,
        accreditation_expires_on: expires_on,
    }
}

pub fn new_centre(req: CreateCentreRequest, demo: bool) -> Result<NewCentre, ApiError> {
    let mut errors = Errors::default();
    req.check(&mut errors);
    let services = services(&mut errors, "services", &req.services);
    let (fee_kind, fee_description) = req
        .fees
        .as_ref()
        .map(|f| fees(&mut errors, f))
        .unwrap_or_else(|| (FeeKind::Free, None));
    let accreditation = req
        .accreditation
        .as_ref()
        .map(|a| accreditation(&mut errors.0, a));
    let contact = req.contact.unwrap_or_default();
    let centre = NewCentre {
        id: crate::vocabulary::CentreId::new(),
        name: req.name.trim().to_owned(),
        status: CentreStatus::Active,
        description: req.description.unwrap_or_default().trim().to_owned(),
        accrediting_body: accreditation
            .as_ref()
            .and_then(|a| a.accrediting_body.clone()),
        accreditation_status: accreditation
            .as_ref()
            .map(|a| a.accreditation_status)
            .unwrap_or_else(|| AccreditationStatus::NotAccredited),
        accredited_on: accreditation.as_ref().and_then(|a| a.accredited_on),
        accreditation_expires_on: accreditation
            .as_ref()
            .and_then(|a| a.accreditation_expires_on),
        services: services.to_vec(),
        accepts_self_referrals: req.accepts_self_referrals,
        allows_observations: req.allows_observations,
        fee_kind,
        fee_description,
        contact_email: trimmed(contact.email),
        contact_phone: trimmed(contact.phone),
        website: trimmed(contact.website),
        min_referral_notice_days: req.min_referral_notice_days.unwrap_or(14),
        stagger_minutes: req.stagger_minutes.unwrap_or(15),
        demo,
    };
    errors.finish(centre)
}

/// The changes, and the services the centre will offer if they change.
pub fn centre_changes(
    req: UpdateCentreRequest,
) -> Result<(CentreChanges, Option<Vec<ServiceType>>), ApiError> {
    let mut errors = Errors::default();
    req.check(&mut errors);
    let services = req
        .services
        .as_ref()
        .map(|s| services(&mut errors, "services", s));
    let fee = req.fees.as_ref().map(|f| fees(&mut errors, f));
    let contact = req.contact;
    let changes = CentreChanges {
        name: req.name.map(|n| n.trim().to_owned()),
        description: req.description.map(|d| d.trim().to_owned()),
        services: services.clone(),
        accepts_self_referrals: req.accepts_self_referrals,
        allows_observations: req.allows_observations,
        fee_kind: fee.as_ref().map(|(k, _)| *k),
        fee_description: fee.map(|(_, d)| d),
        // A contact block replaces all three details.
        contact_email: contact.as_ref().map(|c| trimmed(c.email.clone())),
        contact_phone: contact.as_ref().map(|c| trimmed(c.phone.clone())),
        website: contact.as_ref().map(|c| trimmed(c.website.clone())),
        min_referral_notice_days: req.min_referral_notice_days,
        stagger_minutes: req.stagger_minutes,
    };
    errors.finish((changes, services))
}

pub fn accreditation_changes(req: &Accreditation) -> Result<AccreditationChanges, ApiError> {
    let mut errors = Errors::default();
    req.check(&mut errors, "");
    let changes = accreditation(&mut errors.0, req);
    errors.finish(changes)
}

/// Room names: at least one, each non-blank, unique, at most 100 characters.
fn rooms(errors: &mut Errors, rooms: &[String]) -> Vec<Option<String>> {
    names(errors, "rooms", rooms, 50)
}

/// The default entrances of a venue: one, or two where it has separate ones.
fn default_entrances(separate: bool) -> Vec<Option<String>> {
    let names: &[&str] = match separate {
        true => &["Front entrance", "Side entrance"],
        false => &["Main entrance"],
    };
    names.iter().map(|n| Some((*n).to_owned())).collect()
}

/// A venue's entrances: those sent, else those it has if they still fit,
/// else the defaults. Where it has separate entrances, parties who must not
/// meet come by different ones: it names at least two.
fn entrances(
    errors: &mut Errors,
    sent: Option<&[String]>,
    separate: bool,
    current: Option<Vec<Option<String>>>,
) -> Vec<Option<String>> {
    match (sent, current) {
        (Some(sent), _) => {
            let named = names(errors, "entrances", sent, 10);
            if separate && sent.len() < 2 {
                errors.push(
                    "entrances",
                    "separate",
                    "a venue with separate entrances names at least two",
                );
            }
            named
        }
        (None, Some(current)) if !separate || current.len() >= 2 => current,
        (None, _) => default_entrances(separate),
    }
}

/// A list of distinct names (rooms, entrances) of 1 to 100 characters each.
fn names(errors: &mut Errors, field: &str, list: &[String], max: usize) -> Vec<Option<String>> {
    if list.is_empty() || list.len() > max {
        errors.push(field, "length", format!("list 1 to {max} {field}"));
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let name = item.trim();
        if name.is_empty() || name.len() > 100 || name.contains('\0') {
            errors.push(
                format!("{field}[{i}]"),
                "length",
                "must be 1 to 100 characters",
            );
        } else if seen.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            errors.push(
                format!("{field}[{i}]"),
                "duplicate",
                format!("{name} is listed twice"),
            );
        } else {
            seen.push(name.to_owned());
        }
    }
    seen.into_iter().map(Some).collect()
}

/// How a venue is to be placed on the map.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// Look the postcode up.
    Postcode(Postcode),
    /// Coordinates given, with the postcode as written (if any).
    Given {
        postcode: Option<Postcode>,
        latitude: f64,
        longitude: f64,
    },
    /// Keep the venue where it is (an update that changes neither).
    Unchanged,
}

/// A venue checked, waiting only for its postcode to be placed.
#[derive(Debug, Clone)]
pub struct VenueDraft {
    pub fields: VenueFields,
    pub placement: Placement,
}

/// Postcode and coordinates: a GB postcode places the venue; coordinates are for
/// a venue Code-Point cannot place (Northern Ireland), inside the British Isles.
fn placement(
    errors: &mut Errors,
    postcode: Option<&str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Option<Placement> {
    let postcode = match postcode.map(str::trim) {
        None => None,
        Some("") => {
            errors.push(
                "postcode",
                "postcode",
                "must not be blank; leave it out for a venue without one",
            );
            return None;
        }
        Some(text) => match postcodes::parse(text) {
            Ok(p) if p.inward.is_some() => Some(p),
            Ok(_) => {
                errors.push(
                    "postcode",
                    "postcode",
                    "give the full postcode of the venue, not the district",
                );
                return None;
            }
            Err(e) => {
                errors.push("postcode", "postcode", e.to_string());
                return None;
            }
        },
    };
    if let Some(lat) = latitude {
        if !LATITUDE_RANGE.contains(&lat) {
            errors.push(
                "latitude",
                "range",
                "must be inside the British Isles (49 to 61)",
            );
        }
    }
    if let Some(lon) = longitude {
        if !LONGITUDE_RANGE.contains(&lon) {
            errors.push(
                "longitude",
                "range",
                "must be inside the British Isles (-11 to 2)",
            );
        }
    }
    match (postcode, latitude, longitude) {
        (_, Some(_), None) => {
            errors.push("longitude", "required", "is required with latitude");
            None
        }
        (_, None, Some(_)) => {
            errors.push("latitude", "required", "is required with longitude");
            None
        }
        (postcode, Some(latitude), Some(longitude)) => Some(Placement::Given {
            postcode,
            latitude,
            longitude,
        }),
        (Some(p), None, None) => Some(Placement::Postcode(p)),
        (None, None, None) => None,
    }
}

pub fn new_venue(req: CreateVenueRequest) -> Result<VenueDraft, ApiError> {
    let mut errors = Errors::default();
    req.check(&mut errors);
    let rooms = rooms(&mut errors, &req.rooms);
    let entrances = entrances(
        &mut errors,
        req.entrances.as_deref(),
        req.separate_entrances,
        None,
    );
    let placement = placement(
        &mut errors,
        req.postcode.as_deref(),
        req.latitude,
        req.longitude,
    );
    if placement.is_none() && errors.0.is_empty() {
        errors.push(
            "postcode",
            "required",
            "give the venue's postcode, or latitude and longitude where it has no GB postcode",
        );
    }
    let draft = VenueDraft {
        fields: VenueFields {
            name: req.name.trim().to_owned(),
            address_line1: req.address_line1.trim().to_owned(),
            address_line2: trimmed(req.address_line2),
            town: req.town.trim().to_owned(),
            postcode: None,
            latitude: 0.0,
            longitude: 0.0,
            location_source: LocationSource::Given,
            rooms,
            separate_entrances: req.separate_entrances,
            accessibility: req.accessibility.unwrap_or_default().trim().to_owned(),
            parking: req.parking.unwrap_or_default().trim().to_owned(),
            entrances,
        },
        placement: placement.unwrap_or(Placement::Unchanged),
    };
    errors.finish(draft)
}

pub fn venue_changes(current: Venue, req: UpdateVenueRequest) -> Result<VenueDraft, ApiError> {
    let mut errors = Errors::default();
    req.check(&mut errors);
    let rooms = match &req.rooms {
        Some(r) => rooms(&mut errors, r),
        None => current.rooms.clone(),
    };
    let separate_entrances = req.separate_entrances.unwrap_or(current.separate_entrances);
    let entrances = entrances(
        &mut errors,
        req.entrances.as_deref(),
        separate_entrances,
        Some(current.entrances.clone()),
    );
    let placement = placement(
        &mut errors,
        req.postcode.as_deref(),
        req.latitude,
        req.longitude,
    )
    .unwrap_or(Placement::Unchanged);
    let draft = VenueDraft {
        fields: VenueFields {
            name: req
                .name
                .map(|n| n.trim().to_owned())
                .unwrap_or(current.name),
            address_line1: req
                .address_line1
                .map(|a| a.trim().to_owned())
                .unwrap_or(current.address_line1),
            address_line2: match req.address_line2 {
                Some(a) => trimmed(Some(a)),
                None => current.address_line2,
            },
            town: req
                .town
                .map(|t| t.trim().to_owned())
                .unwrap_or(current.town),
            postcode: current.postcode,
            latitude: current.latitude,
            longitude: current.longitude,
            location_source: current.location_source,
            rooms,
            separate_entrances,
            accessibility: req
                .accessibility
                .map(|a| a.trim().to_owned())
                .unwrap_or(current.accessibility),
            parking: req
                .parking
                .map(|p| p.trim().to_owned())
                .unwrap_or(current.parking),
            entrances,
        },
        placement,
    };
    errors.finish(draft)
}

/// Places a venue from its postcode lookup (`None`: unknown postcode).
pub fn place(
    fields: &mut VenueFields,
    postcode: &Postcode,
    location: Option<Location>,
) -> Result<(), ApiError> {
    let location =
        location.ok_or_else(|| crate::postcodes::unknown_postcode(&postcode.to_string(), false))?;
    fields.postcode = Some(postcode.to_string());
    fields.latitude = location.latitude;
    fields.longitude = location.longitude;
    fields.location_source = match location.precision {
        Precision::Unit => LocationSource::Postcode,
        Precision::District => LocationSource::PostcodeDistrict,
    };
    Ok(())
}

/// What an opening session is checked against.
pub struct SlotContext<'a> {
    pub centre_services: &'a [ServiceType],
    pub venue_rooms: &'a [String],
    pub today: Date,
}

fn capacity(errors: &mut Errors, capacity: i64) -> i32 {
    match i32::try_from(capacity) {
        Ok(c) if (1..=500).contains(&c) => c,
        _ => {
            errors.push("capacity", "range", "must be 1 to 500 families");
            1
        }
    }
}

/// Shared checks of a whole slot: times in order, a room of the venue,
/// services the centre offers, dates in order.
fn check_slot(errors: &mut Errors, slot: &OpeningSessionFields, ctx: &SlotContext<'_>) {
    if slot.ends_at <= slot.starts_at {
        errors.push("ends_at", "order", "must be after starts_at");
    }
    if !ctx.venue_rooms.iter().any(|r| r == &slot.room) {
        errors.push(
            "room",
            "unknown_room",
            format!(
                "must be one of the venue's rooms: {}",
                ctx.venue_rooms.join(", ")
            ),
        );
    }
    if slot.services.is_empty() {
        errors.push("services", "length", "list at least one service");
    }
    for (i, s) in slot.services.iter().enumerate() {
        let offered = ctx.centre_services.contains(s);
        if !offered {
            errors.push(
                format!("services[{i}]"),
                "not_offered",
                "the centre does not offer this service",
            );
        }
    }
    if let Some(to) = slot.effective_to {
        if to < slot.effective_from {
            errors.push(
                "effective_to",
                "order",
                "must be on or after effective_from",
            );
        }
    }
}

pub fn new_opening_session(
    req: CreateOpeningSessionRequest,
    ctx: &SlotContext<'_>,
) -> Result<OpeningSessionFields, ApiError> {
    let mut errors = Errors::default();
    let weekday = errors.take(parse_weekday("weekday", &req.weekday));
    let starts_at = errors.take(parse_time("starts_at", &req.starts_at));
    let ends_at = errors.take(parse_time("ends_at", &req.ends_at));
    let services = services(&mut errors, "services", &req.services);
    let capacity = capacity(&mut errors, req.capacity);
    let effective_from = match req.effective_from.as_deref() {
        Some(d) => errors.take(parse_date("effective_from", d)),
        None => Some(ctx.today),
    };
    let effective_to = req
        .effective_to
        .as_deref()
        .and_then(|d| errors.take(parse_date("effective_to", d)));
    let (Some(weekday), Some(starts_at), Some(ends_at), Some(effective_from)) =
        (weekday, starts_at, ends_at, effective_from)
    else {
        return Err(ApiError::Validation(errors.0));
    };
    let slot = OpeningSessionFields {
        venue_id: req.venue_id,
        weekday: weekday.iso(),
        starts_at,
        ends_at,
        room: req.room.trim().to_owned(),
        capacity,
        services: services.to_vec(),
        effective_from,
        effective_to,
    };
    if errors.0.is_empty() {
        check_slot(&mut errors, &slot, ctx);
    }
    errors.finish(slot)
}

pub fn opening_session_changes(
    current: &OpeningSession,
    req: UpdateOpeningSessionRequest,
    ctx: &SlotContext<'_>,
) -> Result<OpeningSessionFields, ApiError> {
    let mut errors = Errors::default();
    let mut slot = OpeningSessionFields {
        venue_id: current.venue_id,
        weekday: current.weekday,
        starts_at: current.starts_at,
        ends_at: current.ends_at,
        room: current.room.clone(),
        capacity: current.capacity,
        services: current.services.clone(),
        effective_from: current.effective_from,
        effective_to: current.effective_to,
    };
    if let Some(w) = &req.weekday {
        if let Some(w) = errors.take(parse_weekday("weekday", w)) {
            slot.weekday = w.iso();
        }
    }
    if let Some(t) = errors.take_opt(req.starts_at.as_deref().map(|t| parse_time("starts_at", t))) {
        slot.starts_at = t;
    }
    if let Some(t) = errors.take_opt(req.ends_at.as_deref().map(|t| parse_time("ends_at", t))) {
        slot.ends_at = t;
    }
    if let Some(room) = req.room {
        slot.room = room.trim().to_owned();
    }
    if let Some(c) = req.capacity {
        slot.capacity = capacity(&mut errors, c);
    }
    if let Some(words) = &req.services {
        slot.services = services(&mut errors, "services", words);
    }
    if let Some(d) = errors.take_opt(
        req.effective_from
            .as_deref()
            .map(|d| parse_date("effective_from", d)),
    ) {
        slot.effective_from = d;
    }
    if let Some(d) = errors.take_opt(
        req.effective_to
            .as_deref()
            .map(|d| parse_date("effective_to", d)),
    ) {
        slot.effective_to = Some(d);
    }
    if errors.0.is_empty() {
        check_slot(&mut errors, &slot, ctx);
    }
    errors.finish(slot)
}

/// A closure of one venue of the centre, or of the whole centre, for up to a year.
pub fn new_closure(
    centre_id: CentreId,
    req: CreateClosureRequest,
    venue_ok: bool,
) -> Result<Closure, ApiError> {
    let mut errors = Errors::default();
    req.check(&mut errors);
    if !venue_ok {
        errors.push("venue_id", "unknown_venue", "is not a venue of this centre");
    }
    let starts_on = errors.take(parse_date("starts_on", &req.starts_on));
    let ends_on = match req.ends_on.as_deref() {
        Some(d) => errors.take(parse_date("ends_on", d)),
        None => starts_on,
    };
    if let (Some(from), Some(to)) = (starts_on, ends_on) {
        if to < from {
            errors.push("ends_on", "order", "must be on or after starts_on");
        } else if (to - from).whole_days() > 366 {
            errors.push(
                "ends_on",
                "range",
                "a closure lasts at most a year; suspend the centre instead",
            );
        }
    }
    let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
        return Err(ApiError::Validation(errors.0));
    };
    errors.finish(Closure {
        id: crate::vocabulary::ClosureId::new(),
        centre_id,
        venue_id: req.venue_id,
        starts_on,
        ends_on,
        reason: req.reason.trim().to_owned(),
        created_at: time::OffsetDateTime::now_utc(),
    })
}

/// Rooms of a venue as a list of names.
pub fn room_names(venue: &Venue) -> Vec<String> {
    texts_from_column(venue.rooms.clone())
}

/// Names the weekday of a slot for messages.
pub fn weekday_word(iso: i16) -> &'static str {
    Weekday::from_iso(iso).map(Weekday::as_str).unwrap_or("?")
}

/// The slot already in the room at an overlapping time on the same weekday
/// over overlapping dates, if any (`except` is the slot being changed).
pub fn clash<'a>(
    slot: &OpeningSessionFields,
    existing: &'a [OpeningSession],
    except: Option<OpeningSessionId>,
) -> Option<&'a OpeningSession> {
    existing.iter().find(|s| {
        Some(s.id) != except
            && s.venue_id == slot.venue_id
            && s.room == slot.room
            && s.weekday == slot.weekday
            && s.starts_at < slot.ends_at
            && slot.starts_at < s.ends_at
            && s.effective_to.is_none_or(|end| slot.effective_from <= end)
            && slot.effective_to.is_none_or(|end| s.effective_from <= end)
    })
}

/// The field error for a clash, naming the slot in the way.
pub fn clash_error(other: &OpeningSession) -> ApiError {
    ApiError::field(
        "starts_at",
        "overlap",
        format!(
            "{} already has an opening session on {} from {} to {} ({})",
            other.room,
            weekday_word(other.weekday),
            crate::vocabulary::calendar::format_time(other.starts_at),
            crate::vocabulary::calendar::format_time(other.ends_at),
            other.id
        ),
    )
}
