//! The Web eID authentication token (`web-eid:1.0`): the local signing agent signs
//! M = H(origin) ‖ H(nonce) with the certificate's key. The token carries neither origin nor
//! nonce on purpose: the server rebuilds M from its configured origin and the nonce it stored,
//! so a valid signature proves both. Then the certificate goes through the [`Validator`].

use aws_lc_rs::digest::{self, Algorithm as Digest};
use aws_lc_rs::signature::{self as sig, VerificationAlgorithm};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::refusal::{Refusal, TokenProblem};
use crate::signature::{self, SignatureError};
use crate::{UsagePolicy, ValidCertificate, Validator, cert};

/// Token lengths Web eID's reference validator accepts, in characters.
const LENGTHS: std::ops::RangeInclusive<usize> = 100..=10_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    unverified_certificate: String,
    algorithm: String,
    signature: String,
    format: String,
    // Required by the format, though nothing is decided on it.
    #[serde(rename = "appVersion")]
    _app_version: String,
}

/// Verifies a Web eID authentication token against the portal's `expected_origin`
/// (`https://host[:port]`, no trailing slash) and the `nonce` the server issued for this
/// flow, then validates its certificate for `usage` at `at`.
pub async fn verify(
    token_json: &str,
    expected_origin: &str,
    nonce: &str,
    validator: &Validator,
    at: OffsetDateTime,
    usage: &UsagePolicy,
) -> Result<ValidCertificate, Refusal> {
    let refused = |problem| Refusal::Token(problem);
    let length = token_json.chars().count();
    if !LENGTHS.contains(&length) {
        return Err(refused(TokenProblem::Length { found: length }));
    }
    let token: Token =
        serde_json::from_str(token_json).map_err(|_| refused(TokenProblem::Malformed))?;
    if !(token.format == "web-eid:1" || token.format.starts_with("web-eid:1.")) {
        return Err(refused(TokenProblem::UnsupportedFormat));
    }
    let (hash, verifier) =
        algorithm(&token.algorithm).ok_or(refused(TokenProblem::UnsupportedAlgorithm))?;
    let der = STANDARD
        .decode(&token.unverified_certificate)
        .map_err(|_| refused(TokenProblem::Malformed))?;
    let signature_bytes = STANDARD
        .decode(&token.signature)
        .map_err(|_| refused(TokenProblem::Malformed))?;
    let certificate = cert::decode(&der, "certificate")?;

    let mut message = digest::digest(hash, expected_origin.as_bytes())
        .as_ref()
        .to_vec();
    message.extend_from_slice(digest::digest(hash, nonce.as_bytes()).as_ref());
    signature::verify_with(
        verifier,
        &certificate.tbs_certificate.subject_public_key_info,
        &message,
        &signature_bytes,
    )
    .map_err(|e| match e {
        SignatureError::Unsupported => refused(TokenProblem::UnsupportedAlgorithm),
        SignatureError::Invalid => refused(TokenProblem::SignatureMismatch),
    })?;

    validator.validate(&der, &[], usage, at).await
}

/// The hash of M's parts and the verifier of a JWS algorithm name. ECDSA signatures come in
/// JWS form, raw r ‖ s, hence the `_FIXED` verifiers.
fn algorithm(name: &str) -> Option<(&'static Digest, &'static dyn VerificationAlgorithm)> {
    Some(match name {
        "ES256" => (&digest::SHA256, &sig::ECDSA_P256_SHA256_FIXED),
        "ES384" => (&digest::SHA384, &sig::ECDSA_P384_SHA384_FIXED),
        "ES512" => (&digest::SHA512, &sig::ECDSA_P521_SHA512_FIXED),
        "RS256" => (&digest::SHA256, &sig::RSA_PKCS1_2048_8192_SHA256),
        "RS384" => (&digest::SHA384, &sig::RSA_PKCS1_2048_8192_SHA384),
        "RS512" => (&digest::SHA512, &sig::RSA_PKCS1_2048_8192_SHA512),
        "PS256" => (&digest::SHA256, &sig::RSA_PSS_2048_8192_SHA256),
        "PS384" => (&digest::SHA384, &sig::RSA_PSS_2048_8192_SHA384),
        "PS512" => (&digest::SHA512, &sig::RSA_PSS_2048_8192_SHA512),
        _ => return None,
    })
}
