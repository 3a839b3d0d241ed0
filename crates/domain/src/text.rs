//! Input clean-up shared by the parsers: trimming, dropping the separators people type, and
//! folding Vietnamese diacritics for comparisons.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::{IdentifierKind, Invalid};

/// The ASCII digits of `input`, trimmed, with whitespace and the given `separators` dropped.
/// Any other character is refused by name, so "0O1…" says which letter slipped in.
pub(crate) fn digits(
    input: &str,
    kind: IdentifierKind,
    separators: &[char],
) -> Result<String, Invalid> {
    let mut out = String::with_capacity(input.len());
    for c in input.trim().chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !(c.is_whitespace() || separators.contains(&c)) {
            return Err(Invalid::Character { kind, found: c });
        }
    }
    if out.is_empty() {
        return Err(Invalid::Empty { kind });
    }
    Ok(out)
}

/// The numeric values of a string of ASCII digits (anything else counts as 0, which callers
/// never pass: they check the shape first).
pub(crate) fn digit_values(digits: &str) -> impl Iterator<Item = u32> + '_ {
    digits.chars().map(|c| c.to_digit(10).unwrap_or(0))
}

/// `text` lower-cased with Vietnamese diacritics removed ("Nguyễn Đức" → "nguyen duc"), so
/// that comparisons do not depend on how, or whether, a person typed the marks.
pub(crate) fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        // đ has no decomposition: it is a letter of its own, read as d by everyone.
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_vietnamese_marks() {
        assert_eq!(fold("Nguyễn Văn An"), "nguyen van an");
        assert_eq!(fold("ĐẶNG Thị Ánh Tuyết"), "dang thi anh tuyet");
        assert_eq!(fold("Hòa Bình"), fold("Hoà Bình"));
    }

    #[test]
    fn digits_drop_separators_and_name_the_stranger() {
        assert_eq!(
            digits(" 001.099 012 ", IdentifierKind::PersonalId, &['.']).unwrap(),
            "001099012"
        );
        assert_eq!(
            digits("0O1", IdentifierKind::PersonalId, &[]).unwrap_err(),
            Invalid::Character {
                kind: IdentifierKind::PersonalId,
                found: 'O'
            }
        );
        assert_eq!(
            digits(" . ", IdentifierKind::BhxhCode, &['.']).unwrap_err(),
            Invalid::Empty {
                kind: IdentifierKind::BhxhCode
            }
        );
    }
}
