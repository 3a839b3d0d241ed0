//! What dvcid tells a person outside the page — SMS and e-mail texts — in one place. SMS go
//! without diacritics: GSM 7-bit texts reach every handset in one part.

use domain::PhoneNumber;

use crate::otp::OtpPurpose;

/// The OTP's SMS.
pub(crate) fn otp(purpose: OtpPurpose, code: &str, minutes: i64) -> String {
    let what = match purpose {
        OtpPurpose::SignIn => "dang nhap",
        OtpPurpose::Registration => "dang ky tai khoan",
        OtpPurpose::Recovery => "khoi phuc mat khau",
        OtpPurpose::PhoneChange => "doi so dien thoai nhan OTP",
        OtpPurpose::AddPhone => "them so dien thoai nhan OTP",
    };
    format!(
        "Ma OTP {what} Cong Dich vu cong quoc gia: {code}. Hieu luc {minutes} phut. \
         Khong cung cap ma nay cho bat ky ai."
    )
}

/// The e-mail after the lost-phone change (P2): subject and text.
pub(crate) fn phone_changed(phone: &PhoneNumber) -> (String, String) {
    let masked = phone.masked();
    (
        "Đổi số điện thoại nhận OTP / OTP phone changed".to_owned(),
        format!(
            "Số điện thoại nhận OTP của tài khoản Cổng Dịch vụ công quốc gia của bạn đã được \
             đổi thành {masked}. Nếu không phải bạn thực hiện, hãy liên hệ tổng đài hỗ trợ.\n\n\
             The OTP phone of your National Public Service Portal account was changed to \
             {masked}. If this was not you, contact the helpdesk."
        ),
    )
}

/// The SMS after a password reset (S10).
pub(crate) fn password_reset() -> &'static str {
    "Mat khau tai khoan Cong Dich vu cong quoc gia cua ban vua duoc dat lai; moi phien dang \
     nhap da ket thuc. Neu khong phai ban, hay goi tong dai ho tro."
}
