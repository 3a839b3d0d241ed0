//! Số định danh cá nhân (the CCCD number): 12 digits = province code (3) + century-and-gender
//! digit (1) + last two digits of the birth year (2) + random serial (6), per Decree 137/2015
//! and Circular 07/2016/TT-BCA. There is no check digit, so none is checked.

use std::ops::Range;

use crate::identifier::string_identifier;
use crate::province::{Province, province_by_code};
use crate::text;
use crate::{Gender, IdentifierKind, Invalid};

/// Số định danh cá nhân, the 12-digit personal identification number printed on the citizen
/// identity card (CCCD). Normalised form: the 12 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PersonalId {
    digits: String,
    // Derived from `digits` once at parse time so that the accessors cannot fail.
    province: &'static Province,
    gender: Gender,
    birth_year: i32,
}

/// Birth years the century digit can express: 0/1 for 1900s … 8/9 for 2300s.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2399;
const SERIAL_MAX: u32 = 999_999;

impl PersonalId {
    /// The number of digits.
    pub const LEN: usize = 12;

    /// Parses a personal ID number. Spaces and dots between digits are accepted (people copy
    /// it as "001 099 012345" or "001.099.012345").
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits = text::digits(input, IdentifierKind::PersonalId, &['.'])?;
        if digits.len() != Self::LEN {
            return Err(Invalid::Length {
                kind: IdentifierKind::PersonalId,
                expected: Self::LEN,
                found: digits.len(),
            });
        }
        let code = field(&digits, 0..3);
        let code = u16::try_from(code).unwrap_or(u16::MAX);
        let province = province_by_code(code).ok_or(Invalid::ProvinceUnknown { code })?;
        let century_digit = field(&digits, 3..4);
        let gender = if century_digit.is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        };
        let century_start = 1900 + i32::try_from(century_digit / 2).unwrap_or(0) * 100;
        let birth_year = century_start + i32::try_from(field(&digits, 4..6)).unwrap_or(0);
        Ok(Self {
            digits,
            province,
            gender,
            birth_year,
        })
    }

    /// Builds the number of a person from its parts; the synthetic-people generator uses it.
    /// `serial` is the 6-digit random part (0 to 999 999).
    pub fn from_parts(
        province_code: u16,
        gender: Gender,
        birth_year: i32,
        serial: u32,
    ) -> Result<Self, Invalid> {
        let province = province_by_code(province_code).ok_or(Invalid::ProvinceUnknown {
            code: province_code,
        })?;
        if !YEARS.contains(&birth_year) {
            return Err(Invalid::BirthYearOutOfRange { year: birth_year });
        }
        if serial > SERIAL_MAX {
            return Err(Invalid::SerialOutOfRange { serial });
        }
        let century_digit = (birth_year - 1900) / 100 * 2 + i32::from(gender == Gender::Female);
        let digits = format!(
            "{province_code:03}{century_digit}{:02}{serial:06}",
            birth_year % 100
        );
        Ok(Self {
            digits,
            province,
            gender,
            birth_year,
        })
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The province of birth registration (mã tỉnh), from the first three digits.
    pub fn province(&self) -> &'static Province {
        self.province
    }

    /// The gender encoded by the fourth digit (even = male, odd = female).
    pub fn gender(&self) -> Gender {
        self.gender
    }

    /// The full birth year, from the century digit and the two year digits.
    pub fn birth_year(&self) -> i32 {
        self.birth_year
    }

    /// The fourth digit: century and gender together (0 = male born 1900–1999, 1 = female …).
    pub fn century_digit(&self) -> u8 {
        u8::try_from(field(&self.digits, 3..4)).unwrap_or(0)
    }

    /// The last six digits, random within province, century, gender and year.
    pub fn serial(&self) -> u32 {
        field(&self.digits, 6..12)
    }

    /// Refuses a birth date or gender that contradicts the number, naming which one. Registries
    /// return all three; a mismatch means a typo or a record that belongs to someone else.
    pub fn check_consistent(&self, birth_date: time::Date, gender: Gender) -> Result<(), Invalid> {
        if birth_date.year() != self.birth_year {
            return Err(Invalid::BirthYearMismatch {
                in_id: self.birth_year,
                given: birth_date.year(),
            });
        }
        if gender != self.gender {
            return Err(Invalid::GenderMismatch {
                in_id: self.gender,
                given: gender,
            });
        }
        Ok(())
    }
}

string_identifier!(PersonalId);

/// The number written by `digits[range]`; `digits` is ASCII digits and `range` within it.
fn field(digits: &str, range: Range<usize>) -> u32 {
    digits
        .get(range)
        .and_then(|part| part.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
