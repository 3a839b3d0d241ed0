//! The generator behind [`super::SyntheticPeople::generate`]. Every random choice comes from
//! one ChaCha stream seeded by the caller, in a fixed order, so a seed always gives the same
//! people (given the same `rand` version).

use std::collections::HashSet;

use domain::province::PROVINCES;
use domain::{BhxhCode, Carrier, Email, Gender, PersonalId, PhoneNumber};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use time::Date;

use super::names;
use super::{DemoRole, Person};

/// How many people use a phone registered to someone else, in percent.
const BORROWED_PHONE_PERCENT: u32 = 5;
/// Enough attempts that a collision streak never exhausts them in practice; a person whose
/// attempts all fail is left out rather than panicking.
const ATTEMPTS: usize = 1_000;
const EMAIL_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];

/// A person before phones are assigned.
struct Draft {
    personal_id: PersonalId,
    full_name: String,
    birth_date: Date,
    gender: Gender,
    bhxh_code: BhxhCode,
}

struct Generator {
    rng: ChaCha20Rng,
    ids: HashSet<PersonalId>,
    phones: HashSet<PhoneNumber>,
    bhxh_codes: HashSet<BhxhCode>,
    emails: HashSet<String>,
    /// Every national prefix of every carrier, shuffled: the first owners take one each so that
    /// a population of a thousand covers them all.
    prefixes: Vec<&'static str>,
}

pub(super) fn people(seed: u64, count: usize) -> Vec<Person> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut prefixes: Vec<&'static str> = Carrier::ALL
        .iter()
        .flat_map(|carrier| carrier.prefixes().iter().copied())
        .collect();
    prefixes.shuffle(&mut rng);
    let mut generator = Generator {
        rng,
        ids: HashSet::new(),
        phones: HashSet::new(),
        bhxh_codes: HashSet::new(),
        emails: HashSet::new(),
        prefixes,
    };
    generator.run(count)
}

fn is_demo(index: usize) -> bool {
    DemoRole::ALL.iter().any(|role| role.index() == index)
}

impl Generator {
    fn run(&mut self, count: usize) -> Vec<Person> {
        let drafts: Vec<Draft> = (0..count).filter_map(|index| self.draft(index)).collect();

        // Borrowers are chosen first so that phones (and so the prefix coverage) go to owners.
        let borrows: Vec<bool> = (0..drafts.len())
            .map(|index| {
                index == DemoRole::BorrowedPhone.index()
                    || (!is_demo(index) && self.rng.random_ratio(BORROWED_PHONE_PERCENT, 100))
            })
            .collect();
        let mut phones: Vec<Option<PhoneNumber>> = Vec::with_capacity(drafts.len());
        let mut owner_ordinal = 0;
        for borrows in &borrows {
            if *borrows {
                phones.push(None);
            } else {
                phones.push(self.phone(owner_ordinal));
                owner_ordinal += 1;
            }
        }
        let lenders: Vec<usize> = (0..drafts.len())
            .filter(|&index| !is_demo(index) && phones.get(index).is_some_and(Option::is_some))
            .collect();

        let mut people = Vec::with_capacity(drafts.len());
        for (index, draft) in drafts.iter().enumerate() {
            let own_phone = phones.get(index).cloned().flatten();
            let borrowed = match own_phone {
                Some(_) => None,
                None => self.lender(&lenders).and_then(|lender| {
                    Some((phones.get(lender).cloned().flatten()?, drafts.get(lender)?))
                }),
            };
            let (phone, owner, full_name) = match (own_phone, borrowed) {
                (Some(phone), _) => (phone, draft.personal_id.clone(), draft.full_name.clone()),
                (None, Some((phone, subscriber))) => {
                    // A relative, sharing the family name of the subscriber.
                    let family = names::family_name(&subscriber.full_name);
                    let name = names::with_family_name(&draft.full_name, family);
                    (phone, subscriber.personal_id.clone(), name)
                }
                // Too few people to lend a phone: this one gets their own.
                (None, None) => match self.phone(usize::MAX) {
                    Some(phone) => (phone, draft.personal_id.clone(), draft.full_name.clone()),
                    None => continue,
                },
            };
            let bhxh_phone = self.bhxh_phone(index, &phone);
            let email = self.email(index, &full_name, draft.birth_date.year());
            people.push(Person {
                personal_id: draft.personal_id.clone(),
                full_name,
                birth_date: draft.birth_date,
                gender: draft.gender,
                phone,
                phone_owner: owner,
                bhxh_code: draft.bhxh_code.clone(),
                bhxh_phone,
                second_phone: None,
                email,
            });
        }
        // Drawn after everyone else's numbers, so that adding them changed nobody's data.
        for (index, person) in people.iter_mut().enumerate() {
            if person.owns_phone() && index % 5 == 0 {
                person.second_phone = self.phone(usize::MAX);
            }
        }
        people
    }

    fn lender(&mut self, lenders: &[usize]) -> Option<usize> {
        if lenders.is_empty() {
            return None;
        }
        lenders
            .get(self.rng.random_range(0..lenders.len()))
            .copied()
    }

    fn draft(&mut self, index: usize) -> Option<Draft> {
        let gender = if self.rng.random_bool(0.5) {
            Gender::Male
        } else {
            Gender::Female
        };
        let birth_date = self.birth_date(is_demo(index))?;
        let (personal_id, province_code) = self.personal_id(gender, birth_date.year())?;
        let full_name = names::full_name(&mut self.rng, gender, birth_date.year());
        let bhxh_code = self.bhxh_code(&personal_id, province_code, is_demo(index))?;
        Some(Draft {
            personal_id,
            full_name,
            birth_date,
            gender,
            bhxh_code,
        })
    }

    /// Adults, mostly: 1945–2007, peaking in the late 1970s (sum of two uniform draws);
    /// demo identities are of working age.
    fn birth_date(&mut self, demo: bool) -> Option<Date> {
        let year = if demo {
            self.rng.random_range(1975..=1995)
        } else {
            1945 + self.rng.random_range(0..=31) + self.rng.random_range(0..=31)
        };
        let ordinal = self.rng.random_range(1..=time::util::days_in_year(year));
        Date::from_ordinal_date(year, ordinal).ok()
    }

    fn personal_id(&mut self, gender: Gender, birth_year: i32) -> Option<(PersonalId, u16)> {
        for _ in 0..ATTEMPTS {
            let province = PROVINCES.get(self.rng.random_range(0..PROVINCES.len().max(1)))?;
            let serial = self.rng.random_range(0..1_000_000);
            let Ok(id) = PersonalId::from_parts(province.code, gender, birth_year, serial) else {
                continue;
            };
            if self.ids.insert(id.clone()) {
                return Some((id, province.code));
            }
        }
        None
    }

    /// Two digits of the province (as BHXH numbers its offices) and eight random digits; for
    /// some younger people (newer records) the personal ID itself, as BHXH now issues.
    fn bhxh_code(
        &mut self,
        personal_id: &PersonalId,
        province_code: u16,
        demo: bool,
    ) -> Option<BhxhCode> {
        if !demo && personal_id.birth_year() >= 1995 && self.rng.random_bool(0.4) {
            let code = BhxhCode::parse(personal_id.as_str()).ok()?;
            self.bhxh_codes.insert(code.clone());
            return Some(code);
        }
        for _ in 0..ATTEMPTS {
            let digits = format!(
                "{:02}{:08}",
                province_code % 100,
                self.rng.random_range(0..100_000_000u32)
            );
            let Ok(code) = BhxhCode::parse(&digits) else {
                continue;
            };
            if self.bhxh_codes.insert(code.clone()) {
                return Some(code);
            }
        }
        None
    }

    /// A fresh, unused mobile number; the `ordinal`-th owner takes the `ordinal`-th prefix
    /// while any is left uncovered, then prefixes are drawn at random.
    fn phone(&mut self, ordinal: usize) -> Option<PhoneNumber> {
        for _ in 0..ATTEMPTS {
            let slot = if ordinal < self.prefixes.len() {
                ordinal
            } else {
                self.rng.random_range(0..self.prefixes.len().max(1))
            };
            let prefix = self.prefixes.get(slot).copied().unwrap_or("09");
            let national = format!("{prefix}{:07}", self.rng.random_range(0..10_000_000u32));
            let Ok(phone) = PhoneNumber::parse(&national) else {
                continue;
            };
            if self.phones.insert(phone.clone()) {
                return Some(phone);
            }
        }
        None
    }

    /// Mostly the phone in use; sometimes an old number nobody holds any more; sometimes none.
    fn bhxh_phone(&mut self, index: usize, phone: &PhoneNumber) -> Option<PhoneNumber> {
        if is_demo(index) {
            return Some(phone.clone());
        }
        let roll = self.rng.random_range(0..100);
        match roll {
            0..90 => Some(phone.clone()),
            // Kept in `phones` so no later owner takes it: the subscriber database has no record.
            90..96 => self.phone(usize::MAX).or_else(|| Some(phone.clone())),
            _ => None,
        }
    }

    /// About two in five people have an e-mail address; the e-mail demo identity always has.
    fn email(&mut self, index: usize, full_name: &str, birth_year: i32) -> Option<Email> {
        let wanted = index == DemoRole::EmailActivation.index() || self.rng.random_ratio(2, 5);
        if !wanted {
            return None;
        }
        let mut words: Vec<String> = full_name.split(' ').map(names::ascii_fold).collect();
        let family = if words.is_empty() {
            String::new()
        } else {
            words.remove(0)
        };
        let given = words.pop().unwrap_or_default();
        let domain = names::pick(&mut self.rng, EMAIL_DOMAINS);
        let base = format!("{given}.{family}{:02}", birth_year.rem_euclid(100));
        for attempt in 0..ATTEMPTS {
            let local = if attempt == 0 {
                base.clone()
            } else {
                format!("{base}.{attempt}")
            };
            let address = format!("{local}@{domain}");
            if self.emails.contains(&address) {
                continue;
            }
            if let Ok(email) = Email::parse(&address) {
                self.emails.insert(address);
                return Some(email);
            }
        }
        None
    }
}
