//! Mật khẩu: the password policy after NIST SP 800-63B rev 4 — length is what counts (in
//! Unicode characters after NFC), every printable character and space is allowed, no
//! composition rules unless an operator switches them on, and the passwords attackers try
//! first (common ones, the service's own words, the person's own data) are refused.

mod blocklist;
mod personal;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::Invalid;

/// The password rules, read from configuration (`[password]`). Unknown keys are refused and
/// values below the NIST floors are refused at start-up, naming the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyFile")]
pub struct PasswordPolicy {
    /// Minimum length when the password is one of two factors (password + OTP). NIST: ≥ 8.
    pub min_length_with_second_factor: usize,
    /// Minimum length when the password alone signs in (LoA1). NIST rev 4: 15.
    pub min_length_alone: usize,
    /// Maximum length; NIST asks to accept at least 64. The cap only bounds hashing work.
    pub max_length: usize,
    /// The portal's old rule (an upper-case letter, a lower-case letter, a digit and a special
    /// character), which VNeID still applies. Off by default: NIST advises against it.
    pub classic_composition: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length_with_second_factor: 8,
            min_length_alone: 15,
            max_length: 128,
            classic_composition: false,
        }
    }
}

/// What is known about the person choosing the password, to refuse passwords built from it.
/// Values are taken as typed (IDs and phones in any spelling, names with or without marks).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasswordContext {
    pub personal_id: Option<String>,
    pub phones: Vec<String>,
    pub birth_date: Option<time::Date>,
    /// Full names ("Nguyễn Văn An"); the given name (last word) is also checked alone.
    pub names: Vec<String>,
}

/// A class of characters of the classic composition rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    Upper,
    Lower,
    Digit,
    Special,
}

impl CharClass {
    const fn name_en(self) -> &'static str {
        match self {
            Self::Upper => "upper-case letter",
            Self::Lower => "lower-case letter",
            Self::Digit => "digit",
            Self::Special => "special character",
        }
    }

    const fn name_vi(self) -> &'static str {
        match self {
            Self::Upper => "chữ hoa",
            Self::Lower => "chữ thường",
            Self::Digit => "chữ số",
            Self::Special => "ký tự đặc biệt",
        }
    }

    /// "upper-case letter, one digit and one special character".
    pub(crate) fn list_en(classes: &[Self]) -> String {
        join(classes.iter().map(|c| c.name_en()), ", one ", " and one ")
    }

    /// "chữ hoa, một chữ số và một ký tự đặc biệt".
    pub(crate) fn list_vi(classes: &[Self]) -> String {
        join(classes.iter().map(|c| c.name_vi()), ", một ", " và một ")
    }
}

/// Which of the person's data a refused password contained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalDatum {
    PersonalId,
    Phone,
    BirthDate,
    Name,
}

impl PersonalDatum {
    pub const fn name_en(self) -> &'static str {
        match self {
            Self::PersonalId => "personal ID number",
            Self::Phone => "phone number",
            Self::BirthDate => "date of birth",
            Self::Name => "name",
        }
    }

    pub const fn name_vi(self) -> &'static str {
        match self {
            Self::PersonalId => "số định danh cá nhân",
            Self::Phone => "số điện thoại",
            Self::BirthDate => "ngày sinh",
            Self::Name => "họ tên",
        }
    }
}

/// The form of a password that is checked, hashed and compared: NFC, so that "ế" typed as one
/// code point or as e + two marks is the same password on every device.
pub fn normalize(password: &str) -> String {
    password.nfc().collect()
}

impl PasswordPolicy {
    /// Refuses a policy below the NIST floors: 8 characters with a second factor, the alone
    /// minimum not below that, a maximum of at least 64 and not below the minimums.
    pub fn validate(&self) -> Result<(), Invalid> {
        let floors = [
            (
                "min_length_with_second_factor",
                8,
                self.min_length_with_second_factor,
            ),
            (
                "min_length_alone",
                self.min_length_with_second_factor,
                self.min_length_alone,
            ),
            ("max_length", self.min_length_alone.max(64), self.max_length),
        ];
        for (field, minimum, found) in floors {
            if found < minimum {
                return Err(Invalid::PasswordPolicyOutOfRange {
                    field,
                    minimum,
                    found,
                });
            }
        }
        Ok(())
    }

    /// Checks a new password. `second_factor` says whether the account signs in with a second
    /// factor (then the shorter minimum applies). The first broken rule is returned; the
    /// error never carries the password.
    pub fn check(
        &self,
        password: &str,
        second_factor: bool,
        context: &PasswordContext,
    ) -> Result<(), Invalid> {
        let password = normalize(password);
        if password.chars().any(char::is_control) {
            return Err(Invalid::PasswordUnprintable);
        }
        let length = password.chars().count();
        let min = if second_factor {
            self.min_length_with_second_factor
        } else {
            self.min_length_alone
        };
        if length < min {
            return Err(Invalid::PasswordTooShort { min, found: length });
        }
        if length > self.max_length {
            return Err(Invalid::PasswordTooLong {
                max: self.max_length,
                found: length,
            });
        }
        if self.classic_composition {
            check_composition(&password)?;
        }
        blocklist::check(&password)?;
        personal::check(&password, context)
    }
}

fn check_composition(password: &str) -> Result<(), Invalid> {
    let has = |test: fn(&char) -> bool| password.chars().any(|c| test(&c));
    let missing: Vec<CharClass> = [
        (CharClass::Upper, has(|c| c.is_uppercase())),
        (CharClass::Lower, has(|c| c.is_lowercase())),
        (CharClass::Digit, has(char::is_ascii_digit)),
        (CharClass::Special, has(|c| !c.is_alphanumeric())),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(class, _)| class)
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Invalid::PasswordComposition { missing })
    }
}

/// Joins "a", "b", "c" as "a{sep}b{last}c".
fn join<'a>(items: impl ExactSizeIterator<Item = &'a str>, sep: &str, last: &str) -> String {
    let count = items.len();
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == count { last } else { sep });
        }
        out.push_str(item);
    }
    out
}

/// The configuration shape: every key optional (defaults above), unknown keys refused.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PolicyFile {
    min_length_with_second_factor: usize,
    min_length_alone: usize,
    max_length: usize,
    classic_composition: bool,
}

impl Default for PolicyFile {
    fn default() -> Self {
        let PasswordPolicy {
            min_length_with_second_factor,
            min_length_alone,
            max_length,
            classic_composition,
        } = PasswordPolicy::default();
        Self {
            min_length_with_second_factor,
            min_length_alone,
            max_length,
            classic_composition,
        }
    }
}

impl TryFrom<PolicyFile> for PasswordPolicy {
    type Error = Invalid;

    fn try_from(file: PolicyFile) -> Result<Self, Invalid> {
        let policy = Self {
            min_length_with_second_factor: file.min_length_with_second_factor,
            min_length_alone: file.min_length_alone,
            max_length: file.max_length,
            classic_composition: file.classic_composition,
        };
        policy.validate()?;
        Ok(policy)
    }
}

#[cfg(test)]
mod tests;
