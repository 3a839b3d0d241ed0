//! Identifiers checked by shape only: the 9-digit CMND of the old identity card and the social
//! insurance (BHXH) code. Neither has a check digit or an encoded structure we can rely on.

use crate::identifier::string_identifier;
use crate::text;
use crate::{IdentifierKind, Invalid, PersonalId};

/// Số chứng minh nhân dân (CMND): the 9-digit number of the identity card that the CCCD
/// replaced. Legacy accounts may still carry one (SPEC A2). Normalised form: the 9 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LegacyCmnd(String);

impl LegacyCmnd {
    pub const LEN: usize = 9;

    /// Parses 9 digits; spaces and dots between them are accepted.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits = text::digits(input, IdentifierKind::LegacyCmnd, &['.'])?;
        if digits.len() != Self::LEN {
            return Err(Invalid::Length {
                kind: IdentifierKind::LegacyCmnd,
                expected: Self::LEN,
                found: digits.len(),
            });
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_identifier!(LegacyCmnd);

/// Mã số bảo hiểm xã hội (BHXH code): 10 digits, or for newer records the person's 12-digit
/// personal ID number, which Vietnam Social Security uses as the code (SPEC §9). Normalised
/// form: the digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BhxhCode {
    digits: String,
    personal_id: Option<PersonalId>,
}

impl BhxhCode {
    /// The length of a code issued by Vietnam Social Security itself.
    pub const LEN: usize = 10;

    /// Parses 10 digits, or a valid 12-digit personal ID number; spaces and dots are accepted.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits = text::digits(input, IdentifierKind::BhxhCode, &['.'])?;
        match digits.len() {
            Self::LEN => Ok(Self {
                digits,
                personal_id: None,
            }),
            PersonalId::LEN => {
                let personal_id = PersonalId::parse(&digits)?;
                Ok(Self {
                    digits,
                    personal_id: Some(personal_id),
                })
            }
            // Both lengths are said: "10 digits" alone misleads someone typing a 12-digit code.
            found => Err(Invalid::BhxhCodeLength { found }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The personal ID number, when the code is one.
    pub fn personal_id(&self) -> Option<&PersonalId> {
        self.personal_id.as_ref()
    }
}

string_identifier!(BhxhCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmnd_is_nine_digits() {
        assert_eq!(
            LegacyCmnd::parse(" 012 345 678 ").unwrap().as_str(),
            "012345678"
        );
        assert_eq!(
            LegacyCmnd::parse("012.345.678").unwrap().to_string(),
            "012345678"
        );
        let cases = [
            ("", "legacy_cmnd.empty"),
            ("01234567", "legacy_cmnd.length"),
            ("0123456789", "legacy_cmnd.length"),
            ("01234567x", "legacy_cmnd.character"),
            ("012-345-678", "legacy_cmnd.character"),
        ];
        for (input, rule) in cases {
            assert_eq!(
                LegacyCmnd::parse(input).unwrap_err().rule(),
                rule,
                "{input:?}"
            );
        }
    }

    #[test]
    fn bhxh_is_ten_digits_or_a_personal_id() {
        let code = BhxhCode::parse("0123 456 789").unwrap();
        assert_eq!(code.as_str(), "0123456789");
        assert_eq!(code.personal_id(), None);
        let code = BhxhCode::parse("001099012345").unwrap();
        assert_eq!(code.personal_id().unwrap().birth_year(), 1999);
        let cases = [
            ("", "bhxh_code.empty"),
            ("012345678", "bhxh_code.length"),
            ("01234567890", "bhxh_code.length"),
            ("0123456789a", "bhxh_code.character"),
            ("000099012345", "personal_id.province_unknown"),
        ];
        for (input, rule) in cases {
            assert_eq!(
                BhxhCode::parse(input).unwrap_err().rule(),
                rule,
                "{input:?}"
            );
        }
        // A wrong length names both accepted lengths, in both languages.
        let eleven = BhxhCode::parse("01234567890").unwrap_err();
        assert_eq!(
            eleven.to_string(),
            "a social insurance (BHXH) code has 10 digits, or 12 when it is the personal ID \
             number; this has 11"
        );
        assert!(eleven.message_vi().contains("10 chữ số, hoặc 12 chữ số"));
    }

    #[test]
    fn serde_round_trips() {
        let code: BhxhCode = serde_json::from_str("\"0123456789\"").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"0123456789\"");
        let cmnd: LegacyCmnd = serde_json::from_str("\"012345678\"").unwrap();
        assert_eq!(String::from(cmnd), "012345678");
        assert!(serde_json::from_str::<LegacyCmnd>("\"12\"").is_err());
    }
}
