//! Field rules shared by request types.

use time::macros::format_description;
use time::{Date, Time};
use validator::ValidationError;

use crate::error::FieldError;

/// Field errors gathered across a whole request, so that one 422 names every
/// broken rule (`children[1].date_of_birth`, `services[2]`).
#[derive(Debug, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// The value, or `None` with its error kept.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    pub fn take_opt<T>(&mut self, result: Option<Result<T, FieldError>>) -> Option<T> {
        result.and_then(|r| self.take(r))
    }

    /// Keeps the errors of a `validator` derive.
    pub fn validator(&mut self, result: Result<(), validator::ValidationErrors>) {
        if let Err(e) = result {
            if let crate::error::ApiError::Validation(mut list) = crate::error::ApiError::from(e) {
                self.0.append(&mut list);
            }
        }
    }

    /// A word of an enum; `words` lists the accepted ones for the message.
    pub fn word<T: std::str::FromStr>(
        &mut self,
        field: &str,
        text: &str,
        words: &str,
    ) -> Option<T> {
        let parsed = text.trim().parse().ok();
        if parsed.is_none() {
            self.push(field, "enum", format!("must be one of {words}"));
        }
        parsed
    }

    /// Text of `min..=max` characters (trimmed), without NUL.
    pub fn text(&mut self, field: &str, text: &str, min: usize, max: usize) -> String {
        let t = text.trim();
        let n = t.chars().count();
        if n < min || n > max || t.contains('\0') {
            let what = if min == 0 {
                format!("must be at most {max} characters")
            } else {
                format!("must be {min} to {max} characters")
            };
            self.push(field, "length", what);
        }
        t.to_owned()
    }

    /// Optional text of at most `max` characters; blank is none.
    pub fn optional_text(&mut self, field: &str, text: Option<&str>, max: usize) -> Option<String> {
        text.map(|t| self.text(field, t, 0, max))
            .filter(|t| !t.is_empty())
    }

    /// The value if no rule was broken, else one 422 listing them all.
    pub fn finish<T>(self, value: T) -> Result<T, crate::error::ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(crate::error::ApiError::Validation(self.0))
        }
    }
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

/// Writes a date as ISO 8601 (`2026-11-28`).
pub fn format_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Reads a time of day on the 24-hour clock (`09:30`, or `09:30:00`).
pub fn parse_time(field: &str, text: &str) -> Result<Time, FieldError> {
    let text = text.trim();
    Time::parse(text, format_description!("[hour]:[minute]"))
        .or_else(|_| Time::parse(text, format_description!("[hour]:[minute]:[second]")))
        .map_err(|_| FieldError::new(field, "time", "must be a time as HH:MM (24-hour clock)"))
}

/// Writes a time of day as `HH:MM`.
pub fn format_time(time: Time) -> String {
    time.format(format_description!("[hour]:[minute]"))
        .unwrap_or_default()
}

/// Names and labels must hold more than white space, and no NUL character
/// (which PostgreSQL text cannot store).
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    let problem = if value.trim().is_empty() {
        Some(("blank", "must not be blank"))
    } else if value.contains('\0') {
        Some(("nul", "must not contain NUL characters"))
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some((code, message)) => {
            let mut e = ValidationError::new(code);
            e.message = Some(message.into());
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn blank_and_nul_text_is_refused() {
        assert!(not_blank("Carlisle").is_ok());
        assert!(not_blank("   ").is_err());
        assert!(not_blank("a\0b").is_err());
    }
}
