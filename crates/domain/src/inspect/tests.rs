use super::*;
use serde_json::{Value, json};

fn json_of(input: &str) -> Value {
    serde_json::to_value(inspect(input)).unwrap()
}

fn kinds(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item["kind"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_personal_id_is_also_an_individuals_tax_code() {
    let value = json_of("001 099 012345");
    assert_eq!(value["valid"], true);
    assert_eq!(value["kind"], "personal_id");
    assert_eq!(value["normalized"], "001099012345");
    assert_eq!(
        value["parts"],
        json!({
            "province_code": "001",
            "province_name": "Hà Nội",
            "gender": "male",
            "century_digit": 0,
            "century": "1900-1999",
            "birth_year": 1999,
            "serial": "012345",
        })
    );
    assert_eq!(kinds(&value["also"]), ["tax_code", "bhxh_code"]);
    assert_eq!(value["also"][0]["parts"]["individual"], true);
    assert_eq!(kinds(&value["refused_as"]), ["phone"]);
}

#[test]
fn a_mobile_number_reports_its_carrier() {
    let value = json_of("+84 912 345 678");
    assert_eq!(value["kind"], "phone");
    assert_eq!(
        value["parts"],
        json!({
            "e164": "+84912345678",
            "national": "0912345678",
            "carrier": "vinaphone",
            "carrier_name": "VinaPhone",
        })
    );
}

#[test]
fn an_old_number_says_what_it_was() {
    let value = json_of("0166 234 5678");
    assert_eq!(value["kind"], "phone");
    assert_eq!(value["normalized"], "+84362345678");
    assert_eq!(value["parts"]["converted_from"], "01662345678");
    assert_eq!(value["parts"]["carrier"], "viettel");
}

#[test]
fn ten_digits_list_every_kind_that_accepts_them() {
    // A valid tax code that is not a phone: tax code first, BHXH also.
    let value = json_of("0100109106");
    assert_eq!(value["kind"], "tax_code");
    assert_eq!(
        value["parts"],
        json!({"base": "0100109106", "check_digit": 6, "individual": false})
    );
    assert_eq!(kinds(&value["also"]), ["bhxh_code"]);
    assert_eq!(value["refused_as"][0]["rule"], "phone.prefix_unassigned");

    // A phone is read as a phone first; it is still a BHXH-shaped number.
    let value = json_of("0912345678");
    assert_eq!(value["kind"], "phone");
    assert!(kinds(&value["also"]).contains(&"bhxh_code"));

    // A bad check digit: valid only as a BHXH code, and the tax code refusal says why.
    let value = json_of("0100233480");
    assert_eq!(value["kind"], "bhxh_code");
    let refused = &value["refused_as"];
    assert_eq!(kinds(refused), ["phone", "tax_code"]);
    assert_eq!(refused[1]["rule"], "tax_code.check_digit");
    assert_eq!(
        refused[1]["message"],
        "the check digit of this tax code should be 8, not 0"
    );
    assert_eq!(
        refused[1]["message_vi"],
        "chữ số kiểm tra của mã số thuế này phải là 8, không phải 0"
    );
}

#[test]
fn a_branch_code() {
    let value = json_of("0314409058-002");
    assert_eq!(value["kind"], "tax_code");
    assert_eq!(value["parts"]["branch"], "002");
    let value = json_of("0314409058-000");
    assert_eq!(value["valid"], false);
    assert_eq!(value["candidates"][0]["rule"], "tax_code.branch_zero");
}

#[test]
fn nine_digits_are_a_cmnd_or_a_phone_without_its_zero() {
    let value = json_of("912345678");
    assert_eq!(value["kind"], "legacy_cmnd");
    assert_eq!(value["parts"], json!({}));
    assert_eq!(kinds(&value["also"]), ["phone"]);
    let value = json_of("123456789");
    assert_eq!(value["kind"], "legacy_cmnd");
    assert_eq!(value["refused_as"][0]["rule"], "phone.prefix_unassigned");
}

#[test]
fn an_email() {
    let value = json_of("An@Example.VN");
    assert_eq!(
        value,
        json!({
            "valid": true,
            "kind": "email",
            "normalized": "An@example.vn",
            "parts": {"local_part": "An", "domain": "example.vn"},
        })
    );
    let value = json_of("an@localhost");
    assert_eq!(value["valid"], false);
    assert_eq!(kinds(&value["candidates"]), ["email"]);
}

#[test]
fn eleven_digits_explain_the_personal_id_length() {
    let value = json_of("00109901234");
    assert_eq!(value["valid"], false);
    assert_eq!(value["input"], "00109901234");
    let candidates = &value["candidates"];
    assert_eq!(kinds(candidates), ["phone", "personal_id"]);
    assert_eq!(candidates[1]["rule"], "personal_id.length");
    assert_eq!(
        candidates[1]["message"],
        "a personal ID number has 12 digits; this has 11"
    );
}

#[test]
fn nonsense_is_refused_by_every_kind() {
    for input in ["", "hello", "   ", "+-()"] {
        let inspection = inspect(input);
        assert!(!inspection.is_valid(), "{input:?}");
        let Inspection::Invalid(refused) = inspection else {
            unreachable!()
        };
        assert_eq!(refused.candidates.len(), 6, "{input:?}");
    }
}
