//! Looking postcodes up.

use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::parse::Postcode;
use crate::error::ApiError;
use crate::schema::{postcode_districts, postcodes};
use crate::text_enum;

text_enum! {
    /// How closely a location fits the postcode asked for.
    pub enum Precision {
        /// The postcode's own position (Code-Point's mean of its delivery points).
        Unit => "unit",
        /// The centroid of the postcode's district: an outward code was given, the
        /// full table is not loaded, or Code-Point has no position for the unit.
        District => "district",
    }
}

/// Where a postcode is, on the British National Grid and in WGS84.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// As Royal Mail writes it (`CA1 1AA`), or the outward code alone (`CA1`).
    pub postcode: String,
    pub outward: String,
    pub precision: Precision,
    pub easting: i32,
    pub northing: i32,
    pub latitude: f64,
    pub longitude: f64,
}

/// Grid reference and WGS84 position of one postcode; NULL where Code-Point has none.
type UnitRow = (Option<i32>, Option<i32>, Option<f64>, Option<f64>);

/// Finds where a postcode is. `None` means well-formed but unknown: no such
/// postcode in the loaded table, or no such district.
pub async fn locate(
    conn: &mut AsyncPgConnection,
    postcode: &Postcode,
) -> Result<Option<Location>, ApiError> {
    let text = postcode.to_string();
    if postcode.inward.is_some() {
        let unit: Option<UnitRow> = postcodes::table
            .find(&text)
            .select((
                postcodes::easting,
                postcodes::northing,
                postcodes::latitude,
                postcodes::longitude,
            ))
            .first(conn)
            .await
            .optional()?;
        match unit {
            Some((Some(easting), Some(northing), Some(latitude), Some(longitude))) => {
                return Ok(Some(Location {
                    postcode: text,
                    outward: postcode.outward.clone(),
                    precision: Precision::Unit,
                    easting,
                    northing,
                    latitude,
                    longitude,
                }));
            }
            // Known, but Code-Point has no position for it: use its district.
            Some(_) => {}
            None => {
                // Unknown to a loaded table is unknown; with no table loaded the
                // district is the best there is.
                let loaded: bool =
                    diesel::select(exists(postcodes::table.select(postcodes::postcode)))
                        .get_result(conn)
                        .await?;
                if loaded {
                    return Ok(None);
                }
            }
        }
    }
    let district: Option<(i32, i32, f64, f64)> = postcode_districts::table
        .find(&postcode.outward)
        .select((
            postcode_districts::easting,
            postcode_districts::northing,
            postcode_districts::latitude,
            postcode_districts::longitude,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(
        district.map(|(easting, northing, latitude, longitude)| Location {
            postcode: text,
            outward: postcode.outward.clone(),
            precision: Precision::District,
            easting,
            northing,
            latitude,
            longitude,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_words_are_the_wire_words() {
        for p in Precision::ALL {
            assert_eq!(
                serde_json::to_value(p).ok(),
                Some(serde_json::Value::from(p.as_str()))
            );
        }
    }
}
