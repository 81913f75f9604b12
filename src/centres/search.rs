//! Finding a centre: active centres offering a service, nearest first (or by
//! name without a location), each with its nearest venue and the distance.
//!
//! Distances are great-circle (haversine) distances between WGS84 points, in
//! km. A network has hundreds of centres, so every venue's distance is
//! computed per search; keyset pagination is on (distance, centre id), or
//! (lower-case name, centre id) without a location.

use diesel::sql_types::{Array, Bool, Float8, Int2, Int8, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{CentreSummary, VenueSummary};
use super::model::{services_from_column, ServiceType, Weekday};
use crate::error::{ApiError, FieldError};
use crate::pagination::{Cursor, PageParams, PageRequest};
use crate::postcodes::{self, Postcode};
use crate::text_enum::parse_column;

/// Query parameters of `GET /api/v1/centres`. Each is read on its own so that a
/// bad one is named in the 422.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreSearchParams {
    /// Only centres offering this service.
    #[param(value_type = Option<ServiceType>)]
    pub service: Option<String>,
    /// Measure from this postcode (`CA1 1AA`) or district (`CA1`); any case or spacing.
    #[param(example = "CA1", pattern = "^\\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\\s*([0-9][A-Za-z]{2})?\\s*$")]
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
    /// Only centres with a venue open on this weekday (for `service`, when given).
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
    pub fn parse(self) -> Result<Search, ApiError> {
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
        let page = PageParams {
            limit: self.limit,
            cursor: self.cursor,
        }
        .parse::<SearchKey>();
        let page = match page {
            Ok(page) => {
                let fits = match (&page.after, located) {
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
                Some(page)
            }
            Err(ApiError::Validation(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(other) => return Err(other),
        };
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

#[derive(Debug, QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sort_name: String,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    services: Vec<Option<String>>,
    #[diesel(sql_type = Bool)]
    accepts_self_referrals: bool,
    #[diesel(sql_type = Text)]
    fee_kind: String,
    #[diesel(sql_type = Text)]
    accreditation_status: String,
    #[diesel(sql_type = Bool)]
    demo: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    venue_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    venue_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    town: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    postcode: Option<String>,
    #[diesel(sql_type = Nullable<Float8>)]
    latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    longitude: Option<f64>,
    #[diesel(sql_type = Nullable<Bool>)]
    separate_entrances: Option<bool>,
    #[diesel(sql_type = Nullable<Float8>)]
    distance_km: Option<f64>,
}

/// The UK calendar day, whatever the server's zone.
const UK_TODAY: &str = "(now() AT TIME ZONE 'Europe/London')::date";

/// Centres nearest a point: for each centre its nearest venue that passes the
/// filters, then centres by that distance.
fn nearest_sql() -> String {
    format!(
        "WITH nearest AS (
           SELECT DISTINCT ON (c.id)
                  c.id, c.name, lower(c.name) AS sort_name, c.services, c.accepts_self_referrals,
                  c.fee_kind, c.accreditation_status, c.demo,
                  v.id AS venue_id, v.name AS venue_name, v.town, v.postcode, v.latitude,
                  v.longitude, v.separate_entrances,
                  2 * 6371.0088 * asin(least(1, sqrt(
                      power(sin(radians(v.latitude - $1) / 2), 2)
                      + cos(radians($1)) * cos(radians(v.latitude))
                        * power(sin(radians(v.longitude - $2) / 2), 2)))) AS distance_km
           FROM centres c
           JOIN venues v ON v.centre_id = c.id
           WHERE c.status = 'active'
             AND ($3::text IS NULL OR $3 = ANY (c.services))
             AND (NOT $4 OR c.accepts_self_referrals)
             AND ($5::smallint IS NULL OR EXISTS (
                   SELECT 1 FROM opening_sessions o
                   WHERE o.venue_id = v.id AND o.weekday = $5
                     AND ($3::text IS NULL OR $3 = ANY (o.services))
                     AND o.effective_from <= {UK_TODAY}
                     AND (o.effective_to IS NULL OR o.effective_to >= {UK_TODAY})))
           ORDER BY c.id, distance_km, v.id
         )
         SELECT * FROM nearest
         WHERE ($6::float8 IS NULL OR distance_km <= $6)
           AND ($7::float8 IS NULL OR (distance_km, id) > ($7, $8::uuid))
         ORDER BY distance_km, id
         LIMIT $9"
    )
}

/// Centres by name, each with its first venue (by name) that passes the filters.
fn by_name_sql() -> String {
    format!(
        "SELECT c.id, c.name, lower(c.name) AS sort_name, c.services, c.accepts_self_referrals,
                c.fee_kind, c.accreditation_status, c.demo,
                v.id AS venue_id, v.name AS venue_name, v.town, v.postcode, v.latitude,
                v.longitude, v.separate_entrances, NULL::float8 AS distance_km
         FROM centres c
         LEFT JOIN LATERAL (
           SELECT * FROM venues v
           WHERE v.centre_id = c.id
             AND ($3::smallint IS NULL OR EXISTS (
                   SELECT 1 FROM opening_sessions o
                   WHERE o.venue_id = v.id AND o.weekday = $3
                     AND ($1::text IS NULL OR $1 = ANY (o.services))
                     AND o.effective_from <= {UK_TODAY}
                     AND (o.effective_to IS NULL OR o.effective_to >= {UK_TODAY})))
           ORDER BY v.name, v.id
           LIMIT 1
         ) v ON true
         WHERE c.status = 'active'
           AND ($1::text IS NULL OR $1 = ANY (c.services))
           AND (NOT $2 OR c.accepts_self_referrals)
           AND ($3::smallint IS NULL OR v.id IS NOT NULL)
           AND ($4::text IS NULL OR (lower(c.name), c.id) > ($4, $5::uuid))
         ORDER BY lower(c.name), c.id
         LIMIT $6"
    )
}

/// Runs a checked search from `origin` (the resolved place, if any).
pub async fn run(
    conn: &mut AsyncPgConnection,
    search: &Search,
    origin: Option<(f64, f64)>,
) -> Result<(Vec<CentreSummary>, Option<String>), ApiError> {
    let service = search.service.map(|s| s.as_str());
    let weekday = search.open_on.map(Weekday::iso);
    let after_id = search.page.after.as_ref().map(|c| c.id);
    let rows: Vec<Row> = match origin {
        Some((latitude, longitude)) => {
            let after = match &search.page.after {
                Some(Cursor {
                    key: SearchKey::DistanceBits(d),
                    ..
                }) => Some(f64::from_bits(*d)),
                _ => None,
            };
            diesel::sql_query(nearest_sql())
                .bind::<Float8, _>(latitude)
                .bind::<Float8, _>(longitude)
                .bind::<Nullable<Text>, _>(service)
                .bind::<Bool, _>(search.self_referral)
                .bind::<Nullable<Int2>, _>(weekday)
                .bind::<Nullable<Float8>, _>(search.radius_km)
                .bind::<Nullable<Float8>, _>(after)
                .bind::<Nullable<SqlUuid>, _>(after_id)
                .bind::<Int8, _>(search.page.fetch_limit())
                .load(conn)
                .await?
        }
        None => {
            let after = match &search.page.after {
                Some(Cursor {
                    key: SearchKey::Name(n),
                    ..
                }) => Some(n.as_str()),
                _ => None,
            };
            diesel::sql_query(by_name_sql())
                .bind::<Nullable<Text>, _>(service)
                .bind::<Bool, _>(search.self_referral)
                .bind::<Nullable<Int2>, _>(weekday)
                .bind::<Nullable<Text>, _>(after)
                .bind::<Nullable<SqlUuid>, _>(after_id)
                .bind::<Int8, _>(search.page.fetch_limit())
                .load(conn)
                .await?
        }
    };
    let mut rows = rows;
    let limit = search.page.limit as usize;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let key = match r.distance_km {
                Some(d) => SearchKey::DistanceBits(d.to_bits()),
                None => SearchKey::Name(r.sort_name.clone()),
            };
            Cursor { key, id: r.id }.encode()
        })
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((items, next_cursor))
}

fn summary(row: Row) -> Result<CentreSummary, ApiError> {
    let venue = match (row.venue_id, row.latitude, row.longitude) {
        (Some(id), Some(latitude), Some(longitude)) => Some(VenueSummary {
            id,
            name: row.venue_name.unwrap_or_default(),
            town: row.town.unwrap_or_default(),
            postcode: row.postcode,
            latitude,
            longitude,
            separate_entrances: row.separate_entrances.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(CentreSummary {
        id: row.id,
        name: row.name,
        services: services_from_column(&row.services)?,
        accepts_self_referrals: row.accepts_self_referrals,
        fee_kind: parse_column(&row.fee_kind)?,
        accreditation_status: parse_column(&row.accreditation_status)?,
        venue,
        distance_km: row.distance_km.map(|d| (d * 100.0).round() / 100.0),
        demo: row.demo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        .parse();
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
            .parse(),
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
            fields(params(&[("postcode", "CA1"), ("lat", "54"), ("lon", "-3")]).parse()),
            ["postcode"]
        );
        assert_eq!(fields(params(&[("radius_km", "5")]).parse()), ["radius_km"]);
        assert_eq!(
            fields(params(&[("postcode", "not a postcode")]).parse()),
            ["postcode"]
        );
    }

    #[test]
    fn a_cursor_of_the_other_ordering_is_refused() {
        let by_name = Cursor {
            key: SearchKey::Name("carlisle".into()),
            id: Uuid::nil(),
        }
        .encode();
        assert_eq!(
            fields(params(&[("postcode", "CA1"), ("cursor", &by_name)]).parse()),
            ["cursor"]
        );
        assert!(params(&[("cursor", &by_name)]).parse().is_ok());
    }
}
