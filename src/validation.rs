//! The one way a request is checked: each request type has a `parse` (or a
//! rules module) that reads it field by field into typed values, gathering
//! every broken rule in [`FieldErrors`] so that one 422 names them all
//! (`children[1].date_of_birth`, `services[2]`). Text that recurs has a
//! parsed type ([`Name`], [`Email`], [`Phone`] and `postcodes::Postcode`): once parsed
//! it cannot hold a bad value (zero2prod's `SubscriberName`).

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

    /// A [`Name`], or `None` with its error kept.
    pub fn name(&mut self, field: &str, text: &str) -> Option<Name> {
        self.take(Name::parse(field, text))
    }

    /// An optional [`Phone`]: blank is none, anything else must parse.
    pub fn optional_phone(&mut self, field: &str, text: Option<&str>) -> Option<Phone> {
        let text = text.map(str::trim).filter(|t| !t.is_empty())?;
        self.take(Phone::parse(field, text))
    }

    /// An [`Email`], or `None` with its error kept.
    pub fn email(&mut self, field: &str, text: &str) -> Option<Email> {
        self.take(Email::parse(field, text))
    }

    /// A web address: `http://` or `https://`, a host, no white space, at
    /// most 500 characters.
    pub fn website(&mut self, field: &str, text: &str) {
        let t = text.trim();
        let host = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"))
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        let ok = t.chars().count() <= 500
            && !t.contains(char::is_whitespace)
            && host.is_some_and(|h| !h.is_empty());
        if !ok {
            self.push(field, "url", "must be a URL");
        }
    }

    /// Text of at most `max` characters, as given (passwords, tokens): only
    /// its length is checked.
    pub fn opaque(&mut self, field: &str, text: &str, min: usize, max: usize) {
        let n = text.chars().count();
        if n < min || n > max {
            self.push(
                field,
                "length",
                format!("must be {min} to {max} characters"),
            );
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

    /// Text of `min..=max` characters, without NUL: at least `min` once
    /// trimmed, at most `max` as sent (as the schema's maxLength counts it).
    pub fn text(&mut self, field: &str, text: &str, min: usize, max: usize) -> String {
        let t = text.trim();
        if t.chars().count() < min || text.chars().count() > max || t.contains('\0') {
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

    /// The parsed value if no rule was broken, else one 422 listing them all
    /// (a value missing is missing for a rule already named).
    pub fn finish_one<A>(self, a: Option<A>) -> Result<A, crate::error::ApiError> {
        match a {
            Some(a) => self.finish(a),
            None => Err(crate::error::ApiError::Validation(self.0)),
        }
    }

    /// Two parsed values if no rule was broken, else one 422 listing them all.
    pub fn finish_both<A, B>(
        self,
        a: Option<A>,
        b: Option<B>,
    ) -> Result<(A, B), crate::error::ApiError> {
        match (a, b) {
            (Some(a), Some(b)) => self.finish((a, b)),
            _ => Err(crate::error::ApiError::Validation(self.0)),
        }
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

/// A person's, centre's or organisation's name as a request gives it: 1 to 200
/// characters once trimmed, not blank, no NUL. Parsed once where the request
/// is read, so a `Name` in the code is always a good one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, "blank", "must not be blank"));
        }
        if t.contains('\0') {
            return Err(FieldError::new(
                field,
                "nul",
                "must not contain NUL characters",
            ));
        }
        // Counted as sent, as the schema's maxLength counts it: text the
        // schema forbids is refused even where trimming would fit it.
        if text.chars().count() > 200 {
            return Err(FieldError::new(
                field,
                "length",
                "must be 1 to 200 characters",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address: trimmed and lower-cased (addresses are compared that
/// way), at most 254 characters, `local@domain.tld` without white space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let t = text.trim().to_lowercase();
        let ok = t.chars().count() <= 254
            && !t.contains(char::is_whitespace)
            && !t.contains('\0')
            && t.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if ok {
            Ok(Self(t))
        } else {
            Err(FieldError::new(field, "email", "must be an email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A telephone number as people write it: digits with spaces, dashes,
/// dots, brackets and a leading `+`, holding 7 to 15 digits (E.164's
/// limit), at most 40 characters. Kept as written, trimmed: a centre rings
/// it, it is not dialled by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let t = text.trim();
        let digits = t.chars().filter(char::is_ascii_digit).count();
        let allowed = |(i, c): (usize, char)| {
            c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0)
        };
        if t.chars().count() <= 40
            && (7..=15).contains(&digits)
            && t.chars().enumerate().all(allowed)
        {
            Ok(Self(t.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "phone",
                "must be a telephone number of 7 to 15 digits",
            ))
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_as_sent_as_the_schema_counts_them() {
        let padded = format!("\u{c}{}", "a".repeat(200));
        assert!(Name::parse("name", &padded).is_err());
        assert!(Name::parse("name", &"a".repeat(200)).is_ok());
        let mut errors = FieldErrors::default();
        errors.text("reason", &padded, 1, 200);
        assert_eq!(errors.0.len(), 1);
    }

    #[test]
    fn names_are_trimmed_and_refused_when_blank_long_or_holding_nul() {
        assert_eq!(
            Name::parse("n", "  Carlisle ").map(Name::into_inner),
            Ok("Carlisle".to_owned())
        );
        for (bad, code) in [("   ", "blank"), ("a\0b", "nul")] {
            assert_eq!(
                Name::parse("n", bad).map_err(|e| e.code),
                Err(code.to_owned())
            );
        }
        assert!(Name::parse("n", &"x".repeat(200)).is_ok());
        assert!(Name::parse("n", &"x".repeat(201)).is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            Email::parse("e", " Jo@Example.ORG ").map(Email::into_inner),
            Ok("jo@example.org".to_owned())
        );
        for bad in [
            "jo",
            "@example.org",
            "jo@example",
            "jo@.org",
            "jo@x.",
            "j o@x.org",
            "a@b@c.org",
        ] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_are_digits_with_the_usual_separators() {
        for good in ["0300 555 0001", "+44 (0)1228 555-123", "07700.900123"] {
            assert_eq!(
                Phone::parse("p", good).map(Phone::into_inner),
                Ok(good.to_owned())
            );
        }
        for bad in [
            "555",
            "call me",
            "0300 555 0001 ext 4",
            "44+1228555123",
            &"1".repeat(16),
        ] {
            assert!(Phone::parse("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn websites_need_http_or_https_and_a_host() {
        let mut errors = FieldErrors::default();
        errors.website("w", "https://carlisle.example/contact");
        errors.website("w", "http://localhost:8080");
        assert!(errors.0.is_empty(), "{:?}", errors.0);
        for bad in [
            "carlisle.example",
            "ftp://x.org",
            "https://",
            "https://a b.org",
        ] {
            let mut errors = FieldErrors::default();
            errors.website("w", bad);
            assert_eq!(errors.0.len(), 1, "{bad}");
        }
    }
}
