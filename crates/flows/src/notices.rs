//! What dvcid tells a person outside the page — SMS and e-mail texts — in one place. SMS go
//! without diacritics: GSM 7-bit texts reach every handset in one part.

use domain::PhoneNumber;
use time::OffsetDateTime;

use crate::purpose::OtpPurpose;

/// The OTP's SMS.
pub(crate) fn otp(purpose: OtpPurpose, code: &str, minutes: i64) -> String {
    let what = match purpose {
        OtpPurpose::SignIn => "dang nhap",
        OtpPurpose::Registration => "dang ky tai khoan",
        OtpPurpose::Recovery => "khoi phuc mat khau",
        OtpPurpose::PhoneChange => "doi so dien thoai nhan OTP",
        OtpPurpose::AddPhone => "them so dien thoai nhan OTP",
        OtpPurpose::ConfirmChange => "xac nhan thay doi so dien thoai nhan OTP",
    };
    format!(
        "Ma OTP {what} Cong Dich vu cong quoc gia: {code}. Hieu luc {minutes} phut. \
         Khong cung cap ma nay cho bat ky ai."
    )
}

/// The SMS to the phone a lost-phone change (P2) replaces: when it takes effect and the code
/// that cancels it. No link: texts with links are what phishing looks like.
pub(crate) fn phone_change_scheduled(
    phone: &PhoneNumber,
    effective_at: OffsetDateTime,
    code: &str,
) -> String {
    format!(
        "So nhan OTP tai khoan Cong Dich vu cong quoc gia cua ban se doi sang {} luc {}. \
         Neu khong phai ban, vao muc Huy doi so dien thoai tren Cong va nhap ma {code}.",
        phone.masked(),
        vietnam_time(effective_at)
    )
}

/// The same notice by e-mail: subject and text, in Vietnamese and English.
pub(crate) fn phone_change_scheduled_email(
    phone: &PhoneNumber,
    effective_at: OffsetDateTime,
    code: &str,
) -> (String, String) {
    let masked = phone.masked();
    let at = vietnam_time(effective_at);
    (
        "Yêu cầu đổi số điện thoại nhận OTP / OTP phone change requested".to_owned(),
        format!(
            "Số điện thoại nhận OTP của tài khoản Cổng Dịch vụ công quốc gia của bạn sẽ được đổi \
             thành {masked} lúc {at}. Nếu không phải bạn yêu cầu, hãy vào mục \"Hủy đổi số điện \
             thoại\" trên Cổng và nhập mã {code}.\n\n\
             The OTP phone of your National Public Service Portal account will change to \
             {masked} at {at} (Vietnam time). If you did not ask for this, open \"Cancel a phone \
             change\" on the Portal and enter the code {code}."
        ),
    )
}

/// `HH:MM DD/MM/YYYY` in Vietnam's time (UTC+7, no daylight saving).
fn vietnam_time(at: OffsetDateTime) -> String {
    let local = at.to_offset(time::macros::offset!(+7));
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        local.hour(),
        local.minute(),
        local.day(),
        u8::from(local.month()),
        local.year()
    )
}

/// The SMS after a password reset (S10).
pub(crate) fn password_reset() -> &'static str {
    "Mat khau tai khoan Cong Dich vu cong quoc gia cua ban vua duoc dat lai; moi phien dang \
     nhap da ket thuc. Neu khong phai ban, hay goi tong dai ho tro."
}

/// The SMS to the default phone after another OTP phone was added (masked).
pub(crate) fn phone_added(added: &PhoneNumber) -> String {
    format!(
        "So {} vua duoc them lam so nhan OTP cua tai khoan Cong Dich vu cong quoc gia cua ban. \
         Neu khong phai ban, hay doi mat khau va goi tong dai ho tro.",
        added.masked()
    )
}
