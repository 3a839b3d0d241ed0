//! A signing transaction (giao dịch ký): the hashes a relying service asked the person to sign,
//! shown in the app with their description and verification code, until the person approves
//! (the certificate's key signs each hash as given), refuses, or lets it expire.

use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use domain::PersonalId;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::RemoteSigningMode;
use crate::pki::{CertificateRole, IssuedCertificate};

/// How long the person has to answer in the app.
pub(crate) const LIFETIME: Duration = Duration::minutes(5);

/// Where a transaction stands, with SmartCA's `tranStatus` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionStatus {
    Waiting,
    Signed,
    Refused,
    Expired,
    /// The key could not sign (the sandbox runs without its certificate authorities).
    SignFailed,
}

impl TransactionStatus {
    pub fn code(self) -> u32 {
        match self {
            TransactionStatus::Signed => 1,
            TransactionStatus::Waiting => 4000,
            TransactionStatus::Expired => 4001,
            TransactionStatus::Refused => 4002,
            TransactionStatus::SignFailed => 4004,
        }
    }
}

/// A signing request as the person's app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteSigningRequest {
    pub tran_id: String,
    /// The relying service's own reference.
    pub ref_tran_id: String,
    pub description: String,
    /// `domain::digest::verification_code` of the first hash.
    pub verification_code: String,
    pub status: TransactionStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// What the relying service asked for (`csc/signature/signhash`).
#[derive(Debug, Clone)]
pub(crate) struct SignRequest {
    pub(crate) ref_tran_id: String,
    pub(crate) description: String,
    /// At least one.
    pub(crate) documents: Vec<Document>,
}

#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) name: String,
    pub(crate) hash: [u8; 32],
}

#[derive(Debug, Clone)]
enum Outcome {
    Waiting,
    /// One signature per document, in order.
    Signed(Vec<Vec<u8>>),
    Refused,
    Expired,
    SignFailed,
}

#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub(crate) id: String,
    pub(crate) ref_tran_id: String,
    pub(crate) user: PersonalId,
    pub(crate) credential: CertificateRole,
    pub(crate) credential_id: String,
    pub(crate) description: String,
    pub(crate) documents: Vec<Document>,
    verification_code: String,
    pub(crate) created: OffsetDateTime,
    expires: OffsetDateTime,
    outcome: Outcome,
    /// The app's answer when the request arrived in an automatic mode.
    automatic: Option<RemoteSigningMode>,
    /// Whether a status query has been answered (automatic answers wait for the first).
    polled: bool,
}

/// The DER ECDSA-Sig-Value of the certificate's key over `hash`, taken as the SHA-256 digest
/// (the remote key signs what it is given; it never sees the document).
fn sign_digest(issued: &IssuedCertificate, hash: &[u8; 32]) -> Option<Vec<u8>> {
    let key = rcgen::KeyPair::from_pem(&issued.key_pkcs8_pem).ok()?;
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key.serialize_der()).ok()?;
    let digest = Digest::import_less_safe(hash, &SHA256).ok()?;
    let signature = pair.sign_digest(&digest).ok()?;
    Some(signature.as_ref().to_vec())
}

impl Transaction {
    pub(crate) fn new(
        id: String,
        user: PersonalId,
        certificate: &IssuedCertificate,
        request: SignRequest,
        mode: RemoteSigningMode,
        now: OffsetDateTime,
    ) -> Self {
        let SignRequest {
            ref_tran_id,
            description,
            documents,
        } = request;
        let verification_code = documents
            .first()
            .map(|document| domain::digest::verification_code(&document.hash))
            .unwrap_or_default();
        Self {
            id,
            ref_tran_id,
            user,
            credential: certificate.role,
            credential_id: super::credential_id(certificate),
            description,
            documents,
            verification_code,
            created: now,
            expires: now + LIFETIME,
            outcome: Outcome::Waiting,
            automatic: (mode != RemoteSigningMode::Manual).then_some(mode),
            polled: false,
        }
    }

    pub(crate) fn status(&self) -> TransactionStatus {
        match self.outcome {
            Outcome::Waiting => TransactionStatus::Waiting,
            Outcome::Signed(_) => TransactionStatus::Signed,
            Outcome::Refused => TransactionStatus::Refused,
            Outcome::Expired => TransactionStatus::Expired,
            Outcome::SignFailed => TransactionStatus::SignFailed,
        }
    }

    /// The signatures, once signed.
    pub(crate) fn signatures(&self) -> Option<&[Vec<u8>]> {
        match &self.outcome {
            Outcome::Signed(signatures) => Some(signatures),
            _ => None,
        }
    }

    /// Expires a request left unanswered past its lifetime.
    fn settle(&mut self, now: OffsetDateTime) {
        if matches!(self.outcome, Outcome::Waiting) && now >= self.expires {
            self.outcome = Outcome::Expired;
        }
    }

    /// The person approved: each hash signed with `key` (`None`: the key is not available).
    pub(crate) fn approve(&mut self, key: Option<&IssuedCertificate>, now: OffsetDateTime) {
        self.settle(now);
        if !matches!(self.outcome, Outcome::Waiting) {
            return;
        }
        let signatures = key.and_then(|key| {
            self.documents
                .iter()
                .map(|document| sign_digest(key, &document.hash))
                .collect::<Option<Vec<_>>>()
        });
        self.outcome = match signatures {
            Some(signatures) => Outcome::Signed(signatures),
            None => Outcome::SignFailed,
        };
    }

    pub(crate) fn refuse(&mut self, now: OffsetDateTime) {
        self.settle(now);
        if matches!(self.outcome, Outcome::Waiting) {
            self.outcome = Outcome::Refused;
        }
    }

    /// A status query. In an automatic mode the app answers at the first query, which still
    /// reports waiting, so that the relying service's polling is exercised.
    pub(crate) fn poll(
        &mut self,
        key: Option<&IssuedCertificate>,
        now: OffsetDateTime,
    ) -> TransactionStatus {
        self.settle(now);
        let first = !self.polled;
        self.polled = true;
        let answer_now = self
            .automatic
            .filter(|_| first && matches!(self.outcome, Outcome::Waiting));
        let Some(mode) = answer_now else {
            return self.status();
        };
        match mode {
            RemoteSigningMode::Approve => self.approve(key, now),
            RemoteSigningMode::Refuse => self.refuse(now),
            RemoteSigningMode::Expire => self.outcome = Outcome::Expired,
            RemoteSigningMode::Manual => {}
        }
        TransactionStatus::Waiting
    }

    /// Waiting for the person at `now`.
    pub(crate) fn is_pending(&mut self, now: OffsetDateTime) -> bool {
        self.settle(now);
        matches!(self.outcome, Outcome::Waiting)
    }

    pub(crate) fn view(&self) -> RemoteSigningRequest {
        RemoteSigningRequest {
            tran_id: self.id.clone(),
            ref_tran_id: self.ref_tran_id.clone(),
            description: self.description.clone(),
            verification_code: self.verification_code.clone(),
            status: self.status(),
            created_at: self.created,
            expires_at: self.expires,
        }
    }
}
