//! The test-only TOTP method (feature `test-methods`): offered beside password + SMS, chosen,
//! and signing in with a password and an authenticator app's code. The codes are RFC 6238's
//! own SHA-256 test values (Appendix B), read at the times the RFC gives them.

use domain::{AssuranceLevel, CredentialKind};
use flows::{Action, Done, FlowKind, MethodKind, SignInRequest, Started, Step};
use sandbox::{DemoRole, Person};
use serde_json::json;
use store::testing::TestDb;
use store::{AccountId, Actor, AuditContext, NewCredential, NewFlow, StepWrite};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::PASSWORD;
use super::harness::{self, World, assert_problem, assert_step, otp_phone, sign_in_action};

/// RFC 6238's SHA-256 seed, hex-encoded as the test method keeps it.
const SEED_HEX: &str = "3132333435363738393031323334353637383930313233343536373839303132";
/// Unix time 2000000000 (2033-05-18 03:33:20 UTC), 20 s into its step; the code then.
const RFC_TIME: i64 = 2_000_000_000;
const RFC_CODE: &str = "698825";
/// The code of another time: 1111111111 (2005).
const CODE_OF_2005: &str = "062674";

/// A registered person with an OTP phone, given an authenticator app's TOTP credential when
/// `with_totp`, and the clock set to the RFC's time.
async fn holder(world: &World, with_totp: bool) -> (Person, AccountId) {
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let store = &world.db.store;
    let account = store.account_by_personal_id(&person.personal_id).await;
    let account = account.unwrap().expect("registered").id;
    if with_totp {
        add_totp(world, account).await;
    }
    world
        .clock
        .set(OffsetDateTime::from_unix_timestamp(RFC_TIME).unwrap());
    (person, account)
}

/// Enrols the seed as an enrolment step of a flow would: one `AddCredential` write.
async fn add_totp(world: &World, account: AccountId) {
    let store = &world.db.store;
    let flow = NewFlow {
        id: Uuid::new_v4(),
        kind: "add_totp".to_owned(),
        state: json!({}),
        account_id: Some(account),
        expires_at: harness::START + Duration::minutes(15),
    };
    let flow = store.create_flow(&flow, harness::START).await.unwrap();
    let write = StepWrite::AddCredential {
        account,
        credential: NewCredential {
            kind: CredentialKind::Totp,
            key: "app".to_owned(),
            public_data: json!({ "label": "Authenticator" }),
            secret: Some(SEED_HEX.to_owned()),
        },
        audit: AuditContext {
            actor: Actor::Holder,
            client_ip: None,
        },
    };
    store
        .save_step(&flow, flow.version, &[write], harness::START)
        .await
        .unwrap();
}

/// A sign-in switched to TOTP, its password given: at the code step.
async fn at_the_code_step(world: &World, person: &Person) -> Started {
    let flow = world.start(FlowKind::Login).await;
    let chosen = world
        .act(
            &flow,
            Action::ChooseMethod {
                method: MethodKind::Totp,
            },
        )
        .await;
    assert!(chosen.view.problems.is_empty(), "{:?}", chosen.view);
    assert_step(&chosen.view, "credentials");
    let code_step = world.act(&flow, sign_in_action(person, PASSWORD)).await;
    assert_step(&code_step.view, "otp");
    assert_eq!(otp_phone(&code_step.view), "", "no phone: nothing was sent");
    flow
}

fn code(code: &str) -> Action {
    Action::Otp {
        code: code.to_owned(),
    }
}

async fn password_and_authenticator_code_sign_in_at_loa2(db: TestDb) {
    let world = World::new(db).await;
    let (person, account) = holder(&world, true).await;
    let texts = world.sms_count(&person.phone);

    let flow = world.start(FlowKind::Login).await;
    for method in [MethodKind::PasswordSms, MethodKind::Totp] {
        assert!(flow.view.methods.contains(&method), "{:?}", flow.view);
    }
    let flow = at_the_code_step(&world, &person).await;
    assert_eq!(world.sms_count(&person.phone), texts, "no SMS for TOTP");

    let wrong = world.act(&flow, code("000000")).await;
    assert_problem(&wrong.view, "otp.wrong");
    assert_eq!(wrong.view.problems[0].attempts_left, Some(4));
    let other_time = world.act(&flow, code(CODE_OF_2005)).await;
    assert_problem(&other_time.view, "otp.wrong");
    assert_eq!(other_time.view.problems[0].attempts_left, Some(3));

    let done = world.act(&flow, code(" 698 825 ")).await;
    assert!(
        matches!(
            done.view.step,
            Step::Done {
                result: Done::SignedIn
            }
        ),
        "{:?}",
        done.view
    );
    let session = done.session.expect("signed in").session;
    assert_eq!(session.account_id, account);
    assert_eq!(session.acr, AssuranceLevel::LoA2);
    assert_eq!(session.amr, ["pwd", "otp"]);
    let credentials = world.db.store.credentials(account).await.unwrap();
    let app = credentials
        .iter()
        .find(|credential| credential.kind == CredentialKind::Totp)
        .unwrap();
    assert_eq!(
        app.last_used_at,
        Some(OffsetDateTime::from_unix_timestamp(RFC_TIME).unwrap())
    );
}

async fn a_code_one_step_off_is_accepted_and_two_steps_off_refused(db: TestDb) {
    let world = World::new(db).await;
    let (person, _) = holder(&world, true).await;

    // The next step: the app's clock a little behind is forgiven.
    world.advance(30);
    let flow = at_the_code_step(&world, &person).await;
    let done = world.act(&flow, code(RFC_CODE)).await;
    assert!(done.session.is_some(), "{:?}", done.view);

    // Two steps later the code is refused, in the current step the right one is not.
    world.advance(30);
    let flow = at_the_code_step(&world, &person).await;
    let late = world.act(&flow, code(RFC_CODE)).await;
    assert_problem(&late.view, "otp.wrong");
    assert!(late.session.is_none());
}

async fn five_wrong_codes_end_the_flows_chances(db: TestDb) {
    let world = World::new(db).await;
    let (person, _) = holder(&world, true).await;
    let flow = at_the_code_step(&world, &person).await;
    for left in (1..=4).rev() {
        let wrong = world.act(&flow, code("000000")).await;
        assert_eq!(wrong.view.problems[0].attempts_left, Some(left));
    }
    assert_problem(
        &world.act(&flow, code("000000")).await.view,
        "otp.exhausted",
    );
    let too_late = world.act(&flow, code(RFC_CODE)).await;
    assert_problem(&too_late.view, "otp.exhausted");
    assert!(too_late.session.is_none());
    assert_step(&too_late.view, "otp");
}

async fn an_account_without_totp_is_refused_and_not_offered_for_step_up(db: TestDb) {
    let world = World::new(db).await;
    let (person, account) = holder(&world, false).await;
    let texts = world.sms_count(&person.phone);

    // Any sign-in offers the method (nobody is known yet); the right password says no.
    let flow = world.start(FlowKind::Login).await;
    world
        .act(
            &flow,
            Action::ChooseMethod {
                method: MethodKind::Totp,
            },
        )
        .await;
    let refused = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_problem(&refused.view, "method.not_offered");
    assert_step(&refused.view, "credentials");
    assert!(refused.session.is_none());
    assert_eq!(world.sms_count(&person.phone), texts);

    // Step-up offers only the methods the account holds.
    let token = world.sign_in(&person, PASSWORD).await;
    let (session, _) = world
        .engine
        .sessions()
        .authenticate(&token)
        .await
        .unwrap()
        .unwrap();
    let step_up = |account| SignInRequest {
        signed_in: Some((session.id, account)),
        ..SignInRequest::default()
    };
    let started = world.engine.start_sign_in(step_up(account)).await.unwrap();
    assert_eq!(started.view.methods, [MethodKind::PasswordSms]);
    add_totp(&world, account).await;
    let started = world.engine.start_sign_in(step_up(account)).await.unwrap();
    assert!(started.view.methods.contains(&MethodKind::Totp));
}

store::store_tests!(
    password_and_authenticator_code_sign_in_at_loa2,
    a_code_one_step_off_is_accepted_and_two_steps_off_refused,
    five_wrong_codes_end_the_flows_chances,
    an_account_without_totp_is_refused_and_not_offered_for_step_up,
);
