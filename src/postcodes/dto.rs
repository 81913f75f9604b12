use serde::Serialize;
use utoipa::ToSchema;

use super::repo::{Location, Precision};

/// Where a postcode is. Contains OS data © Crown copyright and database right
/// 2025; contains Royal Mail data © Royal Mail copyright and database right 2025.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostcodeResponse {
    /// As Royal Mail writes it, or the outward code alone for a district.
    #[schema(example = "CA1 1AA")]
    pub postcode: String,
    /// The outward code (`CA1`).
    #[schema(example = "CA1")]
    pub outward: String,
    /// Whether the position is the postcode's own or its district's centre.
    pub precision: Precision,
    /// OSGB36 British National Grid easting, metres (EPSG:27700).
    #[schema(example = 340_420)]
    pub easting: i32,
    /// OSGB36 British National Grid northing, metres (EPSG:27700).
    #[schema(example = 555_750)]
    pub northing: i32,
    /// WGS84 latitude, degrees.
    #[schema(example = 54.8925)]
    pub latitude: f64,
    /// WGS84 longitude, degrees.
    #[schema(example = -2.9329)]
    pub longitude: f64,
    /// The attribution the data's licence requires.
    pub attribution: &'static str,
}

impl From<Location> for PostcodeResponse {
    fn from(l: Location) -> Self {
        Self {
            postcode: l.postcode,
            outward: l.outward,
            precision: l.precision,
            easting: l.easting,
            northing: l.northing,
            latitude: l.latitude,
            longitude: l.longitude,
            attribution: super::ATTRIBUTION,
        }
    }
}
