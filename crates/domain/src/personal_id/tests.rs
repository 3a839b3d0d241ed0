use super::*;
use time::macros::date;

#[test]
fn parses_and_reads_its_parts() {
    let id = PersonalId::parse("001099012345").unwrap();
    assert_eq!(id.as_str(), "001099012345");
    assert_eq!(id.province().name, "Hà Nội");
    assert_eq!(id.gender(), Gender::Male);
    assert_eq!(id.birth_year(), 1999);
    assert_eq!(id.century_digit(), 0);
    assert_eq!(id.serial(), 12345);
    assert_eq!(id.to_string(), "001099012345");
}

#[test]
fn century_and_gender_digit_table() {
    let cases = [
        ('0', Gender::Male, 1905),
        ('1', Gender::Female, 1905),
        ('2', Gender::Male, 2005),
        ('3', Gender::Female, 2005),
        ('4', Gender::Male, 2105),
        ('5', Gender::Female, 2105),
        ('6', Gender::Male, 2205),
        ('7', Gender::Female, 2205),
        ('8', Gender::Male, 2305),
        ('9', Gender::Female, 2305),
    ];
    for (digit, gender, year) in cases {
        let id = PersonalId::parse(&format!("079{digit}05000001")).unwrap();
        assert_eq!(
            (id.gender(), id.birth_year()),
            (gender, year),
            "digit {digit}"
        );
        assert_eq!(id.province().name, "Thành phố Hồ Chí Minh");
    }
}

#[test]
fn accepts_spaces_dots_and_surrounding_whitespace() {
    for input in [
        " 001099012345 ",
        "001 099 012345",
        "001.099.012.345",
        "\t001 099.012345\n",
    ] {
        assert_eq!(
            PersonalId::parse(input).unwrap().as_str(),
            "001099012345",
            "{input:?}"
        );
    }
}

#[test]
fn refusals_name_their_rule() {
    let cases = [
        ("", "personal_id.empty"),
        ("   ", "personal_id.empty"),
        ("00109901234", "personal_id.length"),
        ("0010990123456", "personal_id.length"),
        ("001-099-012345", "personal_id.character"),
        ("00109901234a", "personal_id.character"),
        ("001O99012345", "personal_id.character"),
        ("000099012345", "personal_id.province_unknown"),
        ("003099012345", "personal_id.province_unknown"),
        ("097099012345", "personal_id.province_unknown"),
        ("999099012345", "personal_id.province_unknown"),
    ];
    for (input, rule) in cases {
        assert_eq!(
            PersonalId::parse(input).unwrap_err().rule(),
            rule,
            "{input:?}"
        );
    }
}

#[test]
fn length_message_counts_the_digits() {
    let err = PersonalId::parse("00109901234").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a personal ID number has 12 digits; this has 11"
    );
    assert_eq!(
        err.message_vi(),
        "số định danh cá nhân gồm 12 chữ số; giá trị này có 11"
    );
    let err = PersonalId::parse("003099012345").unwrap_err();
    assert_eq!(err, Invalid::ProvinceUnknown { code: 3 });
    assert_eq!(
        err.to_string(),
        "003 is not a province code of a personal ID number"
    );
}

#[test]
fn from_parts_builds_the_same_number_parse_reads() {
    let id = PersonalId::from_parts(1, Gender::Female, 2003, 42).unwrap();
    assert_eq!(id.as_str(), "001303000042");
    assert_eq!(PersonalId::parse(id.as_str()).unwrap(), id);
    let id = PersonalId::from_parts(96, Gender::Male, 1900, 999_999).unwrap();
    assert_eq!(id.as_str(), "096000999999");
    let id = PersonalId::from_parts(48, Gender::Female, 2399, 0).unwrap();
    assert_eq!(id.as_str(), "048999000000");
}

#[test]
fn from_parts_refuses_what_cannot_be_written() {
    let cases = [
        (
            PersonalId::from_parts(3, Gender::Male, 1990, 1),
            "personal_id.province_unknown",
        ),
        (
            PersonalId::from_parts(1, Gender::Male, 1899, 1),
            "personal_id.birth_year_out_of_range",
        ),
        (
            PersonalId::from_parts(1, Gender::Male, 2400, 1),
            "personal_id.birth_year_out_of_range",
        ),
        (
            PersonalId::from_parts(1, Gender::Male, 1990, 1_000_000),
            "personal_id.serial_out_of_range",
        ),
    ];
    for (result, rule) in cases {
        assert_eq!(result.unwrap_err().rule(), rule);
    }
}

#[test]
fn consistency_with_birth_date_and_gender() {
    let id = PersonalId::parse("001099012345").unwrap();
    assert_eq!(
        id.check_consistent(date!(1999 - 12 - 31), Gender::Male),
        Ok(())
    );
    let err = id
        .check_consistent(date!(1998 - 01 - 01), Gender::Male)
        .unwrap_err();
    assert_eq!(
        err,
        Invalid::BirthYearMismatch {
            in_id: 1999,
            given: 1998
        }
    );
    assert_eq!(err.rule(), "personal_id.birth_year_mismatch");
    assert_eq!(
        err.to_string(),
        "the personal ID number says born in 1999; the birth date says 1998"
    );
    let err = id
        .check_consistent(date!(1999 - 05 - 05), Gender::Female)
        .unwrap_err();
    assert_eq!(err.rule(), "personal_id.gender_mismatch");
    assert_eq!(
        err.to_string(),
        "the personal ID number says male; the gender given is female"
    );
    assert_eq!(
        err.message_vi(),
        "số định danh cá nhân ghi giới tính nam; giới tính đã nhập là nữ"
    );
    // The same two digits in another century are a different year.
    let err = id
        .check_consistent(date!(2099 - 05 - 05), Gender::Male)
        .unwrap_err();
    assert_eq!(err.rule(), "personal_id.birth_year_mismatch");
}

#[test]
fn serde_goes_through_parse() {
    let id: PersonalId = serde_json::from_str("\"001 099 012345\"").unwrap();
    assert_eq!(serde_json::to_string(&id).unwrap(), "\"001099012345\"");
    let err = serde_json::from_str::<PersonalId>("\"000099012345\"").unwrap_err();
    assert!(err.to_string().contains("not a province code"), "{err}");
}
