//! `dvcid inspect VALUE`: tells an operator what a value typed by a citizen is — which kinds of
//! identifier accept it, their parts, and why each plausible kind refuses it. Pure and total:
//! any string gives an answer, none panics.

mod parts;

pub use parts::{
    BhxhCodeParts, EmailParts, LegacyCmndParts, Parts, PersonalIdParts, PhoneParts, TaxCodeParts,
};

use serde::Serialize;

use crate::{
    BhxhCode, Email, IdentifierKind, Invalid, LegacyCmnd, PersonalId, PhoneNumber, TaxCode,
};

/// The answer: serialises as `{"valid": true, "kind": …, "normalized": …, "parts": {…},
/// "also": [...], "refused_as": [...]}` or `{"valid": false, "input": …, "candidates": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inspection {
    Valid(Recognized),
    Invalid(Refused),
}

/// The value read as one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub kind: IdentifierKind,
    pub normalized: String,
    pub parts: Parts,
}

/// A value that at least one kind accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recognized {
    /// The most likely reading, by the shape of the value.
    #[serde(flatten)]
    pub reading: Reading,
    /// Other kinds that accept the value too (a 10-digit value may be a phone, a tax code and
    /// a BHXH code at once).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Reading>,
    /// Kinds the shape suggests that refuse the value, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_as: Vec<Candidate>,
}

/// A value no kind accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub input: String,
    /// Why each plausible kind refused it, most plausible first.
    pub candidates: Vec<Candidate>,
}

/// One kind's refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub kind: IdentifierKind,
    pub rule: &'static str,
    pub message: String,
    pub message_vi: String,
}

impl Candidate {
    fn new(kind: IdentifierKind, invalid: &Invalid) -> Self {
        Self {
            kind,
            rule: invalid.rule(),
            message: invalid.to_string(),
            message_vi: invalid.message_vi(),
        }
    }
}

impl Inspection {
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid(_))
    }
}

impl Serialize for Inspection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Tagged<'a, T: Serialize> {
            valid: bool,
            #[serde(flatten)]
            body: &'a T,
        }
        match self {
            Self::Valid(body) => Tagged { valid: true, body }.serialize(serializer),
            Self::Invalid(body) => Tagged { valid: false, body }.serialize(serializer),
        }
    }
}

/// Reads `input` as every kind its shape makes plausible, most plausible first.
pub fn inspect(input: &str) -> Inspection {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for kind in plausible_kinds(input) {
        match read_as(kind, input) {
            Ok(reading) => accepted.push(reading),
            Err(invalid) => refused.push(Candidate::new(kind, &invalid)),
        }
    }
    let mut accepted = accepted.into_iter();
    match accepted.next() {
        Some(reading) => Inspection::Valid(Recognized {
            reading,
            also: accepted.collect(),
            refused_as: refused,
        }),
        None => Inspection::Invalid(Refused {
            input: input.to_owned(),
            candidates: refused,
        }),
    }
}

/// The kinds worth trying, by the count of digits and the presence of '@'.
fn plausible_kinds(input: &str) -> Vec<IdentifierKind> {
    use IdentifierKind::{BhxhCode, Email, LegacyCmnd, PersonalId, Phone, TaxCode};
    if input.contains('@') {
        return vec![Email];
    }
    let digits = input.chars().filter(char::is_ascii_digit).count();
    // Only phone numbers are written with a country code.
    if digits > 0 && input.trim_start().trim_start_matches('(').starts_with('+') {
        return vec![Phone];
    }
    match digits {
        0 => vec![Email, PersonalId, Phone, TaxCode, BhxhCode, LegacyCmnd],
        // A CMND, or a mobile number without its 0.
        9 => vec![LegacyCmnd, Phone],
        10 => vec![Phone, TaxCode, BhxhCode],
        // 84 + 9 digits, a number from before 2018, or an ID number missing a digit.
        11 => vec![Phone, PersonalId],
        // An individual's tax code and newer BHXH codes are the personal ID number.
        12 => vec![PersonalId, TaxCode, BhxhCode, Phone],
        // A branch tax code written without its hyphen, or "84 0 …" with the trunk 0 kept.
        13 => vec![TaxCode, Phone],
        _ => vec![PersonalId, Phone, TaxCode, BhxhCode, LegacyCmnd],
    }
}

fn read_as(kind: IdentifierKind, input: &str) -> Result<Reading, Invalid> {
    let (normalized, parts) = match kind {
        IdentifierKind::PersonalId => {
            let id = PersonalId::parse(input)?;
            (id.to_string(), Parts::PersonalId(PersonalIdParts::of(&id)))
        }
        IdentifierKind::LegacyCmnd => {
            let cmnd = LegacyCmnd::parse(input)?;
            (cmnd.to_string(), Parts::LegacyCmnd(LegacyCmndParts {}))
        }
        IdentifierKind::Phone => {
            let (phone, converted_from) = PhoneNumber::parse_with_conversion(input)?;
            let parts = PhoneParts::of(&phone, converted_from);
            (phone.to_string(), Parts::Phone(parts))
        }
        IdentifierKind::TaxCode => {
            let tax = TaxCode::parse(input)?;
            (tax.to_string(), Parts::TaxCode(TaxCodeParts::of(&tax)))
        }
        IdentifierKind::BhxhCode => {
            let code = BhxhCode::parse(input)?;
            let parts = BhxhCodeParts {
                personal_id: code.personal_id().is_some(),
            };
            (code.to_string(), Parts::BhxhCode(parts))
        }
        IdentifierKind::Email => {
            let email = Email::parse(input)?;
            let parts = EmailParts {
                local_part: email.local_part().to_owned(),
                domain: email.domain().to_owned(),
            };
            (email.to_string(), Parts::Email(parts))
        }
    };
    Ok(Reading {
        kind,
        normalized,
        parts,
    })
}

#[cfg(test)]
mod tests;
