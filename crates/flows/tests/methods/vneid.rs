//! Đăng nhập bằng VNeID (S9, L1–L4): which account an identity opens, at which level, and
//! what can never be linked.

use connectors::{ConnectorError, EidLevel, System};
use domain::{AccountKind, AssuranceLevel, CredentialKind, RegistrationChannel};
use flows::{Action, MethodKind, Outcome, SignInRequest, Started};
use sandbox::{DemoRole, Mode, Person};
use store::testing::TestDb;
use store::{Account, Actor, AuditContext, AuditKind, Identity, NewAccount};

use crate::PASSWORD;
use crate::harness::vneid::ISSUER;
use crate::harness::{self, World, assert_problem, assert_step, sign_in_action};

/// A sign-in that begins with VNeID, sent out: the flow and the trip's `state`.
async fn out(world: &World, acr_preference: Vec<AssuranceLevel>) -> (Started, String) {
    let request = SignInRequest {
        acr_preference,
        first: Some(MethodKind::Vneid),
        ..SignInRequest::default()
    };
    let flow = world.engine.start_sign_in(request).await.unwrap();
    assert_eq!(flow.view.methods.first(), Some(&MethodKind::Vneid));
    assert_step(&flow.view, "redirect");
    let url = world
        .engine
        .vneid_authorization_url(flow.view.id, &flow.binding)
        .await
        .unwrap()
        .expect("out to VNeID");
    assert!(url.as_str().starts_with(ISSUER));
    let state = world.vneid.last_trip().state;
    (flow, state)
}

async fn back(world: &World, flow: &Started, state: &str, code: &str) -> Outcome {
    let action = Action::Callback {
        code: Some(code.to_owned()),
        state: state.to_owned(),
        error: None,
        iss: Some(ISSUER.to_owned()),
    };
    world.act(flow, action).await
}

/// VNeID vouches for `person` at `level`; the sign-in comes back.
async fn vneid_sign_in(world: &World, person: &Person, level: EidLevel, subject: &str) -> Outcome {
    let (flow, state) = out(world, Vec::new()).await;
    world.vneid.will_vouch_for(person, level, subject);
    back(world, &flow, &state, "the-code").await
}

fn audit() -> AuditContext {
    AuditContext {
        actor: Actor::System,
        client_ip: None,
    }
}

/// An account of `person` that came through a channel that did not check the population
/// database (Vietnam Post, until proven at a counter), with an OTP phone and the password
/// `PASSWORD` (its hash taken from `registered`, an account registered with it).
async fn unverified_account(world: &World, person: &Person, registered: &Person) -> Account {
    let registered = world.account_id(registered).await;
    let phc = world.db.store.password_phc(registered).await.unwrap();
    let account = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(person.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: person.full_name.clone(),
            birth_date: Some(person.birth_date),
            gender: Some(person.gender),
        },
        email: None,
        registration_channel: RegistrationChannel::VietnamPost,
        default_phone: Some(person.phone.clone()),
        password_phc: phc,
        audit: audit(),
    };
    let store = &world.db.store;
    store
        .create_account(&account, harness::START)
        .await
        .unwrap()
}

async fn federated_keys(world: &World, account: store::AccountId) -> Vec<String> {
    let credentials = world.db.store.credentials(account).await.unwrap();
    credentials
        .into_iter()
        .filter(|held| held.kind == CredentialKind::Federated)
        .map(|held| held.key)
        .collect()
}

/// Nobody has the personal ID here: a citizen account from VNeID's claims, linked, signed in at
/// VNeID's level with `fed`; the next sign-in opens the same account.
async fn a_first_sign_in_makes_a_citizen_account(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let done = vneid_sign_in(&world, &person, EidLevel::Two, "sub-1").await;
    assert_step(&done.view, "done");
    let session = done.session.expect("signed in").session;
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(session.amr, ["fed"]);

    let store = &world.db.store;
    let account = store
        .account_by_personal_id(&person.personal_id)
        .await
        .unwrap()
        .expect("the account");
    assert_eq!(session.account_id, account.id);
    assert_eq!(account.registration_channel, RegistrationChannel::Vneid);
    assert_eq!(account.identity.full_name, person.full_name);
    assert_eq!(account.identity.birth_date, Some(person.birth_date));
    assert_eq!(
        federated_keys(&world, account.id).await,
        [format!("{ISSUER} sub-1")]
    );
    let trip = world.vneid.last_trip();
    assert_eq!(trip.min_acr, None, "LoA2 is VNeID's default");
    assert_eq!(
        trip.redirect_uri.as_str(),
        "https://dichvucong.test/login/vneid/callback"
    );
    assert!(trip.nonce.len() >= 43 && trip.code_verifier.len() >= 43);

    let again = vneid_sign_in(&world, &person, EidLevel::One, "sub-1").await;
    let session = again.session.expect("signed in again").session;
    assert_eq!(session.account_id, account.id, "the same account");
    assert_eq!(session.acr, AssuranceLevel::LoA2, "level 1 now: LoA2");
}

/// A portal account verified against the population database (registered by phone) is linked
/// at the first VNeID sign-in, and its OTP phone is told.
async fn a_verified_account_is_linked_and_told(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    let texts = world.sms_count(&person.phone);

    let done = vneid_sign_in(&world, &person, EidLevel::Two, "sub-1").await;
    let session = done.session.expect("signed in").session;
    assert_eq!(session.account_id, account);
    assert_eq!(federated_keys(&world, account).await.len(), 1);
    assert_eq!(
        world.sms_count(&person.phone),
        texts + 1,
        "the phone is told"
    );
    let history = world.db.store.audit_of_account(account, 10).await.unwrap();
    assert!(
        history
            .iter()
            .any(|event| event.kind == AuditKind::CredentialAdded)
    );
}

/// An account whose identity was never verified is linked only after its holder signs in to it
/// in the same flow — with its own ID: another person's account cannot be the proof.
async fn an_unverified_account_signs_in_itself_first(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let stranger = world.person(DemoRole::EmailActivation);
    world.register(&stranger, PASSWORD).await;
    let account = unverified_account(&world, &person, &stranger).await;

    let (flow, state) = out(&world, Vec::new()).await;
    world.vneid.will_vouch_for(&person, EidLevel::Two, "sub-1");
    let asked = back(&world, &flow, &state, "the-code").await;
    assert_step(&asked.view, "credentials");
    assert_problem(&asked.view, "vneid.prove_account");
    assert!(asked.session.is_none());
    assert!(
        federated_keys(&world, account.id).await.is_empty(),
        "not yet"
    );

    let other = world.act(&flow, sign_in_action(&stranger, PASSWORD)).await;
    assert_problem(&other.view, "step_up.other_account");

    let otp = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_step(&otp.view, "otp");
    let code = world.last_otp(&person.phone);
    let done = world.act(&flow, Action::Otp { code }).await;
    let session = done.session.expect("signed in").session;
    assert_eq!(session.account_id, account.id);
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(session.amr, ["fed", "pwd", "sms"]);
    assert_eq!(federated_keys(&world, account.id).await.len(), 1);

    // Linked now: straight in.
    let again = vneid_sign_in(&world, &person, EidLevel::Two, "sub-1").await;
    assert_eq!(again.session.expect("in").session.account_id, account.id);
}

/// A Vietnam Post account is proven online only: VNeID may not link to it until its holder
/// signs in to it; once postal staff checked the card at a counter, it is linked at once, and
/// the sign-in reaches VNeID's LoA3.
async fn a_counter_proven_vietnam_post_account_is_linked_at_once(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::BorrowedPhone);
    crate::vietnam_post::register_by_sms(&world, &person).await;
    let account = world.account_id(&person).await;

    let asked = vneid_sign_in(&world, &person, EidLevel::Two, "sub-post").await;
    assert_problem(&asked.view, "vneid.prove_account");
    assert!(federated_keys(&world, account).await.is_empty());

    let id = person.personal_id.as_str();
    let note = "CCCD gốc, ảnh khớp";
    let counter = world.engine.post_counter();
    let client = world.client.clone();
    counter
        .prove("buudien.hn01", id, id, note, &client)
        .await
        .unwrap()
        .unwrap();
    let done = vneid_sign_in(&world, &person, EidLevel::Two, "sub-post").await;
    let session = done.session.expect("linked and signed in").session;
    assert_eq!(session.account_id, account);
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(federated_keys(&world, account).await.len(), 1);
}

/// A relying service asking LoA3 sends `acr_values`; a level-1 person gets a clear refusal,
/// whether VNeID refuses or answers with a level-1 token anyway.
async fn level_one_cannot_reach_loa3(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let (flow, state) = out(&world, vec![AssuranceLevel::LoA3]).await;
    assert_eq!(world.vneid.last_trip().min_acr, Some(AssuranceLevel::LoA3));
    let refused = world
        .act(
            &flow,
            Action::Callback {
                code: None,
                state,
                error: Some("unmet_authentication_requirements".to_owned()),
                iss: Some(ISSUER.to_owned()),
            },
        )
        .await;
    assert_problem(&refused.view, "vneid.level_too_low");
    assert_eq!(world.vneid.redeemed_count(), 0);

    world
        .engine
        .vneid_authorization_url(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let state = world.vneid.last_trip().state;
    world.vneid.will_vouch_for(&person, EidLevel::One, "sub-1");
    let low = back(&world, &flow, &state, "the-code").await;
    assert_problem(&low.view, "vneid.level_too_low");
    assert!(low.session.is_none());
    let store = &world.db.store;
    let made = store.account_by_personal_id(&person.personal_id).await;
    assert!(made.unwrap().is_none(), "no account");
}

/// A `state` that is not the trip's, or that was already used, redeems nothing.
async fn forged_and_replayed_states_are_refused(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let (flow, state) = out(&world, Vec::new()).await;
    world.vneid.will_vouch_for(&person, EidLevel::Two, "sub-1");
    let forged = format!("{}.forged", flow.view.id);
    let refused = back(&world, &flow, &forged, "the-code").await;
    assert_problem(&refused.view, "vneid.failed");
    assert_eq!(world.vneid.redeemed_count(), 0);

    // The real state was spent by the forged attempt's trip replacement: a new trip is needed.
    let replayed = back(&world, &flow, &state, "the-code").await;
    assert_problem(&replayed.view, "vneid.failed");
    assert_eq!(world.vneid.redeemed_count(), 0);
    assert!(replayed.session.is_none());
}

/// VNeID refusing the code, or being down, is said; nothing is written.
async fn failures_at_vneid_are_said(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let (flow, state) = out(&world, Vec::new()).await;
    world.vneid.will_answer(Err(ConnectorError::Unavailable {
        system: System::Vneid,
        reason: "HTTP 503".to_owned(),
    }));
    let down = back(&world, &flow, &state, "the-code").await;
    assert_problem(&down.view, "vneid.unavailable");

    world
        .engine
        .vneid_authorization_url(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let state = world.vneid.last_trip().state;
    world
        .vneid
        .will_answer(Err(ConnectorError::InvalidResponse {
            system: System::Vneid,
            reason: "ID token nonce mismatch".to_owned(),
        }));
    let bad = back(&world, &flow, &state, "the-code").await;
    assert_problem(&bad.view, "vneid.failed");
    let made = world
        .db
        .store
        .account_by_personal_id(&person.personal_id)
        .await;
    assert!(made.unwrap().is_none());
}

/// An identity whose personal ID already has a link from VNeID under another subject, or whose
/// details the population database does not hold, opens nothing.
async fn conflicts_and_mismatches_open_nothing(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let first = vneid_sign_in(&world, &person, EidLevel::Two, "sub-1").await;
    assert!(first.session.is_some());
    let other_subject = vneid_sign_in(&world, &person, EidLevel::Two, "sub-2").await;
    assert_problem(&other_subject.view, "vneid.conflict");
    assert!(other_subject.session.is_none());

    let mut stranger = world.person(DemoRole::BhxhRegistration);
    stranger.full_name = "Tên Không Khớp".to_owned();
    let mismatch = vneid_sign_in(&world, &stranger, EidLevel::Two, "sub-3").await;
    assert_problem(&mismatch.view, "vneid.identity_mismatch");
    let made = world
        .db
        .store
        .account_by_personal_id(&stranger.personal_id)
        .await;
    assert!(made.unwrap().is_none(), "no account from a mismatch");

    world
        .sandbox
        .set_mode(sandbox::System::Population, Mode::Down);
    let third = world.person(DemoRole::EmailActivation);
    let down = vneid_sign_in(&world, &third, EidLevel::Two, "sub-4").await;
    assert_problem(&down.view, "population.unavailable");
}

/// Unlinking asks the password and tells the phone; an account made through VNeID keeps its
/// only way in.
async fn unlinking(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    vneid_sign_in(&world, &person, EidLevel::Two, "sub-1").await;
    let key = federated_keys(&world, account).await.remove(0);
    let accounts = world.engine.accounts();
    let overview = accounts.overview(account).await.unwrap();
    assert_eq!(overview.vneid_links.len(), 1);
    assert_eq!(overview.vneid_links[0].level, 2);

    let wrong = accounts
        .unlink_vneid(account, &key, "not the password", &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(wrong.code, "password.wrong");
    let texts = world.sms_count(&person.phone);
    accounts
        .unlink_vneid(account, &key, PASSWORD, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert!(federated_keys(&world, account).await.is_empty());
    assert_eq!(world.sms_count(&person.phone), texts + 1);
    let history = world.db.store.audit_of_account(account, 10).await.unwrap();
    let removed = history
        .iter()
        .find(|event| event.kind == AuditKind::CredentialRemoved)
        .expect("the unlink is audited");
    assert_eq!(
        removed.details["kind"], "federated",
        "{:?}",
        removed.details
    );

    let newcomer = world.person(DemoRole::BhxhRegistration);
    let made = vneid_sign_in(&world, &newcomer, EidLevel::Two, "sub-9").await;
    let made = made.session.expect("signed in").session.account_id;
    let only = federated_keys(&world, made).await.remove(0);
    let kept = accounts
        .unlink_vneid(made, &only, "", &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(kept.code, "vneid.last_method");
    assert_eq!(federated_keys(&world, made).await.len(), 1);
}

/// A signed-in account linked to VNeID steps up to LoA3 with it: the same session, raised, with
/// `fed` added; a VNeID identity of another person cannot raise it.
async fn step_up_with_vneid_raises_the_linked_session(db: TestDb) {
    let world = World::with_vneid(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    vneid_sign_in(&world, &person, EidLevel::Two, "sub-1").await;
    let stranger = world.person(DemoRole::BhxhRegistration);
    vneid_sign_in(&world, &stranger, EidLevel::Two, "sub-2").await;

    let (session, flow) = world.step_up_to_loa3(account).await;
    assert_eq!(
        flow.view.methods,
        [MethodKind::Vneid],
        "the one LoA3 method it holds"
    );
    let out = |flow: &Started| {
        let (id, binding) = (flow.view.id, flow.binding.clone());
        let engine = world.engine.clone();
        async move { engine.vneid_authorization_url(id, &binding).await.unwrap() }
    };
    out(&flow).await.expect("out to VNeID");
    let state = world.vneid.last_trip().state;
    assert_eq!(world.vneid.last_trip().min_acr, Some(AssuranceLevel::LoA3));
    world
        .vneid
        .will_vouch_for(&stranger, EidLevel::Two, "sub-2");
    let other = back(&world, &flow, &state, "the-code").await;
    assert_problem(&other.view, "step_up.other_account");
    assert!(!other.raised);

    out(&flow).await.expect("out again");
    let state = world.vneid.last_trip().state;
    world.vneid.will_vouch_for(&person, EidLevel::Two, "sub-1");
    let raised = back(&world, &flow, &state, "the-code").await;
    assert!(raised.raised, "{:#?}", raised.view);
    assert!(raised.session.is_none(), "no second session");
    let now = domain::Clock::now(world.clock.as_ref());
    let session = world.db.store.session(session, now).await.unwrap().unwrap();
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(session.amr, ["pwd", "sms", "fed"]);
}

store::store_tests!(
    a_first_sign_in_makes_a_citizen_account,
    a_verified_account_is_linked_and_told,
    an_unverified_account_signs_in_itself_first,
    a_counter_proven_vietnam_post_account_is_linked_at_once,
    level_one_cannot_reach_loa3,
    forged_and_replayed_states_are_refused,
    failures_at_vneid_are_said,
    conflicts_and_mismatches_open_nothing,
    unlinking,
    step_up_with_vneid_raises_the_linked_session,
);
