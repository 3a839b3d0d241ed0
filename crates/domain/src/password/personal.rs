//! Refuses passwords built from the person's own data — what an attacker who knows the person
//! (or holds a leaked registry) tries first: ID number, phone numbers, birth date, name.

use super::{PasswordContext, PersonalDatum};
use crate::text::fold;
use crate::{Invalid, PhoneNumber};

/// Characters people put between the parts of dates and numbers; dropped before comparing, so
/// "12/05/1990" and "0912 345 678" inside a password are found.
const SEPARATORS: &[char] = &['/', '-', '.', '_', ',', ' '];
/// Shorter digit strings match too much by chance to say anything.
const MIN_DIGITS: usize = 6;
/// A given name shorter than this ("An", "Bé") is too common a syllable to refuse alone.
const MIN_NAME_LETTERS: usize = 3;

pub(super) fn check(password: &str, context: &PasswordContext) -> Result<(), Invalid> {
    let refuse = |datum| Err(Invalid::PasswordContainsPersonalData { datum });
    let compact: String = password
        .to_lowercase()
        .chars()
        .filter(|c| !SEPARATORS.contains(c) && !c.is_whitespace())
        .collect();
    let letters: String = fold(password)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();

    if let Some(id) = &context.personal_id {
        let digits = digits_of(id);
        if digits.len() >= MIN_DIGITS && compact.contains(&digits) {
            return refuse(PersonalDatum::PersonalId);
        }
    }
    for phone in &context.phones {
        // The nine digits after 0 / +84 are inside every spelling of the number.
        let needle = match PhoneNumber::parse(phone) {
            Ok(number) => number.e164().get(3..).unwrap_or_default().to_owned(),
            Err(_) => digits_of(phone),
        };
        if needle.len() >= MIN_DIGITS && compact.contains(&needle) {
            return refuse(PersonalDatum::Phone);
        }
    }
    if let Some(date) = context.birth_date
        && date_forms(date).iter().any(|form| compact.contains(form))
    {
        return refuse(PersonalDatum::BirthDate);
    }
    for name in &context.names {
        if name_forms(name).iter().any(|form| letters.contains(form)) {
            return refuse(PersonalDatum::Name);
        }
    }
    Ok(())
}

fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The birth date as people write it, separators removed: 12051990, 19900512, 05121990,
/// 120590, 900512, 051290, and 1251990 without leading zeros.
fn date_forms(date: time::Date) -> Vec<String> {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    let short = year.rem_euclid(100);
    let mut forms = vec![
        format!("{day:02}{month:02}{year}"),
        format!("{year}{month:02}{day:02}"),
        format!("{month:02}{day:02}{year}"),
        format!("{day:02}{month:02}{short:02}"),
        format!("{short:02}{month:02}{day:02}"),
        format!("{month:02}{day:02}{short:02}"),
    ];
    let unpadded = format!("{day}{month}{year}");
    if !forms.contains(&unpadded) {
        forms.push(unpadded);
    }
    forms
}

/// "Nguyễn Văn An" → ["nguyenvanan"]; "Trần Thị Hương" → ["tranthihuong", "huong"].
fn name_forms(name: &str) -> Vec<String> {
    let folded = fold(name);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let mut forms = Vec::new();
    let full = words.concat();
    if full.chars().count() >= MIN_NAME_LETTERS {
        forms.push(full);
    }
    if let Some(given) = words.last()
        && words.len() > 1
        && given.chars().count() >= MIN_NAME_LETTERS
    {
        forms.push((*given).to_owned());
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_forms_cover_the_usual_spellings() {
        let forms = date_forms(date!(1990 - 05 - 12));
        for form in [
            "12051990", "19900512", "05121990", "120590", "900512", "051290", "1251990",
        ] {
            assert!(forms.contains(&form.to_owned()), "{form}");
        }
    }

    #[test]
    fn name_forms_fold_marks_and_keep_long_given_names() {
        assert_eq!(name_forms("Nguyễn Văn An"), ["nguyenvanan"]);
        assert_eq!(name_forms("Trần Thị Hương"), ["tranthihuong", "huong"]);
        assert_eq!(name_forms("  Đỗ   Đức  "), ["doduc", "duc"]);
        assert!(name_forms("Bé").is_empty());
    }
}
