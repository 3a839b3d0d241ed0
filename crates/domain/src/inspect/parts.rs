//! What `inspect` shows of each kind: the facts an identifier encodes.

use serde::Serialize;

use crate::{Carrier, Gender, PersonalId, PhoneNumber, TaxCode};

/// The kind-specific parts; serialised as the inner object alone (the kind is beside it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Parts {
    PersonalId(PersonalIdParts),
    Phone(PhoneParts),
    TaxCode(TaxCodeParts),
    LegacyCmnd(LegacyCmndParts),
    BhxhCode(BhxhCodeParts),
    Email(EmailParts),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonalIdParts {
    /// Three digits, "001".
    pub province_code: String,
    pub province_name: &'static str,
    pub gender: Gender,
    /// The fourth digit, which encodes century and gender together.
    pub century_digit: u8,
    /// The years the century digit stands for, "1900-1999".
    pub century: String,
    pub birth_year: i32,
    /// The six random digits, "012345".
    pub serial: String,
}

impl PersonalIdParts {
    pub(super) fn of(id: &PersonalId) -> Self {
        let start = id.birth_year() - id.birth_year().rem_euclid(100);
        Self {
            province_code: format!("{:03}", id.province().code),
            province_name: id.province().name,
            gender: id.gender(),
            century_digit: id.century_digit(),
            century: format!("{start}-{}", start + 99),
            birth_year: id.birth_year(),
            serial: format!("{:06}", id.serial()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhoneParts {
    pub e164: String,
    pub national: String,
    pub carrier: Carrier,
    pub carrier_name: &'static str,
    /// The 11-digit number this one replaced in 2018, when the input was written that way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<String>,
}

impl PhoneParts {
    pub(super) fn of(phone: &PhoneNumber, converted_from: Option<String>) -> Self {
        Self {
            e164: phone.e164().to_owned(),
            national: phone.national(),
            carrier: phone.carrier(),
            carrier_name: phone.carrier().name(),
            converted_from,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaxCodeParts {
    pub base: String,
    /// Three digits, "002".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Absent for an individual's code, which is a personal ID number with no check digit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_digit: Option<u8>,
    pub individual: bool,
}

impl TaxCodeParts {
    pub(super) fn of(tax: &TaxCode) -> Self {
        Self {
            base: tax.base().to_owned(),
            branch: tax.branch().map(|branch| format!("{branch:03}")),
            check_digit: tax.check_digit(),
            individual: tax.is_individual(),
        }
    }
}

/// A CMND encodes nothing dvcid relies on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegacyCmndParts {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BhxhCodeParts {
    /// Whether the code is the person's personal ID number (newer records).
    pub personal_id: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EmailParts {
    pub local_part: String,
    pub domain: String,
}
