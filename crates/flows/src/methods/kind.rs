//! The names of the sign-in methods: what the flow document lists and `choose_method` takes.
//! Kept apart from the methods themselves so that the flow document can name them without
//! depending on their code.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    /// Số định danh + mật khẩu → OTP qua SMS (S1–S4, P1–P2).
    PasswordSms,
    /// USB ký số: a certificate on a token, through the local signing agent (S7).
    UsbToken,
    /// Sim ký số: a certificate on a PKI SIM, confirmed on the phone with its PIN (S6).
    SimPki,
    /// Ký số từ xa (VNPT SmartCA): a certificate held by the service, approved in its app (S8).
    RemoteSigning,
    /// Đăng nhập bằng VNeID: the national eID provider vouches for the person (S9, L4).
    Vneid,
    /// Password, then an authenticator app's code: built only for tests (`test-methods`).
    #[cfg(feature = "test-methods")]
    Totp,
}

impl MethodKind {
    /// Every method built in, in the order the sign-in page offers them.
    pub fn all() -> Vec<MethodKind> {
        let built_in = vec![
            Self::PasswordSms,
            Self::UsbToken,
            Self::SimPki,
            Self::RemoteSigning,
            Self::Vneid,
        ];
        #[cfg(feature = "test-methods")]
        let built_in = [built_in, vec![Self::Totp]].concat();
        built_in
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordSms => "password_sms",
            Self::UsbToken => "usb_token",
            Self::SimPki => "sim_pki",
            Self::RemoteSigning => "remote_signing",
            Self::Vneid => "vneid",
            #[cfg(feature = "test-methods")]
            Self::Totp => "totp",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::all().into_iter().find(|kind| kind.as_str() == text)
    }

    /// The name in addresses and text keys (`/login/method/sim-pki`, `login-tab-sim-pki`).
    pub fn slug(self) -> String {
        self.as_str().replace('_', "-")
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::all().into_iter().find(|kind| kind.slug() == slug)
    }

    /// The sign-in page's tab name of the method: the key of its text in the locales.
    pub fn tab_key(self) -> String {
        format!("login-tab-{}", self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::MethodKind;

    #[test]
    fn names_round_trip_through_serde_and_parse() {
        for kind in MethodKind::all() {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(MethodKind::parse(kind.as_str()), Some(kind));
            assert_eq!(MethodKind::from_slug(&kind.slug()), Some(kind));
        }
        assert_eq!(MethodKind::parse("sms"), None);
    }
}
