//! Vietnamese wording of every [`Invalid`], sentence for sentence with its `Display`.

use super::Invalid;
use crate::password::CharClass;

pub(super) fn message(invalid: &Invalid) -> String {
    match invalid {
        Invalid::Empty { kind } => format!("chưa nhập {}", kind.name_vi()),
        Invalid::Character { kind, found } => {
            format!("không được dùng ký tự {found:?} trong {}", kind.name_vi())
        }
        Invalid::Length { kind, expected, found } => {
            format!("{} gồm {expected} chữ số; giá trị này có {found}", kind.name_vi())
        }
        Invalid::ProvinceUnknown { code } => {
            format!("{code:03} không phải là mã tỉnh của số định danh cá nhân")
        }
        Invalid::BirthYearMismatch { in_id, given } => format!(
            "số định danh cá nhân ghi năm sinh {in_id}; ngày sinh đã nhập thuộc năm {given}"
        ),
        Invalid::GenderMismatch { in_id, given } => format!(
            "số định danh cá nhân ghi giới tính {}; giới tính đã nhập là {}",
            in_id.name_vi(),
            given.name_vi()
        ),
        Invalid::BirthYearOutOfRange { year } => format!(
            "số định danh cá nhân chỉ mã hóa năm sinh từ 1900 đến 2399; năm {year} nằm ngoài khoảng này"
        ),
        Invalid::SerialOutOfRange { serial } => format!(
            "phần số ngẫu nhiên của số định danh cá nhân gồm 6 chữ số; {serial} vượt quá"
        ),
        Invalid::PhoneLength { national } => format!(
            "số điện thoại di động gồm 10 chữ số bắt đầu bằng 0 (hoặc +84 và 9 chữ số); {national} có {} chữ số",
            national.len()
        ),
        Invalid::PhoneCountryCode { found } => format!(
            "chỉ chấp nhận số di động Việt Nam (+84); số này bắt đầu bằng +{found}"
        ),
        Invalid::PhonePrefixUnassigned { prefix } => {
            format!("không nhà mạng di động nào dùng đầu số {prefix}")
        }
        Invalid::BhxhCodeLength { found } => format!(
            "mã số bảo hiểm xã hội gồm 10 chữ số, hoặc 12 chữ số nếu là số định danh cá nhân; giá trị này có {found}"
        ),
        Invalid::TaxCodeLength { found } => format!(
            "mã số thuế gồm 10 chữ số, 10 + '-' + 3 với đơn vị phụ thuộc, hoặc 12 chữ số với cá nhân; mã này có {found}"
        ),
        Invalid::TaxCodeSerialZero => {
            "phần số thứ tự của mã số thuế (chữ số 3 đến 9) không được là 0000000".to_owned()
        }
        Invalid::TaxCodeNeverIssued { first_nine } => format!(
            "không có mã số thuế nào bắt đầu bằng {first_nine}: chín chữ số này không có chữ số kiểm tra hợp lệ"
        ),
        Invalid::TaxCodeCheckDigit { expected, found } => format!(
            "chữ số kiểm tra của mã số thuế này phải là {expected}, không phải {found}"
        ),
        Invalid::TaxCodeBranchLength { found } => {
            format!("số đơn vị phụ thuộc gồm 3 chữ số sau dấu '-'; số này có {found}")
        }
        Invalid::TaxCodeBranchZero => {
            "số đơn vị phụ thuộc chạy từ 001 đến 999; 000 không hợp lệ".to_owned()
        }
        Invalid::TaxCodeBranchOnIndividual => {
            "mã số thuế cá nhân (số định danh cá nhân 12 chữ số) không có số đơn vị phụ thuộc"
                .to_owned()
        }
        Invalid::EmailAtSign { found } => {
            format!("địa chỉ email có đúng một ký tự '@'; địa chỉ này có {found}")
        }
        Invalid::EmailLocalEmpty => "phần trước '@' của địa chỉ email đang trống".to_owned(),
        Invalid::EmailLocalTooLong { found } => format!(
            "phần trước '@' của địa chỉ email có {found} ký tự; tối đa 64 ký tự"
        ),
        Invalid::EmailLocalDots => "phần trước '@' của địa chỉ email không được bắt đầu hay kết thúc bằng dấu chấm, cũng không được có hai dấu chấm liền nhau".to_owned(),
        Invalid::EmailDomainNoDot { domain } => {
            format!("tên miền {domain:?} của địa chỉ email không có dấu chấm")
        }
        Invalid::EmailDomainLabel { label } => {
            format!("{label:?} không phải là thành phần hợp lệ của tên miền")
        }
        Invalid::EmailTooLong { found } => {
            format!("địa chỉ email tối đa 254 ký tự; địa chỉ này có {found}")
        }
        Invalid::PasswordTooShort { min, found } => {
            format!("mật khẩu có {found} ký tự; cần ít nhất {min}")
        }
        Invalid::PasswordTooLong { max, found } => {
            format!("mật khẩu có {found} ký tự; tối đa {max} ký tự")
        }
        Invalid::PasswordUnprintable => {
            "mật khẩu chứa ký tự điều khiển, không thể gõ một cách tin cậy".to_owned()
        }
        Invalid::PasswordComposition { missing } => {
            format!("mật khẩu cần có ít nhất một {}", CharClass::list_vi(missing))
        }
        Invalid::PasswordCommon => {
            "mật khẩu này nằm trong danh sách các mật khẩu phổ biến nhất".to_owned()
        }
        Invalid::PasswordContextWord { word } => {
            format!("mật khẩu được tạo từ {word:?}, một từ gắn với dịch vụ này")
        }
        Invalid::PasswordRepetitive => "mật khẩu chỉ là một ký tự lặp lại, một mẫu ngắn lặp lại hoặc một dãy liên tiếp đơn giản".to_owned(),
        Invalid::PasswordContainsPersonalData { datum } => {
            format!("mật khẩu chứa {} của người dùng", datum.name_vi())
        }
        Invalid::PasswordPolicyOutOfRange { field, minimum, found } => format!(
            "chính sách mật khẩu: {field} phải tối thiểu là {minimum}; hiện là {found}"
        ),
        Invalid::Unknown { vocabulary, found } => {
            format!("{found:?} không phải là {} hợp lệ", vocabulary.name_vi())
        }
    }
}
