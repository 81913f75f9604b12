//! Field rules shared by request types.

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
    fn blank_and_nul_text_is_refused() {
        assert!(not_blank("Carlisle").is_ok());
        assert!(not_blank("   ").is_err());
        assert!(not_blank("a\0b").is_err());
    }
}
