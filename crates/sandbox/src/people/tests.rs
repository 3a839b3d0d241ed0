use std::collections::HashSet;

use domain::Carrier;
use unicode_normalization::is_nfc;

use super::*;

fn population() -> SyntheticPeople {
    SyntheticPeople::generate(DEFAULT_SEED, DEFAULT_COUNT)
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let a = SyntheticPeople::generate(42, 200);
    let b = SyntheticPeople::generate(42, 200);
    let c = SyntheticPeople::generate(43, 200);
    assert_eq!(a.all(), b.all());
    assert_ne!(a.all(), c.all());
    assert_eq!(a.len(), 200);
    assert_eq!(a.seed(), 42);
}

#[test]
fn default_population_has_the_default_count() {
    let people = SyntheticPeople::default();
    assert_eq!(people.len(), DEFAULT_COUNT);
    assert_eq!(people.all(), population().all());
}

#[test]
fn identifiers_are_unique() {
    let people = population();
    let ids: HashSet<_> = people.all().iter().map(|p| &p.personal_id).collect();
    let codes: HashSet<_> = people.all().iter().map(|p| &p.bhxh_code).collect();
    let emails: Vec<_> = people
        .all()
        .iter()
        .filter_map(|p| p.email.as_ref())
        .collect();
    let unique_emails: HashSet<_> = emails.iter().collect();
    assert_eq!(ids.len(), people.len());
    assert_eq!(codes.len(), people.len());
    assert_eq!(unique_emails.len(), emails.len());
}

#[test]
fn personal_ids_agree_with_birth_date_gender_and_a_real_province() {
    let people = population();
    let codes: HashSet<u16> = domain::province::PROVINCES.iter().map(|p| p.code).collect();
    for person in people.all() {
        let id = &person.personal_id;
        assert_eq!(id.gender(), person.gender, "{person:?}");
        assert_eq!(id.birth_year(), person.birth_date.year(), "{person:?}");
        assert!(codes.contains(&id.province().code), "{person:?}");
        assert!(
            id.as_str()
                .starts_with(&format!("{:03}", id.province().code))
        );
    }
}

#[test]
fn people_are_mostly_adults_born_1945_to_2007() {
    let people = population();
    assert!(
        people
            .all()
            .iter()
            .all(|p| (1945..=2007).contains(&p.birth_date.year()))
    );
    let genders: HashSet<_> = people.all().iter().map(|p| p.gender).collect();
    assert_eq!(genders.len(), 2);
}

#[test]
fn carriers_cover_every_prefix() {
    let people = population();
    let used: HashSet<String> = people
        .all()
        .iter()
        .map(|p| p.phone.national().chars().take(3).collect())
        .collect();
    for carrier in Carrier::ALL {
        for prefix in carrier.prefixes() {
            assert!(
                used.contains(*prefix),
                "no phone with prefix {prefix} ({})",
                carrier.name()
            );
        }
    }
}

#[test]
fn about_five_percent_use_a_phone_owned_by_a_relative() {
    let people = population();
    let borrowers: Vec<&Person> = people.all().iter().filter(|p| !p.owns_phone()).collect();
    assert!(
        (20..=90).contains(&borrowers.len()),
        "{} borrowers",
        borrowers.len()
    );
    for borrower in borrowers {
        let owner = people
            .subscriber(&borrower.phone)
            .expect("every used phone has a subscriber");
        assert_eq!(owner.personal_id, borrower.phone_owner);
        assert_ne!(owner.personal_id, borrower.personal_id);
        assert!(owner.owns_phone());
        assert_eq!(
            names::family_name(&owner.full_name),
            names::family_name(&borrower.full_name)
        );
    }
}

#[test]
fn names_are_nfc_vietnamese_with_diacritics() {
    let people = population();
    let with_diacritics = people
        .all()
        .iter()
        .filter(|p| !p.full_name.is_ascii())
        .count();
    assert!(with_diacritics > 900, "{with_diacritics} of 1000");
    assert!(people.all().iter().all(|p| is_nfc(&p.full_name)));
    assert!(
        people
            .all()
            .iter()
            .all(|p| p.full_name.split(' ').count() >= 3)
    );
    let nguyen = people
        .all()
        .iter()
        .filter(|p| p.full_name.starts_with("Nguyễn "))
        .count();
    assert!((250..=500).contains(&nguyen), "{nguyen} Nguyễn");
}

#[test]
fn bhxh_phone_is_mostly_the_phone_in_use() {
    let people = population();
    let same = people
        .all()
        .iter()
        .filter(|p| p.bhxh_phone.as_ref() == Some(&p.phone))
        .count();
    let none = people
        .all()
        .iter()
        .filter(|p| p.bhxh_phone.is_none())
        .count();
    assert!(same > 850, "{same}");
    assert!(none > 0 && none < 100, "{none}");
    // Ten digits, or for newer records the personal ID itself.
    for person in people.all() {
        match person.bhxh_code.personal_id() {
            Some(id) => assert_eq!(id, &person.personal_id),
            None => assert_eq!(person.bhxh_code.as_str().len(), 10),
        }
    }
    assert!(
        people
            .all()
            .iter()
            .any(|p| p.bhxh_code.personal_id().is_some())
    );
}

#[test]
fn demo_identities_follow_their_rules() {
    let people = population();
    let demos = people.demo_identities();
    assert_eq!(demos.len(), 4);
    for (demo, role) in demos.iter().zip(DemoRole::ALL) {
        assert_eq!(demo.role, role);
        assert_eq!(demo.person, people.get(role.index()).unwrap());
    }
    let phone = people.demo(DemoRole::PhoneRegistration).unwrap();
    assert!(phone.owns_phone());
    let bhxh = people.demo(DemoRole::BhxhRegistration).unwrap();
    assert_eq!(bhxh.bhxh_phone.as_ref(), Some(&bhxh.phone));
    assert!(bhxh.owns_phone());
    let borrowed = people.demo(DemoRole::BorrowedPhone).unwrap();
    assert!(!borrowed.owns_phone());
    let email = people.demo(DemoRole::EmailActivation).unwrap();
    assert!(email.email.is_some() && email.owns_phone());
    // Stable for other seeds too.
    let other = SyntheticPeople::generate(7, 50);
    assert!(!other.demo(DemoRole::BorrowedPhone).unwrap().owns_phone());
    assert!(
        other
            .demo(DemoRole::PhoneRegistration)
            .unwrap()
            .owns_phone()
    );
}

#[test]
fn lookups_find_each_person_by_each_key() {
    let people = population();
    for person in people.all().iter().take(100) {
        assert_eq!(people.by_personal_id(&person.personal_id), Some(person));
        assert_eq!(people.by_bhxh_code(&person.bhxh_code), Some(person));
        let owner = people.subscriber(&person.phone).unwrap();
        assert_eq!(owner.personal_id, person.phone_owner);
    }
}

#[test]
fn a_tiny_population_still_has_its_demo_identities() {
    let people = SyntheticPeople::generate(1, 3);
    assert_eq!(people.len(), 3);
    assert_eq!(people.demo_identities().len(), 3);
    assert!(SyntheticPeople::generate(1, 0).is_empty());
}
