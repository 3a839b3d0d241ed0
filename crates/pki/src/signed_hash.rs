//! A signature made away from the browser over a hash the server chose — by a PKI SIM through
//! the carrier's mobile signature service, or by a remote signing service — and the
//! certificate that made it. The signer only ever sees the hash, so the signature is checked
//! over the hash itself (prehashed): ECDSA over the digest, or RSA PKCS#1 v1.5 over its
//! DigestInfo. Then the certificate goes through the [`Validator`] like any other.

use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use der::asn1::ObjectIdentifier;
use time::OffsetDateTime;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::refusal::{Refusal, TokenProblem};
use crate::{UsagePolicy, ValidCertificate, Validator, cert, oid};

/// What the signer sent back for the hash the server asked it to sign.
#[derive(Debug, Clone, Copy)]
pub struct SignedHash<'a> {
    /// The SHA-256 hash the server chose and kept.
    pub hash: &'a [u8; 32],
    pub signature: &'a [u8],
    /// The signer's certificate, DER.
    pub certificate: &'a [u8],
    /// Intermediates the signer presented, DER.
    pub chain: &'a [Vec<u8>],
}

/// Checks that the certificate's key signed the hash, then validates the certificate for
/// `usage` at `at`.
pub async fn verify(
    signed: SignedHash<'_>,
    validator: &Validator,
    at: OffsetDateTime,
    usage: &UsagePolicy,
) -> Result<ValidCertificate, Refusal> {
    let certificate = cert::decode(signed.certificate, "certificate")?;
    let spki = &certificate.tbs_certificate.subject_public_key_info;
    let verifier = verifier_for(spki).ok_or(Refusal::Token(TokenProblem::UnsupportedAlgorithm))?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or(Refusal::Token(TokenProblem::Malformed))?;
    let digest = Digest::import_less_safe(signed.hash, &SHA256)
        .map_err(|_| Refusal::Token(TokenProblem::Malformed))?;
    UnparsedPublicKey::new(verifier, key)
        .verify_digest(&digest, signed.signature)
        .map_err(|_| Refusal::Token(TokenProblem::SignatureMismatch))?;
    validator
        .validate(signed.certificate, signed.chain, usage, at)
        .await
}

/// The verifier for a SHA-256 digest signed with this key: the form SIMs and remote signing
/// services produce (DER ECDSA signatures, RSA PKCS#1 v1.5).
fn verifier_for(spki: &SubjectPublicKeyInfoOwned) -> Option<&'static dyn VerificationAlgorithm> {
    if spki.algorithm.oid == oid::RSA_ENCRYPTION {
        return Some(&sig::RSA_PKCS1_2048_8192_SHA256);
    }
    if spki.algorithm.oid != oid::EC_PUBLIC_KEY {
        return None;
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|parameters| parameters.decode_as::<ObjectIdentifier>().ok())?;
    match curve {
        c if c == oid::CURVE_P256 => Some(&sig::ECDSA_P256_SHA256_ASN1),
        c if c == oid::CURVE_P384 => Some(&sig::ECDSA_P384_SHA256_ASN1),
        _ => None,
    }
}
