//! The public directory as search reads it, kept in memory by each instance.
//!
//! Search is the hottest read of the service and the directory is small (a
//! network has hundreds of centres), so each instance holds a snapshot of the
//! active centres, their venues and weekly slots, and measures distances in
//! memory. `directory_version` (bumped by a trigger on every change to centres,
//! venues or opening sessions) says when a snapshot is out of date:
//!
//! - a change made through this instance drops its snapshot at once
//!   ([`DirectoryCache::invalidate`]), so its own writers read their writes;
//! - otherwise the version is asked for at most every `DIRECTORY_RECHECK_MS`,
//!   so instances agree within that time without sharing memory (0: on every
//!   search).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::Date;

use super::model::{AccreditationStatus, CentreStatus, FeeKind};
use crate::error::ApiError;
use crate::schema::{centres, directory_version, opening_sessions, venues};
use crate::vocabulary::{CentreId, ServiceType, VenueId};

/// A weekly slot, as far as search needs it.
#[derive(Debug, Clone)]
pub struct Slot {
    pub weekday: i16,
    pub services: Vec<ServiceType>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
}

impl Slot {
    /// Runs on `day` or later: current, or starting in the future.
    pub fn runs_from(&self, day: Date) -> bool {
        self.effective_to.is_none_or(|end| day <= end)
    }
}

#[derive(Debug, Clone)]
pub struct DirectoryVenue {
    pub id: VenueId,
    pub name: String,
    pub town: String,
    pub postcode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// The position prepared for distance measuring.
    pub point: Point,
    pub separate_entrances: bool,
    pub slots: Vec<Slot>,
}

/// An active centre with its venues (by name).
#[derive(Debug, Clone)]
pub struct DirectoryCentre {
    pub id: CentreId,
    pub name: String,
    /// The name folded for ordering and for the alphabetical cursor.
    pub sort_name: String,
    pub services: Vec<ServiceType>,
    pub accepts_self_referrals: bool,
    pub fee_kind: FeeKind,
    pub accreditation_status: AccreditationStatus,
    pub demo: bool,
    pub venues: Vec<DirectoryVenue>,
}

/// The active directory at one version, centres by (sort name, id).
#[derive(Debug)]
pub struct Snapshot {
    pub version: i64,
    pub centres: Vec<DirectoryCentre>,
}

/// A snapshot with when this instance last confirmed it current.
#[derive(Debug)]
struct Held {
    snapshot: Arc<Snapshot>,
    today: Date,
    /// `None` after a change through this instance: ask before the next use.
    checked_at: Option<Instant>,
}

/// Each instance's snapshot; see the module documentation.
#[derive(Debug)]
pub struct DirectoryCache {
    recheck: Duration,
    held: RwLock<Option<Held>>,
    /// Counts changes made through this instance. A version asked for before a
    /// change here cannot confirm a snapshot after it.
    changes: AtomicU64,
}

impl DirectoryCache {
    pub fn new(recheck: Duration) -> Self {
        Self {
            recheck,
            held: RwLock::new(None),
            changes: AtomicU64::new(0),
        }
    }

    /// Forgets that the snapshot was confirmed, after a change to the
    /// directory made through this instance.
    pub fn invalidate(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut held) = self.held.write() {
            if let Some(h) = held.as_mut() {
                h.checked_at = None;
            }
        }
    }

    /// The snapshot to search, and today's date in the UK. Asks the database
    /// for the version only when the last confirmation is older than the
    /// recheck interval (or was dropped); reloads when the version moved.
    pub async fn current(&self, pool: &crate::db::Pool) -> Result<(Arc<Snapshot>, Date), ApiError> {
        if let Some(fresh) = self.confirmed()? {
            return Ok(fresh);
        }
        let changes_before = AtomicU64::load(&self.changes, Ordering::SeqCst);
        let mut conn = pool.get().await?;
        use diesel::dsl::sql;
        let (version, today): (i64, Date) = directory_version::table
            .select((
                directory_version::version,
                sql::<diesel::sql_types::Date>("(now() AT TIME ZONE 'Europe/London')::date"),
            ))
            .first(&mut conn)
            .await?;
        let asked_at = Instant::now();
        let held = self.read()?.as_ref().map(|h| h.snapshot.clone());
        let snapshot = match held.filter(|s| s.version == version) {
            Some(snapshot) => snapshot,
            // Read after the version, so the data is at least as new as its label.
            None => Arc::new(load(&mut conn, version).await?),
        };
        let mut slot = self
            .held
            .write()
            .map_err(|_| ApiError::internal("directory cache lock poisoned"))?;
        // A change through this instance since the version was asked for may
        // be newer than it: keep the snapshot unconfirmed so the next search asks.
        let confirmed = AtomicU64::load(&self.changes, Ordering::SeqCst) == changes_before;
        // Versions only grow, except after a restore: then the database is right.
        *slot = Some(Held {
            snapshot: snapshot.clone(),
            today,
            checked_at: confirmed.then_some(asked_at),
        });
        Ok((snapshot, today))
    }

    fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, Option<Held>>, ApiError> {
        self.held
            .read()
            .map_err(|_| ApiError::internal("directory cache lock poisoned"))
    }

    /// The held snapshot if it was confirmed within the recheck interval.
    fn confirmed(&self) -> Result<Option<(Arc<Snapshot>, Date)>, ApiError> {
        Ok(self.read()?.as_ref().and_then(|h| {
            let fresh = h.checked_at.is_some_and(|at| at.elapsed() < self.recheck);
            fresh.then(|| (h.snapshot.clone(), h.today))
        }))
    }
}

type CentreRow = (
    CentreId,
    String,
    Vec<ServiceType>,
    bool,
    FeeKind,
    AccreditationStatus,
    bool,
);
type VenueRow = (
    VenueId,
    CentreId,
    String,
    String,
    Option<String>,
    f64,
    f64,
    bool,
);
type SlotRow = (VenueId, i16, Vec<ServiceType>, Date, Option<Date>);

async fn load(conn: &mut AsyncPgConnection, version: i64) -> Result<Snapshot, ApiError> {
    let centre_rows: Vec<CentreRow> = centres::table
        .filter(centres::status.eq(CentreStatus::Active))
        .select((
            centres::id,
            centres::name,
            centres::services,
            centres::accepts_self_referrals,
            centres::fee_kind,
            centres::accreditation_status,
            centres::demo,
        ))
        .load(conn)
        .await?;
    let venue_rows: Vec<VenueRow> = venues::table
        .inner_join(centres::table)
        .filter(centres::status.eq(CentreStatus::Active))
        .select((
            venues::id,
            venues::centre_id,
            venues::name,
            venues::town,
            venues::postcode,
            venues::latitude,
            venues::longitude,
            venues::separate_entrances,
        ))
        .order((venues::name, venues::id))
        .load(conn)
        .await?;
    let slot_rows: Vec<SlotRow> = opening_sessions::table
        .inner_join(centres::table.on(centres::id.eq(opening_sessions::centre_id)))
        .filter(centres::status.eq(CentreStatus::Active))
        .select((
            opening_sessions::venue_id,
            opening_sessions::weekday,
            opening_sessions::services,
            opening_sessions::effective_from,
            opening_sessions::effective_to,
        ))
        .load(conn)
        .await?;

    let mut centres = centre_rows
        .into_iter()
        .map(
            |(id, name, services, self_referrals, fee_kind, accreditation, demo)| {
                Ok(DirectoryCentre {
                    id,
                    sort_name: name.to_lowercase(),
                    name,
                    services,
                    accepts_self_referrals: self_referrals,
                    fee_kind,
                    accreditation_status: accreditation,
                    demo,
                    venues: Vec::new(),
                })
            },
        )
        .collect::<Result<Vec<_>, ApiError>>()?;
    centres.sort_by(|a, b| (&a.sort_name, a.id).cmp(&(&b.sort_name, b.id)));
    let index: std::collections::HashMap<CentreId, usize> =
        centres.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut venue_index = std::collections::HashMap::new();
    for (id, centre_id, name, town, postcode, latitude, longitude, separate_entrances) in venue_rows
    {
        if let Some(&i) = index.get(&centre_id) {
            venue_index.insert(id, (i, centres[i].venues.len()));
            centres[i].venues.push(DirectoryVenue {
                id,
                name,
                town,
                postcode,
                latitude,
                longitude,
                point: Point::new(latitude, longitude),
                separate_entrances,
                slots: Vec::new(),
            });
        }
    }
    for (venue_id, weekday, services, effective_from, effective_to) in slot_rows {
        if let Some(&(c, v)) = venue_index.get(&venue_id) {
            centres[c].venues[v].slots.push(Slot {
                weekday,
                services,
                effective_from,
                effective_to,
            });
        }
    }
    Ok(Snapshot { version, centres })
}

impl Snapshot {
    /// The `n` active centres nearest to `centre_id` (between their nearest
    /// venues) that offer `service`: where to point a family a centre must
    /// turn away. Alphabetical when `centre_id` has no venue.
    pub fn alternatives(
        &self,
        centre_id: CentreId,
        service: ServiceType,
        n: usize,
    ) -> Vec<super::dto::AlternativeCentre> {
        let origins: Vec<Point> = self
            .centres
            .iter()
            .filter(|c| c.id == centre_id)
            .flat_map(|c| c.venues.iter().map(|v| v.point))
            .collect();
        let mut offering: Vec<(Option<f64>, &DirectoryCentre)> = self
            .centres
            .iter()
            .filter(|c| c.id != centre_id && c.services.contains(&service))
            .filter_map(|c| {
                let nearest = origins
                    .iter()
                    .flat_map(|o| c.venues.iter().map(|v| o.haversine(&v.point)))
                    .min_by(f64::total_cmp);
                match (origins.is_empty(), nearest) {
                    (true, _) => Some((None, c)),
                    (false, Some(h)) => Some((Some(haversine_km(h)), c)),
                    (false, None) => None,
                }
            })
            .collect();
        offering.sort_by(|a, b| {
            a.0.unwrap_or(0.0)
                .total_cmp(&b.0.unwrap_or(0.0))
                .then(a.1.sort_name.cmp(&b.1.sort_name))
        });
        offering
            .into_iter()
            .take(n)
            .map(|(d, c)| super::dto::AlternativeCentre {
                centre_id: c.id,
                name: c.name.clone(),
                distance_km: d.map(|d| (d * 100.0).round() / 100.0),
                accepts_self_referrals: c.accepts_self_referrals,
            })
            .collect()
    }
}

/// Mean Earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A WGS84 position in radians, with the cosine of its latitude, so that the
/// haversine of a distance costs two sines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    lat: f64,
    lon: f64,
    cos_lat: f64,
}

impl Point {
    pub fn new(latitude: f64, longitude: f64) -> Self {
        let lat = latitude.to_radians();
        Self {
            lat,
            lon: longitude.to_radians(),
            cos_lat: lat.cos(),
        }
    }

    /// The haversine of the central angle to `other`: it orders points by
    /// distance as the distance itself does, without the arcsine.
    pub fn haversine(&self, other: &Point) -> f64 {
        let a = ((other.lat - self.lat) / 2.0).sin().powi(2)
            + self.cos_lat * other.cos_lat * ((other.lon - self.lon) / 2.0).sin().powi(2);
        a.min(1.0)
    }
}

/// Great-circle distance in km for a haversine from [`Point::haversine`].
pub fn haversine_km(haversine: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * haversine.sqrt().asin()
}

/// Great-circle distance in km between two WGS84 points.
pub fn distance_km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    haversine_km(Point::new(lat1, lon1).haversine(&Point::new(lat2, lon2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_hand_computed_ones() {
        // 0.1 degree of latitude: 6371.0088 x 0.1 x pi / 180 = 11.1195 km.
        assert!((distance_km((54.0, -3.0), (54.1, -3.0)) - 11.1195).abs() < 0.0005);
        // 0.2 degree of longitude at 54 N: 22.2390 km x cos 54 = 13.0718 km (to 0.01).
        assert!((distance_km((54.0, -3.0), (54.0, -2.8)) - 13.07).abs() < 0.01);
        assert_eq!(distance_km((54.0, -3.0), (54.0, -3.0)), 0.0);
    }
}
