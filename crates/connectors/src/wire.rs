//! Pieces of the wire format shared by the clients, and the checks that turn an answer's text
//! fields into values dvcid can rely on.

use unicode_normalization::UnicodeNormalization;

time::serde::format_description!(pub(crate) date, Date, "[year]-[month]-[day]");

/// Longer than any real name; a longer one is a broken answer.
const MAX_NAME_CHARS: usize = 200;

/// A full name from a registry: NFC, trimmed, non-empty, no control characters.
pub(crate) fn full_name(raw: &str) -> Result<String, String> {
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err("full_name is empty".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("full_name is too long".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err("full_name holds control characters".to_owned());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::full_name;

    #[test]
    fn names_are_normalised_or_refused() {
        assert_eq!(
            full_name(" Nguye\u{0302}\u{0303}n Văn An ").unwrap(),
            "Nguyễn Văn An"
        );
        assert!(full_name("   ").is_err());
        assert!(full_name("An\u{0007}").is_err());
        assert!(full_name(&"a".repeat(201)).is_err());
    }
}
