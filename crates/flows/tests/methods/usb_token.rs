//! USB ký số (S7): the local signing agent signs the flow's challenge with this site's origin;
//! the portal checks the Web eID token, the certificate's chain and its revocation over HTTP
//! at the sandbox's OCSP responders and CRLs, and signs in the account the certificate is bound
//! to at LoA3 — or says exactly why not, and asks for a new signature.

use base64::Engine as _;
use domain::{AccountKind, AccountStatus, AssuranceLevel, Clock, CredentialKind};
use flows::{Action, Done, FlowKind, MethodKind, Outcome, SignInRequest, Started, Step};
use sandbox::pki::CertificateRole;
use sandbox::{DemoRole, Mode, System};
use store::testing::TestDb;
use store::{AccountId, Actor, AuditContext, AuditKind};
use time::macros::{format_description, offset};

use crate::PASSWORD;
use crate::harness::certificates::{AGENT_URL, Binding, ORIGIN, agent_challenge};
use crate::harness::{World, assert_problem, assert_step};

fn answer(token: String) -> Action {
    Action::AgentResponse { token }
}

/// Signs the flow's current challenge with `role`'s certificate and sends it.
async fn sign_with(world: &World, flow: &Started, role: CertificateRole) -> (Outcome, String) {
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let challenge = agent_challenge(&view);
    let token = world.web_eid_token(role, ORIGIN, &challenge);
    (world.act(flow, answer(token)).await, challenge)
}

#[track_caller]
fn assert_signed_in(outcome: &Outcome) {
    assert!(
        matches!(
            outcome.view.step,
            Step::Done {
                result: Done::SignedIn
            }
        ),
        "{:#?}",
        outcome.view
    );
}

/// The refusal `code`: nobody signed in, nothing raised, and the agent is asked again with a
/// challenge other than `signed`.
#[track_caller]
fn assert_refused(outcome: &Outcome, code: &str, signed: &str) {
    assert_problem(&outcome.view, code);
    assert!(outcome.session.is_none(), "{code}: a session was issued");
    assert!(!outcome.raised, "{code}: a session was raised");
    assert_step(&outcome.view, "local_agent");
    let next = agent_challenge(&outcome.view);
    assert_ne!(
        next, signed,
        "{code}: the signed challenge is offered again"
    );
}

async fn no_live_session(world: &World, account: AccountId) {
    let now = world.clock.now();
    let live = world.db.store.live_sessions(account, now).await.unwrap();
    assert!(live.is_empty(), "{live:#?}");
}

/// The holder's own account, the certificate bound to it.
async fn bound(world: &World, role: CertificateRole) -> AccountId {
    let account = world.holder_account(role).await;
    world.bind_certificate(account, role).await;
    account
}

async fn a_bound_certificate_signs_in_at_loa3(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = bound(&world, CertificateRole::Citizen).await;

    let flow = world.start_usb_sign_in().await;
    assert_eq!(flow.view.methods.first(), Some(&MethodKind::UsbToken));
    let Step::LocalAgent {
        agent_url,
        challenge,
    } = &flow.view.step
    else {
        panic!("not at the agent: {:#?}", flow.view);
    };
    assert_eq!(agent_url, AGENT_URL);
    assert_eq!(challenge.len(), 44);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(challenge)
        .unwrap();
    assert_eq!(bytes.len(), 32, "256 bits");
    let other = world.start_usb_sign_in().await;
    assert_ne!(&agent_challenge(&other.view), challenge, "one per flow");

    world.advance(30);
    let (done, _) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert_signed_in(&done);
    assert_eq!(done.view.return_to.as_deref(), Some("/tai-khoan"));
    let issued = done.session.expect("signed in");
    let session = &issued.session;
    assert_eq!(session.account_id, account);
    assert_eq!(session.acr, AssuranceLevel::LoA3);
    assert_eq!(session.amr, ["hwk", "pin"]);
    let (found, who) = world
        .engine
        .sessions()
        .authenticate(&issued.token)
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!((found.id, who.id), (session.id, account));

    let key = Binding::of(&world.certificate(CertificateRole::Citizen)).key;
    let credentials = world.db.store.credentials(account).await.unwrap();
    let certificate = credentials
        .iter()
        .find(|held| held.kind == CredentialKind::Certificate && held.key == key)
        .unwrap();
    assert_eq!(certificate.last_used_at, Some(world.clock.now()));

    let trail = world.db.store.audit_of_account(account, 10).await.unwrap();
    let newest = trail.first().unwrap();
    assert_eq!(newest.kind, AuditKind::SignedIn);
    assert_eq!(newest.details["method"], "usb_token");
    assert_eq!(newest.details["acr"], "LoA3");
    assert_eq!(newest.details["step_up"], false);

    // Done: the token cannot be answered again.
    let again = world.act(&flow, answer("{}".into())).await;
    assert_problem(&again.view, "action.unexpected");
    assert!(again.session.is_none());
}

/// A person with two certificates (a token holding both, or two tokens) signs in to the same
/// account with either, once both are bound.
async fn the_second_certificate_of_the_same_person_signs_in_too(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = bound(&world, CertificateRole::Citizen).await;

    let flow = world.start_usb_sign_in().await;
    let (refused, signed) = sign_with(&world, &flow, CertificateRole::CitizenSecond).await;
    assert_refused(&refused, "certificate.not_bound", &signed);

    world
        .bind_certificate(account, CertificateRole::CitizenSecond)
        .await;
    let (done, _) = sign_with(&world, &flow, CertificateRole::CitizenSecond).await;
    assert_signed_in(&done);
    let session = done.session.expect("signed in").session;
    assert_eq!(session.account_id, account);
    assert_eq!(session.acr, AssuranceLevel::LoA3);

    let used: Vec<bool> = world
        .db
        .store
        .credentials(account)
        .await
        .unwrap()
        .iter()
        .filter(|held| held.kind == CredentialKind::Certificate)
        .map(|held| held.last_used_at.is_some())
        .collect();
    assert_eq!(used.len(), 2);
    assert_eq!(
        used.iter().filter(|used| **used).count(),
        1,
        "only the one used"
    );
}

/// An organisation's certificate signs in to the business account of its tax code, a
/// branch's to the branch's.
async fn a_business_certificate_signs_in_to_the_business_account(db: TestDb) {
    let world = World::with_certificates(db).await;
    let company = bound(&world, CertificateRole::Business).await;
    let branch = bound(&world, CertificateRole::BusinessBranch).await;
    let kind = world.db.store.account(company).await.unwrap().unwrap().kind;
    assert_eq!(kind, AccountKind::Business);

    for (role, account) in [
        (CertificateRole::Business, company),
        (CertificateRole::BusinessBranch, branch),
    ] {
        let flow = world.start_usb_sign_in().await;
        let (done, _) = sign_with(&world, &flow, role).await;
        assert_signed_in(&done);
        let session = done.session.expect("signed in").session;
        assert_eq!(session.account_id, account, "{role:?}");
        assert_eq!(session.acr, AssuranceLevel::LoA3);
        assert_eq!(session.amr, ["hwk", "pin"]);
    }
}

/// Certificates bound to their holders' accounts, each refused for what it is, with the
/// reason; nobody is signed in.
async fn certificates_the_portal_must_refuse(db: TestDb) {
    let world = World::with_certificates(db).await;
    let cases = [
        (CertificateRole::CitizenExpired, "pki.expired"),
        (CertificateRole::CitizenNotYetValid, "pki.not_yet_valid"),
        (CertificateRole::CitizenRevoked, "pki.revoked"),
        (CertificateRole::BusinessRevoked, "pki.revoked"),
        (CertificateRole::CitizenUntrusted, "pki.untrusted_issuer"),
        (CertificateRole::CitizenWrongKeyUsage, "pki.key_usage"),
    ];
    let date = format_description!("[year]-[month]-[day]");
    for (role, code) in cases {
        let account = bound(&world, role).await;
        let flow = world.start_usb_sign_in().await;
        let (refused, signed) = sign_with(&world, &flow, role).await;
        assert_refused(&refused, code, &signed);
        no_live_session(&world, account).await;
        let detail = refused.view.problems[0]
            .detail
            .as_ref()
            .expect("the reason");
        assert!(!detail.vi.is_empty() && !detail.en.is_empty(), "{role:?}");
        let issued = world.certificate(role);
        match code {
            "pki.expired" => {
                let on = issued
                    .not_after
                    .to_offset(offset!(+7))
                    .format(date)
                    .unwrap();
                assert!(detail.en.contains(&on), "{role:?}: {}", detail.en);
            }
            "pki.revoked" => {
                let revocation = issued.revocation.expect("revoked");
                let on = revocation.at.to_offset(offset!(+7)).format(date).unwrap();
                assert!(detail.en.contains(&on), "{role:?}: {}", detail.en);
                assert!(
                    detail.en.contains(revocation.reason.label_en()),
                    "{role:?}: {}",
                    detail.en
                );
            }
            "pki.key_usage" => assert_eq!(detail.rule, "digital_signature"),
            _ => {}
        }
    }
}

/// An unbound certificate: "register first". The challenge it signed is spent: the same token
/// sent again once the certificate is bound is refused, a token over the new challenge is not.
async fn an_unbound_certificate_is_refused_and_its_token_cannot_be_replayed(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = world.holder_account(CertificateRole::Citizen).await;
    let flow = world.start_usb_sign_in().await;
    let challenge = agent_challenge(&flow.view);
    let token = world.web_eid_token(CertificateRole::Citizen, ORIGIN, &challenge);
    let refused = world.act(&flow, answer(token.clone())).await;
    assert_refused(&refused, "certificate.not_bound", &challenge);
    no_live_session(&world, account).await;

    world
        .bind_certificate(account, CertificateRole::Citizen)
        .await;
    let replayed = world.act(&flow, answer(token)).await;
    assert_refused(&replayed, "pki.token_invalid", &challenge);
    let detail = replayed.view.problems[0].detail.as_ref().unwrap();
    assert_eq!(detail.rule, "signature_mismatch");
    no_live_session(&world, account).await;

    let (done, _) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert_signed_in(&done);
    assert_eq!(done.session.unwrap().session.account_id, account);
}

/// A token made for another site (a phishing page relaying the agent), or over another flow's
/// challenge, proves nothing here; the flow it was made for still accepts it.
async fn a_token_for_another_site_or_another_flow_is_refused(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = bound(&world, CertificateRole::Citizen).await;

    let flow = world.start_usb_sign_in().await;
    let challenge = agent_challenge(&flow.view);
    for origin in [
        "https://dichvucong.phishing.test",
        "https://dichvucong.test/",
        "http://dichvucong.test",
    ] {
        let token = world.web_eid_token(CertificateRole::Citizen, origin, &challenge);
        let refused = world.act(&flow, answer(token)).await;
        assert_refused(&refused, "pki.token_invalid", &challenge);
    }
    no_live_session(&world, account).await;

    let other = world.start_usb_sign_in().await;
    let foreign = agent_challenge(&other.view);
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let current = agent_challenge(&view);
    let token = world.web_eid_token(CertificateRole::Citizen, ORIGIN, &foreign);
    let refused = world.act(&flow, answer(token.clone())).await;
    assert_refused(&refused, "pki.token_invalid", &current);
    no_live_session(&world, account).await;

    let done = world.act(&other, answer(token)).await;
    assert_signed_in(&done);
}

/// A challenge may be answered for five minutes; a late answer asks for a new signature.
async fn a_challenge_expires_after_five_minutes(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = bound(&world, CertificateRole::Citizen).await;

    let flow = world.start_usb_sign_in().await;
    let challenge = agent_challenge(&flow.view);
    let token = world.web_eid_token(CertificateRole::Citizen, ORIGIN, &challenge);
    world.advance(5 * 60 + 1);
    let late = world.act(&flow, answer(token)).await;
    assert_refused(&late, "agent.challenge_expired", &challenge);
    no_live_session(&world, account).await;

    // The new challenge has its own five minutes.
    let fresh = agent_challenge(&late.view);
    let token = world.web_eid_token(CertificateRole::Citizen, ORIGIN, &fresh);
    world.advance(5 * 60 - 1);
    let done = world.act(&flow, answer(token)).await;
    assert_signed_in(&done);
}

/// Revocation fails closed: with neither the OCSP responder nor the CRL reachable nobody signs
/// in, and the message says so; the CRL alone decides when OCSP is down, both ways.
async fn revocation_fails_closed_and_falls_back_to_the_crl(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = bound(&world, CertificateRole::Citizen).await;
    bound(&world, CertificateRole::CitizenRevoked).await;
    world.sandbox.set_mode(System::Ocsp, Mode::Down);
    world.sandbox.set_mode(System::Crl, Mode::Down);

    let flow = world.start_usb_sign_in().await;
    let (refused, signed) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert_refused(&refused, "pki.revocation_unavailable", &signed);
    no_live_session(&world, account).await;
    let detail = refused.view.problems[0].detail.as_ref().unwrap();
    assert_eq!(detail.rule, "unreachable");
    assert!(world.sandbox.requests(System::Ocsp) > 0, "OCSP was asked");
    assert!(world.sandbox.requests(System::Crl) > 0, "the CRL was asked");

    world.sandbox.set_mode(System::Crl, Mode::Up);
    let crl_before = world.sandbox.requests(System::Crl);
    let (done, _) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert_signed_in(&done);
    assert_eq!(done.session.unwrap().session.account_id, account);
    assert!(world.sandbox.requests(System::Crl) > crl_before);

    let flow = world.start_usb_sign_in().await;
    let (refused, signed) = sign_with(&world, &flow, CertificateRole::CitizenRevoked).await;
    assert_refused(&refused, "pki.revoked", &signed);
}

/// The binding names the certificate (issuer and serial, besides the key) and the account
/// names its holder: a binding that differs in any of them does not sign in.
async fn a_binding_must_name_the_certificate_and_its_holder(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = world.holder_account(CertificateRole::Citizen).await;

    let mut other_issuer = Binding::of(&world.certificate(CertificateRole::Citizen));
    other_issuer.issuer = Binding::of(&world.certificate(CertificateRole::CitizenSecond)).issuer;
    assert_ne!(
        other_issuer.issuer,
        Binding::of(&world.certificate(CertificateRole::Citizen)).issuer
    );
    world.bind_certificate_as(account, &other_issuer).await;
    let mut other_serial = Binding::of(&world.certificate(CertificateRole::CitizenSecond));
    other_serial.serial = world.certificate(CertificateRole::Citizen).serial_hex;
    world.bind_certificate_as(account, &other_serial).await;
    // Another person's certificate under this person's account.
    world
        .bind_certificate(account, CertificateRole::CitizenCmnd12)
        .await;

    for role in [
        CertificateRole::Citizen,
        CertificateRole::CitizenSecond,
        CertificateRole::CitizenCmnd12,
    ] {
        let flow = world.start_usb_sign_in().await;
        let (refused, signed) = sign_with(&world, &flow, role).await;
        assert_refused(&refused, "certificate.not_bound", &signed);
    }
    no_live_session(&world, account).await;
}

async fn a_locked_account_cannot_sign_in_with_its_certificate(db: TestDb) {
    let world = World::with_certificates(db).await;
    let account = bound(&world, CertificateRole::Citizen).await;
    let audit = AuditContext {
        actor: Actor::System,
        client_ip: None,
    };
    let store = &world.db.store;
    let now = world.clock.now();
    store
        .set_status(account, AccountStatus::Locked, &audit, now)
        .await
        .unwrap();
    let flow = world.start_usb_sign_in().await;
    let (refused, signed) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert_refused(&refused, "account.locked", &signed);
    no_live_session(&world, account).await;
}

/// The holder of the `citizen` certificate, registered with a password and phone and signed
/// in with them (LoA2): their account and session.
async fn signed_in_at_loa2(world: &World) -> (AccountId, uuid::Uuid) {
    let person = world.certificate_holder(CertificateRole::Citizen);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    let token = world.sign_in(&person, PASSWORD).await;
    let (session, _) = world
        .engine
        .sessions()
        .authenticate(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.acr, AssuranceLevel::LoA2);
    (account, session.id)
}

fn step_up(session: uuid::Uuid, account: AccountId) -> SignInRequest<'static> {
    SignInRequest {
        acr_preference: vec![AssuranceLevel::LoA3],
        signed_in: Some((session, account)),
        ..SignInRequest::default()
    }
}

/// A relying service asks LoA3 of a person signed in with password and SMS: only the USB
/// token is offered, and it raises the same session, the methods of both sign-ins kept.
async fn step_up_from_loa2_to_loa3(db: TestDb) {
    let world = World::with_certificates(db).await;
    let (account, session) = signed_in_at_loa2(&world).await;
    let engine = &world.engine;
    let level = |account| engine.reachable_level(account, AccountKind::Citizen);
    assert_eq!(level(account).await.unwrap(), AssuranceLevel::LoA2);
    let unreachable = engine
        .start_sign_in(step_up(session, account))
        .await
        .unwrap();
    assert_step(&unreachable.view, "unreachable");

    world
        .bind_certificate(account, CertificateRole::Citizen)
        .await;
    assert_eq!(level(account).await.unwrap(), AssuranceLevel::LoA3);
    let without = world.person(DemoRole::PhoneRegistration);
    world.register(&without, PASSWORD).await;
    let without = world.account_id(&without).await;
    assert_eq!(level(without).await.unwrap(), AssuranceLevel::LoA2);

    world.advance(60);
    let flow = engine
        .start_sign_in(step_up(session, account))
        .await
        .unwrap();
    assert_eq!(flow.view.methods, [MethodKind::UsbToken]);
    let (done, _) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert!(done.raised, "{:#?}", done.view);
    assert!(done.session.is_none(), "no second session");
    let now = world.clock.now();
    let raised = world.db.store.session(session, now).await.unwrap().unwrap();
    assert_eq!(raised.acr, AssuranceLevel::LoA3);
    assert_eq!(raised.amr, ["pwd", "sms", "hwk", "pin"]);
    assert_eq!(raised.auth_time, now);
    let live = world.db.store.live_sessions(account, now).await.unwrap();
    assert_eq!(live.len(), 1, "still the one session");
    let trail = world.db.store.audit_of_account(account, 1).await.unwrap();
    assert_eq!(trail[0].details["step_up"], true);
    assert_eq!(trail[0].details["method"], "usb_token");
}

/// Step-up proves the signed-in person again: another person's certificate, bound to their
/// own account, is refused and leaves the session as it was.
async fn step_up_refuses_another_persons_certificate(db: TestDb) {
    let world = World::with_certificates(db).await;
    let (account, session) = signed_in_at_loa2(&world).await;
    world
        .bind_certificate(account, CertificateRole::Citizen)
        .await;
    let someone_else = bound(&world, CertificateRole::CitizenCmnd12).await;

    let flow = world
        .engine
        .start_sign_in(step_up(session, account))
        .await
        .unwrap();
    let (refused, signed) = sign_with(&world, &flow, CertificateRole::CitizenCmnd12).await;
    assert_refused(&refused, "step_up.other_account", &signed);
    no_live_session(&world, someone_else).await;
    let now = world.clock.now();
    let unchanged = world.db.store.session(session, now).await.unwrap().unwrap();
    assert_eq!(unchanged.acr, AssuranceLevel::LoA2);
    assert_eq!(unchanged.amr, ["pwd", "sms"]);

    let (done, _) = sign_with(&world, &flow, CertificateRole::Citizen).await;
    assert!(done.raised, "{:#?}", done.view);
}

/// Without trust anchors configured the method is neither offered nor reachable, even for an
/// account holding a certificate; a node without them refuses a flow another node started.
async fn without_certificates_configured_the_method_is_not_offered(db: TestDb) {
    let plain = World::new(db).await;
    let person = plain.person(DemoRole::PhoneRegistration);
    plain.register(&person, PASSWORD).await;
    let account = plain.account_id(&person).await;
    let binding = Binding {
        key: "ab".repeat(32),
        issuer: "CN=Sandbox VNPT-CA,O=VNPT,C=VN".to_owned(),
        serial: "0A".to_owned(),
    };
    plain.bind_certificate_as(account, &binding).await;
    let level = plain
        .engine
        .reachable_level(account, AccountKind::Citizen)
        .await
        .unwrap();
    assert_eq!(level, AssuranceLevel::LoA2);

    let flow = plain.start_usb_sign_in().await;
    assert!(!flow.view.methods.contains(&MethodKind::UsbToken));
    assert_step(&flow.view, "credentials");
    let chosen = plain
        .act(
            &flow,
            Action::ChooseMethod {
                method: MethodKind::UsbToken,
            },
        )
        .await;
    assert_problem(&chosen.view, "method.not_offered");
    let loa3 = plain
        .engine
        .start_sign_in(SignInRequest {
            acr_preference: vec![AssuranceLevel::LoA3],
            ..SignInRequest::default()
        })
        .await
        .unwrap();
    assert_step(&loa3.view, "unreachable");
    assert!(loa3.view.methods.is_empty());

    let token = plain.sign_in(&person, PASSWORD).await;
    let (session, _) = plain
        .engine
        .sessions()
        .authenticate(&token)
        .await
        .unwrap()
        .unwrap();
    let step_up = plain
        .engine
        .start_sign_in(step_up(session.id, account))
        .await
        .unwrap();
    assert_step(&step_up.view, "unreachable");
}

async fn a_node_without_certificates_refuses_the_agents_answer(db: TestDb) {
    let world = World::with_certificates(db).await;
    bound(&world, CertificateRole::Citizen).await;
    let flow = world.start_usb_sign_in().await;
    let challenge = agent_challenge(&flow.view);
    let token = world.web_eid_token(CertificateRole::Citizen, ORIGIN, &challenge);
    let other_node = world.second_node().await;
    let refused = other_node
        .act(flow.view.id, &flow.binding, &world.client, answer(token))
        .await
        .unwrap();
    assert_problem(&refused.view, "method.not_offered");
    assert!(refused.session.is_none());
}

/// `Login`'s plain start (no tab chosen) still lists the USB token beside the password.
async fn the_usb_token_is_offered_beside_the_password(db: TestDb) {
    let world = World::with_certificates(db).await;
    let flow = world.start(FlowKind::Login).await;
    assert_eq!(
        flow.view.methods.first(),
        Some(&MethodKind::PasswordSms),
        "the portal's own first"
    );
    assert!(flow.view.methods.contains(&MethodKind::UsbToken));
    let chosen = world
        .act(
            &flow,
            Action::ChooseMethod {
                method: MethodKind::UsbToken,
            },
        )
        .await;
    assert_step(&chosen.view, "local_agent");
    // The running method comes first in the view (its tab is the current one), the others
    // after it.
    assert_eq!(chosen.view.methods.first(), Some(&MethodKind::UsbToken));
    assert!(chosen.view.methods.contains(&MethodKind::PasswordSms));
    let loa3 = world
        .engine
        .start_sign_in(SignInRequest {
            acr_preference: vec![AssuranceLevel::LoA3],
            ..SignInRequest::default()
        })
        .await
        .unwrap();
    // Every certificate method reaches LoA3: the token first, then the SIM and SmartCA.
    assert_eq!(
        loa3.view.methods,
        [
            MethodKind::UsbToken,
            MethodKind::SimPki,
            MethodKind::RemoteSigning
        ]
    );
    assert_step(&loa3.view, "local_agent");
    let sim = world
        .act(
            &loa3,
            Action::ChooseMethod {
                method: MethodKind::SimPki,
            },
        )
        .await;
    assert_step(&sim.view, "sim_phone");
    assert_eq!(
        sim.view.methods,
        [
            MethodKind::SimPki,
            MethodKind::UsbToken,
            MethodKind::RemoteSigning
        ]
    );
}

store::store_tests!(
    a_bound_certificate_signs_in_at_loa3,
    the_second_certificate_of_the_same_person_signs_in_too,
    a_business_certificate_signs_in_to_the_business_account,
    certificates_the_portal_must_refuse,
    an_unbound_certificate_is_refused_and_its_token_cannot_be_replayed,
    a_token_for_another_site_or_another_flow_is_refused,
    a_challenge_expires_after_five_minutes,
    revocation_fails_closed_and_falls_back_to_the_crl,
    a_binding_must_name_the_certificate_and_its_holder,
    a_locked_account_cannot_sign_in_with_its_certificate,
    step_up_from_loa2_to_loa3,
    step_up_refuses_another_persons_certificate,
    without_certificates_configured_the_method_is_not_offered,
    a_node_without_certificates_refuses_the_agents_answer,
    the_usb_token_is_offered_beside_the_password,
);
