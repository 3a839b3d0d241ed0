//! The method layer: which methods a sign-in offers for the level asked, step-up that raises
//! the signed-in session instead of replacing it, and levels a method cannot reach.

use domain::{AccountKind, AssuranceLevel, Clock, PhoneNumber, RegistrationChannel};
use flows::{Action, MethodKind, SignInRequest, Started};
use sandbox::DemoRole;
use store::testing::TestDb;
use store::{Actor, AuditContext, Identity, NewAccount, NewSession};
use uuid::Uuid;

use super::PASSWORD;
use super::harness::{self, World, assert_problem, assert_step, sign_in_action};

mod bind_certificate;
mod register_certificate;
mod remote_signing;
mod sim_pki;
mod usb_token;
mod vneid;

async fn sign_in_for(world: &World, request: SignInRequest<'_>) -> Started {
    world.engine.start_sign_in(request).await.unwrap()
}

/// A session of one factor, as an older sign-in would have left it.
async fn one_factor_session(world: &World, person: &sandbox::Person) -> Uuid {
    let now = world.clock.now();
    let session = world
        .db
        .store
        .create_session(
            &NewSession {
                id: Uuid::new_v4(),
                token_hash: [9; 32],
                account_id: world.account_id(person).await,
                acr: AssuranceLevel::LoA1,
                amr: vec!["pwd".to_owned()],
                auth_time: now,
                client_ip: None,
                user_agent: None,
                idle_expires_at: now + time::Duration::minutes(30),
                absolute_expires_at: now + time::Duration::hours(12),
            },
            now,
        )
        .await
        .unwrap();
    session.id
}

/// `acr_values` is a preference: the first level some method reaches is the one asked, and a
/// level no method reaches ends the sign-in at once, saying so.
async fn the_first_reachable_level_is_asked(db: TestDb) {
    let world = World::new(db).await;
    let preferred = sign_in_for(
        &world,
        SignInRequest {
            acr_preference: vec![AssuranceLevel::LoA3, AssuranceLevel::LoA2],
            ..SignInRequest::default()
        },
    )
    .await;
    // Every built-in method reaches LoA2 (the test-only TOTP method too, when built in); the
    // portal's own comes first.
    assert_eq!(
        preferred.view.methods.first(),
        Some(&MethodKind::PasswordSms)
    );
    assert_step(&preferred.view, "credentials");

    let only_three = sign_in_for(
        &world,
        SignInRequest {
            acr_preference: vec![AssuranceLevel::LoA3],
            ..SignInRequest::default()
        },
    )
    .await;
    assert_step(&only_three.view, "unreachable");
    assert!(only_three.view.methods.is_empty());
    let person = world.person(DemoRole::PhoneRegistration);
    let acted = world
        .act(&only_three, sign_in_action(&person, PASSWORD))
        .await;
    assert_problem(&acted.view, "action.unexpected");
}

/// Step-up raises the signed-in session: same session, the higher level, the methods of both
/// sign-ins, a new `auth_time`; no new session is opened. Only the signed-in person can do it.
async fn step_up_raises_the_session_it_started_from(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    let session = one_factor_session(&world, &person).await;
    world.advance(60);

    let someone_else = world.person(DemoRole::EmailActivation);
    world.register(&someone_else, PASSWORD).await;
    let request = || SignInRequest {
        acr_preference: vec![AssuranceLevel::LoA2],
        signed_in: Some((session, account)),
        ..SignInRequest::default()
    };
    let other = sign_in_for(&world, request()).await;
    let refused = world
        .act(&other, sign_in_action(&someone_else, PASSWORD))
        .await;
    assert_problem(&refused.view, "step_up.other_account");

    let flow = sign_in_for(&world, request()).await;
    assert_eq!(flow.view.methods, [MethodKind::PasswordSms]);
    let otp = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_step(&otp.view, "otp");
    let code = world.last_otp(&person.phone);
    let done = world.act(&flow, Action::Otp { code }).await;
    assert!(done.raised, "{:#?}", done.view);
    assert!(done.session.is_none(), "no second session");
    let raised = world
        .db
        .store
        .session(session, world.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raised.acr, AssuranceLevel::LoA2);
    assert_eq!(raised.amr, ["pwd", "sms"]);
    assert_eq!(raised.auth_time, world.clock.now());
    let live = world
        .db
        .store
        .live_sessions(account, world.clock.now())
        .await
        .unwrap();
    assert_eq!(live.len(), 1, "still the one session");
}

/// The level an account can reach comes from the credentials it holds: with a password and an
/// OTP phone, LoA2; without a password (never set), no method applies.
async fn the_reachable_level_comes_from_the_credentials(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    let engine = &world.engine;
    let level = engine
        .reachable_level(account, AccountKind::Citizen)
        .await
        .unwrap();
    assert_eq!(level, AssuranceLevel::LoA2);

    let other = world.person(DemoRole::BhxhRegistration);
    let without_password = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(other.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: other.full_name.clone(),
            birth_date: Some(other.birth_date),
            gender: Some(other.gender),
        },
        email: None,
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(PhoneNumber::parse("0867000222").unwrap()),
        password_phc: None,
        audit: AuditContext {
            actor: Actor::System,
            client_ip: None,
        },
    };
    let created = world
        .db
        .store
        .create_account(&without_password, harness::START)
        .await
        .unwrap();
    let level = engine
        .reachable_level(created.id, AccountKind::Citizen)
        .await
        .unwrap();
    assert_eq!(level, AssuranceLevel::LoA1, "no method: nothing above LoA1");
}

store::store_tests!(
    the_first_reachable_level_is_asked,
    step_up_raises_the_session_it_started_from,
    the_reachable_level_comes_from_the_credentials,
);
