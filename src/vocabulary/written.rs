//! How dates, times and instants are written in answers: ISO 8601 dates
//! (`2026-11-28`), 24-hour times (`09:30`) and RFC 3339 instants in UTC
//! (`2026-11-28T09:30:00Z`), exactly as `time`'s formatter writes them.
//!
//! They are written by hand, digit by digit, into a few bytes on the stack:
//! a day sheet writes hundreds of dates and times per answer, and `time`'s
//! general formatter costs several times more. [`IsoDate`], [`ClockTime`]
//! and [`UtcInstant`] are response fields that write themselves straight
//! into the JSON, with no string of their own; the `format_` functions give
//! a `String` where one is needed. Years outside 0..=9999 (never stored: see
//! [`super::calendar::YEARS`]) and instants off UTC or with a fraction of a
//! second take the general path, which writes them exactly as before.

use std::fmt;

use serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

/// Up to 20 ASCII bytes (an instant's length) built on the stack.
struct Short {
    bytes: [u8; 20],
    len: usize,
}

impl Short {
    fn new() -> Self {
        Self {
            bytes: [0; 20],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Appends `n` as exactly `width` decimal digits, zero-padded (`n` must
    /// fit).
    fn digits(&mut self, n: u32, width: u32) {
        for place in (0..width).rev() {
            self.push(b'0' + ((n / 10u32.pow(place)) % 10) as u8);
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever pushed.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// `YYYY-MM-DD`, or None for a year that does not take four digits.
fn date_text(date: Date) -> Option<Short> {
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = Short::new();
    push_date(&mut out, year, date);
    Some(out)
}

fn push_date(out: &mut Short, year: u32, date: Date) {
    out.digits(year, 4);
    out.push(b'-');
    out.digits(u32::from(u8::from(date.month())), 2);
    out.push(b'-');
    out.digits(u32::from(date.day()), 2);
}

/// `HH:MM`.
fn time_text(time: Time) -> Short {
    let mut out = Short::new();
    out.digits(u32::from(time.hour()), 2);
    out.push(b':');
    out.digits(u32::from(time.minute()), 2);
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` for whole seconds in UTC (every session time);
/// None for anything else.
fn instant_text(at: OffsetDateTime) -> Option<Short> {
    if !at.offset().is_utc() || at.nanosecond() != 0 {
        return None;
    }
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = Short::new();
    push_date(&mut out, year, at.date());
    out.push(b'T');
    out.digits(u32::from(at.hour()), 2);
    out.push(b':');
    out.digits(u32::from(at.minute()), 2);
    out.push(b':');
    out.digits(u32::from(at.second()), 2);
    out.push(b'Z');
    Some(out)
}

/// Writes a date as ISO 8601 (`2026-11-28`).
pub fn format_date(date: Date) -> String {
    IsoDate(date).to_string()
}

/// Writes a time of day as `HH:MM`.
pub fn format_time(time: Time) -> String {
    ClockTime(time).to_string()
}

/// Writes an instant as RFC 3339 in UTC (`2026-11-28T09:30:00Z`), as `time`
/// does.
pub fn format_instant(at: OffsetDateTime) -> String {
    UtcInstant(at).to_string()
}

/// A date in an answer, written as ISO 8601 (`2026-11-28`). In the OpenAPI
/// document a field of this type is a string of format `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDate(pub Date);

/// A time of day in an answer, written as `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub Time);

/// An instant in an answer, written as RFC 3339 in UTC. In the OpenAPI
/// document a field of this type is a string of format `date-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcInstant(pub OffsetDateTime);

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match date_text(self.0) {
            Some(text) => f.write_str(text.as_str()),
            None => f.write_str(
                &self
                    .0
                    .format(format_description!("[year]-[month]-[day]"))
                    .unwrap_or_default(),
            ),
        }
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(time_text(self.0).as_str())
    }
}

impl fmt::Display for UtcInstant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match instant_text(self.0) {
            Some(text) => f.write_str(text.as_str()),
            None => f.write_str(&self.0.format(&Rfc3339).unwrap_or_default()),
        }
    }
}

// Each writes its text straight into the JSON (serde_json escapes it as it
// goes), with no string of its own.
impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for UtcInstant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The hand-written forms are exactly `time`'s, for any date, time
        /// and instant (including those that take the general path), and a
        /// field writes in JSON what its `format_` function gives.
        #[test]
        fn hand_written_forms_match_the_general_formatter(
            day in -1_930_999i32..=5_373_484,
            secs in 0u32..86_400,
            nanos in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000_000],
            offset_minutes in proptest::prop_oneof![proptest::strategy::Just(0i16), -720i16..720],
        ) {
            let date = Date::from_julian_day(day).unwrap();
            let time = Time::from_hms_nano(
                (secs / 3600) as u8, (secs / 60 % 60) as u8, (secs % 60) as u8, nanos,
            ).unwrap();
            let iso = date.format(format_description!("[year]-[month]-[day]")).unwrap();
            proptest::prop_assert_eq!(&format_date(date), &iso);
            proptest::prop_assert_eq!(serde_json::json!(IsoDate(date)), serde_json::json!(iso));
            proptest::prop_assert_eq!(IsoDate(date).to_string(), iso);
            let clock = time.format(format_description!("[hour]:[minute]")).unwrap();
            proptest::prop_assert_eq!(&format_time(time), &clock);
            proptest::prop_assert_eq!(serde_json::json!(ClockTime(time)), serde_json::json!(clock));
            let offset = time::UtcOffset::from_whole_seconds(i32::from(offset_minutes) * 60).unwrap();
            let at = time::PrimitiveDateTime::new(date, time).assume_offset(offset);
            let rfc = at.format(&Rfc3339).unwrap_or_default();
            proptest::prop_assert_eq!(&format_instant(at), &rfc);
            proptest::prop_assert_eq!(serde_json::json!(UtcInstant(at)), serde_json::json!(rfc));
            proptest::prop_assert_eq!(UtcInstant(at).to_string(), rfc);
        }
    }
}
