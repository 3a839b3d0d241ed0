//! Số điện thoại di động: Vietnamese mobile numbers in every spelling people type, stored in
//! E.164 (+84…), refused when no carrier holds the prefix. The 11-digit numbers retired in
//! 2018 are converted to the number the subscriber has today.

mod carrier;

pub use carrier::Carrier;

use crate::identifier::string_identifier;
use crate::{IdentifierKind, Invalid};

/// A Vietnamese mobile number (số điện thoại di động). Normalised form: E.164, `+84912345678`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    e164: String,
    carrier: Carrier,
}

impl PhoneNumber {
    /// Parses `0912345678`, `+84 912 345 678`, `84912345678`, `912345678`, `(+84) 912.345.678`,
    /// `+84 (0) 912 345 678` and the like; spaces, dots, dashes and brackets are ignored, a `+`
    /// only at the start. An 11-digit number converted in 2018 (`0166 234 5678`, also written
    /// `+84 166…`) parses to its 10-digit form.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::parse_with_conversion(input).map(|(number, _)| number)
    }

    /// As [`parse`](Self::parse), and also returns the old 11-digit national form
    /// (`"01662345678"`) when the input was a number converted in 2018.
    pub fn parse_with_conversion(input: &str) -> Result<(Self, Option<String>), Invalid> {
        let (plus, digits) = scan(input)?;
        let national = national_form(plus, &digits)?;
        let (national, converted_from) = convert_2018(national)?;
        if national.len() != 10 {
            return Err(Invalid::PhoneLength { national });
        }
        let prefix = national.get(..3).unwrap_or_default();
        let carrier = Carrier::by_prefix(prefix).ok_or_else(|| Invalid::PhonePrefixUnassigned {
            prefix: prefix.to_owned(),
        })?;
        let subscriber = national.get(1..).unwrap_or_default();
        let number = Self {
            e164: format!("+84{subscriber}"),
            carrier,
        };
        Ok((number, converted_from))
    }

    /// The E.164 form, `+84912345678` (the normalised form).
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The E.164 form, `+84912345678`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The national form people dial, `0912345678`.
    pub fn national(&self) -> String {
        format!("0{}", self.subscriber())
    }

    /// The national form with all but the first two and last two digits hidden, `09******78`,
    /// for pages that must show which phone an OTP went to without disclosing it.
    pub fn masked(&self) -> String {
        self.national()
            .chars()
            .enumerate()
            .map(|(i, c)| if (2..8).contains(&i) { '*' } else { c })
            .collect()
    }

    /// The carrier that holds the prefix (numbers ported to another carrier keep the prefix,
    /// so this is the original holder).
    pub fn carrier(&self) -> Carrier {
        self.carrier
    }

    /// The nine digits after the country code.
    fn subscriber(&self) -> &str {
        self.e164.get(3..).unwrap_or_default()
    }
}

string_identifier!(PhoneNumber);

/// Reads the digits and whether a leading `+` was written, dropping separators.
fn scan(input: &str) -> Result<(bool, String), Invalid> {
    let mut plus = false;
    let mut digits = String::with_capacity(input.len());
    for c in input.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            // A `+` belongs before the first digit ("(+84)" is common); anywhere else it is
            // a typo worth pointing at.
            '+' if !plus && digits.is_empty() => plus = true,
            '.' | '-' | '(' | ')' => {}
            c if c.is_whitespace() => {}
            found => {
                return Err(Invalid::Character {
                    kind: IdentifierKind::Phone,
                    found,
                });
            }
        }
    }
    if digits.is_empty() {
        return Err(Invalid::Empty {
            kind: IdentifierKind::Phone,
        });
    }
    Ok((plus, digits))
}

/// The national form (leading 0) of the digits, whichever way the country code was written.
fn national_form(plus: bool, digits: &str) -> Result<String, Invalid> {
    let after_country_code = if plus {
        Some(
            digits
                .strip_prefix("84")
                .ok_or_else(|| Invalid::PhoneCountryCode {
                    found: digits.chars().take(3).collect(),
                })?,
        )
    } else if let Some(rest) = digits.strip_prefix("0084") {
        Some(rest)
    } else if digits.len() >= 11 {
        // 84 + 9 digits, or 84 + an old 10-digit subscriber number. A national number without
        // its 0 has at most 10 digits, so no ambiguity.
        digits.strip_prefix("84")
    } else {
        None
    };
    let national = after_country_code.unwrap_or(digits);
    // "+84 (0) 912…" writes the trunk 0 after the country code; a bare "912…" omits it.
    Ok(if national.starts_with('0') {
        national.to_owned()
    } else {
        format!("0{national}")
    })
}

/// Maps an 11-digit number of a prefix retired in 2018 to its 10-digit form, returning the old
/// form beside it; other numbers pass unchanged.
fn convert_2018(national: String) -> Result<(String, Option<String>), Invalid> {
    if national.len() != 11 || !national.starts_with("01") {
        return Ok((national, None));
    }
    let old_prefix = national.get(..4).unwrap_or_default();
    let new_prefix =
        carrier::converted_prefix(old_prefix).ok_or_else(|| Invalid::PhonePrefixUnassigned {
            prefix: old_prefix.to_owned(),
        })?;
    let converted = format!("{new_prefix}{}", national.get(4..).unwrap_or_default());
    Ok((converted, Some(national)))
}

#[cfg(test)]
mod tests;
