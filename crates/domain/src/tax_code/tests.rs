use super::*;

#[test]
fn published_codes_are_valid() {
    for code in ["0100109106", "0100684378", "0101248141", "0300588569"] {
        let tax = TaxCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(tax.as_str(), code);
        assert_eq!(tax.base(), code);
        assert_eq!(tax.branch(), None);
        assert!(!tax.is_individual());
    }
}

#[test]
fn a_wrong_check_digit_is_refused() {
    let err = TaxCode::parse("0100233480").unwrap_err();
    assert_eq!(
        err,
        Invalid::TaxCodeCheckDigit {
            expected: 8,
            found: 0
        }
    );
    assert_eq!(err.rule(), "tax_code.check_digit");
    assert_eq!(
        err.to_string(),
        "the check digit of this tax code should be 8, not 0"
    );
}

#[test]
fn branches() {
    let tax = TaxCode::parse("0314409058-002").unwrap();
    assert_eq!(tax.as_str(), "0314409058-002");
    assert_eq!(tax.base(), "0314409058");
    assert_eq!(tax.branch(), Some(2));
    assert_eq!(tax.check_digit(), Some(8));
    assert_eq!(
        TaxCode::parse("0314409058-999").unwrap().branch(),
        Some(999)
    );
    let err = TaxCode::parse("0314409058-000").unwrap_err();
    assert_eq!(err.rule(), "tax_code.branch_zero");
    assert_eq!(
        err.to_string(),
        "a branch number runs from 001 to 999; 000 is not one"
    );
}

#[test]
fn spellings_of_a_branch_code() {
    for input in [
        "0314409058-002",
        " 0314409058 - 002 ",
        "0314.409.058-002",
        "0314409058002",
    ] {
        assert_eq!(
            TaxCode::parse(input).unwrap().as_str(),
            "0314409058-002",
            "{input:?}"
        );
    }
}

#[test]
fn check_digit_rule_edges() {
    // r = 1 gives 9; r = 10 gives 0; r = 0 is never issued.
    assert_eq!(TaxCode::check_digit_for("100000001"), Some(9));
    assert_eq!(TaxCode::check_digit_for("100000004"), Some(0));
    assert_eq!(TaxCode::check_digit_for("010000005"), None);
    assert_eq!(TaxCode::check_digit_for("01000000"), None);
    assert_eq!(TaxCode::check_digit_for("01000000a"), None);
    assert!(TaxCode::parse("1000000019").is_ok());
    assert!(TaxCode::parse("1000000040").is_ok());
    for last in 0..=9 {
        let err = TaxCode::parse(&format!("010000005{last}")).unwrap_err();
        assert_eq!(err.rule(), "tax_code.never_issued");
    }
}

#[test]
fn an_individual_uses_the_personal_id() {
    let tax = TaxCode::parse("001 099 012345").unwrap();
    assert_eq!(tax.as_str(), "001099012345");
    assert_eq!(tax.base(), "001099012345");
    assert!(tax.is_individual());
    assert_eq!(tax.check_digit(), None);
    assert_eq!(tax.personal_id().unwrap().birth_year(), 1999);
}

#[test]
fn refusals_name_their_rule() {
    let cases = [
        ("", "tax_code.empty"),
        ("-001", "tax_code.empty"),
        ("010010910", "tax_code.length"),
        ("01001091066", "tax_code.length"),
        ("01001091066-001", "tax_code.length"),
        ("01001091060011", "tax_code.length"),
        ("010010910X", "tax_code.character"),
        ("0100109106/001", "tax_code.character"),
        ("0100109106-001-002", "tax_code.character"),
        ("0100000000", "tax_code.serial_zero"),
        ("0100233480", "tax_code.check_digit"),
        ("0100109106-", "tax_code.branch_length"),
        ("0100109106-01", "tax_code.branch_length"),
        ("0100109106-0001", "tax_code.branch_length"),
        ("0100109106-000", "tax_code.branch_zero"),
        ("0100109106000", "tax_code.branch_zero"),
        ("001099012345-001", "tax_code.branch_on_individual"),
        ("000099012345", "personal_id.province_unknown"),
    ];
    for (input, rule) in cases {
        assert_eq!(TaxCode::parse(input).unwrap_err().rule(), rule, "{input:?}");
    }
}

#[test]
fn serde_round_trips_the_normalised_form() {
    let tax: TaxCode = serde_json::from_str("\"0314409058002\"").unwrap();
    assert_eq!(serde_json::to_string(&tax).unwrap(), "\"0314409058-002\"");
    assert!(serde_json::from_str::<TaxCode>("\"0100233480\"").is_err());
}
