//! The Web eID authentication token: the agent's signature over H(origin) ‖ H(nonce) with
//! the certificate's key, then the certificate's own checks.

use std::sync::Arc;

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256, RSA_PSS_SHA256,
    RsaEncoding, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pki::{CertIdentity, Refusal, RevocationConfig, TokenProblem, UsagePolicy, web_eid};
use rcgen::KeyPair;
use time::Duration;

use crate::support::*;

const ORIGIN: &str = "https://dichvucong.test";
const NONCE: &str = "12E3nIAhRBoqDZhNnqzwYvpVB9fmCu1Y2o3vd6bNAL0=";

/// A token as the agent makes it: ES256 over SHA-256(origin) ‖ SHA-256(nonce).
struct Agent {
    key: EcdsaKeyPair,
    certificate: Vec<u8>,
}

impl Agent {
    fn new(world: &World, leaf: Leaf) -> Self {
        let rcgen_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rcgen_key.serialize_der())
                .unwrap();
        let certificate = leaf
            .params()
            .signed_by(&rcgen_key, &world.ca.issuer())
            .unwrap()
            .der()
            .to_vec();
        assert_eq!(
            key.public_key().as_ref(),
            rcgen_key.public_key_raw(),
            "one key for both"
        );
        Self { key, certificate }
    }

    fn signature(&self, origin: &str, nonce: &str) -> Vec<u8> {
        self.key
            .sign(&SystemRandom::new(), &message(origin, nonce))
            .unwrap()
            .as_ref()
            .to_vec()
    }

    fn token_with(&self, algorithm: &str, format: &str, signature: &[u8]) -> String {
        token_json(&self.certificate, algorithm, format, signature)
    }

    fn token(&self, origin: &str, nonce: &str) -> String {
        self.token_with("ES256", "web-eid:1.0", &self.signature(origin, nonce))
    }
}

fn message(origin: &str, nonce: &str) -> Vec<u8> {
    let mut message = digest::digest(&digest::SHA256, origin.as_bytes())
        .as_ref()
        .to_vec();
    message.extend_from_slice(digest::digest(&digest::SHA256, nonce.as_bytes()).as_ref());
    message
}

fn token_json(certificate: &[u8], algorithm: &str, format: &str, signature: &[u8]) -> String {
    serde_json::json!({
        "unverifiedCertificate": STANDARD.encode(certificate),
        "algorithm": algorithm,
        "signature": STANDARD.encode(signature),
        "format": format,
        "appVersion": "https://web-eid.eu/web-eid-app/releases/2.5.0+0",
    })
    .to_string()
}

fn setup() -> (Arc<World>, pki::Validator, Agent) {
    let world = Arc::new(World::new());
    // The token carries no intermediates: the issuing CA is configured.
    let anchors = world
        .anchors()
        .with_intermediates_pem(world.ca.pem().as_bytes())
        .unwrap();
    let validator = pki::Validator::new(
        anchors,
        replying(&world, Reply::good()),
        Arc::new(domain::random::SeededRandomness::new(3)),
        RevocationConfig::default(),
    );
    let agent = Agent::new(&world, Leaf::default());
    (world, validator, agent)
}

async fn verify(validator: &pki::Validator, token: &str) -> Result<pki::ValidCertificate, Refusal> {
    web_eid::verify(token, ORIGIN, NONCE, validator, NOW, &UsagePolicy::any()).await
}

#[tokio::test]
async fn a_token_for_this_origin_and_nonce_signs_in() {
    let (_world, validator, agent) = setup();
    let valid = verify(&validator, &agent.token(ORIGIN, NONCE))
        .await
        .unwrap();
    assert!(matches!(valid.identity, CertIdentity::Citizen(ref id) if id.as_str() == CCCD));
    assert_eq!(valid.der, agent.certificate);
}

#[tokio::test]
async fn refusals() {
    let (_world, validator, agent) = setup();
    let signature = agent.signature(ORIGIN, NONCE);
    let mut tampered = signature.clone();
    tampered[5] ^= 0x01;
    let token = |problem| Err::<(), _>(Refusal::Token(problem));
    let cases: Vec<(&str, String, Result<(), Refusal>)> = vec![
        (
            "signed for another origin",
            agent.token("https://phishing.test", NONCE),
            token(TokenProblem::SignatureMismatch),
        ),
        (
            "origin with a trailing slash",
            agent.token("https://dichvucong.test/", NONCE),
            token(TokenProblem::SignatureMismatch),
        ),
        (
            "another nonce",
            agent.token(ORIGIN, "AAAAnIAhRBoqDZhNnqzwYvpVB9fmCu1Y2o3vd6bNAL0="),
            token(TokenProblem::SignatureMismatch),
        ),
        (
            "tampered signature",
            agent.token_with("ES256", "web-eid:1.0", &tampered),
            token(TokenProblem::SignatureMismatch),
        ),
        (
            "an algorithm that is not the key's",
            agent.token_with("ES384", "web-eid:1.0", &signature),
            token(TokenProblem::SignatureMismatch),
        ),
        (
            "unknown algorithm",
            agent.token_with("HS256", "web-eid:1.0", &signature),
            token(TokenProblem::UnsupportedAlgorithm),
        ),
        (
            "another format",
            agent.token_with("ES256", "web-eid:2.0", &signature),
            token(TokenProblem::UnsupportedFormat),
        ),
        (
            "not JSON",
            format!("{{{}", "x".repeat(200)),
            token(TokenProblem::Malformed),
        ),
        (
            "a field missing",
            serde_json::json!({
                "unverifiedCertificate": STANDARD.encode(&agent.certificate),
                "algorithm": "ES256",
                "format": "web-eid:1.0",
                "appVersion": "x",
            })
            .to_string(),
            token(TokenProblem::Malformed),
        ),
        (
            "too short",
            "{}".to_owned(),
            token(TokenProblem::Length { found: 2 }),
        ),
        (
            "too long",
            agent.token_with(
                "ES256",
                &format!("web-eid:1.0{}", " ".repeat(10_000)),
                &signature,
            ),
            Err(Refusal::Token(TokenProblem::Length { found: 0 })),
        ),
        (
            "certificate not base64",
            agent
                .token(ORIGIN, NONCE)
                .replace(&STANDARD.encode(&agent.certificate), "***"),
            token(TokenProblem::Malformed),
        ),
    ];
    for (name, token, expected) in cases {
        let outcome = verify(&validator, &token).await.map(|_| ());
        match (&outcome, &expected) {
            // The exact length of the long token does not matter.
            (
                Err(Refusal::Token(TokenProblem::Length { found })),
                Err(Refusal::Token(TokenProblem::Length { found: 0 })),
            ) => {
                assert!(*found > 10_000, "{name}: {found}")
            }
            _ => assert_eq!(outcome, expected, "{name}"),
        }
    }
}

#[tokio::test]
async fn a_good_signature_does_not_excuse_the_certificate() {
    let (world, validator, _) = setup();
    let expired = Agent::new(
        &world,
        Leaf {
            not_before: NOW - Duration::days(400),
            not_after: NOW - Duration::days(1),
            ..Leaf::default()
        },
    );
    let refusal = verify(&validator, &expired.token(ORIGIN, NONCE))
        .await
        .unwrap_err();
    assert_eq!(refusal.code(), "pki.expired");
}

#[tokio::test]
async fn rsa_tokens_in_pkcs1_and_pss_padding() {
    let (world, validator, _) = setup();
    let rcgen_key =
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
    let key = RsaKeyPair::from_pkcs8(&rcgen_key.serialize_der()).unwrap();
    let certificate = Leaf::default()
        .params()
        .signed_by(&rcgen_key, &world.ca.issuer())
        .unwrap()
        .der()
        .to_vec();
    let paddings: [(&str, &str, &'static dyn RsaEncoding); 2] = [
        ("RS256", "PS256", &RSA_PKCS1_SHA256),
        ("PS256", "RS256", &RSA_PSS_SHA256),
    ];
    for (algorithm, other, padding) in paddings {
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(
            padding,
            &SystemRandom::new(),
            &message(ORIGIN, NONCE),
            &mut signature,
        )
        .unwrap();
        let good = token_json(&certificate, algorithm, "web-eid:1.0", &signature);
        verify(&validator, &good)
            .await
            .unwrap_or_else(|e| panic!("{algorithm}: {e:?}"));
        // The same signature claimed with the other padding does not verify.
        let mislabelled = token_json(&certificate, other, "web-eid:1.0", &signature);
        assert_eq!(
            verify(&validator, &mislabelled).await.unwrap_err(),
            Refusal::Token(TokenProblem::SignatureMismatch),
            "{algorithm} as {other}"
        );
    }
}
