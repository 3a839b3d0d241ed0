//! A signature over a hash the server chose, made by a PKI SIM or a remote signing service:
//! checked over the digest itself, then the certificate's own checks.

use std::sync::Arc;

use aws_lc_rs::digest::{self, Digest, SHA256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, RsaKeyPair};
use pki::signed_hash::{self, SignedHash};
use pki::{CertIdentity, Refusal, RevocationConfig, TokenProblem, UsagePolicy};
use rcgen::KeyPair;
use time::Duration;

use crate::support::*;

fn setup() -> (Arc<World>, Checker) {
    let world = Arc::new(World::new());
    let validator = validator(
        &world,
        replying(&world, Reply::good()),
        RevocationConfig::default(),
    );
    // The signer presents its issuing CA, as the MSSP and SmartCA return the chain.
    let chain = vec![world.ca.der.clone()];
    (world, Checker { validator, chain })
}

struct Checker {
    validator: pki::Validator,
    chain: Vec<Vec<u8>>,
}

fn hash_of(text: &str) -> [u8; 32] {
    digest::digest(&SHA256, text.as_bytes())
        .as_ref()
        .try_into()
        .unwrap()
}

/// A P-256 key that signs digests as a SIM does (DER ECDSA), and its certificate.
fn ec_signer(world: &World, leaf: Leaf) -> (EcdsaKeyPair, Vec<u8>) {
    let rcgen_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rcgen_key.serialize_der())
        .unwrap();
    let certificate = leaf
        .params()
        .signed_by(&rcgen_key, &world.ca.issuer())
        .unwrap()
        .der()
        .to_vec();
    (key, certificate)
}

fn ec_sign(key: &EcdsaKeyPair, hash: &[u8; 32]) -> Vec<u8> {
    let digest = Digest::import_less_safe(hash, &SHA256).unwrap();
    key.sign_digest(&digest).unwrap().as_ref().to_vec()
}

async fn check(
    checker: &Checker,
    hash: &[u8; 32],
    signature: &[u8],
    certificate: &[u8],
) -> Result<pki::ValidCertificate, Refusal> {
    let signed = SignedHash {
        hash,
        signature,
        certificate,
        chain: &checker.chain,
    };
    signed_hash::verify(signed, &checker.validator, NOW, &UsagePolicy::any()).await
}

#[tokio::test]
async fn an_ec_signature_over_the_hash_proves_the_certificate_holder() {
    let (world, validator) = setup();
    let (key, certificate) = ec_signer(&world, Leaf::default());
    let hash = hash_of("challenge");
    let valid = check(&validator, &hash, &ec_sign(&key, &hash), &certificate)
        .await
        .unwrap();
    assert!(matches!(valid.identity, CertIdentity::Citizen(_)));
}

#[tokio::test]
async fn a_signature_over_another_hash_or_by_another_key_is_refused() {
    let (world, validator) = setup();
    let (key, certificate) = ec_signer(&world, Leaf::default());
    let (other_key, _) = ec_signer(&world, Leaf::default());
    let hash = hash_of("challenge");
    let mismatch = Refusal::Token(TokenProblem::SignatureMismatch);

    let other_hash = ec_sign(&key, &hash_of("another challenge"));
    assert_eq!(
        check(&validator, &hash, &other_hash, &certificate)
            .await
            .unwrap_err(),
        mismatch
    );
    let other_signer = ec_sign(&other_key, &hash);
    assert_eq!(
        check(&validator, &hash, &other_signer, &certificate)
            .await
            .unwrap_err(),
        mismatch
    );
    assert_eq!(
        check(&validator, &hash, b"not a signature", &certificate)
            .await
            .unwrap_err(),
        mismatch
    );
    let garbage = check(
        &validator,
        &hash,
        &ec_sign(&key, &hash),
        b"not a certificate",
    )
    .await;
    assert_eq!(garbage.unwrap_err().code(), "pki.malformed");
}

#[tokio::test]
async fn an_rsa_signature_over_the_digest_info_verifies() {
    let (world, validator) = setup();
    let rcgen_key =
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
    let key = RsaKeyPair::from_pkcs8(&rcgen_key.serialize_der()).unwrap();
    let certificate = Leaf::default()
        .params()
        .signed_by(&rcgen_key, &world.ca.issuer())
        .unwrap()
        .der()
        .to_vec();
    let hash = hash_of("challenge");
    let mut signature = vec![0; key.public_modulus_len()];
    let digest = Digest::import_less_safe(&hash, &SHA256).unwrap();
    key.sign_digest(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &digest,
        &mut signature,
    )
    .unwrap();
    check(&validator, &hash, &signature, &certificate)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_good_signature_does_not_excuse_the_certificate() {
    let (world, validator) = setup();
    let (key, certificate) = ec_signer(
        &world,
        Leaf {
            not_before: NOW - Duration::days(400),
            not_after: NOW - Duration::days(1),
            ..Leaf::default()
        },
    );
    let hash = hash_of("challenge");
    let refusal = check(&validator, &hash, &ec_sign(&key, &hash), &certificate)
        .await
        .unwrap_err();
    assert_eq!(refusal.code(), "pki.expired");
}
