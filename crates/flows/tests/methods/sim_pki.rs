//! Sim ký số (S6, R6): the portal asks the carrier's mobile signature service (ETSI TS 102 204
//! over SOAP, the sandbox's MSSP) to have the PKI SIM sign a hash of its own choosing; the
//! phone shows the verification code the page shows; the signature, the SIM certificate's
//! chain and its revocation (the sandbox's OCSP) are checked before anyone is signed in or
//! registered.

use domain::{AssuranceLevel, Clock, CredentialKind, PhoneNumber, RegistrationChannel};
use flows::{Action, Client, Done, MethodKind, Outcome, Step};
use sandbox::pki::CertificateRole;
use sandbox::{Mode, PhoneMode, System};
use store::AccountId;
use store::testing::TestDb;

use crate::harness::{World, assert_problem, assert_step};

fn sim(world: &World, role: CertificateRole) -> PhoneNumber {
    world
        .sandbox
        .sims()
        .into_iter()
        .find(|card| card.role == role)
        .unwrap_or_else(|| panic!("no SIM for {role:?}"))
        .msisdn
}

/// The number of `role`'s SIM, whose phone answers as `mode` says.
fn sim_answering(world: &World, role: CertificateRole, mode: PhoneMode) -> PhoneNumber {
    let phone = sim(world, role);
    world.sandbox.set_phone_mode(&phone, mode).unwrap();
    phone
}

fn phone_action(phone: &PhoneNumber) -> Action {
    Action::SimPhone {
        phone: phone.national(),
    }
}

fn verification_code(outcome: &Outcome) -> String {
    match &outcome.view.step {
        Step::Waiting {
            verification_code, ..
        } => verification_code.clone(),
        other => panic!("not waiting: {other:#?} {:#?}", outcome.view.problems),
    }
}

/// Registers the holder of `role`'s SIM through the flow, as a person would.
async fn register(world: &World, role: CertificateRole) -> AccountId {
    let phone = sim_answering(world, role, PhoneMode::Approve);
    let flow = world
        .start_certificate_registration(MethodKind::SimPki)
        .await;
    world.act(&flow, phone_action(&phone)).await;
    let details = world.poll_until_over(&flow).await;
    assert_step(&details.view, "register_certificate");
    let email = Action::RegisterCertificate {
        email: "sim.holder@example.vn".to_owned(),
    };
    let done = world.act(&flow, email).await;
    assert!(matches!(
        done.view.step,
        Step::Done {
            result: Done::Registered
        }
    ));
    let holder = world.certificate(role);
    let store = &world.db.store;
    let account = match holder.holder {
        sandbox::pki::Holder::Citizen { personal_id, .. } => {
            store.account_by_personal_id(&personal_id).await.unwrap()
        }
        sandbox::pki::Holder::Organisation { tax_code, .. } => {
            store.account_by_tax_code(&tax_code).await.unwrap()
        }
    };
    account.expect("the account was created").id
}

async fn a_sim_registers_and_signs_in_at_loa3(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = register(&world, CertificateRole::SimCitizen).await;
    let stored = world.db.store.account(account).await.unwrap().unwrap();
    assert_eq!(stored.registration_channel, RegistrationChannel::SimPki);
    let credentials = world.db.store.credentials(account).await.unwrap();
    let certificate = credentials
        .iter()
        .find(|held| held.kind == CredentialKind::Certificate)
        .expect("the SIM certificate is bound");
    assert_eq!(certificate.public_data["via"], "sim_pki");
    let phone = sim(&world, CertificateRole::SimCitizen);
    assert_eq!(certificate.public_data["phone"], phone.e164(), "which SIM");

    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    assert_step(&flow.view, "sim_phone");
    let waiting = world.act(&flow, phone_action(&phone)).await;
    let code = verification_code(&waiting);
    let asked = world.sandbox.phone_requests(&phone);
    let last = asked.first().expect("the phone received the request");
    assert_eq!(
        last.verification_code, code,
        "the phone shows the page's code"
    );
    assert!(
        last.display_text.contains("Đăng nhập") && last.display_text.contains(&code),
        "{}",
        last.display_text
    );
    let done = world.poll_until_over(&flow).await;
    let session = done.session.expect("signed in").session;
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(session.amr, ["sc", "pin"]);
    assert_eq!(session.account_id, account);
    // The transaction is spent: polling again does nothing.
    let again = world.act(&flow, Action::Poll).await;
    assert!(again.session.is_none());
}

async fn what_the_phone_answers_is_said_and_nobody_signs_in(db: TestDb) {
    let world = World::with_certificates(db).await;
    register(&world, CertificateRole::SimCitizen).await;
    let phone = sim(&world, CertificateRole::SimCitizen);
    let cases = [
        (PhoneMode::Cancel, "signing.cancelled"),
        (PhoneMode::Expire, "signing.timed_out"),
        (PhoneMode::WrongPin, "signing.pin_blocked"),
        (PhoneMode::Unreachable, "signing.phone_unreachable"),
    ];
    for (mode, code) in cases {
        world.sandbox.reset_phone(&phone).unwrap();
        world.sandbox.set_phone_mode(&phone, mode).unwrap();
        let flow = world.start_sign_in_with(MethodKind::SimPki).await;
        world.act(&flow, phone_action(&phone)).await;
        let over = world.poll_until_over(&flow).await;
        assert_problem(&over.view, code);
        assert!(over.session.is_none(), "{code}");
        assert_step(&over.view, "sim_phone");
        // A late answer has no transaction to land in.
        let late = world.act(&flow, Action::Poll).await;
        assert_problem(&late.view, "action.unexpected");
    }
}

async fn the_wait_ends_on_the_servers_clock_and_cancel_ends_it_too(db: TestDb) {
    let world = World::with_certificates(db).await;
    register(&world, CertificateRole::SimCitizen).await;
    let phone = sim_answering(&world, CertificateRole::SimCitizen, PhoneMode::Manual);

    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    let waiting = world.act(&flow, phone_action(&phone)).await;
    let Step::Waiting { gives_up_at, .. } = waiting.view.step else {
        panic!("{:#?}", waiting.view);
    };
    assert_eq!(
        gives_up_at,
        world.clock.now() + time::Duration::seconds(120)
    );
    let still = world.act(&flow, Action::Poll).await;
    assert_step(&still.view, "waiting");
    assert!(still.view.problems.is_empty());
    world.advance(121);
    let late = world.act(&flow, Action::Poll).await;
    assert_problem(&late.view, "signing.timed_out");
    assert_step(&late.view, "sim_phone");

    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    world.act(&flow, phone_action(&phone)).await;
    let cancelled = world.act(&flow, Action::Cancel).await;
    assert_step(&cancelled.view, "sim_phone");
    assert!(cancelled.view.problems.is_empty());
    // The person approves on the phone after cancelling on the page: nobody signs in.
    world
        .sandbox
        .set_phone_mode(&phone, PhoneMode::Approve)
        .unwrap();
    let after = world.act(&flow, Action::Poll).await;
    assert!(after.session.is_none());
    assert_problem(&after.view, "action.unexpected");
}

async fn certificates_and_numbers_the_portal_refuses(db: TestDb) {
    let world = World::with_certificates(db).await;
    // A SIM whose certificate is bound nowhere: register first.
    let unbound = sim_answering(&world, CertificateRole::SimCitizen, PhoneMode::Approve);
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    world.act(&flow, phone_action(&unbound)).await;
    let refused = world.poll_until_over(&flow).await;
    assert_problem(&refused.view, "certificate.not_bound");
    assert!(refused.session.is_none());

    // A revoked SIM certificate cannot even register: OCSP says so.
    let revoked = sim_answering(
        &world,
        CertificateRole::SimCitizenRevoked,
        PhoneMode::Approve,
    );
    let flow = world
        .start_certificate_registration(MethodKind::SimPki)
        .await;
    world.act(&flow, phone_action(&revoked)).await;
    let refused = world.poll_until_over(&flow).await;
    assert_problem(&refused.view, "pki.revoked");
    assert_step(&refused.view, "sim_phone");

    // A number with no PKI SIM, and a number that is not one.
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    let person = world.sandbox.people().get(0).unwrap().phone.clone();
    let no_sim = world.act(&flow, phone_action(&person)).await;
    assert_problem(&no_sim.view, "signing.no_sim");
    let typo = world
        .act(
            &flow,
            Action::SimPhone {
                phone: "09123".to_owned(),
            },
        )
        .await;
    assert_eq!(typo.view.problems[0].field, Some("phone"));
}

async fn a_signature_service_that_is_down_is_said_so(db: TestDb) {
    let world = World::with_certificates(db).await;
    let phone = sim(&world, CertificateRole::SimCitizen);
    world.sandbox.set_mode(System::Mssp, Mode::Down);
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    let down = world.act(&flow, phone_action(&phone)).await;
    assert_problem(&down.view, "signing.unavailable");
    assert_step(&down.view, "sim_phone");
}

/// A page (or a script) polling faster than the step says does not reach the MSSP.
async fn polling_faster_than_asked_costs_the_mssp_nothing(db: TestDb) {
    let world = World::with_certificates(db).await;
    let phone = sim_answering(&world, CertificateRole::SimCitizen, PhoneMode::Manual);
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    world.act(&flow, phone_action(&phone)).await;
    let asked = || world.sandbox.requests(System::Mssp);
    assert_eq!(asked(), 1, "the signature request");
    world.act(&flow, Action::Poll).await;
    assert_eq!(asked(), 2, "the first poll asks");
    for _ in 0..3 {
        let waiting = world.act(&flow, Action::Poll).await;
        assert_step(&waiting.view, "waiting");
    }
    assert_eq!(asked(), 2, "polls within the interval do not ask");
    world.advance(1);
    world.act(&flow, Action::Poll).await;
    assert_eq!(asked(), 3);
}

/// An organisation certificate on its representative's SIM makes the business's account.
async fn a_business_sim_registers_the_business(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = register(&world, CertificateRole::SimBusiness).await;
    let stored = world.db.store.account(account).await.unwrap().unwrap();
    assert_eq!(stored.kind, domain::AccountKind::Business);
    assert!(stored.identity.tax_code.is_some());
    let phone = sim(&world, CertificateRole::SimBusiness);
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    world.act(&flow, phone_action(&phone)).await;
    let done = world.poll_until_over(&flow).await;
    assert_eq!(done.session.expect("signed in").session.account_id, account);
}

/// A person whose account exists already (here without a password, as a USB-token
/// registration leaves it) binds their SIM on the account page and signs in with it after;
/// someone else's SIM is refused.
async fn an_existing_account_binds_its_sim(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = world.holder_account(CertificateRole::SimCitizen).await;
    let business = sim_answering(&world, CertificateRole::SimBusiness, PhoneMode::Approve);
    let flow = world.start_binding(account, MethodKind::SimPki).await;
    world.act(&flow, phone_action(&business)).await;
    let refused = world.poll_until_over(&flow).await;
    assert_problem(&refused.view, "certificate.other_holder");

    let phone = sim_answering(&world, CertificateRole::SimCitizen, PhoneMode::Approve);
    let flow = world.start_binding(account, MethodKind::SimPki).await;
    world.act(&flow, phone_action(&phone)).await;
    let asked = world.sandbox.phone_requests(&phone);
    assert!(
        asked[0].display_text.contains("Gắn chứng thư số"),
        "{}",
        asked[0].display_text
    );
    let bound = world.poll_until_over(&flow).await;
    assert!(matches!(
        bound.view.step,
        Step::Done {
            result: Done::CertificateBound
        }
    ));
    let credentials = world.db.store.credentials(account).await.unwrap();
    assert!(
        credentials
            .iter()
            .any(|held| held.public_data["via"] == "sim_pki")
    );

    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    world.act(&flow, phone_action(&phone)).await;
    let done = world.poll_until_over(&flow).await;
    assert_eq!(done.session.expect("signed in").session.account_id, account);
}

/// Anyone can type a number: one address may push to one phone a few times a day, and all
/// addresses together a bounded number; another address keeps its own budget.
async fn pushes_to_a_phone_are_capped_per_address(db: TestDb) {
    let world = World::with_certificates(db).await;
    let phone = sim_answering(&world, CertificateRole::SimCitizen, PhoneMode::Manual);
    for _ in 0..5 {
        let flow = world.start_sign_in_with(MethodKind::SimPki).await;
        let sent = world.act(&flow, phone_action(&phone)).await;
        assert_step(&sent.view, "waiting");
    }
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    let capped = world.act(&flow, phone_action(&phone)).await;
    assert_problem(&capped.view, "signing.daily_limit");
    assert_eq!(world.sandbox.phone_requests(&phone).len(), 5);

    let elsewhere = Client {
        address: Some("198.51.100.20".to_owned()),
        ..world.client.clone()
    };
    let flow = world.start_sign_in_with(MethodKind::SimPki).await;
    let sent = world
        .act_from(&flow, &elsewhere, phone_action(&phone))
        .await;
    assert_step(&sent.view, "waiting");
}

/// A relying service asking LoA3 of a person signed in at LoA2 gets the SIM offered; the
/// signed-in session is raised in place.
async fn step_up_from_loa2_to_loa3(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = register(&world, CertificateRole::SimCitizen).await;
    let (session, flow) = world.step_up_to_loa3(account).await;
    assert_eq!(flow.view.methods, [MethodKind::SimPki]);
    let phone = sim(&world, CertificateRole::SimCitizen);
    world.act(&flow, phone_action(&phone)).await;
    let done = world.poll_until_over(&flow).await;
    assert!(done.raised, "{:#?}", done.view);
    let raised = world
        .db
        .store
        .session(session, world.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raised.acr, AssuranceLevel::LoA3);
    assert!(raised.amr.contains(&"sc".to_owned()));
}

store::store_tests!(
    a_sim_registers_and_signs_in_at_loa3,
    what_the_phone_answers_is_said_and_nobody_signs_in,
    the_wait_ends_on_the_servers_clock_and_cancel_ends_it_too,
    certificates_and_numbers_the_portal_refuses,
    a_signature_service_that_is_down_is_said_so,
    polling_faster_than_asked_costs_the_mssp_nothing,
    a_business_sim_registers_the_business,
    an_existing_account_binds_its_sim,
    pushes_to_a_phone_are_capped_per_address,
    step_up_from_loa2_to_loa3,
);
