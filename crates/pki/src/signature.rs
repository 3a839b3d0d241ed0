//! Checks a signature over DER data (a certificate's, an OCSP response's, a CRL's) with the
//! signer's public key, for the algorithms CAs use: RSA PKCS#1 v1.5 and ECDSA with SHA-2, and
//! Ed25519. SHA-1 signatures are refused.

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use der::asn1::{BitString, ObjectIdentifier};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::oid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The algorithm, or the combination of algorithm and key, is not one we accept.
    Unsupported,
    Invalid,
}

/// Verifies `signature` by `signer` over `message` with the X.509 `algorithm`.
pub(crate) fn verify_signed(
    signer: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &BitString,
) -> Result<(), SignatureError> {
    let verifier = verifier_for(signer, algorithm.oid)?;
    let signature = signature.as_bytes().ok_or(SignatureError::Invalid)?;
    verify_with(verifier, signer, message, signature)
}

/// Verifies with an aws-lc-rs algorithm chosen by the caller (the Web eID token names its own).
pub(crate) fn verify_with(
    verifier: &'static dyn VerificationAlgorithm,
    signer: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let key = signer
        .subject_public_key
        .as_bytes()
        .ok_or(SignatureError::Invalid)?;
    UnparsedPublicKey::new(verifier, key)
        .verify(message, signature)
        .map_err(|_| SignatureError::Invalid)
}

fn verifier_for(
    signer: &SubjectPublicKeyInfoOwned,
    algorithm: ObjectIdentifier,
) -> Result<&'static dyn VerificationAlgorithm, SignatureError> {
    let key_type = signer.algorithm.oid;
    if key_type == oid::RSA_ENCRYPTION {
        return match algorithm {
            a if a == oid::SHA256_WITH_RSA => Ok(&sig::RSA_PKCS1_2048_8192_SHA256),
            a if a == oid::SHA384_WITH_RSA => Ok(&sig::RSA_PKCS1_2048_8192_SHA384),
            a if a == oid::SHA512_WITH_RSA => Ok(&sig::RSA_PKCS1_2048_8192_SHA512),
            _ => Err(SignatureError::Unsupported),
        };
    }
    if key_type == oid::EC_PUBLIC_KEY {
        let curve = signer
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or(SignatureError::Unsupported)?;
        return match (curve, algorithm) {
            (c, a) if c == oid::CURVE_P256 && a == oid::ECDSA_WITH_SHA256 => {
                Ok(&sig::ECDSA_P256_SHA256_ASN1)
            }
            (c, a) if c == oid::CURVE_P256 && a == oid::ECDSA_WITH_SHA384 => {
                Ok(&sig::ECDSA_P256_SHA384_ASN1)
            }
            (c, a) if c == oid::CURVE_P384 && a == oid::ECDSA_WITH_SHA256 => {
                Ok(&sig::ECDSA_P384_SHA256_ASN1)
            }
            (c, a) if c == oid::CURVE_P384 && a == oid::ECDSA_WITH_SHA384 => {
                Ok(&sig::ECDSA_P384_SHA384_ASN1)
            }
            (c, a) if c == oid::CURVE_P521 && a == oid::ECDSA_WITH_SHA512 => {
                Ok(&sig::ECDSA_P521_SHA512_ASN1)
            }
            _ => Err(SignatureError::Unsupported),
        };
    }
    if key_type == oid::ED25519 && algorithm == oid::ED25519 {
        return Ok(&sig::ED25519);
    }
    Err(SignatureError::Unsupported)
}
