//! What must hold against an attacker — who else can spend a limit, who can learn whether an
//! ID has an account — each on SQLite and PostgreSQL, driven through the flows as a person or
//! a script would.

use std::sync::Arc;

use flows::{Action, Client, FlowConfig, FlowKind, MethodKind};
use sandbox::{DemoRole, Person};
use store::AuditKind;
use store::testing::TestDb;

use super::PASSWORD;
use super::harness::{self, World, assert_problem, assert_step, sign_in_action, solve_captcha};

fn client(address: &str, device: Option<&str>) -> Client {
    Client {
        address: Some(address.to_owned()),
        user_agent: Some("security-test".to_owned()),
        device: device.map(str::to_owned),
    }
}

/// Small limits, so that tests reach them in a few steps.
fn tight_config() -> FlowConfig {
    let mut config = harness::fast_config();
    config.throttle.captcha_after_per_account = 3;
    config.throttle.block_after_per_account = 8;
    config.throttle.captcha_after_per_address = 5;
    config.throttle.block_after_per_address = 10;
    // Quick proofs of work: the tests solve many.
    config.captcha.max_number = 1_000;
    config
}

/// Signs in from `from` to the end, through the OTP; the device (if any) is then known.
async fn sign_in_from(world: &World, person: &Person, from: &Client) {
    let flow = world.start(FlowKind::Login).await;
    let otp = world
        .act_from(&flow, from, sign_in_action(person, PASSWORD))
        .await;
    assert_step(&otp.view, "otp");
    let code = world.last_otp(&person.phone);
    let done = world.act_from(&flow, from, Action::Otp { code }).await;
    assert!(done.session.is_some(), "{:#?}", done.view);
}

/// The first attempt of a new sign-in from `from` with the right password: its step name and
/// problem codes.
async fn attempt(world: &World, person: &Person, from: &Client) -> (String, Vec<&'static str>) {
    let flow = world.start(FlowKind::Login).await;
    let outcome = world
        .act_from(&flow, from, sign_in_action(person, PASSWORD))
        .await;
    let codes = outcome.view.problems.iter().map(|p| p.code).collect();
    (harness::step_name(&outcome.view), codes)
}

async fn fail_from(world: &World, person: &Person, from: &Client) {
    let flow = world.start(FlowKind::Login).await;
    world
        .act_from(&flow, from, sign_in_action(person, "not the password"))
        .await;
}

/// A wrong password that gets through: the captcha solved when asked, as a determined script
/// would. The problems of the last answer.
async fn fail_solving_captchas(world: &World, person: &Person, from: &Client) -> Vec<&'static str> {
    let flow = world.start(FlowKind::Login).await;
    let mut outcome = world
        .act_from(&flow, from, sign_in_action(person, "not the password"))
        .await;
    if outcome.view.captcha.is_some() {
        let retry = Action::SignIn {
            identifier: person.personal_id.to_string(),
            password: "not the password".into(),
            captcha: Some(solve_captcha(&outcome.view)),
        };
        outcome = world.act_from(&flow, from, retry).await;
    }
    outcome.view.problems.iter().map(|p| p.code).collect()
}

/// (1) Many failures from one address (a carrier's NAT) never refuse a person who then signs
/// in correctly from it: the address limit asks the captcha, and a device that signed in to
/// the account before is not asked even that.
async fn a_shared_address_slows_strangers_but_never_locks_out(db: TestDb) {
    let world = World::with_config(db, tight_config()).await;
    let holder = world.person(DemoRole::PhoneRegistration);
    world.register(&holder, PASSWORD).await;
    let known = client("198.51.100.7", Some("holder-phone"));
    sign_in_from(&world, &holder, &known).await;

    let nat = client("198.51.100.7", None);
    let strangers: Vec<Person> = world
        .sandbox
        .people()
        .all()
        .iter()
        .take(12)
        .cloned()
        .collect();
    for stranger in &strangers[..6] {
        fail_from(&world, stranger, &nat).await;
    }
    // Past the address's captcha limit a sign-in from it shows the captcha on its first form.
    let early = world.start_from(FlowKind::Login, &nat).await;
    let normal = tight_config().captcha.max_number;
    let early_challenge = serde_json::to_value(early.view.captcha.as_ref().expect("a captcha"));
    assert_eq!(early_challenge.unwrap()["maxnumber"], normal);
    for stranger in &strangers[6..] {
        fail_from(&world, stranger, &nat).await;
    }
    let (step, problems) = attempt(&world, &holder, &nat).await;
    assert_eq!(
        (step.as_str(), problems.as_slice()),
        ("credentials", &["captcha.required"][..])
    );
    assert!(!problems.contains(&"throttled"));

    // Past the address's block limit the captcha is slower, not a refusal: a new sign-in's
    // first form asks the slower one, and the easier one shown before no longer passes.
    let too_easy = Action::SignIn {
        identifier: holder.personal_id.to_string(),
        password: PASSWORD.into(),
        captcha: Some(solve_captcha(&early.view)),
    };
    let refused = world.act_from(&early, &nat, too_easy).await;
    assert_problem(&refused.view, "captcha.wrong");
    let flow = world.start_from(FlowKind::Login, &nat).await;
    let challenge = flow
        .view
        .captcha
        .as_ref()
        .expect("the captcha on the first form");
    assert_eq!(
        serde_json::to_value(challenge).unwrap()["maxnumber"],
        normal * 10
    );
    // With it solved the holder goes on from the same address, in one submit.
    let answered = Action::SignIn {
        identifier: holder.personal_id.to_string(),
        password: PASSWORD.into(),
        captcha: Some(solve_captcha(&flow.view)),
    };
    assert_step(&world.act_from(&flow, &nat, answered).await.view, "otp");

    // The holder's own phone behind the same NAT is not even asked.
    assert_eq!(
        attempt(&world, &holder, &known).await,
        ("otp".to_owned(), vec![])
    );
}

/// (2) An attacker who knows only the ID stops themself, not the holder: their own device or
/// address waits, the holder elsewhere reaches the OTP step (with a captcha at most, none on a
/// known device); past 100 consecutive failures only recovery opens the account, except on a
/// device that signed in to it before.
async fn an_attacker_cannot_lock_the_holder_out(db: TestDb) {
    let world = World::with_config(db, tight_config()).await;
    let holder = world.person(DemoRole::PhoneRegistration);
    world.register(&holder, PASSWORD).await;
    let known = client("192.0.2.10", Some("holder-laptop"));
    sign_in_from(&world, &holder, &known).await;

    let attacker = client("203.0.113.66", Some("attacker"));
    for _ in 0..10 {
        fail_from(&world, &holder, &attacker).await;
    }
    let (_, attacker_sees) = attempt(&world, &holder, &attacker).await;
    assert_eq!(
        attacker_sees,
        ["throttled"],
        "the attacker's own budget is spent"
    );

    let elsewhere = client("192.0.2.99", None);
    let (step, problems) = attempt(&world, &holder, &elsewhere).await;
    assert!(
        step == "otp" || problems == ["captcha.required"],
        "{step} {problems:?}"
    );
    assert_eq!(attempt(&world, &holder, &known).await.0, "otp");

    // A hundred consecutive failures from many places: only recovery, but the known device.
    for round in 0..100 {
        let from = client(&format!("203.0.113.{}", round % 50), None);
        let refused = fail_solving_captchas(&world, &holder, &from).await;
        assert_eq!(refused, ["credentials.invalid"], "round {round}");
    }
    let (_, problems) = attempt(&world, &holder, &client("192.0.2.100", None)).await;
    assert_eq!(problems, ["account.recovery_required"]);
    assert_eq!(attempt(&world, &holder, &known).await.0, "otp");
    let trail = world
        .db
        .store
        .audit_of_account(world.account_id(&holder).await, 200)
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|event| event.kind == AuditKind::SecurityRefusal
                && event.details["reason"] == "account.recovery_required"),
        "every refusal is audited"
    );
}

/// (3) Strangers asking recovery codes for the holder's ID use up only the anonymous budget:
/// the holder who proves the password still gets the sign-in SMS, and the recovery answers
/// look the same as for an unknown ID once the anonymous cap is reached.
async fn strangers_cannot_spend_the_holders_sms(db: TestDb) {
    let world = World::new(db).await;
    let holder = world.person(DemoRole::PhoneRegistration);
    world.register(&holder, PASSWORD).await;
    let limits = harness::fast_config().otp;
    let before = world.sms_count(&holder.phone);
    let mut steps = Vec::new();
    for round in 0..limits.max_anonymous_sms_per_phone_per_day + 3 {
        let from = client(&format!("198.51.100.{round}"), None);
        let flow = world.start(FlowKind::Recovery).await;
        let identify = Action::Identify {
            identifier: holder.personal_id.to_string(),
            captcha: Some(solve_captcha(&flow.view)),
        };
        let outcome = world.act_from(&flow, &from, identify).await;
        assert!(outcome.view.problems.is_empty(), "{:#?}", outcome.view);
        steps.push(harness::step_name(&outcome.view));
    }
    assert!(steps.iter().all(|step| step == "otp"), "{steps:?}");
    // Registration was anonymous too: it spent one of the budget.
    let sent = world.sms_count(&holder.phone) - before;
    let cap = usize::try_from(limits.max_anonymous_sms_per_phone_per_day).unwrap();
    assert_eq!(sent, cap - 1);

    let flow = world.start(FlowKind::Login).await;
    let otp = world.act(&flow, sign_in_action(&holder, PASSWORD)).await;
    assert_step(&otp.view, "otp");
    assert_eq!(world.sms_count(&holder.phone) - before, sent + 1);
}

/// (5) Registration does not say that an ID has an account before the person proved control of
/// the phone: the form goes on to the OTP exactly as for a new person, and only then is told.
async fn registration_reveals_an_account_only_after_the_otp(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let again = world.start(FlowKind::RegisterPhone).await;
    let form = world.act(&again, harness::register_action(&person)).await;
    assert_step(&form.view, "otp");
    assert!(form.view.problems.is_empty());
    let code = world.last_otp(&person.phone);
    let told = world.act(&again, Action::Otp { code }).await;
    assert_problem(&told.view, "account.exists");
}

/// (6) Registration is not an oracle into the national registries: after a few mismatches for
/// one ID the registries are not asked about it again that day, whoever asks.
async fn registration_mismatches_are_capped_per_id(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    for round in 0..5 {
        let from = client(&format!("198.51.100.{round}"), None);
        let flow = world.start(FlowKind::RegisterPhone).await;
        let mut values = harness::register_values(&person);
        let names = [
            "Người Khác",
            "Lê Văn Tám",
            "Trần Thị Bé",
            "Phạm Văn Út",
            "Hà Thị Na",
        ];
        values.full_name = names[round].to_owned();
        let outcome = world
            .act_from(&flow, &from, Action::RegisterPhone(values))
            .await;
        assert!(!outcome.view.problems.is_empty());
    }
    let flow = world.start(FlowKind::RegisterPhone).await;
    let honest = world.act(&flow, harness::register_action(&person)).await;
    assert_problem(&honest.view, "registration.throttled");
    world.advance(24 * 60 * 60);
    let tomorrow = world.start(FlowKind::RegisterPhone).await;
    assert_step(
        &world
            .act(&tomorrow, harness::register_action(&person))
            .await
            .view,
        "otp",
    );
}

/// (8) Thirty parallel "Gửi lại OTP" send one SMS.
async fn parallel_resends_send_once(db: TestDb) {
    let world = Arc::new(World::new(db).await);
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let flow = Arc::new(world.start(FlowKind::Login).await);
    assert_step(
        &world
            .act(&flow, sign_in_action(&person, PASSWORD))
            .await
            .view,
        "otp",
    );
    let before = world.sms_count(&person.phone);
    world.advance(harness::fast_config().otp.resend_after_secs);
    let resends = (0..30).map(|_| {
        let (world, flow) = (Arc::clone(&world), Arc::clone(&flow));
        tokio::spawn(async move {
            world
                .engine
                .act(flow.view.id, &flow.binding, &world.client, Action::Resend)
                .await
                .is_ok()
        })
    });
    for resend in resends {
        resend.await.unwrap();
    }
    assert_eq!(world.sms_count(&person.phone) - before, 1);
}

/// Choosing a method starts it afresh, whatever state the running one was in (a cooldown,
/// typed fields): "Chọn phương thức khác" is never blocked.
async fn choosing_a_method_starts_it_afresh(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let flow = world.start(FlowKind::Login).await;
    assert_eq!(flow.view.methods.first(), Some(&MethodKind::PasswordSms));
    let otp = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_step(&otp.view, "otp");
    let chosen = world
        .act(
            &flow,
            Action::ChooseMethod {
                method: MethodKind::PasswordSms,
            },
        )
        .await;
    assert!(chosen.view.problems.is_empty(), "{:#?}", chosen.view);
    assert_eq!(
        chosen.view.step,
        flows::Step::Credentials {
            identifier: String::new()
        }
    );
}

/// (8) Under overload a sign-in is refused before anything is counted: a crowd retrying while
/// every hash is taken spends neither the person's nor the address's budget (admission
/// control must not become a way to lock people out or to earn them a captcha).
async fn a_sign_in_refused_for_load_counts_nothing(db: TestDb) {
    let world = World::with_config(db, tight_config()).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let one_place = flows::Argon2Params {
        max_concurrent: 1,
        max_waiting: 0,
        ..harness::fast_config().argon2
    };
    let random = Arc::new(domain::random::SeededRandomness::new(9));
    let pool = Arc::new(flows::Passwords::new(&one_place, random).await.unwrap());
    let node = world.second_node().await.with_passwords(Arc::clone(&pool));

    let taken = pool.admit().unwrap();
    for _ in 0..10 {
        let flow = node
            .start(FlowKind::Login, None, None, &world.client)
            .await
            .unwrap();
        let refused = node
            .act(
                flow.view.id,
                &flow.binding,
                &world.client,
                sign_in_action(&person, PASSWORD),
            )
            .await;
        assert!(
            matches!(refused, Err(flows::FlowError::Busy { retry_after_secs }) if retry_after_secs > 0),
            "{refused:?}"
        );
    }
    drop(taken);

    // Ten counted attempts would have asked a captcha (after 3 per account, 5 per address).
    let (step, problems) = attempt(&world, &person, &world.client).await;
    assert_eq!((step.as_str(), problems), ("otp", vec![]));
}

store::store_tests!(
    a_sign_in_refused_for_load_counts_nothing,
    a_shared_address_slows_strangers_but_never_locks_out,
    an_attacker_cannot_lock_the_holder_out,
    strangers_cannot_spend_the_holders_sms,
    registration_reveals_an_account_only_after_the_otp,
    registration_mismatches_are_capped_per_id,
    parallel_resends_send_once,
    choosing_a_method_starts_it_afresh,
);
