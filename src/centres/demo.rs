//! The demo directory loaded by `ccc seed-demo` (and `make run`): a few hundred
//! centres at real postcodes across Great Britain, a few in Northern Ireland
//! with coordinates, mixing services the way real centres do. Every centre is
//! marked `demo` and says so in its description.
//!
//! Venue postcodes come from `data/demo-venues.csv`, derived from OS
//! Code-Point Open by `scripts/derive-postcode-data.sh`. Contains OS data ©
//! Crown copyright and database right 2025; contains Royal Mail data © Royal
//! Mail copyright and database right 2025.
//!
//! Long because it is data: the demo places, names and slots; its test of the
//! whole directory sits beside it.

use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::macros::{date, time};
use time::{Date, Duration, Time};

use super::model::{
    AccreditationStatus, CentreStatus, Closure, FeeKind, LocationSource, NewCentre,
    NewOpeningSession, NewVenue, OpeningSessionFields, VenueFields,
};
use crate::error::ApiError;
use crate::schema::{centres, closures, opening_sessions, venues};
use crate::vocabulary::{CentreId, ServiceType, VenueId, Weekday};

const VENUES_CSV: &str = include_str!("../../data/demo-venues.csv");
const SEED_LOCK_KEY: i64 = 0x0ccc_0003;
const NACCC: &str = "NACCC";
const NI_NETWORK: &str = "Northern Ireland Network of Child Contact Centres";

/// Northern Ireland is not in Code-Point Open: these venues carry coordinates
/// (town centres) and no postcode. (centre town, venue town, latitude, longitude)
const NORTHERN_IRELAND: &[(&str, &str, f64, f64)] = &[
    ("Belfast", "Belfast", 54.5973, -5.9301),
    ("Belfast", "Lisburn", 54.5162, -6.0580),
    ("Derry~Londonderry", "Derry~Londonderry", 54.9966, -7.3086),
    ("Newry", "Newry", 54.1751, -6.3402),
    ("Enniskillen", "Enniskillen", 54.3438, -7.6315),
    ("Ballymena", "Ballymena", 54.8638, -6.2762),
];

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot connect: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("migrations: {0}")]
    Migrations(#[from] crate::db::MigrationError),
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("data/demo-venues.csv line {0} is malformed")]
    Data(usize),
}

/// One row of `data/demo-venues.csv`.
#[derive(Debug, Clone)]
struct DemoPlace {
    area: String,
    town: String,
    rank: u32,
    outward: String,
    postcode: Option<String>,
    latitude: f64,
    longitude: f64,
}

fn places() -> Result<Vec<DemoPlace>, SeedError> {
    VENUES_CSV
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.starts_with("area,") && !l.trim().is_empty())
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            let parse = || -> Option<DemoPlace> {
                let [area, town, rank, outward, postcode, latitude, longitude] = fields[..] else {
                    return None;
                };
                Some(DemoPlace {
                    area: area.to_owned(),
                    town: town.to_owned(),
                    rank: rank.parse().ok()?,
                    outward: outward.to_owned(),
                    postcode: Some(postcode.to_owned()),
                    latitude: latitude.parse().ok()?,
                    longitude: longitude.parse().ok()?,
                })
            };
            parse().ok_or(SeedError::Data(i + 1))
        })
        .collect()
}

/// A whole demo directory, built in memory.
#[derive(Debug, Default)]
struct Directory {
    centres: Vec<NewCentre>,
    venues: Vec<NewVenue>,
    sessions: Vec<NewOpeningSession>,
    closures: Vec<Closure>,
}

/// The services of the `i`th demo centre: most supported, fewer supervised, a
/// few supervised-only services, the odd specialist service.
fn services_for(i: usize, carlisle: bool) -> Vec<ServiceType> {
    use ServiceType::*;
    if carlisle {
        // Seed 004: Carlisle offers supported contact and handovers, not supervised.
        return vec![Supported, Handover];
    }
    let supervised_only = i % 10 == 9;
    let supervised = supervised_only || i % 3 == 0;
    let mut services = Vec::new();
    let mut add = |cond: bool, s: ServiceType| {
        if cond {
            services.push(s);
        }
    };
    add(!supervised_only, Supported);
    add(supervised, Supervised);
    add(!supervised_only && i % 2 == 0, Handover);
    add(!supervised_only && i % 7 == 2, VirtualSupported);
    add(supervised && i % 4 == 0, VirtualSupervised);
    add(i % 5 == 1, Indirect);
    add(i % 11 == 3, Community);
    add(supervised && i % 13 == 0, LifeStory);
    add(i % 9 == 4, Preparatory);
    add(
        supervised && (supervised_only || i % 6 == 0),
        SupervisedAssessment,
    );
    services
}

const ROOMS: [&str; 4] = [
    "Main hall",
    "Family room 1",
    "Family room 2",
    "Entrance lobby",
];
const STREETS: [&str; 6] = [
    "High Street",
    "Church Road",
    "Station Road",
    "Park Lane",
    "Victoria Road",
    "Mill Lane",
];
const HALLS: [&str; 5] = [
    "St Andrew's Church Hall",
    "Community Centre",
    "Family Hub",
    "Methodist Church Hall",
    "Youth Centre",
];

fn slot(
    venue_id: VenueId,
    weekday: Weekday,
    (starts_at, ends_at): (Time, Time),
    room: &str,
    capacity: i32,
    services: &[ServiceType],
    from: Date,
) -> OpeningSessionFields {
    OpeningSessionFields {
        venue_id,
        weekday: weekday.iso(),
        starts_at,
        ends_at,
        room: room.to_owned(),
        capacity,
        services: services.to_vec(),
        effective_from: from,
        effective_to: None,
    }
}

/// A venue's weekly slots for what its centre offers. Rooms never double-book:
/// each room's slots fall on different days or times.
fn slots_for(
    i: usize,
    venue_id: VenueId,
    services: &[ServiceType],
    main_venue: bool,
    from: Date,
) -> Vec<OpeningSessionFields> {
    use ServiceType::*;
    let has = |s: ServiceType| services.contains(&s);
    let mut slots = Vec::new();
    if has(Supported) {
        let cap = 8 + (i % 5) as i32;
        slots.push(slot(
            venue_id,
            Weekday::Saturday,
            (time!(10:00), time!(12:00)),
            ROOMS[0],
            cap,
            &[Supported],
            from,
        ));
        if main_venue && i % 2 == 0 {
            slots.push(slot(
                venue_id,
                Weekday::Wednesday,
                (time!(16:00), time!(18:00)),
                ROOMS[0],
                6,
                &[Supported],
                from,
            ));
        }
    }
    if !main_venue {
        return slots;
    }
    if has(Supervised) {
        let mut first = vec![Supervised];
        if has(SupervisedAssessment) {
            first.push(SupervisedAssessment);
        }
        slots.push(slot(
            venue_id,
            Weekday::Saturday,
            (time!(10:00), time!(11:00)),
            ROOMS[1],
            1,
            &first,
            from,
        ));
        slots.push(slot(
            venue_id,
            Weekday::Saturday,
            (time!(11:30), time!(12:30)),
            ROOMS[1],
            1,
            &[Supervised],
            from,
        ));
        slots.push(slot(
            venue_id,
            Weekday::Thursday,
            (time!(16:00), time!(17:00)),
            ROOMS[2],
            1,
            &[Supervised],
            from,
        ));
    }
    if has(Handover) {
        slots.push(slot(
            venue_id,
            Weekday::Saturday,
            (time!(09:30), time!(10:00)),
            ROOMS[3],
            4,
            &[Handover],
            from,
        ));
        slots.push(slot(
            venue_id,
            Weekday::Saturday,
            (time!(12:00), time!(12:30)),
            ROOMS[3],
            4,
            &[Handover],
            from,
        ));
    }
    let virtual_services: Vec<ServiceType> = [VirtualSupported, VirtualSupervised]
        .into_iter()
        .filter(|s| has(*s))
        .collect();
    if !virtual_services.is_empty() {
        slots.push(slot(
            venue_id,
            Weekday::Tuesday,
            (time!(17:00), time!(18:00)),
            ROOMS[2],
            2,
            &virtual_services,
            from,
        ));
    }
    if has(Preparatory) {
        slots.push(slot(
            venue_id,
            Weekday::Monday,
            (time!(15:00), time!(16:00)),
            ROOMS[2],
            1,
            &[Preparatory],
            from,
        ));
    }
    slots
}

/// Bank holidays (England and Wales) and Christmas, when demo centres close.
const CLOSED: [(Date, Date, &str); 6] = [
    (
        date!(2026 - 12 - 24),
        date!(2027 - 01 - 01),
        "Christmas and New Year",
    ),
    (date!(2027 - 03 - 26), date!(2027 - 03 - 26), "Good Friday"),
    (
        date!(2027 - 03 - 29),
        date!(2027 - 03 - 29),
        "Easter Monday",
    ),
    (
        date!(2027 - 05 - 03),
        date!(2027 - 05 - 03),
        "Early May bank holiday",
    ),
    (
        date!(2027 - 05 - 31),
        date!(2027 - 05 - 31),
        "Spring bank holiday",
    ),
    (
        date!(2027 - 08 - 30),
        date!(2027 - 08 - 30),
        "Summer bank holiday",
    ),
];

#[allow(clippy::too_many_arguments)]
fn add_centre(
    dir: &mut Directory,
    i: usize,
    name: String,
    places: &[DemoPlace],
    carlisle: bool,
    body: &str,
    today: Date,
) {
    let services = services_for(i, carlisle);
    let supervised = services.contains(&ServiceType::Supervised);
    // Accredited up to three years ago for three years: a spread of expiry
    // dates, some within 90 days, a few past.
    let accredited_on = today - Duration::days(((i * 37) % 1100) as i64);
    let expires_on = accredited_on + Duration::days(1095);
    let accreditation_status = if i % 25 == 7 {
        AccreditationStatus::Provisional
    } else if expires_on < today {
        AccreditationStatus::Expired
    } else {
        AccreditationStatus::Accredited
    };
    let status = if i % 97 == 50 {
        CentreStatus::Suspended
    } else if i % 150 == 75 {
        CentreStatus::Closed
    } else {
        CentreStatus::Active
    };
    let id = CentreId::new();
    dir.centres.push(NewCentre {
        id,
        name,
        status,
        description: "Demo data: not a real centre. A volunteer-run child contact centre \
                      offering a safe, neutral place for children to spend time with the \
                      parent they do not live with."
            .to_owned(),
        accrediting_body: Some(body.to_owned()),
        accreditation_status,
        accredited_on: Some(accredited_on),
        accreditation_expires_on: Some(expires_on),
        services: services.to_vec(),
        accepts_self_referrals: carlisle || i % 4 != 3,
        allows_observations: carlisle,
        fee_kind: if supervised {
            FeeKind::Charged
        } else {
            FeeKind::Free
        },
        fee_description: supervised
            .then(|| "£45 per supervised session; supported contact is free".to_owned()),
        contact_email: Some(format!("bookings@centre-{}.example.org", i + 1)),
        contact_phone: Some(format!("0300 555 {:04}", i + 1)),
        website: Some(format!("https://centre-{}.example.org", i + 1)),
        min_referral_notice_days: 14,
        stagger_minutes: 15,
        demo: true,
    });
    for (n, place) in places.iter().enumerate() {
        let venue_id = VenueId::new();
        let main_venue = n == 0;
        let k = i + n;
        dir.venues.push(NewVenue {
            id: venue_id,
            centre_id: id,
            fields: VenueFields {
                name: format!("{} {}", place.town, HALLS[k % HALLS.len()]),
                address_line1: format!("{} {}", (k * 7) % 120 + 1, STREETS[k % STREETS.len()]),
                address_line2: None,
                town: place.town.clone(),
                postcode: place.postcode.clone(),
                latitude: place.latitude,
                longitude: place.longitude,
                location_source: match place.postcode {
                    Some(_) => LocationSource::Postcode,
                    None => LocationSource::Given,
                },
                rooms: ROOMS.iter().map(|r| Some((*r).to_owned())).collect(),
                separate_entrances: k % 3 != 2,
                entrances: match k % 3 != 2 {
                    true => vec![
                        Some("Front entrance".to_owned()),
                        Some("Garden gate".to_owned()),
                    ],
                    false => vec![Some("Main entrance".to_owned())],
                },
                accessibility: "Step-free access; accessible toilet".to_owned(),
                parking: if k % 2 == 0 {
                    "Free car park on site"
                } else {
                    "Street parking nearby"
                }
                .to_owned(),
            },
        });
        for fields in slots_for(
            i,
            venue_id,
            &services,
            main_venue,
            today - Duration::days(28),
        ) {
            dir.sessions.push(NewOpeningSession {
                id: crate::vocabulary::OpeningSessionId::new(),
                centre_id: id,
                fields,
            });
        }
    }
    for (starts_on, ends_on, reason) in CLOSED {
        dir.closures.push(Closure {
            id: crate::vocabulary::ClosureId::new(),
            centre_id: id,
            venue_id: None,
            starts_on,
            ends_on,
            reason: reason.to_owned(),
            created_at: time::OffsetDateTime::now_utc(),
        });
    }
}

/// Builds the demo directory: in each postcode area, a centre in each of its
/// three lowest-numbered districts (usually the post town), the first with a
/// second venue in the fourth; then Northern Ireland.
fn directory(places: &[DemoPlace], today: Date) -> Directory {
    let mut dir = Directory::default();
    let mut i = 0;
    for centre_place in places.iter().filter(|p| p.rank <= 3) {
        let mut at = vec![centre_place.clone()];
        if centre_place.rank == 1 {
            if let Some(second) = places
                .iter()
                .find(|p| p.area == centre_place.area && p.rank == 4)
            {
                at.push(second.clone());
            }
        }
        let name = match centre_place.rank {
            1 => format!("{} Child Contact Centre", centre_place.town),
            _ => format!(
                "{} {} Child Contact Centre",
                centre_place.town, centre_place.outward
            ),
        };
        let carlisle = centre_place.area == "CA" && centre_place.rank == 1;
        add_centre(&mut dir, i, name, &at, carlisle, NACCC, today);
        i += 1;
    }
    let mut towns: Vec<&str> = NORTHERN_IRELAND.iter().map(|(t, ..)| *t).collect();
    towns.dedup();
    for town in towns {
        let at: Vec<DemoPlace> = NORTHERN_IRELAND
            .iter()
            .filter(|(t, ..)| *t == town)
            .map(|(_, venue_town, latitude, longitude)| DemoPlace {
                area: "BT".to_owned(),
                town: (*venue_town).to_owned(),
                rank: 1,
                outward: String::new(),
                postcode: None,
                latitude: *latitude,
                longitude: *longitude,
            })
            .collect();
        add_centre(
            &mut dir,
            i,
            format!("{town} Child Contact Centre"),
            &at,
            false,
            NI_NETWORK,
            today,
        );
        i += 1;
    }
    dir
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    all: i64,
    #[diesel(sql_type = BigInt)]
    demo: i64,
}

/// The demo centres' ground rules: the points every accredited centre's
/// rules make (seed texts `000_…`, `003_…`).
const DEMO_GROUND_RULES: &str = "Arrive and leave at the times given to you: the other parent may be arriving or leaving at theirs. \
Do not discuss the case, the other parent or arrangements in front of the children. \
Do not pass messages, letters or money through the children. \
Photographs and recordings only with the other parent's written consent. \
Gifts and food only as agreed with the coordinator. \
Nobody attends who is not named and approved by the coordinator. \
Staff may end a session that is not in the children's interests, and a child-protection concern is reported the same day.";

/// Loads the demo directory once: when there are no centres at all, or with
/// `force` when there are but none of them is demo data. Safe to run again and
/// from several instances at once (it takes a lock and re-checks).
pub async fn seed(database_url: &str, force: bool) -> Result<String, SeedError> {
    crate::db::run_migrations(database_url).await?;
    let places = places()?;
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    conn.transaction::<_, SeedError, _>(async move |conn| {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SEED_LOCK_KEY})"))
            .execute(conn)
            .await?;
        let counts: Counts = diesel::sql_query(
            "SELECT count(*) AS all, count(*) FILTER (WHERE demo) AS demo FROM centres",
        )
        .get_result(conn)
        .await?;
        if counts.demo > 0 {
            return Ok(format!(
                "demo directory already loaded ({} demo centres)",
                counts.demo
            ));
        }
        if counts.all > 0 && !force {
            return Ok(format!(
                "{} centres exist; demo directory not loaded (use seed-demo --force)",
                counts.all
            ));
        }
        let today = crate::vocabulary::calendar::uk_today(conn).await?;
        let dir = directory(&places, today);
        for chunk in dir.centres.chunks(1000) {
            diesel::insert_into(centres::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        for chunk in dir.venues.chunks(1000) {
            diesel::insert_into(venues::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        for chunk in dir.sessions.chunks(1000) {
            diesel::insert_into(opening_sessions::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        for chunk in dir.closures.chunks(1000) {
            diesel::insert_into(closures::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        // Every demo centre's ground rules, as the network's model wording.
        diesel::sql_query(
            "INSERT INTO ground_rules (centre_id, version, text) \
             SELECT id, 1, $1 FROM centres WHERE demo",
        )
        .bind::<diesel::sql_types::Text, _>(DEMO_GROUND_RULES)
        .execute(conn)
        .await?;
        Ok(format!(
            "loaded the demo directory: {} centres, {} venues, {} opening sessions, {} closures",
            dir.centres.len(),
            dir.venues.len(),
            dir.sessions.len(),
            dir.closures.len()
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_directory_is_realistic() {
        let places = places().unwrap_or_default();
        assert!(places.len() > 400, "{}", places.len());
        let dir = directory(&places, date!(2026 - 11 - 23));
        assert!(
            (300..500).contains(&dir.centres.len()),
            "{}",
            dir.centres.len()
        );
        let offering = |s: ServiceType| {
            dir.centres
                .iter()
                .filter(|c| c.services.contains(&s))
                .count()
        };
        let (supported, supervised) = (
            offering(ServiceType::Supported),
            offering(ServiceType::Supervised),
        );
        assert!(
            supported > supervised && supervised > 50,
            "{supported} {supervised}"
        );
        let carlisle = dir
            .centres
            .iter()
            .find(|c| c.name == "Carlisle Child Contact Centre");
        assert_eq!(
            carlisle.map(|c| c.services.clone()),
            Some(vec![ServiceType::Supported, ServiceType::Handover])
        );
        let given = dir
            .venues
            .iter()
            .filter(|v| v.fields.postcode.is_none())
            .count();
        assert_eq!(given, NORTHERN_IRELAND.len());
        assert!(dir.centres.iter().all(|c| c.demo));
        // No room is double-booked.
        for (a_index, a) in dir.sessions.iter().enumerate() {
            for b in &dir.sessions[a_index + 1..] {
                let (a, b) = (&a.fields, &b.fields);
                let overlap = a.venue_id == b.venue_id
                    && a.room == b.room
                    && a.weekday == b.weekday
                    && a.starts_at < b.ends_at
                    && b.starts_at < a.ends_at;
                assert!(!overlap, "{a:?} {b:?}");
            }
        }
    }
}
