//! Days and times as people at a UK centre mean them: ISO 8601 dates
//! (`2026-11-28`), 24-hour times (`09:30`), weekdays, and today's date in the
//! UK whatever the server's zone.

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::macros::format_description;
use time::{Date, Time};

use crate::error::{ApiError, FieldError};
use crate::text_enum;

pub use super::written::{format_date, format_instant, format_time};

text_enum! {
    /// A day of the week.
    pub enum Weekday {
        Monday => "monday",
        Tuesday => "tuesday",
        Wednesday => "wednesday",
        Thursday => "thursday",
        Friday => "friday",
        Saturday => "saturday",
        Sunday => "sunday",
    }
}

impl Weekday {
    /// ISO 8601 number, as stored in `smallint` columns: 1 = Monday .. 7 = Sunday.
    pub fn iso(self) -> i16 {
        match self {
            Self::Monday => 1,
            Self::Tuesday => 2,
            Self::Wednesday => 3,
            Self::Thursday => 4,
            Self::Friday => 5,
            Self::Saturday => 6,
            Self::Sunday => 7,
        }
    }

    pub fn from_iso(n: i16) -> Result<Self, ApiError> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.iso() == n)
            .ok_or_else(|| ApiError::internal(format!("weekday {n} out of range")))
    }

    pub fn of(date: Date) -> Self {
        match date.weekday() {
            time::Weekday::Monday => Self::Monday,
            time::Weekday::Tuesday => Self::Tuesday,
            time::Weekday::Wednesday => Self::Wednesday,
            time::Weekday::Thursday => Self::Thursday,
            time::Weekday::Friday => Self::Friday,
            time::Weekday::Saturday => Self::Saturday,
            time::Weekday::Sunday => Self::Sunday,
        }
    }
}

/// Reads a weekday word sent by a client.
pub fn parse_weekday(field: &str, text: &str) -> Result<Weekday, FieldError> {
    text.trim().parse().map_err(|_| {
        FieldError::new(
            field,
            "enum",
            "must be a weekday: monday, tuesday, ... sunday",
        )
    })
}

/// The zone of every centre.
pub const UK_ZONE: &str = "Europe/London";

// PostgreSQL's `timezone(zone, …)` (what `AT TIME ZONE` means) both ways, as
// typed expressions: statements built from them keep the same text and stay
// prepared, where SQL text of ours would be parsed and planned on every call.
diesel::define_sql_function! {
    /// The instant of a local time in `zone`.
    #[sql_name = "timezone"]
    fn instant_of_local(zone: diesel::sql_types::Text, local: diesel::sql_types::Timestamp) -> diesel::sql_types::Timestamptz;
}
diesel::define_sql_function! {
    /// The local time in `zone` of an instant.
    #[sql_name = "timezone"]
    fn local_of_instant(zone: diesel::sql_types::Text, at: diesel::sql_types::Timestamptz) -> diesel::sql_types::Timestamp;
}

/// Today's date in the UK, where every centre is, whatever the server's zone.
pub async fn uk_today(conn: &mut AsyncPgConnection) -> Result<Date, ApiError> {
    let local: time::PrimitiveDateTime =
        diesel::select(local_of_instant(UK_ZONE, diesel::dsl::now))
            .get_result(conn)
            .await?;
    Ok(local.date())
}

/// The UK date of an instant.
pub async fn uk_date_of(
    conn: &mut AsyncPgConnection,
    at: time::OffsetDateTime,
) -> Result<Date, ApiError> {
    let local: time::PrimitiveDateTime = diesel::select(local_of_instant(UK_ZONE, at))
        .get_result(conn)
        .await?;
    Ok(local.date())
}

/// The years a date sent to the API may fall in: wide enough for any child's
/// birth or court order, narrow enough that date arithmetic and PostgreSQL
/// never overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Reads an ISO 8601 calendar date (`2026-11-28`) in [`YEARS`].
pub fn parse_date(field: &str, text: &str) -> Result<Date, FieldError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "date",
                "must be a date as YYYY-MM-DD, from 1900 to 2200",
            )
        })
}

/// Reads a time of day on the 24-hour clock (`09:30`, or `09:30:00`).
pub fn parse_time(field: &str, text: &str) -> Result<Time, FieldError> {
    let text = text.trim();
    Time::parse(text, format_description!("[hour]:[minute]"))
        .or_else(|_| Time::parse(text, format_description!("[hour]:[minute]:[second]")))
        .map_err(|_| FieldError::new(field, "time", "must be a time as HH:MM (24-hour clock)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_send_their_words_and_are_iso_numbered() {
        crate::text_enum::assert_wire_words(Weekday::ALL, Weekday::as_str);
        let saturday = time::macros::date!(2026 - 11 - 28);
        assert_eq!(Weekday::of(saturday), Weekday::Saturday);
        assert_eq!(Weekday::Saturday.iso(), 6);
        for d in Weekday::ALL {
            assert_eq!(Weekday::from_iso(d.iso()).ok(), Some(*d));
        }
        assert!(Weekday::from_iso(0).is_err());
    }

    #[test]
    fn dates_and_times_read_and_write_iso_forms() {
        let date = parse_date("d", " 2026-11-28 ").map(format_date);
        assert_eq!(date.ok().as_deref(), Some("2026-11-28"));
        assert!(parse_date("d", "28/11/2026").is_err());
        assert!(parse_date("d", "2026-02-30").is_err());
        assert!(parse_date("d", "-5000-01-01").is_err());
        assert!(parse_date("d", "9999-12-31").is_err());
        let time = parse_time("t", "09:30").map(format_time);
        assert_eq!(time.ok().as_deref(), Some("09:30"));
        assert_eq!(
            parse_time("t", "17:05:00").map(format_time).ok().as_deref(),
            Some("17:05")
        );
        assert_eq!(
            parse_time("t", "25:00").err().map(|e| e.code),
            Some("time".to_owned())
        );
    }
}
