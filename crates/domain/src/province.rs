//! Mã tỉnh: the 63 province codes of Decision 124/2004/QĐ-TTg as written in the first three
//! digits of a personal ID number (Circular 07/2016/TT-BCA). The 2025 merger into 34 units
//! renumbered no card, so this table stays as it is.

/// A province (tỉnh, thành phố trực thuộc trung ương) by its code in personal ID numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Province {
    /// The code, 1–96 with gaps; written with three digits ("001").
    pub code: u16,
    /// The Vietnamese name, with diacritics.
    pub name: &'static str,
}

/// Every province code, in ascending order of code (the lookup relies on that order).
pub static PROVINCES: &[Province] = &[
    Province {
        code: 1,
        name: "Hà Nội",
    },
    Province {
        code: 2,
        name: "Hà Giang",
    },
    Province {
        code: 4,
        name: "Cao Bằng",
    },
    Province {
        code: 6,
        name: "Bắc Kạn",
    },
    Province {
        code: 8,
        name: "Tuyên Quang",
    },
    Province {
        code: 10,
        name: "Lào Cai",
    },
    Province {
        code: 11,
        name: "Điện Biên",
    },
    Province {
        code: 12,
        name: "Lai Châu",
    },
    Province {
        code: 14,
        name: "Sơn La",
    },
    Province {
        code: 15,
        name: "Yên Bái",
    },
    Province {
        code: 17,
        name: "Hòa Bình",
    },
    Province {
        code: 19,
        name: "Thái Nguyên",
    },
    Province {
        code: 20,
        name: "Lạng Sơn",
    },
    Province {
        code: 22,
        name: "Quảng Ninh",
    },
    Province {
        code: 24,
        name: "Bắc Giang",
    },
    Province {
        code: 25,
        name: "Phú Thọ",
    },
    Province {
        code: 26,
        name: "Vĩnh Phúc",
    },
    Province {
        code: 27,
        name: "Bắc Ninh",
    },
    Province {
        code: 30,
        name: "Hải Dương",
    },
    Province {
        code: 31,
        name: "Hải Phòng",
    },
    Province {
        code: 33,
        name: "Hưng Yên",
    },
    Province {
        code: 34,
        name: "Thái Bình",
    },
    Province {
        code: 35,
        name: "Hà Nam",
    },
    Province {
        code: 36,
        name: "Nam Định",
    },
    Province {
        code: 37,
        name: "Ninh Bình",
    },
    Province {
        code: 38,
        name: "Thanh Hóa",
    },
    Province {
        code: 40,
        name: "Nghệ An",
    },
    Province {
        code: 42,
        name: "Hà Tĩnh",
    },
    Province {
        code: 44,
        name: "Quảng Bình",
    },
    Province {
        code: 45,
        name: "Quảng Trị",
    },
    Province {
        code: 46,
        name: "Thừa Thiên Huế",
    },
    Province {
        code: 48,
        name: "Đà Nẵng",
    },
    Province {
        code: 49,
        name: "Quảng Nam",
    },
    Province {
        code: 51,
        name: "Quảng Ngãi",
    },
    Province {
        code: 52,
        name: "Bình Định",
    },
    Province {
        code: 54,
        name: "Phú Yên",
    },
    Province {
        code: 56,
        name: "Khánh Hòa",
    },
    Province {
        code: 58,
        name: "Ninh Thuận",
    },
    Province {
        code: 60,
        name: "Bình Thuận",
    },
    Province {
        code: 62,
        name: "Kon Tum",
    },
    Province {
        code: 64,
        name: "Gia Lai",
    },
    Province {
        code: 66,
        name: "Đắk Lắk",
    },
    Province {
        code: 67,
        name: "Đắk Nông",
    },
    Province {
        code: 68,
        name: "Lâm Đồng",
    },
    Province {
        code: 70,
        name: "Bình Phước",
    },
    Province {
        code: 72,
        name: "Tây Ninh",
    },
    Province {
        code: 74,
        name: "Bình Dương",
    },
    Province {
        code: 75,
        name: "Đồng Nai",
    },
    Province {
        code: 77,
        name: "Bà Rịa - Vũng Tàu",
    },
    Province {
        code: 79,
        name: "Thành phố Hồ Chí Minh",
    },
    Province {
        code: 80,
        name: "Long An",
    },
    Province {
        code: 82,
        name: "Tiền Giang",
    },
    Province {
        code: 83,
        name: "Bến Tre",
    },
    Province {
        code: 84,
        name: "Trà Vinh",
    },
    Province {
        code: 86,
        name: "Vĩnh Long",
    },
    Province {
        code: 87,
        name: "Đồng Tháp",
    },
    Province {
        code: 89,
        name: "An Giang",
    },
    Province {
        code: 91,
        name: "Kiên Giang",
    },
    Province {
        code: 92,
        name: "Cần Thơ",
    },
    Province {
        code: 93,
        name: "Hậu Giang",
    },
    Province {
        code: 94,
        name: "Sóc Trăng",
    },
    Province {
        code: 95,
        name: "Bạc Liêu",
    },
    Province {
        code: 96,
        name: "Cà Mau",
    },
];

/// The province with this code, if the code is one of the 63.
pub fn province_by_code(code: u16) -> Option<&'static Province> {
    PROVINCES
        .binary_search_by_key(&code, |p| p.code)
        .ok()
        .and_then(|i| PROVINCES.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_63_sorted_unique_codes_from_001_to_096() {
        assert_eq!(PROVINCES.len(), 63);
        assert!(PROVINCES.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(PROVINCES.first().unwrap().code, 1);
        assert_eq!(PROVINCES.last().unwrap().code, 96);
    }

    #[test]
    fn lookup_finds_every_code_and_only_those() {
        for p in PROVINCES {
            assert_eq!(province_by_code(p.code), Some(p));
        }
        for gap in [
            0, 3, 5, 7, 9, 13, 16, 18, 21, 23, 28, 29, 32, 39, 41, 43, 47, 50, 97, 999,
        ] {
            assert_eq!(province_by_code(gap), None, "{gap}");
        }
        assert_eq!(province_by_code(1).unwrap().name, "Hà Nội");
        assert_eq!(province_by_code(79).unwrap().name, "Thành phố Hồ Chí Minh");
        assert_eq!(province_by_code(96).unwrap().name, "Cà Mau");
    }

    #[test]
    fn names_carry_diacritics() {
        let plain = PROVINCES
            .iter()
            .filter(|p| p.name.is_ascii())
            .map(|p| p.name);
        // Only these names have no marks in Vietnamese.
        assert_eq!(
            plain.collect::<Vec<_>>(),
            ["Kon Tum", "Gia Lai", "Long An", "An Giang"]
        );
    }
}
