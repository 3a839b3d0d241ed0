//! Texts that leave the provider as plain ASCII: the approval SMS (SPEC V1) is sent without
//! diacritics, as the police's gateway sends it.

use unicode_normalization::UnicodeNormalization;

/// Vietnamese without its diacritics: "Nguyễn Văn Đức" → "Nguyen Van Duc". Marks are dropped
/// after canonical decomposition; đ/Đ, which do not decompose, become d/D.
pub fn strip_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// The SMS an approved application sends to its phone.
pub fn approval_sms(full_name: &str, public_base_url: &str) -> String {
    let name = strip_diacritics(full_name);
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "Cuc Canh sat QLHC ve TTXH thong bao: Ho so dang ky tai khoan dinh danh dien tu cua cong dan \
         {name} da duoc phe duyet. De nghi truy cap ung dung VNeID hoac dia chi {} de kich hoat tai khoan.",
        public_base_url.trim_end_matches('/')
    )
}

/// The SMS that carries an activation or sign-in code.
pub fn otp_sms(code: &str) -> String {
    format!(
        "VNeID: ma xac thuc cua ban la {code}. Ma co hieu luc trong 5 phut. Khong chia se ma nay cho bat ky ai."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approval_text_is_the_published_one() {
        assert_eq!(
            approval_sms("Nguyễn Văn A", "https://vneid.gov.vn/"),
            "Cuc Canh sat QLHC ve TTXH thong bao: Ho so dang ky tai khoan dinh danh dien tu cua \
             cong dan Nguyen Van A da duoc phe duyet. De nghi truy cap ung dung VNeID hoac dia \
             chi https://vneid.gov.vn de kich hoat tai khoan."
        );
        assert_eq!(strip_diacritics("Đặng Thị Hường"), "Dang Thi Huong");
        assert!(strip_diacritics("Trần Đức Ưng Ơn").is_ascii());
    }
}
