//! Ký số từ xa, VNPT SmartCA (S8, R7): the person signs in at the remote signing service
//! (OAuth 2.0 code with PKCE, the sandbox SmartCA), approves the request pushed to its app, and
//! the portal checks the signature over its own hash, the certificate's chain and revocation.

use domain::{AssuranceLevel, CredentialKind, PersonalId, RegistrationChannel};
use flows::{Action, Done, MethodKind, Step};
use sandbox::pki::{CertificateRole, Holder};
use sandbox::{Mode, RemoteSigningMode, SMARTCA_NO_CREDENTIAL, SMARTCA_PASSWORD, System};
use store::AccountId;
use store::testing::TestDb;
use url::Url;

use crate::harness::{World, assert_problem, assert_step};

fn holder_id(world: &World, role: CertificateRole) -> PersonalId {
    match world.certificate(role).holder {
        Holder::Citizen { personal_id, .. } => personal_id,
        Holder::Organisation { .. } => panic!("{role:?} is not a person's"),
    }
}

fn redirect_url(view: &flows::FlowView) -> Url {
    match &view.step {
        Step::Redirect { url } => Url::parse(url).unwrap(),
        other => panic!("not a redirect: {other:#?} {:#?}", view.problems),
    }
}

/// Signs in at the sandbox SmartCA as `user` and comes back with what it sent.
fn back_from_smartca(world: &World, view: &flows::FlowView, user: &PersonalId) -> Action {
    let url = redirect_url(view);
    let back = world
        .sandbox
        .smartca_sign_in(&url, user.as_str(), SMARTCA_PASSWORD)
        .unwrap();
    let param = |name: &str| {
        back.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    Action::Callback {
        code: param("code"),
        state: param("state").unwrap_or_default(),
        error: param("error"),
        iss: None,
    }
}

async fn register(world: &World, role: CertificateRole) -> AccountId {
    let user = holder_id(world, role);
    world
        .sandbox
        .set_remote_signing_mode(&user, RemoteSigningMode::Approve);
    let flow = world
        .start_certificate_registration(MethodKind::RemoteSigning)
        .await;
    let back = back_from_smartca(world, &flow.view, &user);
    let waiting = world.act(&flow, back).await;
    assert_step(&waiting.view, "waiting");
    let details = world.poll_until_over(&flow).await;
    assert_step(&details.view, "register_certificate");
    let email = Action::RegisterCertificate {
        email: "smartca.user@example.vn".to_owned(),
    };
    let done = world.act(&flow, email).await;
    assert!(matches!(
        done.view.step,
        Step::Done {
            result: Done::Registered
        }
    ));
    let store = &world.db.store;
    store
        .account_by_personal_id(&user)
        .await
        .unwrap()
        .expect("the account was created")
        .id
}

async fn smartca_registers_and_signs_in_at_loa3(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = register(&world, CertificateRole::RemoteCitizen).await;
    let stored = world.db.store.account(account).await.unwrap().unwrap();
    assert_eq!(
        stored.registration_channel,
        RegistrationChannel::RemoteSigning
    );
    let credentials = world.db.store.credentials(account).await.unwrap();
    let bound = credentials
        .iter()
        .find(|held| held.kind == CredentialKind::Certificate)
        .expect("bound");
    assert_eq!(bound.public_data["via"], "remote_signing");

    let user = holder_id(&world, CertificateRole::RemoteCitizen);
    let flow = world.start_sign_in_with(MethodKind::RemoteSigning).await;
    let url = redirect_url(&flow.view);
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let has = |key: &str| query.iter().any(|(name, _)| name == key);
    assert!(has("code_challenge") && has("state"), "{url}");
    assert!(query.contains(&("code_challenge_method".into(), "S256".into())));

    let back = back_from_smartca(&world, &flow.view, &user);
    let waiting = world.act(&flow, back).await;
    let Step::Waiting {
        verification_code, ..
    } = &waiting.view.step
    else {
        panic!("{:#?}", waiting.view);
    };
    let pushed = world.sandbox.last_remote_signing_request(&user).unwrap();
    assert_eq!(&pushed.verification_code, verification_code);
    assert!(pushed.description.contains(verification_code.as_str()));
    let done = world.poll_until_over(&flow).await;
    let session = done.session.expect("signed in").session;
    assert_eq!(session.account_id, account);
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(session.amr, ["swk", "pin"]);
}

async fn refused_or_unanswered_in_the_app_signs_nobody_in(db: TestDb) {
    let world = World::with_certificates(db).await;
    register(&world, CertificateRole::RemoteCitizen).await;
    let user = holder_id(&world, CertificateRole::RemoteCitizen);
    for (mode, code) in [
        (RemoteSigningMode::Refuse, "signing.cancelled"),
        (RemoteSigningMode::Expire, "signing.timed_out"),
    ] {
        world.sandbox.set_remote_signing_mode(&user, mode);
        let flow = world.start_sign_in_with(MethodKind::RemoteSigning).await;
        let back = back_from_smartca(&world, &flow.view, &user);
        world.act(&flow, back).await;
        let over = world.poll_until_over(&flow).await;
        assert_problem(&over.view, code);
        assert!(over.session.is_none());
        assert_step(&over.view, "redirect");
    }

    // Cancelled on the page, approved in the app afterwards: nobody signs in.
    world
        .sandbox
        .set_remote_signing_mode(&user, RemoteSigningMode::Manual);
    let flow = world.start_sign_in_with(MethodKind::RemoteSigning).await;
    let back = back_from_smartca(&world, &flow.view, &user);
    world.act(&flow, back).await;
    let cancelled = world.act(&flow, Action::Cancel).await;
    assert_step(&cancelled.view, "redirect");
    world
        .sandbox
        .set_remote_signing_mode(&user, RemoteSigningMode::Approve);
    let late = world.act(&flow, Action::Poll).await;
    assert!(late.session.is_none());
    assert_problem(&late.view, "action.unexpected");
}

/// The callback must carry this trip's `state`; a replayed or forged one, a refusal at the
/// service, or a code used twice ends in a clear message and a fresh trip.
async fn the_callback_is_checked(db: TestDb) {
    let world = World::with_certificates(db).await;
    register(&world, CertificateRole::RemoteCitizen).await;
    let user = holder_id(&world, CertificateRole::RemoteCitizen);

    let flow = world.start_sign_in_with(MethodKind::RemoteSigning).await;
    let Action::Callback { code, state, .. } = back_from_smartca(&world, &flow.view, &user) else {
        unreachable!()
    };
    let forged = Action::Callback {
        code: code.clone(),
        state: format!("{state}x"),
        error: None,
        iss: None,
    };
    let refused = world.act(&flow, forged).await;
    assert_problem(&refused.view, "signing.authorization_failed");
    assert_ne!(
        redirect_url(&refused.view),
        redirect_url(&flow.view),
        "a fresh trip"
    );
    // The right state of the spent trip no longer works either.
    let replayed = Action::Callback {
        code,
        state,
        error: None,
        iss: None,
    };
    let refused = world.act(&flow, replayed).await;
    assert_problem(&refused.view, "signing.authorization_failed");

    let denied = Action::Callback {
        code: None,
        state: {
            let url = redirect_url(&refused.view);
            url.query_pairs()
                .find(|(key, _)| key == "state")
                .unwrap()
                .1
                .into_owned()
        },
        error: Some("access_denied".to_owned()),
        iss: None,
    };
    let refused = world.act(&flow, denied).await;
    assert_problem(&refused.view, "signing.authorization_failed");
    assert!(refused.session.is_none());
}

async fn what_the_portal_refuses(db: TestDb) {
    let world = World::with_certificates(db).await;
    // Signed in at SmartCA but holding no certificate there.
    let without = world
        .sandbox
        .people()
        .demo(SMARTCA_NO_CREDENTIAL)
        .unwrap()
        .personal_id
        .clone();
    let flow = world
        .start_certificate_registration(MethodKind::RemoteSigning)
        .await;
    let back = back_from_smartca(&world, &flow.view, &without);
    let refused = world.act(&flow, back).await;
    assert_problem(&refused.view, "signing.no_credential");

    // A revoked certificate cannot register.
    let revoked = holder_id(&world, CertificateRole::RemoteCitizenRevoked);
    world
        .sandbox
        .set_remote_signing_mode(&revoked, RemoteSigningMode::Approve);
    let flow = world
        .start_certificate_registration(MethodKind::RemoteSigning)
        .await;
    let back = back_from_smartca(&world, &flow.view, &revoked);
    world.act(&flow, back).await;
    let refused = world.poll_until_over(&flow).await;
    assert_problem(&refused.view, "pki.revoked");

    // A certificate bound to no account cannot sign in.
    let user = holder_id(&world, CertificateRole::RemoteCitizen);
    world
        .sandbox
        .set_remote_signing_mode(&user, RemoteSigningMode::Approve);
    let flow = world.start_sign_in_with(MethodKind::RemoteSigning).await;
    let back = back_from_smartca(&world, &flow.view, &user);
    world.act(&flow, back).await;
    let refused = world.poll_until_over(&flow).await;
    assert_problem(&refused.view, "certificate.not_bound");

    // The service goes down while the person is away.
    let flow = world.start_sign_in_with(MethodKind::RemoteSigning).await;
    let back = back_from_smartca(&world, &flow.view, &user);
    world.sandbox.set_mode(System::SmartCa, Mode::Down);
    let down = world.act(&flow, back).await;
    assert_problem(&down.view, "signing.unavailable");
}

async fn step_up_from_loa2_to_loa3(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = register(&world, CertificateRole::RemoteCitizen).await;
    let (_, flow) = world.step_up_to_loa3(account).await;
    assert_eq!(flow.view.methods, [MethodKind::RemoteSigning]);
    let user = holder_id(&world, CertificateRole::RemoteCitizen);
    let back = back_from_smartca(&world, &flow.view, &user);
    world.act(&flow, back).await;
    let done = world.poll_until_over(&flow).await;
    assert!(done.raised, "{:#?}", done.view);
}

store::store_tests!(
    smartca_registers_and_signs_in_at_loa3,
    refused_or_unanswered_in_the_app_signs_nobody_in,
    the_callback_is_checked,
    what_the_portal_refuses,
    step_up_from_loa2_to_loa3,
);
