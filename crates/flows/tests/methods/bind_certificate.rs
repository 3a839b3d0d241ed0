//! Gắn / gỡ chứng thư số on the account pages: a person binds another certificate of their own
//! by signing with it, and removes one with the password again (or, on an account made by
//! certificate, never the last); the OTP phone is told of both.

use domain::CredentialKind;
use flows::{Action, Done, FlowKind, Outcome, Started, Step};
use sandbox::pki::CertificateRole;
use store::testing::TestDb;
use store::{AccountId, AuditKind};

use crate::PASSWORD;
use crate::harness::certificates::{Binding, ORIGIN, agent_challenge};
use crate::harness::{World, assert_problem};

async fn start_binding(world: &World, account: AccountId) -> Started {
    world
        .engine
        .start(
            FlowKind::BindCertificate,
            None,
            Some(account),
            &world.client,
        )
        .await
        .unwrap()
}

async fn sign(world: &World, flow: &Started, role: CertificateRole) -> Outcome {
    let view = world
        .engine
        .view(flow.view.id, &flow.binding)
        .await
        .unwrap();
    let token = world.web_eid_token(role, ORIGIN, &agent_challenge(&view));
    world.act(flow, Action::AgentResponse { token }).await
}

fn certificate_keys(credentials: &[store::Credential]) -> Vec<String> {
    credentials
        .iter()
        .filter(|held| held.kind == CredentialKind::Certificate)
        .map(|held| held.key.clone())
        .collect()
}

async fn a_person_binds_their_own_certificate_and_is_told(db: TestDb) {
    let world = World::with_certificates(db).await;
    let person = world.certificate_holder(CertificateRole::Citizen);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    let texts_before = world.sms_count(&person.phone);

    // Another person's certificate is refused; so is one bound elsewhere.
    let flow = start_binding(&world, account).await;
    let other = sign(&world, &flow, CertificateRole::CitizenCmnd12).await;
    assert_problem(&other.view, "certificate.other_holder");
    let someone = world.holder_account(CertificateRole::Business).await;
    let binding = Binding::of(&world.certificate(CertificateRole::Citizen));
    world.bind_certificate_as(someone, &binding).await;
    let taken = sign(&world, &flow, CertificateRole::Citizen).await;
    assert_problem(&taken.view, "certificate.already_bound");

    let bound = sign(&world, &flow, CertificateRole::CitizenSecond).await;
    assert!(matches!(
        bound.view.step,
        Step::Done {
            result: Done::CertificateBound
        }
    ));
    let credentials = world.db.store.credentials(account).await.unwrap();
    let second = Binding::of(&world.certificate(CertificateRole::CitizenSecond));
    assert_eq!(certificate_keys(&credentials), [second.key]);
    assert_eq!(
        world.sms_count(&person.phone),
        texts_before + 1,
        "the phone is told"
    );
    let trail = world.db.store.audit_of_account(account, 5).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|event| event.kind == AuditKind::CredentialAdded)
    );
}

async fn removing_a_certificate_asks_the_password_and_keeps_a_way_in(db: TestDb) {
    let world = World::with_certificates(db).await;
    let accounts = world.engine.accounts();

    // An account with a password: the password again.
    let person = world.certificate_holder(CertificateRole::Citizen);
    world.register(&person, PASSWORD).await;
    let account = world.account_id(&person).await;
    world
        .bind_certificate(account, CertificateRole::Citizen)
        .await;
    let key = Binding::of(&world.certificate(CertificateRole::Citizen)).key;
    let client = &world.client;
    let refused =
        |password: &'static str| accounts.unbind_certificate(account, &key, password, client);
    assert_eq!(
        refused("").await.unwrap().unwrap_err().code,
        "field.required"
    );
    assert_eq!(
        refused("sai").await.unwrap().unwrap_err().code,
        "password.wrong"
    );
    let unknown = accounts
        .unbind_certificate(account, "00", PASSWORD, client)
        .await
        .unwrap();
    assert_eq!(unknown.unwrap_err().code, "certificate.unknown");
    let texts_before = world.sms_count(&person.phone);
    accounts
        .unbind_certificate(account, &key, PASSWORD, client)
        .await
        .unwrap()
        .unwrap();
    let credentials = world.db.store.credentials(account).await.unwrap();
    assert!(certificate_keys(&credentials).is_empty());
    assert_eq!(
        world.sms_count(&person.phone),
        texts_before + 1,
        "the phone is told"
    );
    let trail = world.db.store.audit_of_account(account, 5).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|event| event.kind == AuditKind::CredentialRemoved)
    );

    // An account made by certificate (no password): never its last certificate.
    let business = world.holder_account(CertificateRole::Business).await;
    world
        .bind_certificate(business, CertificateRole::Business)
        .await;
    let only = Binding::of(&world.certificate(CertificateRole::Business)).key;
    let last = accounts
        .unbind_certificate(business, &only, "", client)
        .await
        .unwrap();
    assert_eq!(last.unwrap_err().code, "certificate.last");
    let credentials = world.db.store.credentials(business).await.unwrap();
    assert_eq!(certificate_keys(&credentials), [only]);
}

store::store_tests!(
    a_person_binds_their_own_certificate_and_is_told,
    removing_a_certificate_asks_the_password_and_keeps_a_way_in,
);
