use domain::digest::MacKey;
use domain::{
    AccountKind, AccountStatus, Email, Gender, PersonalId, PhoneNumber, RegistrationChannel,
    TaxCode,
};
use store::{
    Account, AccountId, ClaimMapping, ClientSettings, GrantType, Identity, OidcClient, SubjectType,
};
use time::macros::{date, datetime};
use uuid::Uuid;

use super::*;

fn citizen() -> Account {
    Account {
        id: AccountId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)),
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(PersonalId::parse("001190012345").unwrap()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: "Nguyễn Thị Minh Khai".to_owned(),
            birth_date: Some(date!(1990 - 05 - 07)),
            gender: Some(Gender::Female),
        },
        email: Some(Email::parse("khai@example.vn").unwrap()),
        status: AccountStatus::Active,
        registration_channel: RegistrationChannel::MobileSubscriber,
        created_at: datetime!(2026-01-01 0:00 UTC),
        updated_at: datetime!(2026-01-01 0:00 UTC),
    }
}

fn client(subject_type: SubjectType, redirect: &str) -> OidcClient {
    OidcClient {
        id: "bo-tu-phap".to_owned(),
        name: "Bộ Tư pháp".to_owned(),
        secret_hash: None,
        settings: ClientSettings {
            grant_types: vec![GrantType::AuthorizationCode],
            subject_type,
            ..ClientSettings::first_party(redirect, &["openid"])
        },
        created_at: datetime!(2026-01-01 0:00 UTC),
        updated_at: datetime!(2026-01-01 0:00 UTC),
    }
}

#[test]
fn vietnamese_names_split_family_first() {
    assert_eq!(
        split_name("Nguyễn Thị Minh Khai"),
        (Some("Nguyễn".to_owned()), Some("Thị Minh Khai".to_owned()))
    );
    assert_eq!(
        split_name("  Lê   Văn  Tám "),
        (Some("Lê".to_owned()), Some("Văn Tám".to_owned()))
    );
    assert_eq!(split_name("Hùng"), (None, Some("Hùng".to_owned())));
    assert_eq!(split_name("   "), (None, None));
}

#[test]
fn each_scope_releases_only_its_claims() {
    let account = citizen();
    let phone = PhoneNumber::parse("0912345678").unwrap();
    let person = Person {
        account: &account,
        phone: Some(&phone),
    };
    assert!(user_claims(person, &["openid"], ClaimMapping::Standard).is_empty());

    let profile = user_claims(person, &["openid", "profile"], ClaimMapping::Standard);
    assert_eq!(profile["name"], "Nguyễn Thị Minh Khai");
    assert_eq!(profile["family_name"], "Nguyễn");
    assert_eq!(profile["given_name"], "Thị Minh Khai");
    assert_eq!(profile["birthdate"], "1990-05-07");
    assert_eq!(profile["gender"], "female");
    assert_eq!(profile.len(), 5);

    let phone_claims = user_claims(person, &["phone"], ClaimMapping::Standard);
    assert_eq!(phone_claims["phone_number"], "+84912345678");
    assert_eq!(phone_claims["phone_number_verified"], true);
    assert_eq!(phone_claims.len(), 2);

    let email = user_claims(person, &["email"], ClaimMapping::Standard);
    assert_eq!(email["email"], "khai@example.vn");
    assert_eq!(email["email_verified"], false);

    let dvc = user_claims(person, &["dvc"], ClaimMapping::Standard);
    assert_eq!(dvc["dvc_personal_id"], "001190012345");
    assert_eq!(dvc["dvc_account_kind"], "citizen");
    assert!(!dvc.contains_key("dvc_tax_code"));
    assert!(!dvc.contains_key("SoDinhDanh"));
}

#[test]
fn portal_mapping_adds_the_portal_names() {
    let mut account = citizen();
    account.kind = AccountKind::Business;
    account.identity.full_name = "Công ty TNHH Sao Mai".to_owned();
    account.identity.tax_code = Some(TaxCode::parse("0100109106").unwrap());
    account.identity.gender = Some(Gender::Male);
    let phone = PhoneNumber::parse("+84912345678").unwrap();
    let person = Person {
        account: &account,
        phone: Some(&phone),
    };
    let all = ["openid", "profile", "phone", "email", "dvc"];
    let claims = user_claims(person, &all, ClaimMapping::Portal);
    assert_eq!(claims["HoVaTen"], "Công ty TNHH Sao Mai");
    assert_eq!(claims["name"], "Công ty TNHH Sao Mai");
    // A business name is not a person's name: no family/given split.
    assert!(!claims.contains_key("family_name"));
    assert_eq!(claims["NgayThangNamSinh"], "19900507");
    assert_eq!(claims["GioiTinh"], "Nam");
    assert_eq!(claims["SoDienThoai"], "0912345678");
    assert_eq!(claims["ThuDienTu"], "khai@example.vn");
    assert_eq!(claims["SoDinhDanh"], "001190012345");
    assert_eq!(claims["LoaiTaiKhoan"], "2");
    assert_eq!(claims["MaSoThue"], "0100109106");
    assert_eq!(claims["dvc_tax_code"], "0100109106");
    for name in PORTAL_CLAIMS {
        assert!(claims.contains_key(name), "{name} missing");
    }
    // The portal names never appear without the option.
    let standard = user_claims(person, &all, ClaimMapping::Standard);
    for name in PORTAL_CLAIMS {
        assert!(!standard.contains_key(name), "{name} leaked");
    }
    let female = citizen();
    let claims = user_claims(
        Person {
            account: &female,
            phone: None,
        },
        &all,
        ClaimMapping::Portal,
    );
    assert_eq!(claims["GioiTinh"], "Nữ");
    assert_eq!(claims["LoaiTaiKhoan"], "1");
    assert!(!claims.contains_key("phone_number"));
}

#[test]
fn pairwise_subjects_are_stable_per_sector_and_unlinkable_across() {
    let key = MacKey::new(b"pairwise key for tests");
    let account = citizen().id;
    let public = client(SubjectType::Public, "https://a.example.vn/cb");
    assert_eq!(subject(&key, &public, account), account.to_string());

    let a = client(SubjectType::Pairwise, "https://a.example.vn/cb");
    let a_again = client(SubjectType::Pairwise, "https://a.example.vn/other");
    let b = client(SubjectType::Pairwise, "https://b.example.vn/cb");
    let sub_a = subject(&key, &a, account);
    assert_eq!(sub_a, subject(&key, &a_again, account));
    assert_ne!(sub_a, subject(&key, &b, account));
    assert_ne!(sub_a, account.to_string());
    assert_eq!(sub_a.len(), 43);
    let other_key = MacKey::new(b"another key");
    assert_ne!(sub_a, subject(&other_key, &a, account));
    let other_account = AccountId(Uuid::from_u128(7));
    assert_ne!(sub_a, subject(&key, &a, other_account));
}

#[test]
fn amr_maps_stored_methods_to_rfc_8176() {
    assert_eq!(amr_values(&["pwd", "sms"]), ["pwd", "otp", "sms", "mfa"]);
    assert_eq!(amr_values(&["pwd"]), ["pwd"]);
    assert_eq!(amr_values(&["sms", "sms"]), ["otp", "sms"]);
    assert_eq!(amr_values(&["hwk", "pin"]), ["hwk", "pin", "mfa"]);
    assert_eq!(amr_values(&["vneid"]), ["vneid"]);
    assert!(amr_values::<&str>(&[]).is_empty());
}

#[test]
fn personal_scopes_are_told_apart_from_api_scopes() {
    assert!(is_personal_scope("openid"));
    assert!(is_personal_scope("dvc"));
    assert!(!is_personal_scope("hoso.read"));
}
