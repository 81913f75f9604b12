//! Reading what people type as a postcode, and turning Code-Point Open grid
//! references into latitude and longitude.
//!
//! A postcode is an outward code (area letters and district: `CA1`, `EC1A`)
//! and, optionally here, an inward code (sector digit and unit letters: `1AA`).
//! An outward code alone names a district, which resolves to its centroid.

use std::fmt;

/// A well-formed postcode, or an outward code alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode {
    pub outward: String,
    pub inward: Option<String>,
}

impl fmt::Display for Postcode {
    /// As Royal Mail writes it: `CA1 1AA`, or `CA1` for a district.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inward {
            Some(inward) => write!(f, "{} {}", self.outward, inward),
            None => f.write_str(&self.outward),
        }
    }
}

/// Why a text is not a postcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a UK postcode (expected a form like CA1 1AA, or an outward code like CA1)")]
pub struct MalformedPostcode;

/// Reads a postcode however it was typed: any case, any spacing (`ca11aa`,
/// ` CA1 1AA `). Checks the shape only; whether it exists is the lookup's job.
pub fn parse(input: &str) -> Result<Postcode, MalformedPostcode> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !compact.is_ascii() {
        return Err(MalformedPostcode);
    }
    if is_outward(&compact) {
        return Ok(Postcode {
            outward: compact,
            inward: None,
        });
    }
    if compact.len() < 5 {
        return Err(MalformedPostcode);
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    if is_outward(outward) && is_inward(inward) {
        Ok(Postcode {
            outward: outward.to_owned(),
            inward: Some(inward.to_owned()),
        })
    } else {
        Err(MalformedPostcode)
    }
}

/// `A9`, `A99`, `AA9`, `AA99`, `A9A`, `AA9A`.
fn is_outward(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &b[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, e] => d.is_ascii_digit() && (e.is_ascii_digit() || e.is_ascii_uppercase()),
        _ => false,
    }
}

/// `9AA`.
fn is_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1].is_ascii_uppercase() && b[2].is_ascii_uppercase()
}

/// WGS84 latitude and longitude (degrees) of an OSGB36 British National Grid
/// position, through the OSTN15 transformation (centimetre accuracy on land).
/// `None` off the grid's coverage.
pub fn grid_to_wgs84(easting: f64, northing: f64) -> Option<(f64, f64)> {
    lonlat_bng::convert_osgb36_to_ll(easting, northing)
        .ok()
        .filter(|(lon, lat)| lon.is_finite() && lat.is_finite())
        .map(|(lon, lat)| (lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_forms_normalise_to_royal_mail_form() {
        for (typed, written) in [
            ("ca11aa", "CA1 1AA"),
            (" CA1 1AA ", "CA1 1AA"),
            ("ec1a1bb", "EC1A 1BB"),
            ("W1A 0AX", "W1A 0AX"),
            ("m11ae", "M1 1AE"),
            ("b33 8th", "B33 8TH"),
            ("ca1", "CA1"),
            ("EC1A", "EC1A"),
        ] {
            assert_eq!(
                parse(typed).map(|p| p.to_string()),
                Ok(written.to_owned()),
                "{typed}"
            );
        }
        assert_eq!(parse("CA1").map(|p| p.inward), Ok(None));
    }

    #[test]
    fn malformed_postcodes_are_refused() {
        for bad in [
            "", "1AA", "CA", "CAA1 1AA", "CA1 1A", "CA1 AAA", "CA1 11A", "CA1-1AA", "ÇA1 1AA",
            "CA123",
        ] {
            assert_eq!(parse(bad), Err(MalformedPostcode), "{bad:?}");
        }
    }

    /// Distance in metres between two WGS84 points (haversine; enough at 5 m).
    fn metres((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let dp = p2 - p1;
        let dl = (lon2 - lon1).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6_371_000.0 * a.sqrt().asin()
    }

    #[test]
    fn the_ordnance_survey_worked_example_converts_within_5_metres() {
        // OS "A guide to coordinate systems in Great Britain", Caister water tower:
        // National Grid E 651409.903 N 313177.270 is ETRS89 (= WGS84 here)
        // 52°39'28.8282"N 1°42'57.8663"E.
        let expected = (
            52.0 + 39.0 / 60.0 + 28.8282 / 3600.0,
            1.0 + 42.0 / 60.0 + 57.8663 / 3600.0,
        );
        let got = grid_to_wgs84(651_409.903, 313_177.270).expect("on the grid");
        assert!(
            metres(got, expected) < 5.0,
            "{got:?} is {} m off",
            metres(got, expected)
        );
    }

    #[test]
    fn positions_off_the_grid_have_no_coordinates() {
        assert_eq!(grid_to_wgs84(-1_000_000.0, -1_000_000.0), None);
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,12}") {
            let _ = parse(&s);
        }

        /// Every outward form (`A9`, `A99`, `AA9`, `AA99`, `A9A`, `AA9A`), with or
        /// without its inward code, typed in any case and spacing: parsed, then
        /// written and parsed again, it is the same postcode.
        #[test]
        fn every_form_however_typed_round_trips(
            outward in "[A-Z]{1,2}[0-9]([0-9]|[A-Z])?",
            inward in proptest::option::of("[0-9][A-Z]{2}"),
            lower in any::<bool>(),
            spaces in "[ \t]{0,3}",
        ) {
            let written = match &inward {
                Some(i) => format!("{spaces}{outward}{spaces}{i}{spaces}"),
                None => format!("{spaces}{outward}{spaces}"),
            };
            let typed = if lower { written.to_lowercase() } else { written };
            let p = parse(&typed).map_err(|_| TestCaseError::fail(typed.clone()))?;
            prop_assert_eq!(&p.outward, &outward);
            prop_assert_eq!(&p.inward, &inward);
            prop_assert_eq!(parse(&p.to_string()), Ok(p));
        }

        #[test]
        fn every_well_formed_postcode_is_accepted(
            area in "[A-Z]{1,2}", district in "[0-9]{1,2}", sector in "[0-9]", unit in "[A-Z]{2}"
        ) {
            let typed = format!("{}{} {}{}", area.to_lowercase(), district, sector, unit);
            let p = parse(&typed).map_err(|_| TestCaseError::fail(typed.clone()))?;
            prop_assert_eq!(p.to_string(), format!("{area}{district} {sector}{unit}"));
        }
    }
}
