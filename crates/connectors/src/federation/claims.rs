//! VNeID's own claims, read from an ID token whose signature, issuer, audience, times and
//! nonce were already verified, into a [`FederatedIdentity`]. Each refusal names the claim at
//! fault and never its value (a personal ID does not belong in a log line).

use std::str::FromStr;

use domain::{AssuranceLevel, Gender, PersonalId};
use openidconnect::core::CoreGenderClaim;
use openidconnect::{AdditionalClaims, IdTokenClaims};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use super::{EidLevel, FederatedIdentity};
use crate::wire;

/// The claims VNeID adds to the standard ones, kept as JSON until checked here, so that a
/// malformed one is refused by name rather than as an unreadable token.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct VneidClaims {
    #[serde(
        rename = "citizenPid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    citizen_pid: Option<Value>,
    #[serde(rename = "fullName", default, skip_serializing_if = "Option::is_none")]
    full_name: Option<Value>,
    #[serde(rename = "birthDate", default, skip_serializing_if = "Option::is_none")]
    birth_date: Option<Value>,
    #[serde(
        rename = "accountLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    account_level: Option<Value>,
}

impl AdditionalClaims for VneidClaims {}

pub(super) type VneidIdTokenClaims = IdTokenClaims<VneidClaims, CoreGenderClaim>;

/// The person in verified `claims`; `Err` names the claim that cannot be believed.
pub(super) fn identity(
    issuer: &str,
    claims: &VneidIdTokenClaims,
) -> Result<FederatedIdentity, String> {
    let extra = claims.additional_claims();
    let subject = claims.subject().as_str();
    if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) {
        return Err("sub: must be 1 to 255 characters without control characters".to_owned());
    }
    let level = account_level(extra.account_level.as_ref())?;
    let acr = match claims.auth_context_ref() {
        // A provider that does not say how the person signed in vouches for the account's
        // level.
        None => level.assurance(),
        Some(acr) => AssuranceLevel::from_str(acr.as_str())
            .map_err(|_| "acr: not a level this portal knows (LoA1, LoA2, LoA3)".to_owned())?,
    };
    if acr > level.assurance() {
        return Err(format!(
            "acr: {acr} is more than an account of level {} can reach ({})",
            level.number(),
            level.assurance()
        ));
    }
    let auth_time = claims
        .auth_time()
        .map(|at| {
            OffsetDateTime::from_unix_timestamp(at.timestamp())
                .map_err(|_| "auth_time: out of range".to_owned())
        })
        .transpose()?;
    Ok(FederatedIdentity {
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        personal_id: personal_id(extra.citizen_pid.as_ref())?,
        full_name: full_name(extra.full_name.as_ref())?,
        birth_date: birth_date(extra.birth_date.as_ref())?,
        gender: claims
            .gender()
            .and_then(|gender| gender_of(gender.as_str())),
        level,
        acr,
        amr: claims
            .auth_method_refs()
            .map(|amr| {
                amr.iter()
                    .map(|method| method.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        auth_time,
    })
}

/// `citizenPid`: exactly the 12 digits of a personal ID.
fn personal_id(value: Option<&Value>) -> Result<PersonalId, String> {
    let refused = || "citizenPid: must be a 12-digit personal ID".to_owned();
    match value {
        None | Some(Value::Null) => Err("citizenPid: missing".to_owned()),
        Some(Value::String(text))
            if text.len() == PersonalId::LEN && text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            PersonalId::parse(text).map_err(|_| refused())
        }
        Some(_) => Err(refused()),
    }
}

fn full_name(value: Option<&Value>) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Err("fullName: missing".to_owned()),
        Some(Value::String(text)) => {
            wire::full_name(text).map_err(|reason| format!("fullName: {reason}"))
        }
        Some(_) => Err("fullName: must be a string".to_owned()),
    }
}

/// `birthDate`: optional, `yyyy-mm-dd` when present.
fn birth_date(value: Option<&Value>) -> Result<Option<Date>, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Date::parse(text, format)
            .map(Some)
            .map_err(|_| "birthDate: must be a date as yyyy-mm-dd".to_owned()),
        Some(_) => Err("birthDate: must be a date as yyyy-mm-dd".to_owned()),
    }
}

/// `accountLevel`: 1 or 2, as a number (or its decimal string).
fn account_level(value: Option<&Value>) -> Result<EidLevel, String> {
    let number = match value {
        None | Some(Value::Null) => return Err("accountLevel: missing".to_owned()),
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.parse::<u64>().ok(),
        Some(_) => None,
    };
    number
        .and_then(|number| u8::try_from(number).ok())
        .and_then(EidLevel::from_number)
        .ok_or_else(|| "accountLevel: must be 1 or 2".to_owned())
}

/// `gender`: "male" or "female"; any other value is not released as a gender.
fn gender_of(text: &str) -> Option<Gender> {
    Gender::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn account_levels_are_one_or_two() {
        assert_eq!(account_level(Some(&json!(1))), Ok(EidLevel::One));
        assert_eq!(account_level(Some(&json!("2"))), Ok(EidLevel::Two));
        for bad in [
            json!(3),
            json!(0),
            json!(-1),
            json!(1.5),
            json!("x"),
            json!([2]),
        ] {
            assert!(account_level(Some(&bad)).is_err(), "{bad}");
        }
        assert!(account_level(None).is_err());
    }

    #[test]
    fn personal_ids_are_exactly_twelve_digits() {
        assert!(personal_id(Some(&json!("001090123456"))).is_ok());
        for bad in [
            json!("001 090 123456"),
            json!("00109012345"),
            json!("0010901234567"),
            json!(1090123456),
            json!("999090123456"),
        ] {
            assert!(personal_id(Some(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn birth_dates_are_iso_or_absent() {
        assert_eq!(birth_date(None), Ok(None));
        assert!(birth_date(Some(&json!("1990-02-28"))).unwrap().is_some());
        assert!(birth_date(Some(&json!("28/02/1990"))).is_err());
        assert!(birth_date(Some(&json!("1990-02-30"))).is_err());
    }

    #[test]
    fn genders_other_than_male_and_female_are_not_released() {
        assert_eq!(gender_of("female"), Some(Gender::Female));
        assert_eq!(gender_of("other"), None);
    }
}
