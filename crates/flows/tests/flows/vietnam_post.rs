//! Đăng ký qua Bưu điện Việt Nam (R4) and its sign-in (S5): activation by SMS OTP or by an
//! e-mailed link read from the sandbox's mailbox, the link's single use and 24-hour life, the
//! captcha, duplicates, the mail throttle, and proofing at a post office counter.

use domain::{AssuranceLevel, RegistrationChannel};
use flows::{Action, Client, FlowKind, RegisterPostValues, Started};
use sandbox::{DemoRole, Person};
use store::testing::TestDb;
use store::{Actor, AuditKind};
use uuid::Uuid;

use super::PASSWORD;
use super::harness::{World, assert_problem, assert_step, register_values, solve_captcha};

/// The public base the world's engine builds e-mailed links on.
const BASE: &str = "https://dichvucong.test/register/vietnam-post/activate/";

fn post_action(person: &Person, activation: &str, captcha: Option<String>) -> Action {
    let mut values = register_values(person);
    if let Some(email) = &person.email {
        values.email = email.as_str().to_owned();
    }
    Action::RegisterVietnamPost {
        values: RegisterPostValues {
            person: values,
            activation: activation.to_owned(),
        },
        captcha,
    }
}

/// The form with its captcha solved, then the password: where activation begins.
async fn fill_in(world: &World, person: &Person, activation: &str) -> (Started, flows::Outcome) {
    let flow = world.start(FlowKind::RegisterVietnamPost).await;
    let captcha = solve_captcha(&flow.view);
    let password = world
        .act(&flow, post_action(person, activation, Some(captcha)))
        .await;
    assert_step(&password.view, "password");
    let next = world
        .act(
            &flow,
            Action::SetPassword {
                password: PASSWORD.to_owned(),
                confirm: PASSWORD.to_owned(),
            },
        )
        .await;
    (flow, next)
}

/// Registers `person` through Vietnam Post with activation by SMS, end to end.
pub(crate) async fn register_by_sms(world: &World, person: &Person) {
    let (flow, otp) = fill_in(world, person, "sms").await;
    assert_step(&otp.view, "otp");
    let code = world.last_otp(&person.phone);
    let done = world.act(&flow, Action::Otp { code }).await;
    assert_step(&done.view, "done");
}

/// The link of the newest mail to `person`: (the registration's id, the token).
fn mailed_link(world: &World, person: &Person) -> (Uuid, String) {
    let email = person.email.as_ref().expect("an e-mail");
    let mails = world.sandbox.email_outbox(Some(email.as_str()));
    let text = &mails.first().expect("an activation e-mail").text;
    let start = text
        .find(BASE)
        .unwrap_or_else(|| panic!("no link in {text:?}"));
    let link = text[start..].split_whitespace().next().unwrap();
    let rest = &link[BASE.len()..];
    let (id, token) = rest.split_once("?token=").unwrap();
    (Uuid::parse_str(id).unwrap(), token.to_owned())
}

/// Someone whose phone is not in their name — the channel is for them — with an e-mail.
fn applicant(world: &World) -> Person {
    let mut person = world.person(DemoRole::BorrowedPhone);
    person.email = world.person(DemoRole::EmailActivation).email;
    person
}

/// By SMS: captcha, population check, password, code — then the account exists, proven by
/// Vietnam Post at LoA2, and signs in with its password and an OTP to its phone (S5) at LoA2.
async fn registers_by_sms_then_signs_in(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::BorrowedPhone);
    let flow = world.start(FlowKind::RegisterVietnamPost).await;
    assert!(flow.view.captcha.is_some(), "the form asks the captcha");

    let missing = world.act(&flow, post_action(&person, "sms", None)).await;
    assert_problem(&missing.view, "captcha.required");
    let wrong = world
        .act(
            &flow,
            post_action(&person, "sms", Some("bm90IGFuIGFuc3dlcg==".into())),
        )
        .await;
    assert_problem(&wrong.view, "captcha.wrong");
    let no_choice = world.act(&flow, post_action(&person, "", None)).await;
    assert_problem(&no_choice.view, "post.activation_required");
    assert_eq!(no_choice.view.problems[0].field, Some("activation"));
    let mut values = register_values(&person);
    values.full_name = "Tên Khác Hẳn".into();
    let mismatch = world
        .act(
            &flow,
            Action::RegisterVietnamPost {
                values: RegisterPostValues {
                    person: values,
                    activation: "sms".into(),
                },
                captcha: Some(solve_captcha(&wrong.view)),
            },
        )
        .await;
    assert_problem(&mismatch.view, "identity.mismatch");
    assert!(
        mismatch.view.captcha.is_some(),
        "a fresh captcha for the retry"
    );
    assert!(
        world
            .db
            .store
            .account_by_personal_id(&person.personal_id)
            .await
            .unwrap()
            .is_none()
    );

    let password = world
        .act(
            &flow,
            post_action(&person, "sms", Some(solve_captcha(&mismatch.view))),
        )
        .await;
    assert_step(&password.view, "password");
    let otp = world
        .act(
            &flow,
            Action::SetPassword {
                password: PASSWORD.to_owned(),
                confirm: PASSWORD.to_owned(),
            },
        )
        .await;
    assert_step(&otp.view, "otp");
    assert!(
        world
            .db
            .store
            .account_by_personal_id(&person.personal_id)
            .await
            .unwrap()
            .is_none(),
        "nothing exists before activation"
    );
    let code = world.last_otp(&person.phone);
    assert_step(&world.act(&flow, Action::Otp { code }).await.view, "done");

    let store = &world.db.store;
    let account = world.account_id(&person).await;
    let created = store.account(account).await.unwrap().unwrap();
    assert_eq!(
        created.registration_channel,
        RegistrationChannel::VietnamPost
    );
    let proofing = store.identity_proofing(account).await.unwrap().unwrap();
    assert_eq!(proofing.source, RegistrationChannel::VietnamPost);
    assert_eq!(proofing.level, AssuranceLevel::LoA2);
    assert!(proofing.counter.is_none());
    assert!(store.unconfirmed_phones(account).await.unwrap().is_empty());
    let trail = store.audit_of_account(account, 10).await.unwrap();
    assert_eq!(trail.last().unwrap().kind, AuditKind::AccountRegistered);

    let token = world.sign_in(&person, PASSWORD).await;
    let (session, _) = world
        .engine
        .sessions()
        .authenticate(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.acr, AssuranceLevel::LoA2);
    assert_eq!(session.amr, ["pwd", "sms"]);
}

/// By e-mail: the link goes out over SMTP on the configured base (whoever asked, from
/// wherever); opening it changes nothing; its confirmation creates the account with the
/// phone unconfirmed until the first sign-in's code; the link works once.
async fn registers_by_email_link(db: TestDb) {
    let world = World::new(db).await;
    let person = applicant(&world);
    let stranger = Client {
        address: Some("198.51.100.7".to_owned()),
        user_agent: Some("evil.example".to_owned()),
        device: None,
    };
    let flow = world
        .engine
        .start(FlowKind::RegisterVietnamPost, None, None, &stranger)
        .await
        .unwrap();
    let captcha = solve_captcha(&flow.view);
    let password = world
        .act_from(
            &flow,
            &stranger,
            post_action(&person, "email", Some(captcha)),
        )
        .await;
    assert_step(&password.view, "password");
    let sent = world
        .act_from(
            &flow,
            &stranger,
            Action::SetPassword {
                password: PASSWORD.to_owned(),
                confirm: PASSWORD.to_owned(),
            },
        )
        .await;
    assert_step(&sent.view, "link_sent");
    let email = person.email.clone().unwrap();
    match &sent.view.step {
        flows::Step::LinkSent {
            email: shown,
            valid_hours,
        } => {
            assert!(
                shown.ends_with(email.domain()) && shown.contains("***"),
                "{shown}"
            );
            assert_eq!(*valid_hours, 24);
        }
        other => panic!("{other:?}"),
    }
    let mails = world.sandbox.email_outbox(Some(email.as_str()));
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text.contains(&person.full_name));
    let (id, token) = mailed_link(&world, &person);
    assert_eq!(token.len(), 43, "256 bits, base64url");
    let store = &world.db.store;
    assert!(
        store
            .account_by_personal_id(&person.personal_id)
            .await
            .unwrap()
            .is_none()
    );

    // Opening the link (or a mail scanner fetching it) shows whose account it is, nothing more.
    for _ in 0..2 {
        let preview = world.engine.post_activation_link(id, &token).await.unwrap();
        let preview = preview.expect("a usable link");
        assert_eq!(preview.full_name, person.full_name);
    }
    assert!(
        store
            .account_by_personal_id(&person.personal_id)
            .await
            .unwrap()
            .is_none()
    );

    let account = world
        .engine
        .activate_post_registration(id, &token, &world.client)
        .await
        .unwrap()
        .expect("activated");
    let created = store.account(account).await.unwrap().unwrap();
    assert_eq!(
        created.registration_channel,
        RegistrationChannel::VietnamPost
    );
    assert_eq!(created.email.as_ref(), Some(&email));
    let proofing = store.identity_proofing(account).await.unwrap().unwrap();
    assert_eq!(proofing.level, AssuranceLevel::LoA2);
    assert_eq!(
        store.unconfirmed_phones(account).await.unwrap(),
        std::slice::from_ref(&person.phone)
    );

    // Single use: a second click, or a second tab, is told so.
    let again = world
        .engine
        .activate_post_registration(id, &token, &world.client)
        .await
        .unwrap();
    assert_eq!(again.unwrap_err().code, "post.link_used");
    let preview = world.engine.post_activation_link(id, &token).await.unwrap();
    assert_eq!(preview.unwrap_err().code, "post.link_used");

    // The first sign-in's code confirms the phone.
    world.sign_in(&person, PASSWORD).await;
    assert!(store.unconfirmed_phones(account).await.unwrap().is_empty());
}

/// A link past its 24 hours, a token presented for another registration, a forged or
/// mangled token: each refused with its reason, and nothing is created.
async fn expired_foreign_and_forged_links_are_refused(db: TestDb) {
    let world = World::new(db).await;
    let person = applicant(&world);
    let (_, sent) = fill_in(&world, &person, "email").await;
    assert_step(&sent.view, "link_sent");
    let (id, token) = mailed_link(&world, &person);

    let mut other = world.person(DemoRole::PhoneRegistration);
    other.email = Some(domain::Email::parse("khac@example.vn").unwrap());
    let (_, sent) = fill_in(&world, &other, "email").await;
    assert_step(&sent.view, "link_sent");
    let (other_id, other_token) = mailed_link(&world, &other);

    let activate = |id: Uuid, token: String| {
        let world = &world;
        async move {
            world
                .engine
                .activate_post_registration(id, &token, &world.client)
                .await
                .unwrap()
                .map(|_| ())
                .unwrap_err()
                .code
        }
    };
    assert_eq!(activate(id, other_token.clone()).await, "post.link_invalid");
    assert_eq!(activate(other_id, token.clone()).await, "post.link_invalid");
    assert_eq!(
        activate(Uuid::new_v4(), token.clone()).await,
        "post.link_invalid"
    );
    assert_eq!(
        activate(id, "not-a-token".into()).await,
        "post.link_invalid"
    );
    let mut flipped = token.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(activate(id, flipped).await, "post.link_invalid");

    world.advance(24 * 3600);
    assert_eq!(activate(id, token.clone()).await, "post.link_expired");
    let preview = world.engine.post_activation_link(id, &token).await.unwrap();
    assert_eq!(preview.unwrap_err().code, "post.link_expired");
    for who in [&person, &other] {
        assert!(
            world
                .db
                .store
                .account_by_personal_id(&who.personal_id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

/// An ID with an account is told so only to whoever proved the phone or the mailbox, with
/// the way to sign in; the e-mail choice needs an e-mail.
async fn duplicates_are_refused_after_the_proof(db: TestDb) {
    let world = World::new(db).await;
    let person = applicant(&world);
    register_by_sms(&world, &person).await;

    let (flow, otp) = fill_in(&world, &person, "sms").await;
    assert_step(&otp.view, "otp");
    let code = world.last_otp(&person.phone);
    let refused = world.act(&flow, Action::Otp { code }).await;
    assert_problem(&refused.view, "account.exists");
    assert_step(&refused.view, "register_vietnam_post");

    let (_, sent) = fill_in(&world, &person, "email").await;
    assert_step(&sent.view, "link_sent");
    let (id, token) = mailed_link(&world, &person);
    let refused = world
        .engine
        .activate_post_registration(id, &token, &world.client)
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err().code, "account.exists");

    let mut no_email = person.clone();
    no_email.email = None;
    let flow = world.start(FlowKind::RegisterVietnamPost).await;
    let refused = world
        .act(&flow, post_action(&no_email, "email", None))
        .await;
    assert_problem(&refused.view, "post.email_required");
    assert_eq!(refused.view.problems[0].field, Some("email"));
}

/// One mailbox gets at most three links a day, whoever asks: the fourth is refused (and
/// audited as a security refusal), the next day they go out again.
async fn activation_mails_are_throttled_per_mailbox(db: TestDb) {
    let world = World::new(db).await;
    let person = applicant(&world);
    let email = person.email.clone().unwrap();
    for _ in 0..3 {
        let (_, sent) = fill_in(&world, &person, "email").await;
        assert_step(&sent.view, "link_sent");
    }
    let (_, refused) = fill_in(&world, &person, "email").await;
    assert_problem(&refused.view, "post.mail_throttled");
    assert_eq!(world.sandbox.email_outbox(Some(email.as_str())).len(), 3);
    world.advance(24 * 3600);
    let (_, sent) = fill_in(&world, &person, "email").await;
    assert_step(&sent.view, "link_sent");
    assert_eq!(world.sandbox.email_outbox(Some(email.as_str())).len(), 4);
}

/// Postal staff look the applicant up, check the card in person and record it: the proofing
/// rises to LoA3, audited with the clerk as actor, and the holder's phone is told. Other
/// accounts, a second proofing, another person's card and a missing note are refused.
async fn counter_proofing_raises_the_level(db: TestDb) {
    let world = World::new(db).await;
    let person = world.person(DemoRole::BorrowedPhone);
    register_by_sms(&world, &person).await;
    let counter = world.engine.post_counter();
    let id = person.personal_id.as_str();

    let found = counter.look_up(id).await.unwrap().expect("found");
    assert_eq!(found.full_name, person.full_name);
    assert_eq!(found.birth_date, Some(person.birth_date));
    assert_eq!(found.level, AssuranceLevel::LoA2);
    assert!(found.proven_at.is_none());

    let refused = |result: Result<flows::CounterRecord, flows::Problem>| result.unwrap_err().code;
    let other_card = if id.ends_with('0') {
        format!("{}1", &id[..11])
    } else {
        format!("{}0", &id[..11])
    };
    let clerk = "buudien.hn01";
    let note = "Đã đối chiếu CCCD gốc với người nộp";
    assert_eq!(
        refused(
            counter
                .prove(clerk, id, &other_card, note, &world.client)
                .await
                .unwrap()
        ),
        "counter.document_mismatch"
    );
    assert_eq!(
        refused(
            counter
                .prove(clerk, id, id, " ", &world.client)
                .await
                .unwrap()
        ),
        "counter.note_required"
    );
    assert_eq!(
        refused(
            counter
                .prove(clerk, id, "", note, &world.client)
                .await
                .unwrap()
        ),
        "counter.document_required"
    );
    let texts_before = world.sms_count(&person.phone);

    let proven = counter
        .prove(clerk, id, id, note, &world.client)
        .await
        .unwrap()
        .expect("proven");
    assert_eq!(proven.level, AssuranceLevel::LoA3);
    assert!(proven.proven_at.is_some());
    let store = &world.db.store;
    let account = world.account_id(&person).await;
    let proofing = store.identity_proofing(account).await.unwrap().unwrap();
    assert_eq!(proofing.level, AssuranceLevel::LoA3);
    let check = proofing.counter.expect("the counter's record");
    assert_eq!(
        (check.by.as_str(), check.document_number.as_str()),
        (clerk, id)
    );
    let event = store.audit_of_account(account, 1).await.unwrap().remove(0);
    assert_eq!(event.kind, AuditKind::IdentityProvenAtCounter);
    assert_eq!(event.actor, Actor::Operator(clerk.to_owned()));
    assert_eq!(event.details["document_number"], id);
    assert_eq!(
        world.sms_count(&person.phone),
        texts_before + 1,
        "the holder is told"
    );

    assert_eq!(
        refused(
            counter
                .prove(clerk, id, id, note, &world.client)
                .await
                .unwrap()
        ),
        "counter.already_proven"
    );

    let phone_person = world.person(DemoRole::PhoneRegistration);
    world.register(&phone_person, PASSWORD).await;
    let other = phone_person.personal_id.as_str();
    assert_eq!(
        refused(counter.look_up(other).await.unwrap()),
        "counter.not_vietnam_post"
    );
    assert_eq!(
        refused(
            counter
                .prove(clerk, other, other, note, &world.client)
                .await
                .unwrap()
        ),
        "counter.not_vietnam_post"
    );
    let nobody = world.person(DemoRole::BhxhRegistration);
    assert_eq!(
        refused(counter.look_up(nobody.personal_id.as_str()).await.unwrap()),
        "counter.not_found"
    );
    let malformed = counter.look_up("12345").await.unwrap().unwrap_err();
    assert_eq!(
        (malformed.code, malformed.field),
        ("field.invalid", Some("personal_id"))
    );
}

store::store_tests!(
    registers_by_sms_then_signs_in,
    registers_by_email_link,
    expired_foreign_and_forged_links_are_refused,
    duplicates_are_refused_after_the_proof,
    activation_mails_are_throttled_per_mailbox,
    counter_proofing_raises_the_level,
);
