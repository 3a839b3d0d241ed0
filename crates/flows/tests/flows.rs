//! The flows end to end on SQLite and PostgreSQL, against the sandbox registries.

mod harness;
mod methods;
#[path = "flows/operators.rs"]
mod operators;
#[path = "flows/organisations.rs"]
mod organisations;
#[path = "flows/personal_id.rs"]
mod personal_id;
mod security;
#[cfg(feature = "test-methods")]
#[path = "flows/totp.rs"]
mod totp;
#[path = "flows/vietnam_post.rs"]
mod vietnam_post;

use std::sync::Arc;

use domain::{AccountStatus, PersonalId, PhoneNumber, RegistrationChannel};
use flows::{Action, Done, FlowError, FlowKind, RegisterBhxhValues, Step};
use harness::{
    World, assert_problem, assert_step, otp_phone, register_action, sign_in_action, solve_captcha,
};
use sandbox::{DemoRole, Mode, System};
use store::testing::TestDb;
use store::{AuditKind, Identity, NewAccount};

const PASSWORD: &str = "mây trắng bay qua đồi";

async fn register_by_phone_then_sign_in(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;

    let account = world
        .db
        .store
        .account_by_personal_id(&person.personal_id)
        .await
        .unwrap()
        .expect("the account");
    assert_eq!(
        account.registration_channel,
        RegistrationChannel::MobileSubscriber
    );
    assert_eq!(account.identity.full_name, person.full_name);
    let phones = world.db.store.phones(account.id).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert!(phones[0].is_default);
    assert_eq!(phones[0].phone, person.phone);
    let trail = world
        .db
        .store
        .audit_of_account(account.id, 10)
        .await
        .unwrap();
    assert_eq!(trail.last().unwrap().kind, AuditKind::AccountRegistered);

    // Sign in: a wrong code first, then the right one.
    let flow = world.start(FlowKind::Login).await;
    assert_step(&flow.view, "credentials");
    let otp = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_eq!(otp_phone(&otp.view), person.phone.masked());
    let wrong = world
        .act(
            &flow,
            Action::Otp {
                code: "000000".into(),
            },
        )
        .await;
    assert_problem(&wrong.view, "otp.wrong");
    assert_eq!(wrong.view.problems[0].attempts_left, Some(4));
    let code = world.last_otp(&person.phone);
    let done = world.act(&flow, Action::Otp { code }).await;
    assert!(matches!(
        done.view.step,
        Step::Done {
            result: Done::SignedIn
        }
    ));
    assert_eq!(done.view.return_to.as_deref(), Some("/tai-khoan"));
    let session = done.session.expect("signed in");
    assert_eq!(session.session.amr, ["pwd", "sms"]);
    let (found, who) = world
        .engine
        .sessions()
        .authenticate(&session.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, who.id), (session.session.id, account.id));
}

async fn registration_refusals_leave_nothing_behind(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let flow = world.start(FlowKind::RegisterPhone).await;

    // The personal ID must agree with the stated gender: said on the gender, not on the ID.
    let Action::RegisterPhone(mut values) = register_action(&person) else {
        unreachable!()
    };
    values.gender = match person.gender {
        domain::Gender::Male => "female".into(),
        domain::Gender::Female => "male".into(),
    };
    let refused = world.act(&flow, Action::RegisterPhone(values)).await;
    assert_problem(&refused.view, "personal_id.gender_mismatch");
    assert_eq!(refused.view.problems.len(), 1);
    assert_eq!(refused.view.problems[0].field, Some("gender"));
    let detail = refused.view.problems[0]
        .detail
        .as_ref()
        .expect("what the ID says");
    assert_eq!(detail.rule, "personal_id.gender_mismatch");

    // … and with the birth year, said on the birth date, which may be typed without zeros.
    let Action::RegisterPhone(mut values) = register_action(&person) else {
        unreachable!()
    };
    let year = person.birth_date.year() + 1;
    values.birth_date = format!("1/1/{year}");
    let refused = world.act(&flow, Action::RegisterPhone(values)).await;
    assert_problem(&refused.view, "personal_id.birth_year_mismatch");
    assert_eq!(refused.view.problems[0].field, Some("birth_date"));

    // The population database must know the name.
    let Action::RegisterPhone(mut values) = register_action(&person) else {
        unreachable!()
    };
    values.full_name = "Tên Khác Hẳn".into();
    assert_problem(
        &world.act(&flow, Action::RegisterPhone(values)).await.view,
        "identity.mismatch",
    );

    // A phone whose subscriber is someone else.
    let borrower = world.person(DemoRole::BorrowedPhone);
    let other = world.start(FlowKind::RegisterPhone).await;
    let refused = world.act(&other, register_action(&borrower)).await;
    assert_problem(&refused.view, "phone.not_owner");
    assert_step(&refused.view, "register_phone");

    // Registries down: a clear, retryable refusal.
    world.sandbox.set_mode(System::Population, Mode::Down);
    let down = world.act(&flow, register_action(&person)).await;
    assert_problem(&down.view, "population.unavailable");
    world.sandbox.set_mode(System::Population, Mode::Up);
    world.sandbox.set_mode(System::Subscribers, Mode::Down);
    let down = world.act(&flow, register_action(&person)).await;
    assert_problem(&down.view, "subscribers.unavailable");
    world.sandbox.set_mode(System::Subscribers, Mode::Up);

    // Empty and malformed fields are named one by one.
    let empty = world
        .act(
            &flow,
            Action::RegisterPhone(flows::RegisterPhoneValues::default()),
        )
        .await;
    let fields: Vec<_> = empty.view.problems.iter().filter_map(|p| p.field).collect();
    for field in ["full_name", "personal_id", "birth_date", "gender", "phone"] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
    assert_eq!(
        world.sms_count(&person.phone),
        0,
        "no OTP before the checks pass"
    );
    for someone in [&person, &borrower] {
        let account = world
            .db
            .store
            .account_by_personal_id(&someone.personal_id)
            .await
            .unwrap();
        assert!(account.is_none());
    }

    // Registered once, refused the second time — after the OTP, so that the form does not
    // tell anyone which IDs have an account.
    world.register(&person, PASSWORD).await;
    let again = world.start(FlowKind::RegisterPhone).await;
    assert_step(
        &world.act(&again, register_action(&person)).await.view,
        "otp",
    );
    let code = world.last_otp(&person.phone);
    assert_problem(
        &world.act(&again, Action::Otp { code }).await.view,
        "account.exists",
    );
}

async fn register_by_bhxh_sends_the_code_to_the_bhxh_phone(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::BhxhRegistration);
    let bhxh_phone = person.bhxh_phone.clone().expect("a BHXH phone");
    let flow = world.start(FlowKind::RegisterBhxh).await;
    let values = RegisterBhxhValues {
        bhxh_code: person.bhxh_code.to_string(),
        full_name: person.full_name.to_uppercase(),
        birth_date: person
            .birth_date
            .format(time::macros::format_description!("[day]/[month]/[year]"))
            .unwrap(),
    };
    let otp = world.act(&flow, Action::RegisterBhxh(values.clone())).await;
    assert_eq!(otp_phone(&otp.view), bhxh_phone.masked());
    let code = world.last_otp(&bhxh_phone);
    assert_step(
        &world.act(&flow, Action::Otp { code }).await.view,
        "password",
    );
    let weak = world
        .act(
            &flow,
            Action::SetPassword {
                password: "12345678".into(),
                confirm: "12345678".into(),
            },
        )
        .await;
    assert_problem(&weak.view, "field.invalid");
    let mismatch = world
        .act(
            &flow,
            Action::SetPassword {
                password: PASSWORD.into(),
                confirm: "khác".into(),
            },
        )
        .await;
    assert_problem(&mismatch.view, "password.mismatch");
    let done = world
        .act(
            &flow,
            Action::SetPassword {
                password: PASSWORD.into(),
                confirm: PASSWORD.into(),
            },
        )
        .await;
    assert!(matches!(
        done.view.step,
        Step::Done {
            result: Done::Registered
        }
    ));
    let account = world
        .db
        .store
        .account_by_personal_id(&person.personal_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.registration_channel, RegistrationChannel::Bhxh);
    assert_eq!(
        world.db.store.phones(account.id).await.unwrap()[0].phone,
        bhxh_phone
    );

    // A wrong birth date is a mismatch with the BHXH record, not with the population database.
    let other = world.start(FlowKind::RegisterBhxh).await;
    let wrong = RegisterBhxhValues {
        birth_date: "01/01/1900".into(),
        ..values.clone()
    };
    assert_problem(
        &world.act(&other, Action::RegisterBhxh(wrong)).await.view,
        "bhxh.mismatch",
    );

    // An unknown code is said on the code; BHXH down is BHXH's problem.
    let unknown = RegisterBhxhValues {
        bhxh_code: "0000000001".into(),
        ..values.clone()
    };
    let refused = world.act(&other, Action::RegisterBhxh(unknown)).await;
    assert_problem(&refused.view, "bhxh.not_found");
    assert_eq!(refused.view.problems[0].field, Some("bhxh_code"));
    world.sandbox.set_mode(System::Bhxh, Mode::Down);
    assert_problem(
        &world.act(&other, Action::RegisterBhxh(values)).await.view,
        "bhxh.unavailable",
    );
    world.sandbox.set_mode(System::Bhxh, Mode::Up);
}

async fn unknown_id_and_wrong_password_look_alike(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;

    let flow = world.start(FlowKind::Login).await;
    let wrong = world
        .act(&flow, sign_in_action(&person, "not the password"))
        .await;
    let unknown_person = world.person(DemoRole::EmailActivation);
    let other = world.start(FlowKind::Login).await;
    let unknown = world
        .act(&other, sign_in_action(&unknown_person, PASSWORD))
        .await;
    assert_eq!(wrong.view.problems, unknown.view.problems);
    assert_problem(&wrong.view, "credentials.invalid");
    assert_step(&unknown.view, "credentials");

    let malformed = world
        .act(
            &other,
            flows::Action::SignIn {
                identifier: "12345".into(),
                password: "x".into(),
                captcha: None,
            },
        )
        .await;
    assert_eq!(malformed.view.problems[0].field, Some("identifier"));
}

async fn repeated_failures_need_the_captcha_and_then_wait(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let flow = world.start(FlowKind::Login).await;
    for _ in 0..3 {
        let failed = world.act(&flow, sign_in_action(&person, "wrong")).await;
        assert_problem(&failed.view, "credentials.invalid");
    }
    // The third failure already shows the captcha for the fourth attempt.
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    assert!(view.captcha.is_some());
    let without = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_problem(&without.view, "captcha.required");
    let answer = solve_captcha(&without.view);
    let with = world
        .act(
            &flow,
            Action::SignIn {
                identifier: person.personal_id.to_string(),
                password: PASSWORD.into(),
                captcha: Some(answer),
            },
        )
        .await;
    assert_step(&with.view, "otp");

    // Far past the captcha limit the account waits for the window to end, then may try again.
    let config = harness::fast_config();
    for _ in 0..config.throttle.block_after_per_account {
        let flow = world.start(FlowKind::Login).await;
        world.act(&flow, sign_in_action(&person, "wrong")).await;
    }
    let blocked_flow = world.start(FlowKind::Login).await;
    let blocked = world
        .act(&blocked_flow, sign_in_action(&person, PASSWORD))
        .await;
    assert_problem(&blocked.view, "throttled");
    assert!(blocked.view.problems[0].retry_after_secs.unwrap() > 0);
    world.advance(config.throttle.window_secs);
    let later = world.start(FlowKind::Login).await;
    assert_step(
        &world
            .act(&later, sign_in_action(&person, PASSWORD))
            .await
            .view,
        "otp",
    );
}

async fn concurrent_guesses_cannot_pass_the_limit(db: TestDb) {
    // Every guess is admitted to the hashing pool: this is about the throttle, which admission
    // control would otherwise hide by refusing most of the 200 as Busy.
    let mut config = harness::fast_config();
    config.argon2.max_waiting = 256;
    let world = Arc::new(World::with_config(db, config).await);
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let world = Arc::clone(&world);
        let person = person.clone();
        tasks.push(tokio::spawn(async move {
            let flow = world.start(FlowKind::Login).await;
            let outcome = world.act(&flow, sign_in_action(&person, "guess")).await;
            outcome.view.problems[0].code
        }));
    }
    let mut checked = 0;
    for task in tasks {
        if task.await.unwrap() == "credentials.invalid" {
            checked += 1;
        }
    }
    let limit = harness::fast_config().throttle.captcha_after_per_account;
    assert_eq!(
        checked, limit,
        "only {limit} of 200 concurrent guesses may reach the password check"
    );
}

async fn otp_resend_cooldown_cap_and_expiry(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let flow = world.start(FlowKind::Login).await;
    world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    let first = world.last_otp(&person.phone);

    let too_soon = world.act(&flow, Action::Resend).await;
    assert_problem(&too_soon.view, "otp.resend_too_soon");
    assert!(too_soon.view.problems[0].retry_after_secs.unwrap() <= 60);

    // Five wrong codes kill the code: even the right one is refused, and the page says to
    // ask for a new one. The new code has its own five tries and works.
    for _ in 0..5 {
        world
            .act(
                &flow,
                Action::Otp {
                    code: "111111".into(),
                },
            )
            .await;
    }
    let dead = world
        .act(
            &flow,
            Action::Otp {
                code: first.clone(),
            },
        )
        .await;
    assert_problem(&dead.view, "otp.exhausted");
    world.advance(61);
    assert!(
        world
            .act(&flow, Action::Resend)
            .await
            .view
            .problems
            .is_empty()
    );
    let second = world.last_otp(&person.phone);
    assert_ne!(first, second);
    let wrong = world
        .act(
            &flow,
            Action::Otp {
                code: "111111".into(),
            },
        )
        .await;
    assert_eq!(wrong.view.problems[0].attempts_left, Some(4));
    let done = world.act(&flow, Action::Otp { code: second }).await;
    assert!(
        done.session.is_some(),
        "the new code works: {:#?}",
        done.view
    );

    // A fresh flow: the old code is refused, and codes expire after five minutes.
    let flow = world.start(FlowKind::Login).await;
    world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    let reused = world.act(&flow, Action::Otp { code: first }).await;
    assert_problem(&reused.view, "otp.wrong");
    let code = world.last_otp(&person.phone);
    world.advance(5 * 60);
    assert_problem(
        &world.act(&flow, Action::Otp { code }).await.view,
        "otp.expired",
    );

    // At most three resends per flow.
    for _ in 0..3 {
        world.advance(61);
        assert!(
            world
                .act(&flow, Action::Resend)
                .await
                .view
                .problems
                .is_empty()
        );
    }
    world.advance(61);
    assert_problem(
        &world.act(&flow, Action::Resend).await.view,
        "otp.resend_limit",
    );
}

/// Creates an account whose OTP phone is not the person's own (lost, or a relative's).
async fn account_with_phone(world: &World, person: &sandbox::Person, phone: &PhoneNumber) {
    let engine_hash = world_password_hash(world).await;
    let new = NewAccount {
        kind: domain::AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(person.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: person.full_name.clone(),
            birth_date: Some(person.birth_date),
            gender: Some(person.gender),
        },
        email: Some(domain::Email::parse("an@example.vn").unwrap()),
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(phone.clone()),
        password_phc: Some(engine_hash),
        audit: store::AuditContext {
            actor: store::Actor::System,
            client_ip: None,
        },
    };
    world
        .db
        .store
        .create_account(&new, harness::START)
        .await
        .unwrap();
}

/// The PHC of `PASSWORD`, made by registering and reading back a throwaway account.
async fn world_password_hash(world: &World) -> String {
    let helper = world.person(DemoRole::EmailActivation);
    if world
        .db
        .store
        .account_by_personal_id(&helper.personal_id)
        .await
        .unwrap()
        .is_none()
    {
        world.register(&helper, PASSWORD).await;
    }
    let account = world
        .db
        .store
        .account_by_personal_id(&helper.personal_id)
        .await
        .unwrap()
        .unwrap();
    world
        .db
        .store
        .password_phc(account.id)
        .await
        .unwrap()
        .unwrap()
}

async fn lost_phone_is_replaced_only_for_its_owner(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let lost = PhoneNumber::parse("0867000111").unwrap();
    account_with_phone(&world, &person, &lost).await;

    let flow = world.start(FlowKind::Login).await;
    let otp = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_eq!(otp_phone(&otp.view), lost.masked());
    let sign_in_code = world.last_otp(&lost);
    assert_step(&world.act(&flow, Action::LostPhone).await.view, "new_phone");
    let sent = world
        .act(
            &flow,
            Action::NewPhone {
                phone: person.phone.national(),
            },
        )
        .await;
    assert_step(&sent.view, "otp");
    // A code issued for sign-in is not a phone-change code.
    let crossed = world.act(&flow, Action::Otp { code: sign_in_code }).await;
    assert_problem(&crossed.view, "otp.wrong");
    let code = world.last_otp(&person.phone);
    let done = world.act(&flow, Action::Otp { code }).await;
    assert!(
        matches!(
            done.view.step,
            Step::Done {
                result: Done::PhoneChanged
            }
        ),
        "{:?}",
        done.view
    );
    let session = done.session.expect("signed in").session;
    let account = world.account_id(&person).await;
    let phones = world.db.store.phones(account).await.unwrap();
    assert_eq!(
        phones
            .iter()
            .map(|p| (p.phone.clone(), p.is_default))
            .collect::<Vec<_>>(),
        [(lost.clone(), true)],
        "nothing changes before the cool-down ends"
    );
    let notices = world.sandbox.email_outbox(Some("an@example.vn"));
    assert_eq!(notices.len(), 1, "an e-mail notice of the change");
    let warning = world.sandbox.sms_outbox(Some(&lost));
    let warning = &warning.first().unwrap().text;
    assert!(warning.contains(&person.phone.masked()), "{warning}");

    // Meanwhile the session the change opened cannot change phones or the password.
    let accounts = world.engine.accounts();
    let holder = world.db.store.account(account).await.unwrap().unwrap();
    let refused = accounts
        .change_password(
            &session,
            &holder,
            PASSWORD,
            "sông Hồng chảy về biển",
            "sông Hồng chảy về biển",
            &world.client,
        )
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err().code, "phone_change.pending");
    let refused = accounts
        .remove_phone(account, lost.e164(), PASSWORD, &world.client)
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err().code, "phone_change.pending");

    // The cool-down over, the next sign-in settles it: the new phone replaces the lost one.
    world.advance(harness::fast_config().phone_change_cooldown_secs);
    let again = world.start(FlowKind::Login).await;
    let otp = world.act(&again, sign_in_action(&person, PASSWORD)).await;
    assert_eq!(otp_phone(&otp.view), person.phone.masked());
    let phones = world.db.store.phones(account).await.unwrap();
    assert_eq!(
        phones
            .iter()
            .map(|p| (p.phone.clone(), p.is_default))
            .collect::<Vec<_>>(),
        [(person.phone.clone(), true)]
    );
}

/// The account pages settle a change whose cool-down is over, as a sign-in does: the new phone
/// is the default and nothing is pending any more.
async fn the_account_overview_settles_a_due_phone_change(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let lost = PhoneNumber::parse("0867000111").unwrap();
    account_with_phone(&world, &person, &lost).await;
    world
        .change_lost_phone(&person, PASSWORD, &person.phone)
        .await;
    let account = world.account_id(&person).await;
    let accounts = world.engine.accounts();
    let waiting = accounts.overview(account).await.unwrap();
    assert!(waiting.pending_phone_change.is_some());
    assert_eq!(
        waiting.phones[0].phone, lost,
        "nothing changes before the cool-down ends"
    );

    world.advance(harness::fast_config().phone_change_cooldown_secs);
    let settled = accounts.overview(account).await.unwrap();
    assert!(settled.pending_phone_change.is_none());
    assert_eq!(
        settled
            .phones
            .iter()
            .map(|p| (p.phone.clone(), p.is_default))
            .collect::<Vec<_>>(),
        [(person.phone.clone(), true)]
    );
}

/// The phone a change would replace cancels it with its code: nothing changes, and whoever
/// made the change is signed out. Wrong codes and unknown IDs get the same answer.
async fn lost_phone_change_is_cancelled_by_the_old_phone(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let lost = PhoneNumber::parse("0867000111").unwrap();
    account_with_phone(&world, &person, &lost).await;
    let done = world
        .change_lost_phone(&person, PASSWORD, &person.phone)
        .await;
    let token = done.session.expect("signed in").token;

    let sms = world.sandbox.sms_outbox(Some(&lost));
    let text = &sms.first().unwrap().text;
    let cancel_code = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|word| {
            word.len() == 8
                && word
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no cancel code in {text:?}"))
        .to_owned();
    let id = person.personal_id.to_string();
    let wrong = world
        .engine
        .cancel_phone_change(&id, "AAAAAAAA", &world.client)
        .await
        .unwrap();
    let unknown = world
        .engine
        .cancel_phone_change(
            world.person(DemoRole::EmailActivation).personal_id.as_str(),
            &cancel_code,
            &world.client,
        )
        .await
        .unwrap();
    assert_eq!(
        wrong.clone().unwrap_err().code,
        "phone_change.cancel_invalid"
    );
    assert_eq!(wrong, unknown, "the same answer for an unknown ID");
    world
        .engine
        .cancel_phone_change(&id, &cancel_code.to_lowercase(), &world.client)
        .await
        .unwrap()
        .unwrap();
    assert!(
        world
            .engine
            .sessions()
            .authenticate(&token)
            .await
            .unwrap()
            .is_none(),
        "the change's session ended"
    );
    world.advance(harness::fast_config().phone_change_cooldown_secs);
    let account = world.account_id(&person).await;
    world.engine.accounts().overview(account).await.unwrap();
    let phones = world.db.store.phones(account).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0].phone, lost, "the change never happened");
    let trail = world.db.store.audit_of_account(account, 50).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|event| event.kind == AuditKind::PhoneChangeCancelled)
    );
}

/// The default phone's daily SMS limit reached at sign-in: the password was right, so the
/// person is offered the account's other phones and the lost-phone change with nothing to
/// type again, and the page does not claim a code was sent.
async fn daily_sms_limit_offers_the_other_phones_and_the_lost_phone_change(db: TestDb) {
    let mut config = harness::fast_config();
    config.otp.max_sms_per_phone_per_day = 2;
    let world = World::with_config(db, config).await;
    let person = world.person(DemoRole::PhoneRegistration);
    let first = PhoneNumber::parse("0867000333").unwrap();
    account_with_phone(&world, &person, &first).await;
    let account = world.account_id(&person).await;
    let second = PhoneNumber::parse("0867000444").unwrap();
    let system = store::AuditContext {
        actor: store::Actor::System,
        client_ip: None,
    };
    world
        .db
        .store
        .add_phone(account, &second, false, &system, harness::START)
        .await
        .unwrap();
    for _ in 0..2 {
        let flow = world.start(FlowKind::Login).await;
        let otp = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
        assert!(matches!(
            otp.view.step,
            Step::Otp {
                awaits_code: true,
                ..
            }
        ));
    }
    assert_eq!(world.sms_count(&first), 2);

    let no_code = |view: &flows::FlowView| match &view.step {
        Step::Otp {
            awaits_code,
            other_phones,
            lost_phone,
            ..
        } => (*awaits_code, other_phones.clone(), *lost_phone),
        other => panic!("not at the OTP step: {other:?}"),
    };
    let flow = world.start(FlowKind::Login).await;
    let limited = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_problem(&limited.view, "sms.daily_limit");
    assert_eq!(
        no_code(&limited.view),
        (false, vec![second.masked()], true),
        "nothing to type; the other phone and the lost-phone change offered"
    );
    assert_eq!(
        world.sms_count(&first),
        2,
        "nothing more sent to the first phone"
    );
    let other = world.act(&flow, Action::UsePhone { index: 0 }).await;
    assert_eq!(otp_phone(&other.view), second.masked());
    assert!(matches!(
        other.view.step,
        Step::Otp {
            awaits_code: true,
            ..
        }
    ));
    let code = world.last_otp(&second);
    let done = world.act(&flow, Action::Otp { code }).await;
    assert!(
        done.session.is_some(),
        "signed in with the other phone's code"
    );

    let flow = world.start(FlowKind::Login).await;
    world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    let lost = world.act(&flow, Action::LostPhone).await;
    assert_step(&lost.view, "new_phone");
}

async fn lost_phone_change_is_refused_for_someone_elses_phone(db: TestDb) {
    let world = World::new(db).await;
    let borrower = world.person(DemoRole::BorrowedPhone);
    let lost = PhoneNumber::parse("0867000222").unwrap();
    account_with_phone(&world, &borrower, &lost).await;

    // The phone the borrower uses belongs to a relative in the subscriber database.
    let refused = world
        .change_lost_phone(&borrower, PASSWORD, &borrower.phone)
        .await;
    assert_step(&refused.view, "phone_refused");
    assert!(refused.session.is_none());
    let account = world
        .db
        .store
        .account_by_personal_id(&borrower.personal_id)
        .await
        .unwrap()
        .unwrap();
    let phones = world.db.store.phones(account.id).await.unwrap();
    assert_eq!(
        phones.iter().map(|p| p.phone.clone()).collect::<Vec<_>>(),
        [lost]
    );
    let trail = world
        .db
        .store
        .audit_of_account(account.id, 5)
        .await
        .unwrap();
    assert_eq!(trail[0].kind, AuditKind::PhoneChangeRefused);
}

async fn forgot_password_ends_every_session(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let token = world.sign_in(&person, PASSWORD).await;

    let flow = world.start(FlowKind::Recovery).await;
    assert!(
        flow.view.captcha.is_some(),
        "recovery always asks the captcha"
    );
    let identify = |captcha: Option<String>| Action::Identify {
        identifier: person.personal_id.to_string(),
        captcha,
    };
    assert_problem(
        &world.act(&flow, identify(None)).await.view,
        "captcha.required",
    );
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let otp = world.act(&flow, identify(Some(solve_captcha(&view)))).await;
    assert_eq!(otp_phone(&otp.view), "", "the phone is not shown");
    let code = world.last_otp(&person.phone);
    assert_step(
        &world.act(&flow, Action::Otp { code }).await.view,
        "password",
    );
    let new_password = "sông Hồng chảy về biển";
    let done = world
        .act(
            &flow,
            Action::SetPassword {
                password: new_password.into(),
                confirm: new_password.into(),
            },
        )
        .await;
    assert!(matches!(
        done.view.step,
        Step::Done {
            result: Done::PasswordReset
        }
    ));
    assert!(
        world
            .engine
            .sessions()
            .authenticate(&token)
            .await
            .unwrap()
            .is_none()
    );
    let notice = &world.sandbox.sms_outbox(Some(&person.phone))[0].text;
    assert!(notice.contains("Mat khau"), "{notice}");
    world.sign_in(&person, new_password).await;
}

async fn forgot_password_for_an_unknown_id_looks_the_same(db: TestDb) {
    let world = World::new(db).await;
    let unknown = world.person(DemoRole::PhoneRegistration);
    let flow = world.start(FlowKind::Recovery).await;
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let otp = world
        .act(
            &flow,
            Action::Identify {
                identifier: unknown.personal_id.to_string(),
                captcha: Some(solve_captcha(&view)),
            },
        )
        .await;
    assert_step(&otp.view, "otp");
    assert_eq!(otp_phone(&otp.view), "");
    assert_eq!(world.sms_count(&unknown.phone), 0);
    let wrong = world
        .act(
            &flow,
            Action::Otp {
                code: "123456".into(),
            },
        )
        .await;
    assert_problem(&wrong.view, "otp.wrong");
    assert_eq!(wrong.view.problems[0].attempts_left, Some(4));
}

async fn sms_outage_is_a_clear_retryable_refusal(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    world.sandbox.set_mode(System::Sms, Mode::Down);
    let flow = world.start(FlowKind::Login).await;
    let down = world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    assert_problem(&down.view, "sms.unavailable");
    assert_step(&down.view, "credentials");
    world.sandbox.set_mode(System::Sms, Mode::Up);
    assert_step(
        &world
            .act(&flow, sign_in_action(&person, PASSWORD))
            .await
            .view,
        "otp",
    );
}

async fn a_flow_belongs_to_its_starter_and_expires(db: TestDb) {
    let world = World::new(db).await;
    let flow = world.start(FlowKind::Login).await;
    let stranger = world
        .engine
        .start(FlowKind::Login, None, None, &world.client)
        .await
        .unwrap();
    let stolen = world.engine.view(flow.view.id, &stranger.binding).await;
    assert!(matches!(stolen, Err(FlowError::NotFound)));
    assert!(matches!(
        world.engine.view(flow.view.id, "garbage").await,
        Err(FlowError::NotFound)
    ));
    world.advance(15 * 60);
    assert!(matches!(
        world.engine.view(flow.view.id, &flow.binding).await,
        Err(FlowError::NotFound)
    ));
    // Only relative paths are kept as the place to return to.
    for bad in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let started = world
            .engine
            .start(FlowKind::Login, Some(bad), None, &world.client)
            .await
            .unwrap();
        assert_eq!(started.view.return_to, None, "{bad}");
    }
    assert!(matches!(
        world
            .engine
            .start(FlowKind::AddPhone, None, None, &world.client)
            .await,
        Err(FlowError::NeedsAccount)
    ));
}

async fn another_node_continues_the_flow(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let other = world.second_node().await;
    let flow = world.start(FlowKind::Login).await;
    world.act(&flow, sign_in_action(&person, PASSWORD)).await;
    let code = world.last_otp(&person.phone);
    let done = other
        .act(
            flow.view.id,
            &flow.binding,
            &world.client,
            Action::Otp { code },
        )
        .await
        .unwrap();
    assert!(done.session.is_some());
}

async fn account_pages_manage_phones_password_and_sessions(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::PhoneRegistration);
    world.register(&person, PASSWORD).await;
    let token = world.sign_in(&person, PASSWORD).await;
    let other_token = world.sign_in(&person, PASSWORD).await;
    let (session, account) = world
        .engine
        .sessions()
        .authenticate(&token)
        .await
        .unwrap()
        .unwrap();
    let accounts = world.engine.accounts();

    // Add a phone: password again, then a code to the new phone.
    let flow = world
        .engine
        .start(FlowKind::AddPhone, None, Some(account.id), &world.client)
        .await
        .unwrap();
    let new_phone = PhoneNumber::parse("0912000333").unwrap();
    let act = |action| {
        world
            .engine
            .act(flow.view.id, &flow.binding, &world.client, action)
    };
    let wrong = act(Action::AddPhone {
        password: "wrong".into(),
        phone: new_phone.national(),
    })
    .await
    .unwrap();
    assert_problem(&wrong.view, "password.wrong");
    let sent = act(Action::AddPhone {
        password: PASSWORD.into(),
        phone: new_phone.national(),
    })
    .await
    .unwrap();
    assert_step(&sent.view, "otp");
    assert!(
        world.sms_count(&new_phone) == 0,
        "nothing goes to the new number before the current phone confirms"
    );
    let current = world.last_otp(&person.phone);
    let confirmed = act(Action::Otp { code: current }).await.unwrap();
    assert_step(&confirmed.view, "otp");
    let code = world.last_otp(&new_phone);
    let added = act(Action::Otp { code }).await.unwrap();
    assert!(matches!(
        added.view.step,
        Step::Done {
            result: Done::PhoneAdded
        }
    ));
    let told = world.sandbox.sms_outbox(Some(&person.phone));
    assert!(
        told.first().unwrap().text.contains(&new_phone.masked()),
        "the current phone is told"
    );
    let overview = accounts.overview(account.id).await.unwrap();
    assert_eq!(overview.phones.len(), 2);

    // Another default, or a phone removed: the password again, and the old phone is told.
    let without_password = accounts
        .make_default_phone(account.id, new_phone.e164(), "", &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (without_password.code, without_password.field),
        ("field.required", Some("password"))
    );
    let wrong = accounts
        .remove_phone(account.id, new_phone.e164(), "wrong", &world.client)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(wrong.code, "password.wrong");
    assert_eq!(accounts.overview(account.id).await.unwrap().phones.len(), 2);
    let texts_before = world.sms_count(&person.phone);
    accounts
        .make_default_phone(account.id, new_phone.e164(), PASSWORD, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(world.sms_count(&person.phone), texts_before + 1);
    let told = world.sandbox.sms_outbox(Some(&person.phone));
    assert!(
        told.first().unwrap().text.contains(&new_phone.masked()),
        "the phone that was the default is told which number replaced it"
    );
    accounts
        .remove_phone(account.id, person.phone.e164(), PASSWORD, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(world.sms_count(&person.phone), texts_before + 2);
    let told = world.sandbox.sms_outbox(Some(&person.phone));
    assert!(
        told.first().unwrap().text.contains("go khoi"),
        "the removed phone is told"
    );
    let last = accounts
        .remove_phone(account.id, new_phone.e164(), PASSWORD, &world.client)
        .await
        .unwrap();
    assert_eq!(last.unwrap_err().code, "phone.last");

    // Sessions: list, end the others.
    assert_eq!(accounts.sessions(account.id).await.unwrap().len(), 2);
    assert_eq!(
        accounts
            .end_other_sessions(account.id, &session)
            .await
            .unwrap(),
        1
    );
    assert!(
        world
            .engine
            .sessions()
            .authenticate(&other_token)
            .await
            .unwrap()
            .is_none()
    );

    // Change the password: the current one is required; the person stays signed in.
    let refused = accounts
        .change_password(
            &session,
            &account,
            "wrong",
            "một mật khẩu mới dài",
            "một mật khẩu mới dài",
            &world.client,
        )
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err().field, Some("current"));
    let renewed = accounts
        .change_password(
            &session,
            &account,
            PASSWORD,
            "một mật khẩu mới dài",
            "một mật khẩu mới dài",
            &world.client,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        world
            .engine
            .sessions()
            .authenticate(&token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        world
            .engine
            .sessions()
            .authenticate(&renewed.token)
            .await
            .unwrap()
            .is_some()
    );

    // Refresh from the population database; history shows the changes.
    let mut stale = account.identity.clone();
    stale.full_name = "Tên Cũ".into();
    world
        .db
        .store
        .update_identity(
            account.id,
            &stale,
            &store::AuditContext {
                actor: store::Actor::System,
                client_ip: None,
            },
            harness::START,
        )
        .await
        .unwrap();
    let account = accounts.overview(account.id).await.unwrap().account;
    accounts
        .refresh_identity(&account, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        accounts
            .overview(account.id)
            .await
            .unwrap()
            .account
            .identity
            .full_name,
        person.full_name
    );
    let kinds: Vec<AuditKind> = accounts
        .history(account.id, 50)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    for kind in [
        AuditKind::PhoneAdded,
        AuditKind::DefaultPhoneChanged,
        AuditKind::PhoneRemoved,
        AuditKind::PasswordChanged,
        AuditKind::IdentityUpdated,
        AuditKind::SignedIn,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    world
        .db
        .store
        .set_status(
            account.id,
            AccountStatus::Locked,
            &store::AuditContext {
                actor: store::Actor::System,
                client_ip: None,
            },
            harness::START,
        )
        .await
        .unwrap();
    assert!(
        world
            .engine
            .sessions()
            .authenticate(&renewed.token)
            .await
            .unwrap()
            .is_none()
    );
    let _ = PersonalId::parse(person.personal_id.as_str()).unwrap();
}

store::store_tests!(
    register_by_phone_then_sign_in,
    registration_refusals_leave_nothing_behind,
    register_by_bhxh_sends_the_code_to_the_bhxh_phone,
    unknown_id_and_wrong_password_look_alike,
    repeated_failures_need_the_captcha_and_then_wait,
    concurrent_guesses_cannot_pass_the_limit,
    otp_resend_cooldown_cap_and_expiry,
    lost_phone_is_replaced_only_for_its_owner,
    lost_phone_change_is_refused_for_someone_elses_phone,
    lost_phone_change_is_cancelled_by_the_old_phone,
    the_account_overview_settles_a_due_phone_change,
    daily_sms_limit_offers_the_other_phones_and_the_lost_phone_change,
    forgot_password_ends_every_session,
    forgot_password_for_an_unknown_id_looks_the_same,
    sms_outage_is_a_clear_retryable_refusal,
    a_flow_belongs_to_its_starter_and_expires,
    another_node_continues_the_flow,
    account_pages_manage_phones_password_and_sessions,
);

mod captcha_on_every_sign_in {
    use super::*;

    /// `captcha_after_per_account = 0`: the portal's classic form, captcha from the start.
    #[tokio::test]
    async fn is_asked_from_the_first_attempt() {
        let mut config = harness::fast_config();
        config.throttle.captcha_after_per_account = 0;
        let world = World::with_config(store::testing::sqlite().await, config).await;
        let person = world.person(DemoRole::PhoneRegistration);
        world.register(&person, PASSWORD).await;
        let flow = world.start(FlowKind::Login).await;
        assert!(
            flow.view.captcha.is_some(),
            "the first form shows the captcha"
        );
        let answer = solve_captcha(&flow.view);
        let otp = world
            .act(
                &flow,
                Action::SignIn {
                    identifier: person.personal_id.to_string(),
                    password: PASSWORD.into(),
                    captcha: Some(answer),
                },
            )
            .await;
        assert_step(&otp.view, "otp");
    }

    fn sign_in_with(person: &sandbox::Person, password: &str, answer: String) -> Action {
        Action::SignIn {
            identifier: person.personal_id.to_string(),
            password: password.into(),
            captcha: Some(answer),
        }
    }

    async fn world() -> World {
        let mut config = harness::fast_config();
        config.throttle.captcha_after_per_account = 0;
        World::with_config(store::testing::sqlite().await, config).await
    }

    /// What the JSON API serialises is the challenge alone: neither the number that solves
    /// it nor the text alternative's words.
    #[tokio::test]
    async fn the_flow_document_carries_no_answer() {
        let world = world().await;
        let flow = world.start(FlowKind::Login).await;
        let prompt = flow.view.captcha.as_ref().expect("a captcha");
        let document = serde_json::to_value(&flow.view).unwrap();
        let captcha = document["captcha"].as_object().expect("the challenge");
        let members: Vec<&str> = captcha.keys().map(String::as_str).collect();
        assert_eq!(
            members,
            ["algorithm", "challenge", "maxnumber", "salt", "signature"]
        );
        assert_eq!(captcha["algorithm"], "SHA-256");
        assert_eq!(
            captcha["maxnumber"],
            harness::fast_config().captcha.max_number
        );

        let text = document.to_string();
        let words = prompt.text_alternative();
        for spelled in [words.vi(), words.en()] {
            assert!(!spelled.is_empty());
            assert!(!text.contains(spelled), "{text}");
        }
        // Besides the words, the members are the challenge's public parts: hex digests and
        // the bound, nothing from which the number or the digits could be read.
        let hex = |member: &str, length: usize| {
            let value = captcha[member].as_str().unwrap();
            assert_eq!(value.len(), length, "{member}");
            assert!(
                value.bytes().all(|byte| byte.is_ascii_hexdigit()),
                "{member}"
            );
        };
        hex("challenge", 64);
        hex("salt", 32);
        hex("signature", 64);
    }

    /// A page without script answers with the words it shows, typed as digits.
    #[tokio::test]
    async fn the_text_alternative_is_accepted() {
        let world = world().await;
        let person = world.person(DemoRole::PhoneRegistration);
        world.register(&person, PASSWORD).await;
        let flow = world.start(FlowKind::Login).await;
        let typed = harness::read_captcha_words(&flow.view);
        let otp = world
            .act(&flow, sign_in_with(&person, PASSWORD, typed))
            .await;
        assert_step(&otp.view, "otp");
    }

    /// A solved challenge is spent by the attempt that carries it, and a solution is worth
    /// nothing on another flow: each has its own challenge.
    #[tokio::test]
    async fn a_solution_is_used_once_and_only_on_its_flow() {
        let world = world().await;
        let person = world.person(DemoRole::PhoneRegistration);
        world.register(&person, PASSWORD).await;

        let flow = world.start(FlowKind::Login).await;
        let other = world.start(FlowKind::Login).await;
        let solution = solve_captcha(&flow.view);
        assert_ne!(solution, solve_captcha(&other.view));
        let elsewhere = world
            .act(&other, sign_in_with(&person, PASSWORD, solution.clone()))
            .await;
        assert_problem(&elsewhere.view, "captcha.wrong");

        let wrong = world
            .act(&flow, sign_in_with(&person, "wrong", solution.clone()))
            .await;
        assert_problem(&wrong.view, "credentials.invalid");
        let replayed = world
            .act(&flow, sign_in_with(&person, PASSWORD, solution))
            .await;
        assert_problem(&replayed.view, "captcha.wrong");
        let fresh = solve_captcha(&replayed.view);
        let otp = world
            .act(&flow, sign_in_with(&person, PASSWORD, fresh))
            .await;
        assert_step(&otp.view, "otp");
    }
}

mod session_activity {
    use super::*;

    /// Activity keeps a session alive past the idle timeout; silence ends it.
    #[tokio::test]
    async fn extends_the_idle_timeout_and_silence_ends_it() {
        let world = World::new(store::testing::sqlite().await).await;
        let person = world.person(DemoRole::PhoneRegistration);
        world.register(&person, PASSWORD).await;
        let token = world.sign_in(&person, PASSWORD).await;
        for _ in 0..3 {
            world.advance(20 * 60);
            assert!(
                world
                    .engine
                    .sessions()
                    .authenticate(&token)
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        world.advance(31 * 60);
        assert!(
            world
                .engine
                .sessions()
                .authenticate(&token)
                .await
                .unwrap()
                .is_none()
        );
    }
}

mod session_lookup {
    use super::*;

    /// A page that only shows who is signed in reads the session without writing: looking it
    /// up does not keep it alive, and an idle session ends on time however often it is shown.
    #[tokio::test]
    async fn reads_without_extending_the_session() {
        let world = World::new(store::testing::sqlite().await).await;
        let person = world.person(DemoRole::PhoneRegistration);
        world.register(&person, PASSWORD).await;
        let token = world.sign_in(&person, PASSWORD).await;
        let sessions = world.engine.sessions();
        let (before, account) = sessions.lookup(&token).await.unwrap().expect("signed in");
        assert_eq!(account.identity.full_name, person.full_name);
        for _ in 0..3 {
            world.advance(9 * 60);
            let (seen, _) = sessions.lookup(&token).await.unwrap().expect("still live");
            assert_eq!(seen.last_seen_at, before.last_seen_at, "nothing recorded");
            assert_eq!(seen.idle_expires_at, before.idle_expires_at);
        }
        world.advance(5 * 60);
        assert!(
            sessions.lookup(&token).await.unwrap().is_none(),
            "idle: ended"
        );
        assert!(sessions.lookup("not a token").await.unwrap().is_none());
    }
}
