//! Vietnamese personal names (họ tên): family name (họ), middle name (tên đệm), given name
//! (tên), with realistic frequencies and the generational habit of "Văn"/"Thị".

use domain::Gender;
use rand::RngExt;
use rand_chacha::ChaCha20Rng;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Family names with rough shares (per mille) of the population; Nguyễn alone is ~38 %.
const FAMILY_NAMES: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 30),
    ("Huỳnh", 21),
    ("Phan", 45),
    ("Vũ", 20),
    ("Võ", 19),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 10),
    ("Trịnh", 8),
    ("Đoàn", 7),
    ("Trương", 6),
    ("Lâm", 5),
    ("Mai", 5),
    ("Hà", 5),
    ("Lương", 4),
    ("Cao", 4),
    ("Tạ", 3),
    ("Tô", 3),
    ("Châu", 3),
    ("Quách", 2),
    ("Chu", 2),
];

const MALE_MIDDLE: &[&str] = &[
    "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Đình", "Ngọc", "Gia", "Hoàng", "Anh",
    "Tuấn", "Trọng", "Bá", "Quốc", "Thế", "Việt",
];

const FEMALE_MIDDLE: &[&str] = &[
    "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Bích", "Mai", "Hồng", "Phương", "Khánh", "Thùy", "Hải",
    "Diệu", "Bảo", "Như", "Quỳnh", "Hoài", "Mỹ",
];

const MALE_GIVEN: &[&str] = &[
    "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
    "Khang", "Khoa", "Kiên", "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
    "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng",
    "Việt", "Vinh", "Vũ", "Đông", "Khải", "Lộc",
];

const FEMALE_GIVEN: &[&str] = &[
    "An", "Anh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
    "Hồng", "Huyền", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
    "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Yến",
    "Trâm", "Nhi", "Thư",
];

pub(crate) fn pick<'a>(rng: &mut ChaCha20Rng, items: &[&'a str]) -> &'a str {
    if items.is_empty() {
        return "";
    }
    items
        .get(rng.random_range(0..items.len()))
        .copied()
        .unwrap_or_default()
}

fn pick_weighted<'a>(rng: &mut ChaCha20Rng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, weight)| weight).sum();
    if total == 0 {
        return "";
    }
    let mut roll = rng.random_range(0..total);
    for (name, weight) in items {
        if roll < *weight {
            return name;
        }
        roll -= weight;
    }
    ""
}

/// A full name in the usual order: family, middle name(s), given name; NFC.
pub(crate) fn full_name(rng: &mut ChaCha20Rng, gender: Gender, birth_year: i32) -> String {
    let family = pick_weighted(rng, FAMILY_NAMES);
    // "Văn" and "Thị" were near-universal for people born before the 1980s and grow rarer.
    let traditional = if birth_year < 1980 { 0.65 } else { 0.3 };
    let (marker, middles, givens) = match gender {
        Gender::Male => ("Văn", MALE_MIDDLE, MALE_GIVEN),
        Gender::Female => ("Thị", FEMALE_MIDDLE, FEMALE_GIVEN),
    };
    let middle = if rng.random_bool(traditional) {
        marker
    } else {
        pick(rng, middles)
    };
    // "Thùy Thủy" or "Minh Minh" reads as a mistake: draw the given name again.
    let mut given = pick(rng, givens);
    for _ in 0..5 {
        if ascii_fold(given) != ascii_fold(middle) {
            break;
        }
        given = pick(rng, givens);
    }
    let mut parts = vec![family, middle];
    // Younger people more often carry two middle names ("Nguyễn Ngọc Bảo Trâm").
    if birth_year >= 1985 && rng.random_bool(0.15) {
        let second = pick(rng, middles);
        if second != middle && second != given {
            parts.push(second);
        }
    }
    parts.push(given);
    parts.join(" ").nfc().collect()
}

/// The family name (first word) of a full name.
pub(crate) fn family_name(full_name: &str) -> &str {
    full_name.split(' ').next().unwrap_or_default()
}

/// Replaces the family name, as for a relative who shares it.
pub(crate) fn with_family_name(full_name: &str, family: &str) -> String {
    match full_name.split_once(' ') {
        Some((_, rest)) => format!("{family} {rest}"),
        None => full_name.to_owned(),
    }
}

/// Lower-case ASCII letters and digits only, diacritics removed ("Đặng" → "dang"), for
/// e-mail local parts.
pub(crate) fn ascii_fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ascii_fold_removes_diacritics_and_d_bar() {
        assert_eq!(ascii_fold("Đặng Thị Thủy"), "dangthithuy");
        assert_eq!(ascii_fold("Nguyễn"), "nguyen");
    }

    #[test]
    fn middle_name_marks_gender_in_older_generations() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let names: Vec<String> = (0..200)
            .map(|_| full_name(&mut rng, Gender::Female, 1960))
            .collect();
        let thi = names.iter().filter(|n| n.contains(" Thị ")).count();
        assert!(thi > 100, "only {thi} of 200 older women are named Thị");
        assert!(!names.iter().any(|n| n.contains(" Văn ")));
    }

    #[test]
    fn family_name_replacement_keeps_the_rest() {
        assert_eq!(
            with_family_name("Trần Thị Mai", "Lê"),
            "Lê Thị Mai".to_owned()
        );
        assert_eq!(family_name("Lê Thị Mai"), "Lê");
    }
}
