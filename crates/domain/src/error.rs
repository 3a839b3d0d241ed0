//! The crate's one error: which rule an input broke. Each variant is one rule, with a stable
//! dotted code (`rule()`) for logs, APIs and translation keys, an English `Display` and a
//! Vietnamese `message_vi()` for operators' tools. User-facing pages translate `rule()` in
//! `web`; they never show these sentences to citizens.

use crate::password::{CharClass, PersonalDatum};
use crate::vocab::{Gender, IdentifierKind};

mod vi;

/// Why an input was refused. One variant per broken rule, carrying what makes the message
/// useful (never the whole input for passwords).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    // --- shared by the digit-string identifiers ---
    #[error("no {} was given", .kind.name_en())]
    Empty { kind: IdentifierKind },
    #[error("{found:?} is not allowed in {}", .kind.a_name_en())]
    Character { kind: IdentifierKind, found: char },
    #[error("{} has {expected} digits; this has {found}", .kind.a_name_en())]
    Length {
        kind: IdentifierKind,
        expected: usize,
        found: usize,
    },

    // --- mã số bảo hiểm xã hội ---
    #[error(
        "a social insurance (BHXH) code has 10 digits, or 12 when it is the personal ID number; \
         this has {found}"
    )]
    BhxhCodeLength { found: usize },

    // --- số định danh cá nhân ---
    #[error("{code:03} is not a province code of a personal ID number")]
    ProvinceUnknown { code: u16 },
    #[error("the personal ID number says born in {in_id}; the birth date says {given}")]
    BirthYearMismatch { in_id: i32, given: i32 },
    #[error("the personal ID number says {in_id}; the gender given is {given}")]
    GenderMismatch { in_id: Gender, given: Gender },
    #[error("a personal ID number encodes birth years 1900 to 2399; {year} is outside")]
    BirthYearOutOfRange { year: i32 },
    #[error("the serial of a personal ID number has 6 digits; {serial} has more")]
    SerialOutOfRange { serial: u32 },

    // --- số điện thoại di động ---
    #[error(
        "a mobile number has 10 digits starting with 0 (or +84 and 9 digits); {national} has {}",
        .national.len()
    )]
    PhoneLength { national: String },
    #[error("only Vietnamese mobile numbers (+84) are accepted; this starts with +{found}")]
    PhoneCountryCode { found: String },
    #[error("no mobile carrier holds the prefix {prefix}")]
    PhonePrefixUnassigned { prefix: String },

    // --- mã số thuế ---
    #[error(
        "a tax code has 10 digits, 10 + '-' + 3 for a branch, or 12 for an individual; this has {found}"
    )]
    TaxCodeLength { found: usize },
    #[error("the serial of a tax code (digits 3 to 9) cannot be 0000000")]
    TaxCodeSerialZero,
    #[error("no tax code begins with {first_nine}: those nine digits admit no check digit")]
    TaxCodeNeverIssued { first_nine: String },
    #[error("the check digit of this tax code should be {expected}, not {found}")]
    TaxCodeCheckDigit { expected: u8, found: u8 },
    #[error("a branch number has 3 digits after '-'; this has {found}")]
    TaxCodeBranchLength { found: usize },
    #[error("a branch number runs from 001 to 999; 000 is not one")]
    TaxCodeBranchZero,
    #[error("an individual's tax code (a 12-digit personal ID number) has no branch")]
    TaxCodeBranchOnIndividual,

    // --- địa chỉ email ---
    #[error("an e-mail address has exactly one '@'; this has {found}")]
    EmailAtSign { found: usize },
    #[error("the part of the e-mail address before '@' is empty")]
    EmailLocalEmpty,
    #[error(
        "the part of the e-mail address before '@' has {found} characters; at most 64 are allowed"
    )]
    EmailLocalTooLong { found: usize },
    #[error(
        "the part of the e-mail address before '@' cannot start or end with a dot, nor have two in a row"
    )]
    EmailLocalDots,
    #[error("the domain {domain:?} of the e-mail address has no dot")]
    EmailDomainNoDot { domain: String },
    #[error("{label:?} is not a valid part of a domain name")]
    EmailDomainLabel { label: String },
    #[error("an e-mail address has at most 254 characters; this has {found}")]
    EmailTooLong { found: usize },

    // --- mật khẩu ---
    #[error("the password has {found} characters; it needs at least {min}")]
    PasswordTooShort { min: usize, found: usize },
    #[error("the password has {found} characters; at most {max} are accepted")]
    PasswordTooLong { max: usize, found: usize },
    #[error("the password contains a control character, which cannot be typed reliably")]
    PasswordUnprintable,
    #[error("the password needs at least one {}", CharClass::list_en(.missing))]
    PasswordComposition { missing: Vec<CharClass> },
    #[error("this password is among the most commonly used passwords")]
    PasswordCommon,
    #[error("the password is built on {word:?}, a word tied to this service")]
    PasswordContextWord { word: &'static str },
    #[error(
        "the password is one character repeated, a short pattern repeated, or a simple sequence"
    )]
    PasswordRepetitive,
    #[error("the password contains the person's {}", .datum.name_en())]
    PasswordContainsPersonalData { datum: PersonalDatum },
    #[error("password policy: {field} must be at least {minimum}; it is {found}")]
    PasswordPolicyOutOfRange {
        field: &'static str,
        minimum: usize,
        found: usize,
    },

    // --- closed vocabularies ---
    #[error("{found:?} is not a known {}", .vocabulary.name_en())]
    Unknown {
        vocabulary: Vocabulary,
        found: String,
    },
}

/// The closed vocabularies whose unknown values [`Invalid::Unknown`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vocabulary {
    Gender,
    AccountKind,
    AccountStatus,
    RegistrationChannel,
    AssuranceLevel,
    Carrier,
    IdentifierKind,
    CredentialKind,
    AuthMethod,
    OperatorRole,
}

impl Vocabulary {
    pub const fn name_en(self) -> &'static str {
        match self {
            Self::Gender => "gender",
            Self::AccountKind => "account kind",
            Self::AccountStatus => "account status",
            Self::RegistrationChannel => "registration channel",
            Self::AssuranceLevel => "assurance level",
            Self::Carrier => "mobile carrier",
            Self::IdentifierKind => "kind of identifier",
            Self::CredentialKind => "kind of credential",
            Self::AuthMethod => "authentication method",
            Self::OperatorRole => "operator role",
        }
    }

    pub const fn name_vi(self) -> &'static str {
        match self {
            Self::Gender => "giới tính",
            Self::AccountKind => "loại tài khoản",
            Self::AccountStatus => "trạng thái tài khoản",
            Self::RegistrationChannel => "kênh đăng ký",
            Self::AssuranceLevel => "mức độ đảm bảo",
            Self::Carrier => "nhà mạng di động",
            Self::IdentifierKind => "loại định danh",
            Self::CredentialKind => "loại thông tin xác thực",
            Self::AuthMethod => "phương thức xác thực",
            Self::OperatorRole => "vai trò cán bộ vận hành",
        }
    }
}

impl Invalid {
    /// A stable dotted code naming the broken rule: `"<subject>.<rule>"`. Safe to store, log,
    /// send in APIs and use as a translation key; never changes meaning once released.
    pub fn rule(&self) -> &'static str {
        use IdentifierKind as K;
        match self {
            Self::Empty { kind } => match kind {
                K::PersonalId => "personal_id.empty",
                K::LegacyCmnd => "legacy_cmnd.empty",
                K::Phone => "phone.empty",
                K::TaxCode => "tax_code.empty",
                K::BhxhCode => "bhxh_code.empty",
                K::Email => "email.empty",
            },
            Self::Character { kind, .. } => match kind {
                K::PersonalId => "personal_id.character",
                K::LegacyCmnd => "legacy_cmnd.character",
                K::Phone => "phone.character",
                K::TaxCode => "tax_code.character",
                K::BhxhCode => "bhxh_code.character",
                K::Email => "email.character",
            },
            Self::Length { kind, .. } => match kind {
                K::PersonalId => "personal_id.length",
                K::LegacyCmnd => "legacy_cmnd.length",
                K::Phone => "phone.length",
                K::TaxCode => "tax_code.length",
                K::BhxhCode => "bhxh_code.length",
                K::Email => "email.length",
            },
            Self::ProvinceUnknown { .. } => "personal_id.province_unknown",
            Self::BirthYearMismatch { .. } => "personal_id.birth_year_mismatch",
            Self::GenderMismatch { .. } => "personal_id.gender_mismatch",
            Self::BirthYearOutOfRange { .. } => "personal_id.birth_year_out_of_range",
            Self::SerialOutOfRange { .. } => "personal_id.serial_out_of_range",
            Self::PhoneLength { .. } => "phone.length",
            Self::PhoneCountryCode { .. } => "phone.country_code",
            Self::PhonePrefixUnassigned { .. } => "phone.prefix_unassigned",
            Self::TaxCodeLength { .. } => "tax_code.length",
            Self::BhxhCodeLength { .. } => "bhxh_code.length",
            Self::TaxCodeSerialZero => "tax_code.serial_zero",
            Self::TaxCodeNeverIssued { .. } => "tax_code.never_issued",
            Self::TaxCodeCheckDigit { .. } => "tax_code.check_digit",
            Self::TaxCodeBranchLength { .. } => "tax_code.branch_length",
            Self::TaxCodeBranchZero => "tax_code.branch_zero",
            Self::TaxCodeBranchOnIndividual => "tax_code.branch_on_individual",
            Self::EmailAtSign { .. } => "email.at_sign",
            Self::EmailLocalEmpty => "email.local_empty",
            Self::EmailLocalTooLong { .. } => "email.local_too_long",
            Self::EmailLocalDots => "email.local_dots",
            Self::EmailDomainNoDot { .. } => "email.domain_no_dot",
            Self::EmailDomainLabel { .. } => "email.domain_label",
            Self::EmailTooLong { .. } => "email.too_long",
            Self::PasswordTooShort { .. } => "password.too_short",
            Self::PasswordTooLong { .. } => "password.too_long",
            Self::PasswordUnprintable => "password.unprintable",
            Self::PasswordComposition { .. } => "password.composition",
            Self::PasswordCommon => "password.common",
            Self::PasswordContextWord { .. } => "password.context_word",
            Self::PasswordRepetitive => "password.repetitive",
            Self::PasswordContainsPersonalData { .. } => "password.contains_personal_data",
            Self::PasswordPolicyOutOfRange { .. } => "password_policy.out_of_range",
            Self::Unknown { vocabulary, .. } => match vocabulary {
                Vocabulary::Gender => "gender.unknown",
                Vocabulary::AccountKind => "account_kind.unknown",
                Vocabulary::AccountStatus => "account_status.unknown",
                Vocabulary::RegistrationChannel => "registration_channel.unknown",
                Vocabulary::AssuranceLevel => "assurance_level.unknown",
                Vocabulary::Carrier => "carrier.unknown",
                Vocabulary::IdentifierKind => "identifier_kind.unknown",
                Vocabulary::CredentialKind => "credential_kind.unknown",
                Vocabulary::AuthMethod => "auth_method.unknown",
                Vocabulary::OperatorRole => "operator_role.unknown",
            },
        }
    }

    /// The same sentence as `Display`, in Vietnamese with diacritics.
    pub fn message_vi(&self) -> String {
        vi::message(self)
    }
}
