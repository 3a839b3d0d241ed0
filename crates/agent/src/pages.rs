//! The agent's own pages (Vietnamese and English), where the person sees which site asks,
//! chooses a certificate and types the PIN. Plain forms: no JavaScript.

use askama::Template;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::token::{PinTries, TokenCertificate, TokenError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// The portal's `lang`; Vietnamese unless English is asked for.
    pub fn from_tag(tag: Option<&str>) -> Self {
        match tag {
            Some(t) if t.to_ascii_lowercase().starts_with("en") => Self::En,
            _ => Self::Vi,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    fn texts(self) -> &'static Texts {
        match self {
            Self::Vi => &VI,
            Self::En => &EN,
        }
    }
}

pub struct Texts {
    title: &'static str,
    asking: &'static str,
    warning: &'static str,
    choose: &'static str,
    issuer: &'static str,
    expires: &'static str,
    token: &'static str,
    expired: &'static str,
    unusable: &'static str,
    pin: &'static str,
    sign: &'static str,
    cancel: &'static str,
    no_certificates: &'static str,
    reload: &'static str,
    done: &'static str,
    cancelled: &'static str,
    gone: &'static str,
    enter_pin: &'static str,
    wrong_pin: &'static str,
    wrong_pin_last: &'static str,
    pin_locked: &'static str,
    pin_invalid: &'static str,
    certificate_gone: &'static str,
    token_failed: &'static str,
}

static VI: Texts = Texts {
    title: "Xác thực bằng USB ký số",
    asking: "Trang web sau yêu cầu bạn xác thực (đăng nhập hoặc đăng ký) bằng chứng thư số:",
    warning: "Chỉ tiếp tục nếu bạn vừa chọn đăng nhập hoặc đăng ký trên chính trang web này.",
    choose: "Chọn chứng thư số",
    issuer: "Nơi cấp",
    expires: "Hết hạn",
    token: "Thiết bị",
    expired: "đã hết hạn",
    unusable: "không dùng được (loại khóa không hỗ trợ)",
    pin: "Mã PIN của USB ký số",
    sign: "Xác thực",
    cancel: "Hủy",
    no_certificates: "Không tìm thấy chứng thư số. Hãy cắm USB ký số rồi tải lại trang.",
    reload: "Tải lại",
    done: "Đã ký xong. Bạn có thể đóng cửa sổ này.",
    cancelled: "Đã hủy. Bạn có thể đóng cửa sổ này.",
    gone: "Yêu cầu không còn hiệu lực (quá 5 phút hoặc đã xử lý). Hãy bắt đầu lại từ trang dịch vụ công.",
    enter_pin: "Hãy nhập mã PIN và chọn một chứng thư số.",
    wrong_pin: "Mã PIN không đúng.",
    wrong_pin_last: "Mã PIN không đúng. Nhập sai thêm một lần nữa USB ký số sẽ bị khóa.",
    pin_locked: "Mã PIN đã bị khóa. Hãy liên hệ nhà cung cấp chứng thư số để mở khóa.",
    pin_invalid: "Mã PIN có độ dài hoặc ký tự mà USB ký số không chấp nhận.",
    certificate_gone: "Không tìm thấy chứng thư số đã chọn. Hãy cắm lại USB ký số rồi thử lại.",
    token_failed: "USB ký số báo lỗi. Hãy kiểm tra thiết bị rồi thử lại.",
};

static EN: Texts = Texts {
    title: "Prove who you are with your USB token",
    asking: "This website asks you to prove who you are (to sign in or register) with your digital certificate:",
    warning: "Continue only if you have just chosen to sign in or register on this very website.",
    choose: "Choose a certificate",
    issuer: "Issued by",
    expires: "Expires",
    token: "Token",
    expired: "expired",
    unusable: "cannot be used (unsupported key)",
    pin: "PIN of your USB token",
    sign: "Confirm",
    cancel: "Cancel",
    no_certificates: "No certificate found. Insert your USB token and reload this page.",
    reload: "Reload",
    done: "Done. You can close this window.",
    cancelled: "Cancelled. You can close this window.",
    gone: "This request is no longer valid (older than 5 minutes or already handled). Start again from the portal.",
    enter_pin: "Enter the PIN and choose a certificate.",
    wrong_pin: "Wrong PIN.",
    wrong_pin_last: "Wrong PIN. One more wrong PIN locks the token.",
    pin_locked: "The PIN is locked. Contact your certificate provider to unlock it.",
    pin_invalid: "The PIN has a length or characters the token does not accept.",
    certificate_gone: "The chosen certificate is not available. Insert the token again and retry.",
    token_failed: "The token reported an error. Check it and try again.",
};

/// What went wrong on the confirm page, shown above the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    EnterPin,
    Token(TokenProblem),
}

/// A token error as the person reads it; the mapping from [`TokenError`] lives here, once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    WrongPin(PinTries),
    PinLocked,
    PinInvalid,
    CertificateGone,
    Failed,
}

impl From<&TokenError> for TokenProblem {
    fn from(error: &TokenError) -> Self {
        match error {
            TokenError::PinIncorrect(tries) => Self::WrongPin(*tries),
            TokenError::PinLocked => Self::PinLocked,
            TokenError::PinInvalid => Self::PinInvalid,
            TokenError::CertificateNotFound | TokenError::NoKey | TokenError::TokenRemoved => {
                Self::CertificateGone
            }
            TokenError::Module { .. }
            | TokenError::OtherModule(_)
            | TokenError::UnsupportedKey
            | TokenError::BadSignature
            | TokenError::Interrupted
            | TokenError::Device(_) => Self::Failed,
        }
    }
}

impl Problem {
    fn text(self, t: &Texts) -> &'static str {
        match self {
            Self::EnterPin => t.enter_pin,
            Self::Token(TokenProblem::WrongPin(PinTries::Unknown)) => t.wrong_pin,
            Self::Token(TokenProblem::WrongPin(PinTries::LastOne)) => t.wrong_pin_last,
            Self::Token(TokenProblem::PinLocked) => t.pin_locked,
            Self::Token(TokenProblem::PinInvalid) => t.pin_invalid,
            Self::Token(TokenProblem::CertificateGone) => t.certificate_gone,
            Self::Token(TokenProblem::Failed) => t.token_failed,
        }
    }
}

struct CertificateView {
    fingerprint: String,
    name: String,
    subject: String,
    issuer: String,
    expires: String,
    token: String,
    expired: bool,
    usable: bool,
    checked: bool,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage<'a> {
    lang: &'static str,
    t: &'static Texts,
    origin: &'a str,
    action: &'a str,
    csrf: &'a str,
    problem: Option<&'static str>,
    certificates: Vec<CertificateView>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    lang: &'static str,
    t: &'static Texts,
    message: &'static str,
}

/// Everything the confirm page shows.
pub struct Confirm<'a> {
    pub lang: Lang,
    pub origin: &'a str,
    /// The form's own URL (`/confirm/<id>`).
    pub action: &'a str,
    pub csrf: &'a str,
    pub certificates: &'a [TokenCertificate],
    pub chosen: Option<&'a str>,
    pub problem: Option<Problem>,
    pub now: OffsetDateTime,
}

pub fn confirm(page: &Confirm<'_>) -> Result<String, askama::Error> {
    let t = page.lang.texts();
    let first_usable = page
        .certificates
        .iter()
        .find(|c| c.info.key.is_some() && c.info.not_after > page.now)
        .map(|c| c.info.fingerprint.as_str());
    let chosen = page.chosen.or(first_usable);
    let certificates = page
        .certificates
        .iter()
        .map(|c| CertificateView {
            fingerprint: c.info.fingerprint.clone(),
            name: c.info.subject_name.clone(),
            subject: c.info.subject.clone(),
            issuer: c.info.issuer_name.clone(),
            expires: date(c.info.not_after),
            token: c.token_label.clone(),
            expired: c.info.not_after <= page.now,
            usable: c.info.key.is_some(),
            checked: chosen == Some(c.info.fingerprint.as_str()),
        })
        .collect();
    ConfirmPage {
        lang: page.lang.code(),
        t,
        origin: page.origin,
        action: page.action,
        csrf: page.csrf,
        problem: page.problem.map(|p| p.text(t)),
        certificates,
    }
    .render()
}

/// The page's closing words.
#[derive(Clone, Copy, Debug)]
pub enum Outcome {
    Done,
    Cancelled,
    Gone,
    Token(TokenProblem),
}

pub fn message(lang: Lang, outcome: Outcome) -> Result<String, askama::Error> {
    let t = lang.texts();
    let message = match outcome {
        Outcome::Done => t.done,
        Outcome::Cancelled => t.cancelled,
        Outcome::Gone => t.gone,
        Outcome::Token(problem) => Problem::Token(problem).text(t),
    };
    MessagePage {
        lang: lang.code(),
        t,
        message,
    }
    .render()
}

fn date(at: OffsetDateTime) -> String {
    at.format(format_description!("[day]/[month]/[year]"))
        .unwrap_or_default()
}
