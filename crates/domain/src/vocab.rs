//! Closed vocabularies of the domain: gender, account kind and status, registration channel,
//! assurance level, and the kinds of identifier. Each is stored and sent as a stable string.

/// Declares a `Copy` enum whose variants travel as fixed strings: `as_str`, `Display`,
/// `FromStr` (refusing with [`crate::Invalid::Unknown`]), serde through the same strings, and
/// `ALL` in declaration order. One table per enum, so the string forms cannot drift apart.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $vocab:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; [$($text),+].len()] = [$(Self::$variant),+];

            /// The stable string form (what is stored, sent and accepted).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text ),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Invalid;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok(Self::$variant), )+
                    _ => Err($crate::Invalid::Unknown {
                        vocabulary: $crate::error::Vocabulary::$vocab,
                        found: s.to_owned(),
                    }),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Giới tính, as encoded in the personal ID number (odd century digit = female).
    pub enum Gender in Gender {
        Male = "male",
        Female = "female",
    }
}

impl Gender {
    /// The Vietnamese word, as printed on the citizen identity card ("Nam" / "Nữ").
    pub const fn name_vi(self) -> &'static str {
        match self {
            Self::Male => "nam",
            Self::Female => "nữ",
        }
    }
}

vocabulary! {
    /// Loại tài khoản: công dân, doanh nghiệp, cơ quan nhà nước (SPEC A1).
    pub enum AccountKind in AccountKind {
        /// Công dân.
        Citizen = "citizen",
        /// Doanh nghiệp.
        Business = "business",
        /// Cơ quan nhà nước.
        Agency = "agency",
    }
}

vocabulary! {
    /// Trạng thái tài khoản.
    pub enum AccountStatus in AccountStatus {
        Active = "active",
        /// Temporarily locked (too many wrong passwords, or by an operator); unlocks.
        Locked = "locked",
        /// Switched off by an operator; never unlocks by itself.
        Disabled = "disabled",
    }
}

vocabulary! {
    /// Kênh đăng ký: how an account's holder was proven at registration (SPEC A4, R2–R7).
    pub enum RegistrationChannel in RegistrationChannel {
        /// Thuê bao di động (R2).
        MobileSubscriber = "mobile_subscriber",
        /// Mã số BHXH (R3).
        Bhxh = "bhxh",
        /// Bưu điện Việt Nam (R4).
        VietnamPost = "vietnam_post",
        /// USB ký số (R5).
        UsbToken = "usb_token",
        /// SIM ký số (R6).
        SimPki = "sim_pki",
        /// Ký số từ xa, VNPT SmartCA (R7).
        RemoteSigning = "remote_signing",
        /// Tài khoản định danh điện tử VNeID (S9, L4).
        Vneid = "vneid",
    }
}

vocabulary! {
    /// Mức độ đảm bảo of a sign-in, sent to relying services as `acr` (SPEC §10). Ordered, so
    /// "at least LoA2" is `level >= AssuranceLevel::LoA2`.
    pub enum AssuranceLevel in AssuranceLevel {
        /// One factor: password alone.
        LoA1 = "LoA1",
        /// Two factors: password + SMS OTP; VNeID level 1.
        LoA2 = "LoA2",
        /// A certified key or in-person proofing: USB token, SIM PKI, remote signing; VNeID level 2.
        LoA3 = "LoA3",
    }
}

vocabulary! {
    /// What an account holds to sign in or prove itself with (SPEC §10); the store keeps them
    /// all in one table, and each sign-in method says which kinds it needs.
    pub enum CredentialKind in CredentialKind {
        /// Mật khẩu: an Argon2id hash.
        Password = "password",
        /// Số điện thoại nhận OTP.
        OtpPhone = "otp_phone",
        /// An authenticator app's time-based code (RFC 6238).
        Totp = "totp",
        /// Chứng thư số bound to the account: USB token, SIM PKI, remote signing.
        Certificate = "certificate",
        /// An identity at another provider (VNeID), by issuer and subject.
        Federated = "federated",
        Passkey = "passkey",
        /// A browser or app that signed in to the account before (the device cookie).
        Device = "device",
    }
}

vocabulary! {
    /// Authentication method references (RFC 8176), sent to relying services as `amr`.
    pub enum AuthMethod in AuthMethod {
        /// Password.
        Pwd = "pwd",
        /// One-time password (any channel).
        Otp = "otp",
        /// Confirmation by SMS to a registered number.
        Sms = "sms",
        /// Proof of possession of a hardware-secured key (USB token, PKI SIM).
        Hwk = "hwk",
        /// Proof of possession of a software-secured key (remote signing).
        Swk = "swk",
        /// A PIN that unlocks a key.
        Pin = "pin",
        /// Smart card.
        Sc = "sc",
        /// Multiple factors.
        Mfa = "mfa",
        /// Federated at another provider.
        Fed = "fed",
    }
}

vocabulary! {
    /// Vai trò của cán bộ vận hành: what an operator account may do in the console and the
    /// `dvcid operator` commands (the permission table is `flows::operators::permission`).
    pub enum OperatorRole in OperatorRole {
        /// Tổng đài hỗ trợ: finds and helps account holders.
        Helpdesk = "helpdesk",
        /// Nhân viên bưu điện: proves applicants at a post-office counter.
        Post = "post",
        /// Quản trị tài khoản cơ quan nhà nước.
        AgencyAdmin = "agency_admin",
        /// Kiểm toán viên: reads, never changes.
        Auditor = "auditor",
        /// Quản trị hệ thống: grants and revokes roles.
        SystemAdmin = "system_admin",
    }
}

vocabulary! {
    /// The kinds of identifier this crate parses; `inspect` and error rule codes use these names.
    pub enum IdentifierKind in IdentifierKind {
        /// Số định danh cá nhân (CCCD number).
        PersonalId = "personal_id",
        /// Số chứng minh nhân dân (CMND), 9 digits, legacy.
        LegacyCmnd = "legacy_cmnd",
        /// Số điện thoại di động.
        Phone = "phone",
        /// Mã số thuế.
        TaxCode = "tax_code",
        /// Mã số bảo hiểm xã hội.
        BhxhCode = "bhxh_code",
        /// Địa chỉ email.
        Email = "email",
    }
}

impl IdentifierKind {
    /// The English name, for messages ("tax code", "e-mail address").
    pub const fn name_en(self) -> &'static str {
        match self {
            Self::PersonalId => "personal ID number",
            Self::LegacyCmnd => "CMND number",
            Self::Phone => "mobile number",
            Self::TaxCode => "tax code",
            Self::BhxhCode => "social insurance (BHXH) code",
            Self::Email => "e-mail address",
        }
    }

    /// The English name with its article, for messages ("a tax code", "an e-mail address").
    pub const fn a_name_en(self) -> &'static str {
        match self {
            Self::PersonalId => "a personal ID number",
            Self::LegacyCmnd => "a CMND number",
            Self::Phone => "a mobile number",
            Self::TaxCode => "a tax code",
            Self::BhxhCode => "a social insurance (BHXH) code",
            Self::Email => "an e-mail address",
        }
    }

    /// The Vietnamese name, for messages.
    pub const fn name_vi(self) -> &'static str {
        match self {
            Self::PersonalId => "số định danh cá nhân",
            Self::LegacyCmnd => "số chứng minh nhân dân",
            Self::Phone => "số điện thoại di động",
            Self::TaxCode => "mã số thuế",
            Self::BhxhCode => "mã số bảo hiểm xã hội",
            Self::Email => "địa chỉ email",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn round_trips<T>(all: &[T])
    where
        T: Copy + std::fmt::Debug + PartialEq + FromStr<Err = crate::Invalid> + ToString,
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        for value in all {
            let text = value.to_string();
            assert_eq!(T::from_str(&text).unwrap(), *value);
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *value);
        }
    }

    #[test]
    fn every_vocabulary_round_trips_through_its_strings() {
        round_trips(&Gender::ALL);
        round_trips(&AccountKind::ALL);
        round_trips(&AccountStatus::ALL);
        round_trips(&RegistrationChannel::ALL);
        round_trips(&AssuranceLevel::ALL);
        round_trips(&IdentifierKind::ALL);
        round_trips(&CredentialKind::ALL);
        round_trips(&AuthMethod::ALL);
    }

    #[test]
    fn strings_are_the_documented_ones() {
        assert_eq!(Gender::Female.as_str(), "female");
        assert_eq!(AccountKind::Agency.as_str(), "agency");
        assert_eq!(AccountStatus::Locked.as_str(), "locked");
        assert_eq!(
            RegistrationChannel::MobileSubscriber.as_str(),
            "mobile_subscriber"
        );
        assert_eq!(RegistrationChannel::Vneid.as_str(), "vneid");
        assert_eq!(AssuranceLevel::LoA3.as_str(), "LoA3");
        assert_eq!(RegistrationChannel::ALL.len(), 7);
    }

    #[test]
    fn assurance_levels_are_ordered() {
        assert!(AssuranceLevel::LoA1 < AssuranceLevel::LoA2);
        assert!(AssuranceLevel::LoA2 < AssuranceLevel::LoA3);
        assert_eq!(
            AssuranceLevel::ALL.iter().max(),
            Some(&AssuranceLevel::LoA3)
        );
    }

    #[test]
    fn unknown_strings_are_refused_with_the_vocabulary_named() {
        let err = AccountKind::from_str("Citizen").unwrap_err();
        assert_eq!(err.rule(), "account_kind.unknown");
        assert_eq!(err.to_string(), "\"Citizen\" is not a known account kind");
        assert_eq!(
            Gender::from_str("nam").unwrap_err().rule(),
            "gender.unknown"
        );
        assert_eq!(
            AssuranceLevel::from_str("loa2").unwrap_err().rule(),
            "assurance_level.unknown"
        );
        assert!(serde_json::from_str::<RegistrationChannel>("\"sms\"").is_err());
    }
}
