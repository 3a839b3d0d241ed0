//! The whole check of a certificate for sign-in, in order: readable, valid at the time given,
//! a path to a trust anchor, key usage and policies fit the method, an identity in the
//! subject, and not revoked (the network is asked last).

use std::sync::Arc;

use domain::random::Randomness;
use time::OffsetDateTime;

use crate::identity::{self, CertIdentity};
use crate::refusal::Refusal;
use crate::revocation::{CheckedBy, RevocationChecker, RevocationConfig, RevocationFetcher};
use crate::usage::{self, UsagePolicy};
use crate::{TrustAnchors, cert, path};

/// A certificate that passed every check, with what sign-in and binding need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCertificate {
    /// The subject DN (RFC 4514 text).
    pub subject: String,
    /// The issuer DN (RFC 4514 text).
    pub issuer: String,
    /// The serial number, uppercase hex; with `issuer` it names the certificate.
    pub serial_hex: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// SHA-256 of the SubjectPublicKeyInfo: the key an account is bound to, which survives
    /// the renewal of a certificate for the same key.
    pub spki_sha256: [u8; 32],
    pub identity: CertIdentity,
    pub common_name: Option<String>,
    pub revocation: CheckedBy,
    /// The certificate itself (DER).
    pub der: Vec<u8>,
}

/// Validates certificates against the trust anchors, with revocation through a fetcher.
pub struct Validator {
    anchors: TrustAnchors,
    revocation: RevocationChecker,
}

impl Validator {
    /// `randomness` makes the OCSP nonces.
    pub fn new(
        anchors: TrustAnchors,
        fetcher: Arc<dyn RevocationFetcher>,
        randomness: Arc<dyn Randomness>,
        config: RevocationConfig,
    ) -> Self {
        Self {
            anchors,
            revocation: RevocationChecker::new(fetcher, randomness, config),
        }
    }

    /// Checks the DER certificate `der`, with the intermediates its holder presented, for a
    /// sign-in method's `usage`, at `at`.
    pub async fn validate(
        &self,
        der: &[u8],
        presented_intermediates: &[Vec<u8>],
        usage: &UsagePolicy,
        at: OffsetDateTime,
    ) -> Result<ValidCertificate, Refusal> {
        let certificate = cert::decode(der, "certificate")?;
        let issuer = path::validate(
            &self.anchors,
            &certificate,
            der,
            presented_intermediates,
            at,
        )?;
        usage::check(&certificate, usage)?;
        let (identity, common_name) = identity::read(&certificate.tbs_certificate.subject)?;
        let revocation = self.revocation.check(&certificate, &issuer, at).await?;

        let malformed = Refusal::Malformed {
            part: "certificate validity",
        };
        Ok(ValidCertificate {
            subject: certificate.tbs_certificate.subject.to_string(),
            issuer: certificate.tbs_certificate.issuer.to_string(),
            serial_hex: cert::serial_hex(&certificate),
            not_before: cert::not_before(&certificate).ok_or_else(|| malformed.clone())?,
            not_after: cert::not_after(&certificate).ok_or(malformed)?,
            spki_sha256: cert::spki_sha256(&certificate)?,
            identity,
            common_name,
            revocation,
            der: der.to_vec(),
        })
    }
}
