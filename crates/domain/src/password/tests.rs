use super::*;
use time::macros::date;

fn rule(result: Result<(), Invalid>) -> &'static str {
    result.map_or_else(|e| e.rule(), |()| "ok")
}

fn person() -> PasswordContext {
    PasswordContext {
        personal_id: Some("001 099 012345".to_owned()),
        phones: vec!["0912 345 678".to_owned(), "+84 36 234 5678".to_owned()],
        birth_date: Some(date!(1990 - 05 - 12)),
        names: vec!["Nguyễn Văn An".to_owned(), "Trần Thị Hương".to_owned()],
    }
}

#[test]
fn defaults_follow_nist() {
    let policy = PasswordPolicy::default();
    assert_eq!(policy.min_length_with_second_factor, 8);
    assert_eq!(policy.min_length_alone, 15);
    assert_eq!(policy.max_length, 128);
    assert!(!policy.classic_composition);
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn length_depends_on_the_second_factor() {
    let policy = PasswordPolicy::default();
    let none = PasswordContext::default();
    assert_eq!(rule(policy.check("sông Hồng", true, &none)), "ok");
    assert_eq!(rule(policy.check("tre xanh", true, &none)), "ok");
    assert_eq!(
        rule(policy.check("tre xan", true, &none)),
        "password.too_short"
    );
    assert_eq!(
        policy.check("sông Hồng", false, &none),
        Err(Invalid::PasswordTooShort { min: 15, found: 9 })
    );
    assert_eq!(
        rule(policy.check("sông Hồng đỏ nặng phù sa", false, &none)),
        "ok"
    );
    let long = "ngựa ô ".repeat(19); // 133 characters
    assert_eq!(
        policy.check(&long, false, &none),
        Err(Invalid::PasswordTooLong {
            max: 128,
            found: 133
        })
    );
}

#[test]
fn length_counts_characters_after_nfc() {
    let policy = PasswordPolicy::default();
    let none = PasswordContext::default();
    // "Hồng" decomposed is 6 code points but 4 characters once composed.
    let decomposed = "Ho\u{302}\u{300}ng hoa";
    assert_eq!(decomposed.chars().count(), 10);
    assert_eq!(normalize(decomposed), "Hồng hoa");
    assert_eq!(rule(policy.check(decomposed, true, &none)), "ok");
    assert_eq!(
        policy.check("Ho\u{302}\u{300}ng ho", true, &none),
        Err(Invalid::PasswordTooShort { min: 8, found: 7 })
    );
    // Emoji, CJK and spaces are all fine.
    assert_eq!(rule(policy.check("🌾 lúa 稻 chín 🌾", true, &none)), "ok");
}

#[test]
fn control_characters_are_refused() {
    let policy = PasswordPolicy::default();
    let none = PasswordContext::default();
    assert_eq!(
        rule(policy.check("tab\there word", true, &none)),
        "password.unprintable"
    );
    assert_eq!(
        rule(policy.check("nul\0nul nul", true, &none)),
        "password.unprintable"
    );
}

#[test]
fn common_passwords_are_refused_in_any_case() {
    let policy = PasswordPolicy::default();
    let none = PasswordContext::default();
    for common in [
        "password",
        "Password1",
        "12345678",
        "iloveyou",
        "QWERTYUIOP",
        "anhyeuem",
        "AnhYêuEm123",
        "matkhau123",
        "baseball",
    ] {
        assert_eq!(
            rule(policy.check(common, true, &none)),
            "password.common",
            "{common}"
        );
    }
}

#[test]
fn service_words_are_refused_with_decorations() {
    let policy = PasswordPolicy::default();
    let none = PasswordContext::default();
    for word in [
        "Dichvucong@2025",
        "dvcid-2025!!",
        "VNeID123456",
        "Mật khẩu 2025",
        "Password!2025",
    ] {
        let result = policy.check(word, true, &none);
        assert!(
            matches!(
                result,
                Err(Invalid::PasswordContextWord { .. }) | Err(Invalid::PasswordCommon)
            ),
            "{word}: {result:?}"
        );
    }
    assert_eq!(
        policy.check("Dichvucong@2025", true, &none),
        Err(Invalid::PasswordContextWord { word: "dichvucong" })
    );
}

#[test]
fn repetitions_are_refused() {
    let policy = PasswordPolicy::default();
    let none = PasswordContext::default();
    for weak in [
        "zzzzzzzzzzzzzzzz",
        "xyzxyzxyz",
        "mnopqrstuvw",
        "dragondragon",
    ] {
        assert_eq!(
            rule(policy.check(weak, true, &none)),
            "password.repetitive",
            "{weak}"
        );
    }
}

#[test]
fn personal_data_is_refused() {
    let policy = PasswordPolicy::default();
    let ctx = person();
    let cases = [
        ("id001099012345", PersonalDatum::PersonalId),
        ("x-001.099.012345", PersonalDatum::PersonalId),
        ("goi 0912345678 nhe", PersonalDatum::Phone),
        ("so912345678!", PersonalDatum::Phone),
        ("+84912345678", PersonalDatum::Phone),
        ("alo 0362345678", PersonalDatum::Phone),
        ("sinh 12051990", PersonalDatum::BirthDate),
        ("sinh 12/05/1990", PersonalDatum::BirthDate),
        ("1990-05-12 day", PersonalDatum::BirthDate),
        ("ngay 12.05.90", PersonalDatum::BirthDate),
        ("ngay 900512!", PersonalDatum::BirthDate),
        ("12/5/1990 ok?", PersonalDatum::BirthDate),
        ("NguyenVanAn!", PersonalDatum::Name),
        ("nguyễn văn an 1", PersonalDatum::Name),
        ("Nguyen_Van_An", PersonalDatum::Name),
        ("i am huong!!", PersonalDatum::Name),
        ("HƯƠNG xinh đẹp", PersonalDatum::Name),
    ];
    for (password, datum) in cases {
        assert_eq!(
            policy.check(password, true, &ctx),
            Err(Invalid::PasswordContainsPersonalData { datum }),
            "{password}"
        );
    }
    // Not the person's data: another date, a short given name alone, part of the ID.
    for fine in [
        "sinh 13061991",
        "an toàn là bạn",
        "ma so 099012",
        "hoa sen trắng",
    ] {
        assert_eq!(rule(policy.check(fine, true, &ctx)), "ok", "{fine}");
    }
}

#[test]
fn personal_data_message_names_the_datum() {
    let err = Invalid::PasswordContainsPersonalData {
        datum: PersonalDatum::BirthDate,
    };
    assert_eq!(err.rule(), "password.contains_personal_data");
    assert_eq!(
        err.to_string(),
        "the password contains the person's date of birth"
    );
    assert_eq!(err.message_vi(), "mật khẩu chứa ngày sinh của người dùng");
}

#[test]
fn classic_composition_is_an_operator_switch() {
    let policy = PasswordPolicy {
        classic_composition: true,
        ..PasswordPolicy::default()
    };
    let none = PasswordContext::default();
    assert_eq!(rule(policy.check("Sông-Hồng-9", true, &none)), "ok");
    let err = policy.check("sông hồng chảy", true, &none).unwrap_err();
    assert_eq!(
        err,
        Invalid::PasswordComposition {
            missing: vec![CharClass::Upper, CharClass::Digit]
        }
    );
    assert_eq!(
        err.to_string(),
        "the password needs at least one upper-case letter and one digit"
    );
    assert_eq!(
        err.message_vi(),
        "mật khẩu cần có ít nhất một chữ hoa và một chữ số"
    );
    let err = policy.check("xxxxxxxxyyyy", true, &none).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the password needs at least one upper-case letter, one digit and one special character"
    );
}

#[test]
fn policy_from_configuration() {
    let policy: PasswordPolicy = serde_json::from_str("{}").unwrap();
    assert_eq!(policy, PasswordPolicy::default());
    let policy: PasswordPolicy =
        serde_json::from_str(r#"{"classic_composition": true, "max_length": 64}"#).unwrap();
    assert!(policy.classic_composition);
    assert_eq!(policy.max_length, 64);

    let err = serde_json::from_str::<PasswordPolicy>(r#"{"max_length": 20}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("max_length must be at least 64; it is 20"),
        "{err}"
    );
    let err = serde_json::from_str::<PasswordPolicy>(r#"{"min_length_with_second_factor": 6}"#)
        .unwrap_err();
    assert!(
        err.to_string().contains("min_length_with_second_factor"),
        "{err}"
    );
    let err = serde_json::from_str::<PasswordPolicy>(r#"{"min_lenght_alone": 6}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn validate_names_the_field() {
    let cases = [
        (
            PasswordPolicy {
                min_length_with_second_factor: 7,
                ..Default::default()
            },
            "min_length_with_second_factor",
            8,
            7,
        ),
        (
            PasswordPolicy {
                min_length_alone: 7,
                ..Default::default()
            },
            "min_length_alone",
            8,
            7,
        ),
        (
            PasswordPolicy {
                max_length: 63,
                ..Default::default()
            },
            "max_length",
            64,
            63,
        ),
        (
            PasswordPolicy {
                min_length_alone: 80,
                max_length: 70,
                ..Default::default()
            },
            "max_length",
            80,
            70,
        ),
    ];
    for (policy, field, minimum, found) in cases {
        let err = policy.validate().unwrap_err();
        assert_eq!(
            err,
            Invalid::PasswordPolicyOutOfRange {
                field,
                minimum,
                found
            }
        );
        assert_eq!(err.rule(), "password_policy.out_of_range");
    }
}
