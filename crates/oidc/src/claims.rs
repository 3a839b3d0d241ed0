//! What a relying service learns about a person: the `sub` (public or pairwise), the claims
//! each scope releases (OpenID standard names plus `dvc_*`, and optionally the attribute names
//! the portal's existing services use — the table is in `CLAIMS.md`), and the `amr` values
//! (RFC 8176) a session's sign-in methods stand for.

use domain::digest::MacKey;
use domain::{AccountKind, AssuranceLevel, PhoneNumber};
use serde_json::{Map, Value, json};
use store::{Account, AccountId, ClaimMapping, IdentityProofing, OidcClient, OrgRole, SubjectType};
use time::Date;

/// The scopes that release something about a person. Every other scope a client registers
/// (an API scope) is "non-personal" and may be granted to a client acting for itself.
pub const PERSONAL_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "phone",
    "dvc",
    "offline_access",
];

/// The claims of each scope, for discovery's `claims_supported`.
pub const STANDARD_CLAIMS: [&str; 15] = [
    "sub",
    "name",
    "family_name",
    "given_name",
    "birthdate",
    "gender",
    "phone_number",
    "phone_number_verified",
    "email",
    "email_verified",
    "dvc_personal_id",
    "dvc_account_kind",
    "dvc_tax_code",
    "dvc_identity_proofing_level",
    "dvc_identity_proofed_by",
];

pub const PORTAL_CLAIMS: [&str; 8] = [
    "SoDinhDanh",
    "HoVaTen",
    "NgayThangNamSinh",
    "GioiTinh",
    "SoDienThoai",
    "ThuDienTu",
    "LoaiTaiKhoan",
    "MaSoThue",
];

/// The organisation the person acts for (SPEC A1), under the `dvc` scope.
pub const ORGANISATION_CLAIMS: [&str; 4] = [
    "dvc_org_tax_code",
    "dvc_org_agency_code",
    "dvc_org_name",
    "dvc_org_role",
];

/// The portal's names of the same (`ClaimMapping::Portal`).
pub const PORTAL_ORGANISATION_CLAIMS: [&str; 4] =
    ["MaSoThueToChuc", "MaCoQuan", "TenToChuc", "VaiTro"];

/// The national eID provider's own claims (`ClaimMapping::Vneid`).
pub const VNEID_CLAIMS: [&str; 5] = [
    "citizenPid",
    "fullName",
    "birthDate",
    "gender",
    "accountLevel",
];

pub fn is_personal_scope(scope: &str) -> bool {
    PERSONAL_SCOPES.contains(&scope)
}

/// The `sub` the client sees for the account. Public: the account's UUID, the same for every
/// client. Pairwise: base64url(HMAC(pairwise key, sector ‖ account)), the same for every
/// client of one sector (the host of its first redirect URI) and unlinkable across sectors.
pub fn subject(pairwise_key: &MacKey, client: &OidcClient, account: AccountId) -> String {
    match client.settings.subject_type {
        SubjectType::Public => account.to_string(),
        SubjectType::Pairwise => {
            let sector = sector_identifier(client);
            let account = account.to_string();
            let mac = pairwise_key.sign(&[sector.as_bytes(), account.as_bytes()]);
            domain::digest::encode_token(&mac)
        }
    }
}

/// The host of the first redirect URI; a client without one (client credentials only) is a
/// sector of its own.
fn sector_identifier(client: &OidcClient) -> String {
    client
        .settings
        .redirect_uris
        .first()
        .and_then(|uri| url::Url::parse(uri).ok())
        .and_then(|uri| uri.host_str().map(str::to_owned))
        .unwrap_or_else(|| format!("client:{}", client.id))
}

/// What the claims are read from.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub account: &'a Account,
    /// The default OTP phone: proven by an OTP, hence `phone_number_verified`.
    pub phone: Option<&'a PhoneNumber>,
}

/// The claims the scopes release (without `sub`, which the caller adds). Absent facts are
/// left out rather than sent as null.
pub fn user_claims<S: AsRef<str>>(
    person: Person<'_>,
    scopes: &[S],
    mapping: ClaimMapping,
) -> Map<String, Value> {
    let has = |wanted: &str| scopes.iter().any(|scope| scope.as_ref() == wanted);
    let portal = mapping == ClaimMapping::Portal;
    let identity = &person.account.identity;
    let mut claims = Map::new();
    let mut put = |name: &str, value: Value| {
        claims.insert(name.to_owned(), value);
    };

    if has("profile") {
        put("name", json!(identity.full_name));
        if person.account.kind == AccountKind::Citizen {
            let (family, given) = split_name(&identity.full_name);
            if let Some(family) = family {
                put("family_name", json!(family));
            }
            if let Some(given) = given {
                put("given_name", json!(given));
            }
        }
        if let Some(birth) = identity.birth_date {
            put("birthdate", json!(iso_date(birth)));
        }
        if let Some(gender) = identity.gender {
            put("gender", json!(gender.as_str()));
        }
        if portal {
            put("HoVaTen", json!(identity.full_name));
            if let Some(birth) = identity.birth_date {
                put("NgayThangNamSinh", json!(compact_date(birth)));
            }
            if let Some(gender) = identity.gender {
                put("GioiTinh", json!(capitalised(gender.name_vi())));
            }
        }
    }
    if has("phone")
        && let Some(phone) = person.phone
    {
        put("phone_number", json!(phone.e164()));
        put("phone_number_verified", json!(true));
        if portal {
            put("SoDienThoai", json!(phone.national()));
        }
    }
    if has("email")
        && let Some(email) = &person.account.email
    {
        put("email", json!(email.as_str()));
        // Registration records the address as typed; nothing has proven it yet.
        put("email_verified", json!(false));
        if portal {
            put("ThuDienTu", json!(email.as_str()));
        }
    }
    if has("dvc") {
        if let Some(id) = &identity.personal_id {
            put("dvc_personal_id", json!(id.as_str()));
            if portal {
                put("SoDinhDanh", json!(id.as_str()));
            }
        }
        put("dvc_account_kind", json!(person.account.kind.as_str()));
        if portal {
            put(
                "LoaiTaiKhoan",
                json!(portal_account_kind(person.account.kind)),
            );
        }
        if let Some(tax_code) = &identity.tax_code {
            put("dvc_tax_code", json!(tax_code.as_str()));
            if portal {
                put("MaSoThue", json!(tax_code.as_str()));
            }
        }
    }
    claims
}

/// An organisation a person acts for at a relying service, in their role there.
#[derive(Debug, Clone, Copy)]
pub struct ActingOrganisation<'a> {
    pub account: &'a Account,
    /// A state agency's identifier code; businesses are known by their tax code.
    pub agency_code: Option<&'a str>,
    pub role: OrgRole,
}

/// The claims naming the organisation the person acts for, released with `dvc`. They name
/// the organisation, not the person, so the ID token carries them as well as userinfo.
pub fn organisation_claims<S: AsRef<str>>(
    organisation: ActingOrganisation<'_>,
    scopes: &[S],
    mapping: ClaimMapping,
) -> Map<String, Value> {
    let mut claims = Map::new();
    if !scopes.iter().any(|scope| scope.as_ref() == "dvc") {
        return claims;
    }
    let portal = mapping == ClaimMapping::Portal;
    let mut put = |standard: &str, legacy: &str, value: &str| {
        claims.insert(standard.to_owned(), json!(value));
        if portal {
            claims.insert(legacy.to_owned(), json!(value));
        }
    };
    let identity = &organisation.account.identity;
    if let Some(code) = organisation.agency_code {
        put("dvc_org_agency_code", "MaCoQuan", code);
    } else if let Some(tax_code) = &identity.tax_code {
        put("dvc_org_tax_code", "MaSoThueToChuc", tax_code.as_str());
    }
    put("dvc_org_name", "TenToChuc", &identity.full_name);
    put("dvc_org_role", "VaiTro", organisation.role.as_str());
    claims
}

/// The identity proofing the account records (scope `dvc`), for accounts that have one
/// (Vietnam Post): the level the person was proven to — LoA2 online, LoA3 once their card was
/// checked at a counter — and by whom. A session's `acr` is never above it.
pub fn proofing_claims(proofing: &IdentityProofing) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert(
        "dvc_identity_proofing_level".to_owned(),
        json!(proofing.level.as_str()),
    );
    claims.insert(
        "dvc_identity_proofed_by".to_owned(),
        json!(proofing.source.as_str()),
    );
    claims
}

/// The eID provider's claims of a person (`ClaimMapping::Vneid`), released with the ID token
/// and userinfo whatever the scopes: they are what a VNeID sign-in is for. `accountLevel` is the
/// level the sign-in proved: the eID provider signs a level-2 account in at LoA3 and a level-1
/// account at LoA2, so the level travels in the session's `acr`.
pub fn vneid_claims(account: &Account, acr: AssuranceLevel) -> Map<String, Value> {
    let identity = &account.identity;
    let mut claims = Map::new();
    if let Some(id) = &identity.personal_id {
        claims.insert("citizenPid".to_owned(), json!(id.as_str()));
    }
    claims.insert("fullName".to_owned(), json!(identity.full_name));
    if let Some(birth) = identity.birth_date {
        claims.insert("birthDate".to_owned(), json!(iso_date(birth)));
    }
    if let Some(gender) = identity.gender {
        claims.insert("gender".to_owned(), json!(gender.as_str()));
    }
    let level = if acr >= AssuranceLevel::LoA3 { 2 } else { 1 };
    claims.insert("accountLevel".to_owned(), json!(level));
    claims
}

/// A Vietnamese full name is family name first, given name last, middle names between
/// ("Nguyễn Thị Minh Khai"). Relying services expect `family_name` = the first word and
/// `given_name` = the rest ("Thị Minh Khai"), which is how the name is addressed formally.
/// A one-word name is a given name only.
pub fn split_name(full_name: &str) -> (Option<String>, Option<String>) {
    let mut words = full_name.split_whitespace();
    let Some(first) = words.next() else {
        return (None, None);
    };
    let rest: Vec<&str> = words.collect();
    if rest.is_empty() {
        (None, Some(first.to_owned()))
    } else {
        (Some(first.to_owned()), Some(rest.join(" ")))
    }
}

/// The portal's `LoaiTaiKhoan` codes: 1 công dân, 2 doanh nghiệp, 3 cơ quan nhà nước.
fn portal_account_kind(kind: AccountKind) -> &'static str {
    match kind {
        AccountKind::Citizen => "1",
        AccountKind::Business => "2",
        AccountKind::Agency => "3",
    }
}

/// OpenID `birthdate`: `YYYY-MM-DD`.
fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The portal's `NgayThangNamSinh`: `yyyyMMdd`.
fn compact_date(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// RFC 8176 values for the methods a session records. The login flow stores `pwd` and `sms`;
/// an SMS OTP is both an `otp` and an `sms`. Two kinds of factor (something known, something
/// held) add `mfa`. Values already in RFC 8176 pass through; others are kept as they are
/// (relying services ignore values they do not know).
pub fn amr_values<S: AsRef<str>>(stored: &[S]) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    let mut push = |value: &str| {
        if !values.iter().any(|known| known == value) {
            values.push(value.to_owned());
        }
    };
    let (mut knows, mut holds, mut is) = (false, false, false);
    for method in stored {
        match method.as_ref() {
            "pwd" | "password" => {
                knows = true;
                push("pwd");
            }
            "pin" => {
                knows = true;
                push("pin");
            }
            "sms" | "sms_otp" => {
                holds = true;
                push("otp");
                push("sms");
            }
            "otp" | "tel" | "hwk" | "swk" | "sc" => {
                holds = true;
                push(method.as_ref());
            }
            "face" | "fpt" | "iris" | "retina" | "vbm" => {
                is = true;
                push(method.as_ref());
            }
            other => push(other),
        }
    }
    if [knows, holds, is].iter().filter(|kind| **kind).count() >= 2 {
        push("mfa");
    }
    values
}

#[cfg(test)]
mod tests;
