//! The sandbox SmartCA without HTTP: sign-in, the app's automatic answers, expiry, signatures.

use std::sync::Arc;

use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use der::Decode;
use domain::ManualClock;
use domain::digest::{encode_token, sha256};
use time::macros::datetime;
use url::Url;

use super::transactions::{Document, SignRequest, Transaction};
use super::*;
use crate::SyntheticPeople;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn sandbox(clock: Arc<ManualClock>) -> Sandbox {
    Sandbox::new(SyntheticPeople::generate(2024, 300))
        .with_clock(clock)
        .with_pki(&"http://127.0.0.1:8080/".parse().unwrap())
        .unwrap()
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(datetime!(2026-03-01 08:00 UTC)))
}

fn authorize_url(challenge: &str, method: &str) -> Url {
    let mut url: Url = "http://127.0.0.1:8080/sandbox/smartca/auth/authorize"
        .parse()
        .unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", SMARTCA_CLIENT_ID)
        .append_pair("redirect_uri", "http://127.0.0.1:9/cb")
        .append_pair("scope", "sign offline_access")
        .append_pair("state", "s1")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", method);
    url
}

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn remote_user(sandbox: &Sandbox) -> (PersonalId, &IssuedCertificate) {
    let issued = sandbox
        .pki()
        .unwrap()
        .certificate(CertificateRole::RemoteCitizen)
        .unwrap();
    let Holder::Citizen { personal_id, .. } = &issued.holder else {
        panic!("a remote certificate belongs to a person");
    };
    (personal_id.clone(), issued)
}

fn request(hash: [u8; 32]) -> SignRequest {
    SignRequest {
        ref_tran_id: "ref-1".into(),
        description: "Đăng nhập Cổng DVC".into(),
        documents: vec![Document {
            name: "ref-1".into(),
            hash,
        }],
    }
}

fn verifies(issued: &IssuedCertificate, hash: &[u8; 32], signature: &[u8]) -> bool {
    let cert = x509_cert::Certificate::from_der(&issued.der).unwrap();
    let key = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let digest = Digest::import_less_safe(hash, &SHA256).unwrap();
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key)
        .verify_digest(&digest, signature)
        .is_ok()
}

#[test]
fn the_pkce_check_follows_rfc_7636_appendix_b() {
    assert_eq!(
        encode_token(&sha256(VERIFIER.as_bytes())),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    assert!(oauth::verifier_matches(VERIFIER, challenge));
    assert!(!oauth::verifier_matches(
        &VERIFIER.replace('d', "e"),
        challenge
    ));
    // Too short for RFC 7636, even if it hashed right.
    assert!(!oauth::verifier_matches(
        "abc",
        &encode_token(&sha256(b"abc"))
    ));
}

#[test]
fn users_are_the_remote_holders_and_one_person_without_a_certificate() {
    let sandbox = sandbox(clock());
    let users = sandbox.smartca_users();
    let with: Vec<_> = users.iter().filter_map(|user| user.certificate).collect();
    assert_eq!(
        with.iter().map(|issued| issued.role).collect::<Vec<_>>(),
        [
            CertificateRole::RemoteCitizen,
            CertificateRole::RemoteCitizenRevoked
        ]
    );
    let without = users
        .iter()
        .find(|user| user.certificate.is_none())
        .unwrap();
    let person = sandbox.people().demo(SMARTCA_NO_CREDENTIAL).unwrap();
    assert_eq!(without.personal_id, &person.personal_id);

    // Without the certificate authorities only the person without a certificate remains.
    let bare = Sandbox::new(SyntheticPeople::generate(2024, 300));
    let users = bare.smartca_users();
    assert_eq!(users.len(), 1);
    assert!(users.iter().all(|user| user.certificate.is_none()));
}

#[test]
fn the_sign_in_step_gives_a_code_or_says_why_not() {
    let sandbox = sandbox(clock());
    let (user, _) = remote_user(&sandbox);
    let challenge = encode_token(&sha256(VERIFIER.as_bytes()));
    let url = authorize_url(&challenge, "S256");

    let redirect = sandbox
        .smartca_sign_in(&url, user.as_str(), SMARTCA_PASSWORD)
        .unwrap();
    assert_eq!(redirect.path(), "/cb");
    assert_eq!(query(&redirect, "state").as_deref(), Some("s1"));
    assert_eq!(query(&redirect, "code").unwrap().len(), 43);

    assert_eq!(
        sandbox.smartca_sign_in(&url, user.as_str(), "wrong"),
        Err(SignInRefused::WrongCredentials)
    );
    assert_eq!(
        sandbox.smartca_sign_in(&url, "001090000000", SMARTCA_PASSWORD),
        Err(SignInRefused::WrongCredentials)
    );
    // A plain challenge goes back to the relying service as an error.
    let plain = sandbox
        .smartca_sign_in(
            &authorize_url(&challenge, "plain"),
            user.as_str(),
            SMARTCA_PASSWORD,
        )
        .unwrap();
    assert_eq!(query(&plain, "error").as_deref(), Some("invalid_request"));
    assert_eq!(query(&plain, "code"), None);
    // An unknown client never goes back.
    let other = Url::parse(&url.as_str().replace(SMARTCA_CLIENT_ID, "someone")).unwrap();
    assert!(matches!(
        sandbox.smartca_sign_in(&other, user.as_str(), SMARTCA_PASSWORD),
        Err(SignInRefused::InvalidRequest(_))
    ));
}

#[test]
fn an_approved_request_is_signed_with_the_certificates_key_over_the_hash() {
    let clock = clock();
    let sandbox = sandbox(Arc::clone(&clock));
    let (user, issued) = remote_user(&sandbox);
    let hash = sha256(b"to be signed");
    let now = sandbox.now();
    let mut transaction = Transaction::new(
        "t1".into(),
        user,
        issued,
        request(hash),
        RemoteSigningMode::Approve,
        now,
    );
    assert_eq!(
        transaction.view().verification_code,
        domain::digest::verification_code(&hash)
    );
    // The automatic answer comes at the first query, which still says waiting.
    assert_eq!(
        transaction.poll(Some(issued), now),
        TransactionStatus::Waiting
    );
    assert_eq!(
        transaction.poll(Some(issued), now),
        TransactionStatus::Signed
    );
    let signature = transaction.signatures().unwrap().first().unwrap().clone();
    assert!(verifies(issued, &hash, &signature));
    assert!(!verifies(issued, &sha256(b"other"), &signature));
}

#[test]
fn automatic_refusal_and_expiry_and_a_manual_request_left_too_long() {
    let clock = clock();
    let sandbox = sandbox(Arc::clone(&clock));
    let (user, issued) = remote_user(&sandbox);
    let now = sandbox.now();
    let hash = sha256(b"x");
    for (mode, end) in [
        (RemoteSigningMode::Refuse, TransactionStatus::Refused),
        (RemoteSigningMode::Expire, TransactionStatus::Expired),
    ] {
        let mut transaction =
            Transaction::new("t".into(), user.clone(), issued, request(hash), mode, now);
        assert_eq!(
            transaction.poll(Some(issued), now),
            TransactionStatus::Waiting
        );
        assert_eq!(transaction.poll(Some(issued), now), end);
    }

    let mut manual = Transaction::new(
        "t".into(),
        user,
        issued,
        request(hash),
        RemoteSigningMode::Manual,
        now,
    );
    assert_eq!(manual.poll(Some(issued), now), TransactionStatus::Waiting);
    assert_eq!(manual.poll(Some(issued), now), TransactionStatus::Waiting);
    clock.advance(transactions::LIFETIME);
    let later = sandbox.now();
    assert!(!manual.is_pending(later));
    manual.approve(Some(issued), later);
    assert_eq!(manual.poll(Some(issued), later), TransactionStatus::Expired);
}

#[test]
fn without_the_key_an_approval_fails_to_sign() {
    let sandbox = sandbox(clock());
    let (user, issued) = remote_user(&sandbox);
    let now = sandbox.now();
    let mut transaction = Transaction::new(
        "t".into(),
        user,
        issued,
        request(sha256(b"x")),
        RemoteSigningMode::Manual,
        now,
    );
    transaction.approve(None, now);
    assert_eq!(transaction.status(), TransactionStatus::SignFailed);
    assert_eq!(transaction.status().code(), 4004);
}
