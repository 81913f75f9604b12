//! Finding a centre: active centres offering a service, nearest first (or by
//! name without a location), each with its nearest venue and the distance.
//!
//! Distances are great-circle (haversine) distances between WGS84 points, in
//! km. A network has hundreds of centres, so every venue's distance is
//! computed per search, in memory over the instance's snapshot of the
//! directory (see [`super::directory`]); keyset pagination is on (distance,
//! centre id), or (lower-case name, centre id) without a location.
//!
//! Its tests of ordering, cursors and distances sit beside it (a third of the file).

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::IntoParams;

use super::directory::{haversine_km, DirectoryCentre, DirectoryVenue, Point, Snapshot};
use super::dto::{CentreSummary, VenueSummary};
use crate::error::{ApiError, FieldError};
use crate::pagination::{Cursor, CursorKey, PageParams, PageRequest};
use crate::postcodes::{self, Postcode};
use crate::vocabulary::{ServiceType, Weekday};

/// Query parameters of `GET /api/v1/centres`. Each is read on its own so that a
/// bad one is named in the 422.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreSearchParams {
    /// Only centres offering this service.
    #[param(value_type = Option<ServiceType>)]
    pub service: Option<String>,
    /// Measure from this postcode (`CA1 1AA`) or district (`CA1`); any case or spacing.
    #[param(
        example = "CA1",
        pattern = "^\\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\\s*([0-9][A-Za-z]{2})?\\s*$"
    )]
    pub postcode: Option<String>,
    /// Measure from this WGS84 latitude (with `lon`; not with `postcode`).
    #[param(value_type = Option<f64>, minimum = 49.0, maximum = 61.0)]
    pub lat: Option<String>,
    /// Measure from this WGS84 longitude (with `lat`).
    #[param(value_type = Option<f64>, minimum = -11.0, maximum = 2.0)]
    pub lon: Option<String>,
    /// Only centres with a venue within this many km (needs a location).
    #[param(value_type = Option<f64>, minimum = 0.1, maximum = 1000.0)]
    pub radius_km: Option<String>,
    /// `true`: only centres that accept self-referrals.
    #[param(value_type = Option<bool>)]
    pub self_referral: Option<String>,
    /// Only centres with a venue that opens on this weekday (for `service`, when
    /// given), now or from a later date.
    #[param(value_type = Option<Weekday>)]
    pub open_on: Option<String>,
    /// How many centres to return, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Where distances are measured from.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Postcode(Postcode),
    Point { latitude: f64, longitude: f64 },
}

/// The sort key of the last row of a page. A distance travels as the bits of
/// its `f64`, so that the next page starts exactly after it (a decimal
/// round trip through JSON may be off by one unit in the last place).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SearchKey {
    DistanceBits(u64),
    Name(String),
}

/// A checked search.
#[derive(Debug, Clone)]
pub struct Search {
    pub service: Option<ServiceType>,
    pub place: Option<Place>,
    pub radius_km: Option<f64>,
    pub self_referral: bool,
    pub open_on: Option<Weekday>,
    pub page: PageRequest<SearchKey>,
}

pub const LATITUDE_RANGE: std::ops::RangeInclusive<f64> = 49.0..=61.0;
pub const LONGITUDE_RANGE: std::ops::RangeInclusive<f64> = -11.0..=2.0;

impl CentreSearchParams {
    /// Checks every parameter, collecting all that are wrong.
    pub fn parse(self, cursors: &CursorKey) -> Result<Search, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let service = parse_word::<ServiceType>("service", self.service.as_deref(), &mut errors);
        let open_on = parse_word::<Weekday>("open_on", self.open_on.as_deref(), &mut errors);
        let lat = parse_number("lat", self.lat.as_deref(), LATITUDE_RANGE, &mut errors);
        let lon = parse_number("lon", self.lon.as_deref(), LONGITUDE_RANGE, &mut errors);
        let radius_km = parse_number(
            "radius_km",
            self.radius_km.as_deref(),
            0.1..=1000.0,
            &mut errors,
        );
        let self_referral = match self.self_referral.as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                errors.push(FieldError::new(
                    "self_referral",
                    "boolean",
                    "must be true or false",
                ));
                false
            }
        };
        let postcode = match self.postcode.as_deref() {
            None => None,
            Some(text) => match postcodes::parse(text) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(FieldError::new("postcode", "postcode", e.to_string()));
                    None
                }
            },
        };
        let place = match (postcode, self.lat.is_some(), self.lon.is_some(), lat, lon) {
            (Some(_), true, _, _, _) | (Some(_), _, true, _, _) => {
                errors.push(FieldError::new(
                    "postcode",
                    "exclusive",
                    "give a postcode or lat and lon, not both",
                ));
                None
            }
            (Some(p), false, false, _, _) => Some(Place::Postcode(p)),
            (None, true, false, _, _) => {
                errors.push(FieldError::new("lon", "required", "is required with lat"));
                None
            }
            (None, false, true, _, _) => {
                errors.push(FieldError::new("lat", "required", "is required with lon"));
                None
            }
            (None, _, _, Some(latitude), Some(longitude)) => Some(Place::Point {
                latitude,
                longitude,
            }),
            _ => None,
        };
        let located = self.postcode.is_some() || self.lat.is_some() || self.lon.is_some();
        if self.radius_km.is_some() && !located {
            errors.push(FieldError::new(
                "radius_km",
                "requires_location",
                "needs a postcode or lat and lon",
            ));
        }
        // A cursor continues the search that made it, with the same filters.
        let seal = cursors.seal(
            "centres",
            &(service, &place, radius_km, self_referral, open_on),
        );
        let page = PageParams {
            limit: self.limit,
            cursor: self.cursor,
        }
        .parse_into::<SearchKey>(seal, &mut errors);
        // A cursor of the other ordering (distance vs name) cannot continue this one.
        let fits = match (page.as_ref().and_then(|p| p.after.as_ref()), located) {
            (None, _) => true,
            (Some(c), true) => {
                matches!(c.key, SearchKey::DistanceBits(d) if f64::from_bits(d).is_finite())
            }
            (Some(c), false) => matches!(c.key, SearchKey::Name(_)),
        };
        if !fits {
            errors.push(FieldError::new(
                "cursor",
                "invalid",
                "is not a cursor returned by this search",
            ));
        }
        match page {
            Some(page) if errors.is_empty() => Ok(Search {
                service,
                place,
                radius_km,
                self_referral,
                open_on,
                page,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

fn parse_word<T: std::str::FromStr>(
    field: &str,
    text: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let text = text?;
    match text.trim().parse() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "enum",
                format!("`{text}` is not a known value"),
            ));
            None
        }
    }
}

fn parse_number(
    field: &str,
    text: Option<&str>,
    range: std::ops::RangeInclusive<f64>,
    errors: &mut Vec<FieldError>,
) -> Option<f64> {
    let text = text?;
    match text.trim().parse::<f64>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(
                field,
                "range",
                format!("must be a number from {} to {}", range.start(), range.end()),
            ));
            None
        }
    }
}

/// Runs a checked search over the directory snapshot, from `origin` (the
/// resolved place, if any): a page of centres and the cursor of the next.
pub fn run(
    snapshot: &Snapshot,
    today: Date,
    search: &Search,
    origin: Option<(f64, f64)>,
) -> (Vec<CentreSummary>, Option<String>) {
    let service = search.service;
    // With `open_on`, only venues with a slot that weekday (for the service).
    let open = |venue: &DirectoryVenue| match search.open_on {
        None => true,
        Some(day) => venue.slots.iter().any(|slot| {
            slot.weekday == day.iso()
                && slot.runs_from(today)
                && service.is_none_or(|s| slot.services.contains(&s))
        }),
    };
    let candidates = snapshot.centres.iter().filter(|c| {
        service.is_none_or(|s| c.services.contains(&s))
            && (!search.self_referral || c.accepts_self_referrals)
    });
    let limit = search.page.limit as usize;
    let mut hits: Vec<(Option<f64>, &DirectoryCentre, Option<&DirectoryVenue>)> = match origin {
        Some((latitude, longitude)) => {
            let origin = Point::new(latitude, longitude);
            let mut hits: Vec<_> = candidates
                .filter_map(|c| {
                    c.venues
                        .iter()
                        .filter(|v| open(v))
                        .map(|v| (origin.haversine(&v.point), v))
                        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id.cmp(&b.1.id)))
                        .map(|(h, v)| (haversine_km(h), c, v))
                })
                .filter(|(d, ..)| search.radius_km.is_none_or(|r| *d <= r))
                .collect();
            hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
            let after = match &search.page.after {
                Some(Cursor {
                    key: SearchKey::DistanceBits(bits),
                    id,
                }) => Some((f64::from_bits(*bits), *id)),
                _ => None,
            };
            hits.into_iter()
                .filter(|(d, c, _)| {
                    after.is_none_or(|(ad, aid)| d.total_cmp(&ad).then(c.id.0.cmp(&aid)).is_gt())
                })
                .take(limit + 1)
                .map(|(d, c, v)| (Some(d), c, Some(v)))
                .collect()
        }
        None => {
            let after = match &search.page.after {
                Some(Cursor {
                    key: SearchKey::Name(name),
                    id,
                }) => Some((name.as_str(), *id)),
                _ => None,
            };
            candidates
                .filter(|c| after.is_none_or(|a| (c.sort_name.as_str(), c.id.0) > a))
                .filter_map(|c| {
                    let venue = c.venues.iter().find(|v| open(v));
                    match (venue, search.open_on) {
                        (None, Some(_)) => None,
                        _ => Some((None, c, venue)),
                    }
                })
                .take(limit + 1)
                .collect()
        }
    };
    let next_cursor = if hits.len() > limit {
        hits.truncate(limit);
        hits.last().map(|(d, c, _)| {
            let key = match d {
                Some(d) => SearchKey::DistanceBits(d.to_bits()),
                None => SearchKey::Name(c.sort_name.clone()),
            };
            Cursor {
                key,
                id: c.id.into(),
            }
            .encode(&search.page.seal)
        })
    } else {
        None
    };
    let items = hits.into_iter().map(|(d, c, v)| summary(c, v, d)).collect();
    (items, next_cursor)
}

fn summary(
    c: &DirectoryCentre,
    venue: Option<&DirectoryVenue>,
    distance: Option<f64>,
) -> CentreSummary {
    CentreSummary {
        id: c.id,
        name: c.name.clone(),
        services: c.services.clone(),
        accepts_self_referrals: c.accepts_self_referrals,
        fee_kind: c.fee_kind,
        accreditation_status: c.accreditation_status,
        venue: venue.map(|v| VenueSummary {
            id: v.id,
            name: v.name.clone(),
            town: v.town.clone(),
            postcode: v.postcode.clone(),
            latitude: v.latitude,
            longitude: v.longitude,
            separate_entrances: v.separate_entrances,
        }),
        distance_km: distance.map(|d| (d * 100.0).round() / 100.0),
        demo: c.demo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn key() -> CursorKey {
        CursorKey::derive(b"test secret")
    }

    fn params(pairs: &[(&str, &str)]) -> CentreSearchParams {
        let query: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        actix_web::web::Query::<CentreSearchParams>::from_query(&query)
            .map(|q| q.into_inner())
            .unwrap_or_default()
    }

    fn fields(result: Result<Search, ApiError>) -> Vec<String> {
        match result {
            Err(ApiError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn a_good_search_reads_every_parameter() {
        let search = params(&[
            ("service", "supervised"),
            ("postcode", "ca1"),
            ("radius_km", "50"),
            ("self_referral", "true"),
            ("open_on", "saturday"),
            ("limit", "10"),
        ])
        .parse(&key());
        let Ok(search) = search else {
            panic!("{search:?}")
        };
        assert_eq!(search.service, Some(ServiceType::Supervised));
        assert_eq!(search.open_on, Some(Weekday::Saturday));
        assert_eq!(search.radius_km, Some(50.0));
        assert!(search.self_referral);
        assert!(matches!(search.place, Some(Place::Postcode(ref p)) if p.outward == "CA1"));
        assert_eq!(search.page.limit, 10);
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let got = fields(
            params(&[
                ("service", "teleport"),
                ("open_on", "caturday"),
                ("radius_km", "-1"),
                ("self_referral", "yes"),
                ("lat", "48"),
            ])
            .parse(&key()),
        );
        for field in [
            "service",
            "open_on",
            "radius_km",
            "self_referral",
            "lat",
            "lon",
        ] {
            assert!(got.iter().any(|f| f == field), "{field} not in {got:?}");
        }
        assert_eq!(
            fields(params(&[("postcode", "CA1"), ("lat", "54"), ("lon", "-3")]).parse(&key())),
            ["postcode"]
        );
        assert_eq!(
            fields(params(&[("radius_km", "5")]).parse(&key())),
            ["radius_km"]
        );
        assert_eq!(
            fields(params(&[("postcode", "not a postcode")]).parse(&key())),
            ["postcode"]
        );
    }

    #[test]
    fn a_cursor_of_the_other_ordering_is_refused() {
        // Signed for the search by name it came from...
        let by_name = Cursor {
            key: SearchKey::Name("carlisle".into()),
            id: Uuid::nil(),
        }
        .encode(&key().seal(
            "centres",
            &(
                None::<ServiceType>,
                None::<Place>,
                None::<f64>,
                false,
                None::<Weekday>,
            ),
        ));
        assert_eq!(
            fields(params(&[("postcode", "CA1"), ("cursor", &by_name)]).parse(&key())),
            ["cursor"]
        );
        assert!(params(&[("cursor", &by_name)]).parse(&key()).is_ok());
    }
}
