//! The kinds of contact service (DOMAIN.md "Services").

use crate::error::FieldError;
use crate::text_enum;

text_enum! {
    /// What a centre offers (DOMAIN.md `service_type`).
    pub enum ServiceType {
        /// Several families share a room, staff present, no observation, no report.
        Supported => "supported",
        /// One-to-one, staff within sight and sound, observations and a report.
        Supervised => "supervised",
        /// The centre as drop-off and pick-up point; parents do not meet.
        Handover => "handover",
        VirtualSupported => "virtual_supported",
        VirtualSupervised => "virtual_supervised",
        /// Letters, cards and gifts checked and forwarded ("letterbox").
        Indirect => "indirect",
        /// Escorted contact in a public place.
        Community => "community",
        /// Identity work that ends with a keepsake.
        LifeStory => "life_story",
        /// Assessment and preparation before contact.
        Preparatory => "preparatory",
        SupervisedAssessment => "supervised_assessment",
    }
}

/// Reads a list of service words sent by a client, naming each bad entry
/// (`services[2]`) so that the caller sees which one is wrong.
pub fn parse_services(field: &str, words: &[String]) -> Result<Vec<ServiceType>, Vec<FieldError>> {
    let mut services = Vec::with_capacity(words.len());
    let mut errors = Vec::new();
    for (i, word) in words.iter().enumerate() {
        match word.parse::<ServiceType>() {
            Ok(s) if services.contains(&s) => errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "duplicate",
                format!("{word} is listed twice"),
            )),
            Ok(s) => services.push(s),
            Err(_) => errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "enum",
                format!("must be one of {}", ServiceType::words()),
            )),
        }
    }
    if errors.is_empty() {
        Ok(services)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_sends_its_database_word() {
        crate::text_enum::assert_wire_words(ServiceType::ALL, ServiceType::as_str);
    }

    #[test]
    fn bad_service_words_are_named_by_position() {
        let words = ["supported", "teleport", "supported"].map(String::from);
        let errors = parse_services("services", &words).err().unwrap_or_default();
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("services[1]", "enum"), ("services[2]", "duplicate")]
        );
    }
}
