//! Property tests across the identifier types: generated valid values round-trip through every
//! accepted spelling, and no input makes a parser or `inspect` panic.

use domain::{
    BhxhCode, Carrier, Email, Gender, LegacyCmnd, PROVINCES, PasswordContext, PasswordPolicy,
    PersonalId, PhoneNumber, TaxCode, inspect,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

fn gender() -> impl Strategy<Value = Gender> {
    select(Gender::ALL.to_vec())
}

/// Writes `digits` with a separator from `separators` drawn before each digit (often none).
fn spell(digits: &str, choices: &[usize], separators: &[&str]) -> String {
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        let choice = choices.get(i).copied().unwrap_or(0);
        if i > 0 {
            out.push_str(separators.get(choice).copied().unwrap_or(""));
        }
        out.push(digit);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        // Integration tests have no lib.rs beside them for the default lookup; keep found
        // failures in a file of their own so they are replayed first on the next run.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/properties.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn personal_ids_round_trip_and_agree_with_their_parts(
        province in select(PROVINCES.to_vec()),
        gender in gender(),
        birth_year in 1900..=2399i32,
        serial in 0..=999_999u32,
        ordinal in 1..=365u16,
        choices in prop::collection::vec(0..6usize, 12),
    ) {
        let id = PersonalId::from_parts(province.code, gender, birth_year, serial).unwrap();
        prop_assert_eq!(id.as_str().len(), 12);
        prop_assert_eq!(id.province(), &province);
        prop_assert_eq!(id.gender(), gender);
        prop_assert_eq!(id.birth_year(), birth_year);
        prop_assert_eq!(id.serial(), serial);

        let parsed = PersonalId::parse(id.as_str()).unwrap();
        prop_assert_eq!(&parsed, &id);
        let spelled = spell(id.as_str(), &choices, &["", "", "", " ", ".", "  "]);
        prop_assert_eq!(PersonalId::parse(&format!(" {spelled} ")).unwrap(), id.clone());
        let again = PersonalId::from_parts(
            parsed.province().code, parsed.gender(), parsed.birth_year(), parsed.serial(),
        ).unwrap();
        prop_assert_eq!(&again, &id);

        let birth_date = time::Date::from_ordinal_date(birth_year, ordinal).unwrap();
        prop_assert!(id.check_consistent(birth_date, gender).is_ok());
        let other = if gender == Gender::Male { Gender::Female } else { Gender::Male };
        prop_assert_eq!(id.check_consistent(birth_date, other).unwrap_err().rule(), "personal_id.gender_mismatch");
        let other_year = time::Date::from_ordinal_date(birth_year + 1, 1).unwrap();
        prop_assert_eq!(
            id.check_consistent(other_year, gender).unwrap_err().rule(),
            "personal_id.birth_year_mismatch"
        );

        // Also an individual's tax code and a BHXH code, with the same digits.
        let tax = TaxCode::parse(id.as_str()).unwrap();
        prop_assert_eq!(tax.personal_id(), Some(&id));
        let bhxh = BhxhCode::parse(id.as_str()).unwrap();
        prop_assert_eq!(bhxh.personal_id(), Some(&id));
    }

    #[test]
    fn every_spelling_of_a_mobile_number_gives_one_e164(
        prefix in select(Carrier::ALL.iter().flat_map(|c| c.prefixes()).copied().collect::<Vec<_>>()),
        rest in "[0-9]{7}",
        choices in prop::collection::vec(0..7usize, 12),
    ) {
        let national = format!("{prefix}{rest}");
        let subscriber = &national[1..];
        let e164 = format!("+84{subscriber}");
        let separators = ["", "", "", " ", ".", "-", " - "];
        let spellings = [
            national.clone(),
            spell(&national, &choices, &separators),
            format!("+84{}", spell(subscriber, &choices, &separators)),
            format!("+84 {subscriber}"),
            format!("84{subscriber}"),
            format!("(+84) {}", spell(subscriber, &choices, &separators)),
            format!("+84 (0) {subscriber}"),
            format!("0084{subscriber}"),
            subscriber.to_owned(),
            format!("  {national}\t"),
        ];
        for spelling in &spellings {
            let phone = PhoneNumber::parse(spelling).map_err(|e| TestCaseError::fail(format!("{spelling:?}: {e}")))?;
            prop_assert_eq!(phone.e164(), e164.as_str(), "{:?}", spelling);
            prop_assert_eq!(phone.national(), national.clone());
            prop_assert!(phone.carrier().prefixes().contains(&prefix));
            prop_assert_eq!(PhoneNumber::parse(phone.as_str()).unwrap(), phone);
        }
    }

    #[test]
    fn old_eleven_digit_numbers_convert_in_every_spelling(
        index in 0..21usize,
        rest in "[0-9]{7}",
    ) {
        const OLD: [(&str, &str); 21] = [
            ("0120", "070"), ("0121", "079"), ("0122", "077"), ("0126", "076"), ("0128", "078"),
            ("0123", "083"), ("0124", "084"), ("0125", "085"), ("0127", "081"), ("0129", "082"),
            ("0162", "032"), ("0163", "033"), ("0164", "034"), ("0165", "035"), ("0166", "036"),
            ("0167", "037"), ("0168", "038"), ("0169", "039"), ("0186", "056"), ("0188", "058"),
            ("0199", "059"),
        ];
        let (old, new) = OLD[index];
        let old_national = format!("{old}{rest}");
        let expected = format!("+84{}{rest}", &new[1..]);
        for spelling in [
            old_national.clone(),
            format!("+84 {}", &old_national[1..]),
            format!("84{}", &old_national[1..]),
            old_national[1..].to_owned(),
        ] {
            let (phone, from) = PhoneNumber::parse_with_conversion(&spelling).unwrap();
            prop_assert_eq!(phone.e164(), expected.as_str(), "{:?}", spelling);
            prop_assert_eq!(from, Some(old_national.clone()));
        }
    }

    #[test]
    fn tax_codes_with_the_right_check_digit_parse_and_others_do_not(
        first_nine in "[0-9]{9}",
        branch in 1..=999u16,
    ) {
        let serial_zero = &first_nine[2..9] == "0000000";
        match TaxCode::check_digit_for(&first_nine) {
            Some(check) if !serial_zero => {
                let code = format!("{first_nine}{check}");
                let tax = TaxCode::parse(&code).unwrap();
                prop_assert_eq!(tax.as_str(), code.as_str());
                prop_assert_eq!(tax.check_digit(), Some(check));
                let with_branch = TaxCode::parse(&format!("{code}-{branch:03}")).unwrap();
                prop_assert_eq!(with_branch.branch(), Some(branch));
                prop_assert_eq!(with_branch.base(), code.as_str());
                prop_assert_eq!(TaxCode::parse(&format!("{code}{branch:03}")).unwrap(), with_branch);
                for wrong in (0..=9u8).filter(|d| *d != check) {
                    let err = TaxCode::parse(&format!("{first_nine}{wrong}")).unwrap_err();
                    prop_assert_eq!(err.rule(), "tax_code.check_digit");
                }
            }
            Some(_) => {
                prop_assert_eq!(TaxCode::parse(&format!("{first_nine}0")).unwrap_err().rule(), "tax_code.serial_zero");
            }
            None => {
                for last in 0..=9u8 {
                    let code = format!("{first_nine}{last}");
                    prop_assert!(TaxCode::parse(&code).is_err());
                }
            }
        }
    }

    #[test]
    fn inspect_never_panics_and_always_serialises(input in any::<String>()) {
        let inspection = inspect(&input);
        let json = serde_json::to_value(&inspection).unwrap();
        prop_assert_eq!(json["valid"].as_bool(), Some(inspection.is_valid()));
    }

    #[test]
    fn inspect_never_panics_on_identifier_shaped_input(input in "[0-9 +.()@a-z-]{0,24}") {
        let json = serde_json::to_value(inspect(&input)).unwrap();
        prop_assert!(json["valid"].is_boolean());
    }

    #[test]
    fn parsers_never_panic_and_accepted_values_are_fixed_points(input in any::<String>()) {
        if let Ok(v) = PersonalId::parse(&input) { prop_assert_eq!(PersonalId::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = LegacyCmnd::parse(&input) { prop_assert_eq!(LegacyCmnd::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = BhxhCode::parse(&input) { prop_assert_eq!(BhxhCode::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = PhoneNumber::parse(&input) { prop_assert_eq!(PhoneNumber::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = TaxCode::parse(&input) { prop_assert_eq!(TaxCode::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = Email::parse(&input) { prop_assert_eq!(Email::parse(v.as_str()).unwrap(), v); }
    }

    #[test]
    fn password_check_never_panics(
        password in any::<String>(),
        name in any::<String>(),
        phone in any::<String>(),
        second_factor in any::<bool>(),
    ) {
        let context = PasswordContext {
            personal_id: Some(phone.clone()),
            phones: vec![phone],
            birth_date: Some(time::macros::date!(1990 - 05 - 12)),
            names: vec![name],
        };
        let _ = PasswordPolicy::default().check(&password, second_factor, &context);
        let classic = PasswordPolicy { classic_composition: true, ..PasswordPolicy::default() };
        let _ = classic.check(&password, second_factor, &context);
    }
}

#[test]
fn every_error_has_a_vietnamese_message_with_diacritics() {
    // One refusal of each rule reachable from input; every message must be a real sentence.
    let refusals = [
        PersonalId::parse("").unwrap_err(),
        PersonalId::parse("00109901234").unwrap_err(),
        PersonalId::parse("00109901234x").unwrap_err(),
        PersonalId::parse("000099012345").unwrap_err(),
        PersonalId::from_parts(1, Gender::Male, 1800, 1).unwrap_err(),
        PersonalId::from_parts(1, Gender::Male, 1990, 10_000_000).unwrap_err(),
        PhoneNumber::parse("091234567").unwrap_err(),
        PhoneNumber::parse("+1 555").unwrap_err(),
        PhoneNumber::parse("0241234567").unwrap_err(),
        TaxCode::parse("01001091").unwrap_err(),
        TaxCode::parse("0100000000").unwrap_err(),
        TaxCode::parse("0100000050").unwrap_err(),
        TaxCode::parse("0100233480").unwrap_err(),
        TaxCode::parse("0100109106-1").unwrap_err(),
        TaxCode::parse("0100109106-000").unwrap_err(),
        TaxCode::parse("001099012345-001").unwrap_err(),
        Email::parse("a").unwrap_err(),
        Email::parse("@a.vn").unwrap_err(),
        Email::parse(&format!("{}@a.vn", "a".repeat(65))).unwrap_err(),
        Email::parse("a..b@a.vn").unwrap_err(),
        Email::parse("a@vn").unwrap_err(),
        Email::parse("a@-.vn").unwrap_err(),
        Email::parse(&format!("a@{}.vn", "b.".repeat(130))).unwrap_err(),
        "x".parse::<Gender>().unwrap_err(),
        PasswordPolicy {
            max_length: 1,
            ..Default::default()
        }
        .validate()
        .unwrap_err(),
    ];
    let mut rules = std::collections::HashSet::new();
    for err in &refusals {
        assert!(rules.insert(err.rule()), "duplicate {}", err.rule());
        let (en, vi) = (err.to_string(), err.message_vi());
        assert!(en.len() > 15 && !en.ends_with('.'), "{en}");
        assert!(!vi.is_ascii(), "no diacritics in {vi:?} for {}", err.rule());
        assert_ne!(en, vi);
    }
}
