//! The passwords attackers try first: the 30,000 most common ones (data/README.md says where
//! the list comes from), Vietnamese favourites, the service's own words with anything around
//! them, and repetitions or sequences of characters.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::Invalid;
use crate::text::fold;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let english = include_str!("../../data/common-passwords.txt").lines();
    let vietnamese = include_str!("../../data/common-passwords-vi.txt")
        .lines()
        .filter(|line| !line.starts_with('#'));
    english
        .chain(vietnamese)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Words tied to this service or to the idea of a password. NIST names the service's name as
/// a context-specific word; people decorate it with digits and symbols ("Dichvucong@2025"),
/// so the letters alone are compared.
const CONTEXT_WORDS: &[&str] = &[
    "dvcid",
    "dichvucong",
    "congdichvucong",
    "dichvucongquocgia",
    "dvcqg",
    "vneid",
    "dinhdanhdientu",
    "matkhau",
    "password",
];

/// Repeated units up to this length are weak whatever they are ("abcabcabc", "12341234").
const SHORT_UNIT: usize = 4;

pub(super) fn check(password: &str) -> Result<(), Invalid> {
    if is_common(password) {
        return Err(Invalid::PasswordCommon);
    }
    let letters: String = fold(password)
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    if let Some(word) = CONTEXT_WORDS.iter().find(|word| **word == letters) {
        return Err(Invalid::PasswordContextWord { word });
    }
    if is_repetitive(password) {
        return Err(Invalid::PasswordRepetitive);
    }
    Ok(())
}

/// Whether the password is on a list, ignoring case and Vietnamese marks.
pub(super) fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str()) || COMMON.contains(fold(password).as_str())
}

/// A short unit repeated, a common password repeated, or a run of consecutive characters
/// ("abcdefgh", "98765432", "34567890").
fn is_repetitive(password: &str) -> bool {
    let chars: Vec<char> = password.to_lowercase().chars().collect();
    if chars.len() < 3 {
        return false;
    }
    if let Some(unit) = repeated_unit(&chars) {
        let unit: String = unit.iter().collect();
        if unit.chars().count() <= SHORT_UNIT || is_common(&unit) {
            return true;
        }
    }
    is_run(&chars, 1) || is_run(&chars, -1)
}

/// The shortest unit whose repetition (at least twice) makes up the whole of `chars`.
fn repeated_unit(chars: &[char]) -> Option<&[char]> {
    (1..=chars.len() / 2)
        .filter(|size| chars.len().is_multiple_of(*size))
        .map(|size| chars.split_at(size).0)
        .find(|unit| chars.chunks(unit.len()).all(|chunk| chunk == *unit))
}

/// Whether every character is the previous one plus `step`; digits wrap (…8, 9, 0).
fn is_run(chars: &[char], step: i64) -> bool {
    chars.windows(2).all(|pair| match pair {
        [a, b] => {
            let (a, b) = (i64::from(u32::from(*a)), i64::from(u32::from(*b)));
            let wraps = match step {
                1 => a == i64::from(u32::from('9')) && b == i64::from(u32::from('0')),
                _ => a == i64::from(u32::from('0')) && b == i64::from(u32::from('9')),
            };
            b - a == step || wraps
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_hold_what_the_readme_says() {
        assert!(COMMON.len() >= 30_000, "{}", COMMON.len());
        for common in [
            "123456",
            "password",
            "iloveyou",
            "anhyeuem",
            "matkhau123",
            "pic's",
        ] {
            assert!(COMMON.contains(common), "{common}");
        }
        assert!(!COMMON.iter().any(|entry| entry.starts_with('#')));
    }

    #[test]
    fn commonness_ignores_case_and_marks() {
        assert!(is_common("PassWord1"));
        assert!(is_common("AnhYêuEm"));
        assert!(!is_common("con ngựa đá con ngựa đá"));
    }

    #[test]
    fn repetitions_and_runs() {
        for weak in [
            "aaaaaaaaaaaaaaaa",
            "abcabcabcabc",
            "12341234",
            "dragondragondragon",
            "abcdefghijklmnop",
            "zyxwvuts",
            "34567890123",
            "98765432109",
        ] {
            assert!(is_repetitive(weak), "{weak}");
        }
        for fine in [
            "sông Hồng chảy",
            "correct horse battery",
            "ab",
            "a",
            "abcdefgh1",
            "xyz12xyz13",
        ] {
            assert!(!is_repetitive(fine), "{fine}");
        }
    }
}
