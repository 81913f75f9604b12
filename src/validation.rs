//! Field rules shared by request types.

use validator::ValidationError;

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
