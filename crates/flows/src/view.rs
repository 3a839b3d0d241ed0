//! The flow document: one value that both the HTML pages and the JSON API render, and the
//! actions a person (or app) can send to move a flow on.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::captcha::CaptchaPrompt;
use crate::methods::kind::MethodKind;
use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Đăng nhập: ID + password (+ captcha) → SMS OTP (S1–S4), with the lost-phone change (P1–P2).
    Login,
    /// Đăng ký bằng thuê bao di động (R2).
    RegisterPhone,
    /// Đăng ký bằng mã số BHXH (R3).
    RegisterBhxh,
    /// Quên mật khẩu (S10).
    Recovery,
    /// Thêm số điện thoại nhận OTP, from the account pages.
    AddPhone,
    /// Đăng ký bằng USB ký số (R5): citizens and businesses, by their certificate.
    RegisterCertificate,
    /// Gắn chứng thư số, from the account pages.
    BindCertificate,
    /// Đăng ký thông qua Bưu điện Việt Nam (R4): activation by SMS OTP or by an e-mail link.
    RegisterVietnamPost,
}

impl FlowKind {
    pub const ALL: [FlowKind; 8] = [
        Self::Login,
        Self::RegisterPhone,
        Self::RegisterBhxh,
        Self::Recovery,
        Self::AddPhone,
        Self::RegisterCertificate,
        Self::BindCertificate,
        Self::RegisterVietnamPost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::RegisterPhone => "register_phone",
            Self::RegisterBhxh => "register_bhxh",
            Self::Recovery => "recovery",
            Self::AddPhone => "add_phone",
            Self::RegisterCertificate => "register_certificate",
            Self::BindCertificate => "bind_certificate",
            Self::RegisterVietnamPost => "register_vietnam_post",
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|known| known.as_str() == kind)
    }
}

/// Everything needed to show a flow where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowView {
    pub id: Uuid,
    pub kind: FlowKind,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(flatten)]
    pub step: Step,
    /// Sign-in: the methods offered here (tabs); `choose_method` switches between them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<MethodKind>,
    /// The relying service the sign-in is for, to show the person where they are going.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    pub problems: Vec<Problem>,
    /// Present when the next submission must carry the captcha answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captcha: Option<CaptchaPrompt>,
    /// Where to go once done: a relative path on this site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Số định danh + mật khẩu.
    Credentials {
        identifier: String,
    },
    /// Nhập mã OTP đã gửi tới số điện thoại (masked).
    Otp {
        phone: String,
        #[serde(with = "time::serde::rfc3339")]
        resend_at: OffsetDateTime,
        resends_left: i32,
        /// The account's other OTP phones, masked, by index (S4).
        other_phones: Vec<String>,
        /// "Mất số điện thoại nhận OTP" is offered (P2).
        lost_phone: bool,
        /// The person has a code to type. False when none could be sent (the phone's daily
        /// SMS limit): only the other phones and the lost-phone change are offered.
        awaits_code: bool,
    },
    /// The new phone for a lost one (P2).
    NewPhone {
        phone: String,
    },
    /// The subscriber database does not show the account's person as the new phone's owner.
    PhoneRefused,
    RegisterPhone {
        values: RegisterPhoneValues,
    },
    RegisterBhxh {
        values: RegisterBhxhValues,
    },
    /// Registering by certificate: who it proves (read-only), and the e-mail to add.
    RegisterCertificate {
        account_kind: domain::AccountKind,
        full_name: String,
        /// The personal ID or the tax code.
        identifier: String,
        issuer: String,
        #[serde(with = "time::serde::rfc3339")]
        not_after: OffsetDateTime,
        email: String,
    },
    /// Choose a password, typed twice.
    Password {
        min_length: usize,
        /// Whose account, for the page ("Nguyễn Văn An, 0010…45").
        holder: String,
    },
    /// Quên mật khẩu: which account.
    Identify {
        identifier: String,
    },
    /// Thêm số điện thoại: password again and the new number.
    AddPhone {
        phone: String,
    },
    /// No sign-in method offered here reaches the level the relying service asked for.
    Unreachable {
        required: domain::AssuranceLevel,
    },
    /// Redirect out and back (VNeID, SmartCA): the browser goes to `url`; the outside service
    /// sends it back to the flow's callback.
    Redirect {
        url: String,
    },
    /// Waiting for a confirmation elsewhere (SIM PKI, SmartCA push): the page shows the
    /// verification code, polls (or is refreshed without JavaScript) and can cancel.
    Waiting {
        verification_code: String,
        poll_after_secs: u32,
        #[serde(with = "time::serde::rfc3339")]
        gives_up_at: OffsetDateTime,
    },
    /// Sim ký số: the number of the PKI SIM to confirm on.
    SimPhone {
        phone: String,
    },
    /// A local signing agent (USB token) must sign `challenge` at `agent_url`.
    LocalAgent {
        agent_url: String,
        challenge: String,
    },
    Done {
        result: Done,
    },
    /// Đăng ký qua Bưu điện Việt Nam: the person's form, with how to activate.
    RegisterVietnamPost {
        values: RegisterPostValues,
    },
    /// The activation link went to this (masked) address; it works for `valid_hours`.
    LinkSent {
        email: String,
        valid_hours: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Done {
    SignedIn,
    Registered,
    PasswordReset,
    PhoneChanged,
    PhoneAdded,
    CertificateBound,
}

/// What was typed into the registration form, echoed back when it must be corrected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPhoneValues {
    pub full_name: String,
    pub personal_id: String,
    pub birth_date: String,
    pub gender: String,
    pub phone: String,
    /// Optional: an absent e-mail is an empty one.
    #[serde(default)]
    pub email: String,
}

/// The Vietnam Post form (R4): the person as on the mobile subscriber form, and how to
/// activate the account (`sms` or `email`; the e-mail is then required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPostValues {
    #[serde(flatten)]
    pub person: RegisterPhoneValues,
    #[serde(default)]
    pub activation: String,
}

impl RegisterPostValues {
    /// The activation chosen, if it is one of the two.
    pub fn activation(&self) -> Option<ActivateBy> {
        match self.activation.trim() {
            "sms" => Some(ActivateBy::Sms),
            "email" => Some(ActivateBy::Email),
            _ => None,
        }
    }
}

/// How a Vietnam Post registration is activated, as the person chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivateBy {
    /// An OTP by SMS to the phone given.
    Sms,
    /// A single-use link to the e-mail given.
    Email,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterBhxhValues {
    pub bhxh_code: String,
    pub full_name: String,
    pub birth_date: String,
}

/// A step's submission. The JSON API takes these as `{"action": "sign_in", …}`; the pages
/// build them from their forms.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    SignIn {
        identifier: String,
        password: String,
        #[serde(default)]
        captcha: Option<String>,
    },
    Otp {
        code: String,
    },
    Resend,
    /// Send the code to another of the account's phones (index into `other_phones`).
    UsePhone {
        index: usize,
    },
    LostPhone,
    NewPhone {
        phone: String,
    },
    RegisterPhone(RegisterPhoneValues),
    RegisterBhxh(RegisterBhxhValues),
    /// The e-mail of an account registered by certificate.
    RegisterCertificate {
        email: String,
    },
    SetPassword {
        password: String,
        confirm: String,
    },
    Identify {
        identifier: String,
        #[serde(default)]
        captcha: Option<String>,
    },
    AddPhone {
        password: String,
        phone: String,
    },
    /// Sign-in: switch to another offered method.
    ChooseMethod {
        method: MethodKind,
    },
    /// A waiting step: has the confirmation arrived?
    Poll,
    /// A waiting or agent step: give up this method.
    Cancel,
    /// Back from a redirect out.
    Callback {
        #[serde(default)]
        code: Option<String>,
        state: String,
        #[serde(default)]
        error: Option<String>,
        /// The authorisation response's issuer (RFC 9207), when the service sends one.
        #[serde(default)]
        iss: Option<String>,
    },
    /// The local agent's answer: its Web eID authentication token (JSON text).
    AgentResponse {
        token: String,
    },
    /// Sim ký số: confirm on the PKI SIM of this number.
    SimPhone {
        phone: String,
    },
    /// The Vietnam Post form, with the captcha's answer.
    RegisterVietnamPost {
        #[serde(flatten)]
        values: RegisterPostValues,
        #[serde(default)]
        captcha: Option<String>,
    },
}

impl Action {
    /// The action's name, for logs (never its values).
    pub fn name(&self) -> &'static str {
        match self {
            Self::SignIn { .. } => "sign_in",
            Self::Otp { .. } => "otp",
            Self::Resend => "resend",
            Self::UsePhone { .. } => "use_phone",
            Self::LostPhone => "lost_phone",
            Self::NewPhone { .. } => "new_phone",
            Self::RegisterPhone(_) => "register_phone",
            Self::RegisterBhxh(_) => "register_bhxh",
            Self::RegisterCertificate { .. } => "register_certificate",
            Self::SetPassword { .. } => "set_password",
            Self::Identify { .. } => "identify",
            Self::AddPhone { .. } => "add_phone",
            Self::ChooseMethod { .. } => "choose_method",
            Self::Poll => "poll",
            Self::Cancel => "cancel",
            Self::Callback { .. } => "callback",
            Self::AgentResponse { .. } => "agent_response",
            Self::SimPhone { .. } => "sim_phone",
            Self::RegisterVietnamPost { .. } => "register_vietnam_post",
        }
    }
}
