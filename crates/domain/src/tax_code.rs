//! Mã số thuế (Circular 105/2020/TT-BTC): 10 digits whose 10th is a check digit over the first
//! nine, optionally "-" and a 3-digit branch (đơn vị phụ thuộc) number; since July 2025 an
//! individual's tax code is their 12-digit personal ID number.

use crate::identifier::string_identifier;
use crate::text;
use crate::{IdentifierKind, Invalid, PersonalId};

/// A tax code (mã số thuế). Normalised forms: `0100109106`, `0314409058-002` (a branch; the
/// hyphen is always written), or the 12 digits of an individual's personal ID number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaxCode {
    text: String,
    branch: Option<u16>,
    personal_id: Option<PersonalId>,
}

/// Weights of the first nine digits in the check-digit sum.
const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

impl TaxCode {
    /// Parses a tax code. Spaces and dots are ignored. A branch is written after one hyphen
    /// (`0314409058-002`); 13 digits without the hyphen are also read as base + branch,
    /// because older registries and e-invoice exports store them that way and no other
    /// identifier has 13 digits. A 12-digit input must be a valid personal ID number.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let (base_part, branch_part) = match input.split_once('-') {
            Some((base, branch)) => (base, Some(branch)),
            None => (input, None),
        };
        let mut base = text::digits(base_part, IdentifierKind::TaxCode, &['.'])?;
        let mut branch_digits = match branch_part {
            Some(part) if part.trim().is_empty() => {
                return Err(Invalid::TaxCodeBranchLength { found: 0 });
            }
            Some(part) => Some(text::digits(part, IdentifierKind::TaxCode, &['.'])?),
            None => None,
        };
        if branch_digits.is_none() && base.len() == 13 {
            branch_digits = Some(base.split_off(10));
        }

        let personal_id = match base.len() {
            10 => {
                check_enterprise(&base)?;
                None
            }
            PersonalId::LEN => Some(PersonalId::parse(&base)?),
            found => return Err(Invalid::TaxCodeLength { found }),
        };

        let branch = match branch_digits {
            None => None,
            Some(_) if personal_id.is_some() => return Err(Invalid::TaxCodeBranchOnIndividual),
            Some(digits) if digits.len() != 3 => {
                return Err(Invalid::TaxCodeBranchLength {
                    found: digits.len(),
                });
            }
            Some(digits) => match digits.parse::<u16>() {
                Ok(0) | Err(_) => return Err(Invalid::TaxCodeBranchZero),
                Ok(number) => Some(number),
            },
        };

        let text = match branch {
            Some(number) => format!("{base}-{number:03}"),
            None => base,
        };
        Ok(Self {
            text,
            branch,
            personal_id,
        })
    }

    /// The check digit that completes `first_nine` (nine ASCII digits) into a valid 10-digit
    /// tax code, or `None` when those digits admit none (sum ≡ 0 mod 11: never issued) or
    /// are not nine digits. For generators of synthetic businesses.
    pub fn check_digit_for(first_nine: &str) -> Option<u8> {
        if first_nine.len() != 9 || !first_nine.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let sum: u32 = text::digit_values(first_nine)
            .zip(WEIGHTS)
            .map(|(digit, weight)| digit * weight)
            .sum();
        // r = 10 gives check digit 0; r = 0 would need "10", which is why it is never issued.
        match sum % 11 {
            0 => None,
            r => u8::try_from((10 - r) % 10).ok(),
        }
    }

    /// The normalised form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The 10-digit code without its branch, or the 12-digit personal ID of an individual.
    pub fn base(&self) -> &str {
        self.text
            .split_once('-')
            .map_or(self.text.as_str(), |(base, _)| base)
    }

    /// The branch number (1–999), if this is a branch's code.
    pub fn branch(&self) -> Option<u16> {
        self.branch
    }

    /// The tenth digit of a 10-digit code; `None` for an individual's 12-digit code.
    pub fn check_digit(&self) -> Option<u8> {
        if self.is_individual() {
            return None;
        }
        self.base()
            .chars()
            .nth(9)
            .and_then(|c| c.to_digit(10))
            .and_then(|d| u8::try_from(d).ok())
    }

    /// Whether this is an individual's code (their 12-digit personal ID number).
    pub fn is_individual(&self) -> bool {
        self.personal_id.is_some()
    }

    /// The personal ID number of an individual's code.
    pub fn personal_id(&self) -> Option<&PersonalId> {
        self.personal_id.as_ref()
    }
}

string_identifier!(TaxCode);

/// The rules of a 10-digit code: a serial other than zero and the right check digit.
fn check_enterprise(base: &str) -> Result<(), Invalid> {
    if base.get(2..9) == Some("0000000") {
        return Err(Invalid::TaxCodeSerialZero);
    }
    let first_nine = base.get(..9).unwrap_or_default();
    let expected =
        TaxCode::check_digit_for(first_nine).ok_or_else(|| Invalid::TaxCodeNeverIssued {
            first_nine: first_nine.to_owned(),
        })?;
    let found = base
        .get(9..)
        .and_then(|d| d.parse::<u8>().ok())
        .unwrap_or(u8::MAX);
    if found != expected {
        return Err(Invalid::TaxCodeCheckDigit { expected, found });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
