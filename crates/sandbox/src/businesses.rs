//! Synthetic businesses (doanh nghiệp giả lập) of the national business registry: tax codes
//! with valid check digits, a branch among them, each with a synthetic person as legal
//! representative. Deterministic for the people's seed, like the people themselves.

use std::collections::HashMap;

use domain::province::PROVINCES;
use domain::{PersonalId, TaxCode};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use time::{Date, Duration};

use crate::people::{SyntheticPeople, names};

/// How many businesses the registry knows.
pub const BUSINESS_COUNT: usize = 24;
/// Mixed into the people's seed so that businesses do not consume the people's random stream.
const SEED_SALT: u64 = 0x6275_7369_6e65_7373; // "business"
/// Legal representatives are taken from here on, past the demo identities.
const FIRST_REPRESENTATIVE: usize = 40;
const ATTEMPTS: usize = 1_000;

const FORMS: &[&str] = &["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV"];
const TRADES: &[&str] = &[
    "Thương mại",
    "Dịch vụ",
    "Xây dựng",
    "Công nghệ",
    "Sản xuất",
    "Vận tải",
    "Nông sản",
    "Du lịch",
];
const WORDS: &[&str] = &[
    "Minh Phát",
    "Hòa Bình",
    "Thành Công",
    "Sao Việt",
    "Phú Gia",
    "Đại Nam",
    "Hưng Thịnh",
    "An Khang",
    "Trường Sơn",
    "Bình Minh",
    "Kim Long",
    "Tân Tiến",
];
const STREETS: &[&str] = &[
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
];

/// Whether the registry lists the business as trading (tình trạng hoạt động).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessStatus {
    /// Đang hoạt động.
    Active,
    /// Tạm ngừng kinh doanh.
    Suspended,
    /// Đã giải thể.
    Dissolved,
}

/// The person who legally represents a business (người đại diện theo pháp luật).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalRepresentative {
    pub personal_id: PersonalId,
    pub full_name: String,
}

/// One business as the national business registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Business {
    /// Mã số thuế, which is also the enterprise code; a branch has `base-NNN`.
    pub tax_code: TaxCode,
    pub name: String,
    pub address: String,
    pub legal_representative: LegalRepresentative,
    pub status: BusinessStatus,
    #[serde(with = "crate::wire::date")]
    pub registered_on: Date,
}

/// Why a business exists; the organisation certificates are issued to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessRole {
    /// Index 0: a trading company.
    Company,
    /// Index 1: a branch (chi nhánh) of the company, tax code `<company>-001`.
    Branch,
    /// Index 2: a dissolved company.
    Dissolved,
    /// Index 3: another trading company.
    Other,
}

impl BusinessRole {
    pub fn index(self) -> usize {
        match self {
            BusinessRole::Company => 0,
            BusinessRole::Branch => 1,
            BusinessRole::Dissolved => 2,
            BusinessRole::Other => 3,
        }
    }
}

/// The registry's businesses, by tax code.
#[derive(Debug, Clone, Default)]
pub struct SyntheticBusinesses {
    businesses: Vec<Business>,
    by_tax_code: HashMap<TaxCode, usize>,
}

impl SyntheticBusinesses {
    /// The businesses of `people`'s seed; none when there are too few people to represent
    /// them.
    pub fn generate(people: &SyntheticPeople) -> Self {
        let businesses = generate(people);
        let by_tax_code = businesses
            .iter()
            .enumerate()
            .map(|(index, business)| (business.tax_code.clone(), index))
            .collect();
        Self {
            businesses,
            by_tax_code,
        }
    }

    pub fn all(&self) -> &[Business] {
        &self.businesses
    }

    pub fn by_tax_code(&self, code: &TaxCode) -> Option<&Business> {
        self.by_tax_code
            .get(code)
            .and_then(|&index| self.businesses.get(index))
    }

    pub fn role(&self, role: BusinessRole) -> Option<&Business> {
        self.businesses.get(role.index())
    }
}

fn generate(people: &SyntheticPeople) -> Vec<Business> {
    if people.len() < FIRST_REPRESENTATIVE + BUSINESS_COUNT {
        return Vec::new();
    }
    let mut rng = ChaCha20Rng::seed_from_u64(people.seed() ^ SEED_SALT);
    let mut taken = std::collections::HashSet::new();
    let mut businesses: Vec<Business> = Vec::with_capacity(BUSINESS_COUNT);
    for index in 0..BUSINESS_COUNT {
        let Some(person) = people.get(FIRST_REPRESENTATIVE + index) else {
            break;
        };
        let representative = LegalRepresentative {
            personal_id: person.personal_id.clone(),
            full_name: person.full_name.clone(),
        };
        let province = PROVINCES.get(rng.random_range(0..PROVINCES.len().max(1)));
        let province_name = province.map_or("Hà Nội", |p| p.name);
        let address = format!(
            "Số {} đường {}, {}",
            rng.random_range(1..300),
            names::pick(&mut rng, STREETS),
            province_name
        );
        let registered_on = Date::from_calendar_date(2005, time::Month::January, 1)
            .ok()
            .and_then(|start| start.checked_add(Duration::days(rng.random_range(0..7_000))));
        let Some(registered_on) = registered_on else {
            continue;
        };
        let branch_of = businesses
            .first()
            .filter(|_| index == BusinessRole::Branch.index());
        let (tax_code, name) = match branch_of {
            Some(parent) => {
                let Ok(code) = TaxCode::parse(&format!("{}-001", parent.tax_code.base())) else {
                    continue;
                };
                (code, format!("Chi nhánh {province_name} - {}", parent.name))
            }
            None => {
                let Some(code) = tax_code(&mut rng, province.map_or(1, |p| p.code), &taken) else {
                    continue;
                };
                let name = format!(
                    "{} {} {}",
                    names::pick(&mut rng, FORMS),
                    names::pick(&mut rng, TRADES),
                    names::pick(&mut rng, WORDS)
                );
                (code, name)
            }
        };
        taken.insert(tax_code.clone());
        let status = match index {
            _ if index == BusinessRole::Dissolved.index() => BusinessStatus::Dissolved,
            _ if index % 7 == 6 => BusinessStatus::Suspended,
            _ => BusinessStatus::Active,
        };
        businesses.push(Business {
            tax_code,
            name,
            address,
            legal_representative: representative,
            status,
            registered_on,
        });
    }
    businesses
}

/// A fresh 10-digit tax code: two digits of the province (as tax offices number theirs),
/// seven random digits and the check digit.
fn tax_code(
    rng: &mut ChaCha20Rng,
    province: u16,
    taken: &std::collections::HashSet<TaxCode>,
) -> Option<TaxCode> {
    for _ in 0..ATTEMPTS {
        let first_nine = format!(
            "{:02}{:07}",
            province % 100,
            rng.random_range(1..10_000_000u32)
        );
        let Some(check) = TaxCode::check_digit_for(&first_nine) else {
            continue;
        };
        let Ok(code) = TaxCode::parse(&format!("{first_nine}{check}")) else {
            continue;
        };
        if !taken.contains(&code) {
            return Some(code);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn businesses_are_deterministic_valid_and_include_a_branch() {
        let people = SyntheticPeople::generate(7, 200);
        let a = SyntheticBusinesses::generate(&people);
        let b = SyntheticBusinesses::generate(&people);
        assert_eq!(a.all(), b.all());
        assert_eq!(a.all().len(), BUSINESS_COUNT);
        let company = a.role(BusinessRole::Company).unwrap();
        let branch = a.role(BusinessRole::Branch).unwrap();
        assert_eq!(branch.tax_code.base(), company.tax_code.base());
        assert_eq!(branch.tax_code.branch(), Some(1));
        assert_eq!(
            a.role(BusinessRole::Dissolved).unwrap().status,
            BusinessStatus::Dissolved
        );
        for business in a.all() {
            assert_eq!(
                TaxCode::parse(business.tax_code.as_str()).unwrap(),
                business.tax_code
            );
            assert_eq!(a.by_tax_code(&business.tax_code), Some(business));
            let person = people
                .by_personal_id(&business.legal_representative.personal_id)
                .unwrap();
            assert_eq!(person.full_name, business.legal_representative.full_name);
        }
        let other = SyntheticBusinesses::generate(&SyntheticPeople::generate(8, 200));
        assert_ne!(a.all(), other.all());
    }

    #[test]
    fn too_few_people_make_no_businesses() {
        let people = SyntheticPeople::generate(7, 10);
        assert!(SyntheticBusinesses::generate(&people).all().is_empty());
    }
}
