use super::*;

#[test]
fn accepted_spellings_all_give_the_same_number() {
    let spellings = [
        "0912345678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "912345678",
        "0912.345.678",
        "0912-345-678",
        "(+84) 912 345 678",
        "+84 (0) 912 345 678",
        "0084 912 345 678",
        "  0912 345 678\t",
    ];
    for input in spellings {
        let phone = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(phone.e164(), "+84912345678", "{input:?}");
    }
}

#[test]
fn forms_of_one_number() {
    let phone = PhoneNumber::parse("0912345678").unwrap();
    assert_eq!(phone.as_str(), "+84912345678");
    assert_eq!(phone.to_string(), "+84912345678");
    assert_eq!(phone.national(), "0912345678");
    assert_eq!(phone.masked(), "09******78");
    assert_eq!(phone.carrier(), Carrier::Vinaphone);
    assert_eq!(phone.carrier().name(), "VinaPhone");
}

#[test]
fn every_carrier_prefix_parses_to_its_carrier() {
    let mut seen = std::collections::HashSet::new();
    for carrier in Carrier::ALL {
        for prefix in carrier.prefixes() {
            assert!(seen.insert(*prefix), "{prefix} held twice");
            let phone = PhoneNumber::parse(&format!("{prefix}1234567")).unwrap();
            assert_eq!(phone.carrier(), carrier, "{prefix}");
            assert_eq!(phone.national(), format!("{prefix}1234567"));
        }
    }
    assert_eq!(seen.len(), 12 + 8 + 8 + 4 + 2 + 1);
}

#[test]
fn carrier_prefixes_as_listed_in_the_spec() {
    let table = [
        (
            Carrier::Viettel,
            "032 033 034 035 036 037 038 039 086 096 097 098",
        ),
        (Carrier::Vinaphone, "081 082 083 084 085 088 091 094"),
        (Carrier::Mobifone, "070 076 077 078 079 089 090 093"),
        (Carrier::Vietnamobile, "052 056 058 092"),
        (Carrier::Gmobile, "059 099"),
        (Carrier::Itel, "087"),
    ];
    for (carrier, prefixes) in table {
        assert_eq!(carrier.prefixes().join(" "), prefixes);
    }
    let names: Vec<_> = Carrier::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "Viettel",
            "VinaPhone",
            "MobiFone",
            "Vietnamobile",
            "Gmobile",
            "iTel"
        ]
    );
    assert_eq!(Carrier::Itel.as_str(), "itel");
    assert_eq!(
        serde_json::to_string(&Carrier::Mobifone).unwrap(),
        "\"mobifone\""
    );
}

#[test]
fn unassigned_prefixes_are_refused() {
    for prefix in [
        "010", "011", "020", "024", "028", "031", "040", "050", "051", "053", "060", "080", "095",
    ] {
        let err = PhoneNumber::parse(&format!("{prefix}1234567")).unwrap_err();
        assert_eq!(
            err,
            Invalid::PhonePrefixUnassigned {
                prefix: prefix.to_owned()
            }
        );
        assert_eq!(err.rule(), "phone.prefix_unassigned");
    }
}

#[test]
fn numbers_converted_in_2018_map_to_ten_digits() {
    let table = [
        ("0120", "070"),
        ("0121", "079"),
        ("0122", "077"),
        ("0126", "076"),
        ("0128", "078"),
        ("0123", "083"),
        ("0124", "084"),
        ("0125", "085"),
        ("0127", "081"),
        ("0129", "082"),
        ("0162", "032"),
        ("0163", "033"),
        ("0164", "034"),
        ("0165", "035"),
        ("0166", "036"),
        ("0167", "037"),
        ("0168", "038"),
        ("0169", "039"),
        ("0186", "056"),
        ("0188", "058"),
        ("0199", "059"),
    ];
    for (old, new) in table {
        let rest = old.strip_prefix('0').unwrap();
        for input in [
            format!("{old}2345678"),
            format!("+84 {rest} 234 5678"),
            format!("84{rest}2345678"),
        ] {
            let (phone, from) = PhoneNumber::parse_with_conversion(&input).unwrap();
            assert_eq!(phone.national(), format!("{new}2345678"), "{input}");
            assert_eq!(
                from.as_deref(),
                Some(format!("{old}2345678").as_str()),
                "{input}"
            );
        }
    }
    let (_, from) = PhoneNumber::parse_with_conversion("0362345678").unwrap();
    assert_eq!(from, None);
}

#[test]
fn old_prefixes_never_assigned_are_refused() {
    for old in ["0130", "0100", "0161", "0187", "0190"] {
        let err = PhoneNumber::parse(&format!("{old}2345678")).unwrap_err();
        assert_eq!(
            err,
            Invalid::PhonePrefixUnassigned {
                prefix: old.to_owned()
            }
        );
    }
}

#[test]
fn refusals_name_their_rule() {
    let cases = [
        ("", "phone.empty"),
        (" - ", "phone.empty"),
        ("+", "phone.empty"),
        ("09123456789", "phone.length"),
        ("091234567", "phone.length"),
        ("+84 91234567", "phone.length"),
        ("12345", "phone.length"),
        ("+1 202 555 0100", "phone.country_code"),
        ("+85 912 345 678", "phone.country_code"),
        ("0912 345 67a", "phone.character"),
        ("0912+345678", "phone.character"),
        ("++84912345678", "phone.character"),
        ("0912/345/678", "phone.character"),
        ("0241234567", "phone.prefix_unassigned"),
    ];
    for (input, rule) in cases {
        assert_eq!(
            PhoneNumber::parse(input).unwrap_err().rule(),
            rule,
            "{input:?}"
        );
    }
}

#[test]
fn messages_say_what_is_wrong() {
    let err = PhoneNumber::parse("091234567").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a mobile number has 10 digits starting with 0 (or +84 and 9 digits); 091234567 has 9"
    );
    let err = PhoneNumber::parse("+1 202 555 0100").unwrap_err();
    assert_eq!(
        err.to_string(),
        "only Vietnamese mobile numbers (+84) are accepted; this starts with +120"
    );
    let err = PhoneNumber::parse("0241234567").unwrap_err();
    assert_eq!(err.to_string(), "no mobile carrier holds the prefix 024");
    assert_eq!(
        err.message_vi(),
        "không nhà mạng di động nào dùng đầu số 024"
    );
}

#[test]
fn serde_stores_e164() {
    let phone: PhoneNumber = serde_json::from_str("\"0166 234 5678\"").unwrap();
    assert_eq!(serde_json::to_string(&phone).unwrap(), "\"+84362345678\"");
    assert!(serde_json::from_str::<PhoneNumber>("\"0241234567\"").is_err());
}
