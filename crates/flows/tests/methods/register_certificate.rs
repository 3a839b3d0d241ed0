//! Đăng ký bằng USB ký số (R5): the certificate proves who registers — a citizen by personal
//! ID, a business by tax code — and the account is made with the certificate bound, so the
//! same token signs in afterwards. An existing account is never bound here.

use domain::{AccountKind, AssuranceLevel, CredentialKind, RegistrationChannel};
use flows::{Action, Done, FlowKind, Outcome, Started, Step};
use sandbox::pki::{CertificateRole, Holder};
use sandbox::{Mode, System};
use store::AccountId;
use store::testing::TestDb;

use crate::harness::certificates::{Binding, ORIGIN, agent_challenge};
use crate::harness::{World, assert_problem, assert_step};

/// Signs the registration's current challenge with `role`'s certificate.
async fn present(world: &World, flow: &Started, role: CertificateRole) -> Outcome {
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let token = world.web_eid_token(role, ORIGIN, &agent_challenge(&view));
    world.act(flow, Action::AgentResponse { token }).await
}

async fn register(world: &World, role: CertificateRole, email: &str) -> Outcome {
    let flow = world.start(FlowKind::RegisterCertificate).await;
    assert_step(&flow.view, "local_agent");
    present(world, &flow, role).await;
    let email = email.to_owned();
    world
        .act(&flow, Action::RegisterCertificate { email })
        .await
}

async fn account_of(world: &World, role: CertificateRole) -> Option<store::Account> {
    let store = &world.db.store;
    match world.certificate(role).holder {
        Holder::Citizen { personal_id, .. } => {
            store.account_by_personal_id(&personal_id).await.unwrap()
        }
        Holder::Organisation { tax_code, .. } => {
            store.account_by_tax_code(&tax_code).await.unwrap()
        }
    }
}

/// Signs in with `role`'s token: the account's session level.
async fn sign_in(world: &World, role: CertificateRole) -> (AssuranceLevel, AccountId) {
    let flow = world.start_usb_sign_in().await;
    let done = present(world, &flow, role).await;
    let session = done.session.unwrap_or_else(|| panic!("{:#?}", done.view));
    (session.session.acr, session.session.account_id)
}

async fn a_citizen_registers_with_the_certificate_and_signs_in_with_it(db: TestDb) {
    let world = World::with_certificates(db).await;
    let person = world.certificate_holder(CertificateRole::Citizen);
    let flow = world.start(FlowKind::RegisterCertificate).await;
    let details = present(&world, &flow, CertificateRole::Citizen).await;
    match &details.view.step {
        Step::RegisterCertificate {
            account_kind,
            full_name,
            identifier,
            ..
        } => {
            assert_eq!(*account_kind, AccountKind::Citizen);
            assert_eq!(full_name, &person.full_name);
            assert_eq!(identifier, person.personal_id.as_str());
        }
        other => panic!("not the details step: {other:?}"),
    }
    assert!(
        account_of(&world, CertificateRole::Citizen).await.is_none(),
        "nothing yet"
    );

    let bad = Action::RegisterCertificate {
        email: "not an address".into(),
    };
    let refused = world.act(&flow, bad).await;
    assert_eq!(refused.view.problems[0].field, Some("email"));
    assert_step(&refused.view, "register_certificate");
    let email = "an.nguyen@example.vn".to_owned();
    let done = world
        .act(&flow, Action::RegisterCertificate { email })
        .await;
    assert!(matches!(
        done.view.step,
        Step::Done {
            result: Done::Registered
        }
    ));

    let account = account_of(&world, CertificateRole::Citizen).await.unwrap();
    assert_eq!(account.kind, AccountKind::Citizen);
    assert_eq!(account.registration_channel, RegistrationChannel::UsbToken);
    assert_eq!(account.identity.birth_date, Some(person.birth_date));
    assert_eq!(account.email.unwrap().as_str(), "an.nguyen@example.vn");
    let credentials = world.db.store.credentials(account.id).await.unwrap();
    let kinds: Vec<CredentialKind> = credentials.iter().map(|held| held.kind).collect();
    assert_eq!(
        kinds,
        [CredentialKind::Certificate],
        "no password, no phone"
    );
    let binding = Binding::of(&world.certificate(CertificateRole::Citizen));
    assert_eq!(credentials[0].key, binding.key);
    assert_eq!(
        credentials[0].public_data["issuer"],
        binding.issuer.as_str()
    );

    assert_eq!(
        sign_in(&world, CertificateRole::Citizen).await,
        (AssuranceLevel::LoA3, account.id)
    );
}

async fn a_business_registers_by_its_tax_code(db: TestDb) {
    let world = World::with_certificates(db).await;
    let done = register(&world, CertificateRole::Business, "ketoan@example.vn").await;
    assert_step(&done.view, "done");
    let account = account_of(&world, CertificateRole::Business).await.unwrap();
    assert_eq!(account.kind, AccountKind::Business);
    let Holder::Organisation { tax_code, .. } = world.certificate(CertificateRole::Business).holder
    else {
        unreachable!("a business certificate");
    };
    let registered = world
        .sandbox
        .businesses()
        .by_tax_code(&tax_code)
        .unwrap()
        .name
        .clone();
    assert_eq!(
        account.identity.full_name, registered,
        "named as the registry has it"
    );
    assert_eq!(
        sign_in(&world, CertificateRole::Business).await,
        (AssuranceLevel::LoA3, account.id)
    );
}

/// An ID that has an account already is refused, whoever holds it: binding needs that
/// account's own sign-in. A certificate bound to any account cannot make another.
async fn an_existing_account_or_binding_is_never_taken_over(db: TestDb) {
    let world = World::with_certificates(db).await;
    let existing = world.holder_account(CertificateRole::Citizen).await;
    let flow = world.start(FlowKind::RegisterCertificate).await;
    let refused = present(&world, &flow, CertificateRole::Citizen).await;
    assert_problem(&refused.view, "certificate.account_exists");
    assert_step(&refused.view, "local_agent");
    let credentials = world.db.store.credentials(existing).await.unwrap();
    assert!(
        credentials.is_empty(),
        "nothing bound to the existing account"
    );

    // The business's certificate bound (by mistake or attack) to another account.
    let other = world.holder_account(CertificateRole::CitizenCmnd12).await;
    let binding = Binding::of(&world.certificate(CertificateRole::Business));
    world.bind_certificate_as(other, &binding).await;
    let flow = world.start(FlowKind::RegisterCertificate).await;
    let refused = present(&world, &flow, CertificateRole::Business).await;
    assert_problem(&refused.view, "certificate.already_bound");
    assert!(
        account_of(&world, CertificateRole::Business)
            .await
            .is_none()
    );
}

async fn refused_certificates_and_registries_create_nothing(db: TestDb) {
    let world = World::with_certificates(db).await;
    for (role, code) in [
        (CertificateRole::CitizenRevoked, "pki.revoked"),
        (CertificateRole::CitizenExpired, "pki.expired"),
        (CertificateRole::CitizenUntrusted, "pki.untrusted_issuer"),
        (CertificateRole::CitizenLegacyCmnd, "certificate.legacy_id"),
    ] {
        let flow = world.start(FlowKind::RegisterCertificate).await;
        let refused = present(&world, &flow, role).await;
        assert_problem(&refused.view, code);
        assert_step(&refused.view, "local_agent");
    }
    world.sandbox.set_mode(System::Population, Mode::Down);
    let flow = world.start(FlowKind::RegisterCertificate).await;
    let refused = present(&world, &flow, CertificateRole::Citizen).await;
    assert_problem(&refused.view, "population.unavailable");
    world.sandbox.set_mode(System::Population, Mode::Up);
    world.sandbox.set_mode(System::BusinessRegistry, Mode::Down);
    let flow = world.start(FlowKind::RegisterCertificate).await;
    let refused = present(&world, &flow, CertificateRole::Business).await;
    assert_problem(&refused.view, "business_registry.unavailable");
    world.sandbox.set_mode(System::BusinessRegistry, Mode::Up);
    assert!(
        account_of(&world, CertificateRole::Business)
            .await
            .is_none()
    );
    assert!(account_of(&world, CertificateRole::Citizen).await.is_none());
    assert!(
        account_of(&world, CertificateRole::CitizenRevoked)
            .await
            .is_none()
    );
}

store::store_tests!(
    a_citizen_registers_with_the_certificate_and_signs_in_with_it,
    a_business_registers_by_its_tax_code,
    an_existing_account_or_binding_is_never_taken_over,
    refused_certificates_and_registries_create_nothing,
);
