//! Every identifier parser on the same text: no panic, a refusal names its rule and has its
//! messages, and an accepted value is normalised — its text parses back to the same value.
#![no_main]

use std::fmt::{Debug, Display};
use std::str::FromStr;

use domain::{
    BhxhCode, Email, Inspection, Invalid, LegacyCmnd, PersonalId, PhoneNumber, TaxCode, inspect,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(id) = round_trip::<PersonalId>(input) {
        // The parts are read from the digits; none may panic on a valid number.
        let _ = (id.province(), id.gender(), id.birth_year(), id.serial());
    }
    if let Some(tax) = round_trip::<TaxCode>(input) {
        if let Some(id) = tax.personal_id() {
            assert!(
                tax.is_individual(),
                "{tax}: a personal ID inside, yet not an individual"
            );
            assert_eq!(
                id.as_str(),
                tax.base(),
                "{tax}: its personal ID is not its base"
            );
        }
    }
    round_trip::<PhoneNumber>(input);
    if let Ok((number, Some(old))) = PhoneNumber::parse_with_conversion(input) {
        // The old 11-digit form reads as today's number.
        assert_eq!(
            PhoneNumber::parse(&old).as_ref(),
            Ok(&number),
            "{input:?} → {old}"
        );
    }
    round_trip::<LegacyCmnd>(input);
    round_trip::<BhxhCode>(input);
    round_trip::<Email>(input);
    check_inspection(input);
    let normalized = domain::password::normalize(input);
    assert_eq!(domain::password::normalize(&normalized), normalized);
});

/// Parses `input`; on success checks `display → parse` gives the same value and the same text.
fn round_trip<T>(input: &str) -> Option<T>
where
    T: FromStr<Err = Invalid> + Display + PartialEq + Debug,
{
    match input.parse::<T>() {
        Ok(value) => {
            let text = value.to_string();
            let again = text.parse::<T>();
            assert_eq!(
                again.as_ref(),
                Ok(&value),
                "{input:?} → {text:?} does not parse back"
            );
            assert_eq!(again.map(|v| v.to_string()).as_deref(), Ok(text.as_str()));
            Some(value)
        }
        Err(invalid) => {
            assert!(!invalid.rule().is_empty());
            let _ = (invalid.to_string(), invalid.message_vi());
            None
        }
    }
}

/// The identifier box of the sign-in page: whatever kind it reads, its normalised text is read
/// as that kind again.
fn check_inspection(input: &str) {
    let inspection = inspect(input);
    serde_json::to_string(&inspection).expect("an inspection serialises");
    if let Inspection::Valid(recognized) = inspection {
        for reading in std::iter::once(&recognized.reading).chain(&recognized.also) {
            let again = inspect(&reading.normalized);
            let Inspection::Valid(again) = again else {
                panic!(
                    "{input:?} read as {:?} {:?}, which is then refused",
                    reading.kind, reading.normalized
                );
            };
            assert!(
                std::iter::once(&again.reading)
                    .chain(&again.also)
                    .any(|r| r.kind == reading.kind && r.normalized == reading.normalized),
                "{input:?}: {:?} {:?} is not read the same way again",
                reading.kind,
                reading.normalized
            );
        }
    }
}
