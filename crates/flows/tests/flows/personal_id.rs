//! L1–L3: an account of the old 9-digit identity card has no personal ID; it adds the 12-digit
//! number, which the population database must hold with the account's own name and birth date.

use domain::{AccountKind, LegacyCmnd, PhoneNumber, RegistrationChannel};
use sandbox::{Mode, Person, System};
use store::testing::TestDb;
use store::{Account, Actor, AuditContext, Identity, NewAccount};

use crate::harness::{self, World};

/// A legacy account of `person`: their 9-digit card, their name and birth date, no personal
/// ID and no gender (the old records had none), an OTP phone.
async fn legacy_account(world: &World, person: &Person, cmnd: &str) -> Account {
    let identity = Identity {
        personal_id: None,
        legacy_cmnd: Some(LegacyCmnd::parse(cmnd).unwrap()),
        tax_code: None,
        full_name: person.full_name.clone(),
        birth_date: Some(person.birth_date),
        gender: None,
    };
    citizen(world, identity, Some(person.phone.clone())).await
}

async fn citizen(world: &World, identity: Identity, phone: Option<PhoneNumber>) -> Account {
    let account = NewAccount {
        kind: AccountKind::Citizen,
        identity,
        email: None,
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: phone,
        password_phc: None,
        audit: AuditContext {
            actor: Actor::System,
            client_ip: None,
        },
    };
    let store = &world.db.store;
    store
        .create_account(&account, harness::START)
        .await
        .unwrap()
}

async fn reload(world: &World, account: &Account) -> Account {
    world.db.store.account(account.id).await.unwrap().unwrap()
}

async fn a_legacy_account_adds_its_personal_id(db: TestDb) {
    let world = World::new(db).await;
    let person = world.sandbox.people().get(20).unwrap().clone();
    let someone_else = world.sandbox.people().get(21).unwrap().clone();
    let account = legacy_account(&world, &person, "012345678").await;
    let accounts = world.engine.accounts();
    assert!(accounts.asks_personal_id(account.id).await.unwrap());

    let typo = accounts
        .add_personal_id(&account, "0123", &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(typo.field, Some("personal_id"));
    let other = accounts
        .add_personal_id(&account, someone_else.personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        other.code, "personal_id.not_theirs",
        "another person's number"
    );

    let texts = world.sms_count(&person.phone);
    accounts
        .add_personal_id(&account, person.personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap();
    let updated = reload(&world, &account).await;
    assert_eq!(
        updated.identity.personal_id.as_ref(),
        Some(&person.personal_id)
    );
    assert_eq!(
        updated.identity.gender,
        Some(person.gender),
        "from the database"
    );
    assert!(
        updated.identity.legacy_cmnd.is_some(),
        "the old number stays known"
    );
    assert_eq!(
        world.sms_count(&person.phone),
        texts + 1,
        "the OTP phone is told"
    );
    assert!(!accounts.asks_personal_id(account.id).await.unwrap());
    let again = accounts
        .add_personal_id(&updated, person.personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(again.code, "action.unexpected");
}

/// A number already on another account is never moved: that is for the helpdesk.
async fn a_number_on_another_account_is_refused(db: TestDb) {
    let world = World::new(db).await;
    let person = world.sandbox.people().get(22).unwrap().clone();
    let account = legacy_account(&world, &person, "087654321").await;
    // Someone registered that number since, on another account.
    let mut identity = account.identity.clone();
    identity.personal_id = Some(person.personal_id.clone());
    identity.legacy_cmnd = None;
    citizen(&world, identity, None).await;
    let taken = world
        .engine
        .accounts()
        .add_personal_id(&account, person.personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(taken.code, "personal_id.taken");
    assert!(
        reload(&world, &account)
            .await
            .identity
            .personal_id
            .is_none()
    );
}

/// Wrong numbers stop reaching the population database after five a day; an outage is said
/// as such and not counted.
async fn guesses_are_capped_and_outages_said(db: TestDb) {
    let world = World::new(db).await;
    let person = world.sandbox.people().get(23).unwrap().clone();
    let account = legacy_account(&world, &person, "011122233").await;
    let accounts = world.engine.accounts();
    world.sandbox.set_mode(System::Population, Mode::Down);
    let down = accounts
        .add_personal_id(&account, person.personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(down.code, "population.unavailable");
    world.sandbox.set_mode(System::Population, Mode::Up);

    let others: Vec<Person> = (30..36)
        .map(|index| world.sandbox.people().get(index).unwrap().clone())
        .collect();
    for other in &others[..5] {
        let refused = accounts
            .add_personal_id(&account, other.personal_id.as_str(), &world.client)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code, "personal_id.not_theirs");
    }
    let asked = world.sandbox.requests(System::Population);
    let capped = accounts
        .add_personal_id(&account, person.personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(capped.code, "registration.throttled");
    assert_eq!(
        world.sandbox.requests(System::Population),
        asked,
        "not asked"
    );
}

/// An account of the earlier system comes over with its 9-digit card, its phone and its
/// password (held to today's policy), signs in as before, and is then asked for its
/// personal ID; the same card cannot come twice.
async fn an_imported_legacy_account_signs_in_and_is_asked(db: TestDb) {
    let world = World::new(db).await;
    let person = world.sandbox.people().get(22).unwrap().clone();
    let mut legacy = flows::LegacyAccount {
        cmnd: LegacyCmnd::parse("023456789").unwrap(),
        full_name: person.full_name.clone(),
        birth_date: person.birth_date,
        phone: person.phone.clone(),
        password: "123456".to_owned(),
    };
    let weak = world.engine.import_legacy_account(&legacy).await.unwrap();
    assert_eq!(weak.unwrap_err().field, Some("password"));

    legacy.password = crate::PASSWORD.to_owned();
    let account = world
        .engine
        .import_legacy_account(&legacy)
        .await
        .unwrap()
        .unwrap();
    let again = world.engine.import_legacy_account(&legacy).await.unwrap();
    assert_eq!(again.unwrap_err().code, "account.exists");

    let flow = world.start(flows::FlowKind::Login).await;
    let action = flows::Action::SignIn {
        identifier: "023456789".to_owned(),
        password: crate::PASSWORD.to_owned(),
        captcha: None,
    };
    harness::assert_step(&world.act(&flow, action).await.view, "otp");
    let code = world.last_otp(&person.phone);
    let done = world.act(&flow, flows::Action::Otp { code }).await;
    assert_eq!(done.session.expect("signed in").session.account_id, account);
    assert!(
        world
            .engine
            .accounts()
            .asks_personal_id(account)
            .await
            .unwrap()
    );
}

store::store_tests!(
    a_legacy_account_adds_its_personal_id,
    a_number_on_another_account_is_refused,
    guesses_are_capped_and_outages_said,
    an_imported_legacy_account_signs_in_and_is_asked,
);
