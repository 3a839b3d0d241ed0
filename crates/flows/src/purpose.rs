//! What an OTP is for: part of its MAC (a sign-in code is refused by a phone change) and of
//! its SMS, and whose SMS budget it spends.

use serde::{Deserialize, Serialize};

/// What a code is for; part of its MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtpPurpose {
    SignIn,
    Registration,
    Recovery,
    PhoneChange,
    AddPhone,
    /// The current OTP phone confirms a change of the account's phones.
    ConfirmChange,
}

impl OtpPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Registration => "registration",
            Self::Recovery => "recovery",
            Self::PhoneChange => "phone_change",
            Self::AddPhone => "add_phone",
            Self::ConfirmChange => "confirm_change",
        }
    }

    /// Whose SMS budget a send spends: the holder's, once they proved the password (or are
    /// signed in), or anyone's — requests strangers can make for any number.
    pub(crate) fn anonymous(self) -> bool {
        matches!(self, Self::Registration | Self::Recovery)
    }
}
