//! Vietnam Post (Bưu điện Việt Nam, SPEC R4, S5): a registration waiting for its e-mail link,
//! and the identity proofing an account records — by whom the person was proven, at which
//! level, and, once postal staff checked the card in person, what they saw.

use domain::{AssuranceLevel, Email, PhoneNumber, RegistrationChannel};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::{AccountId, AuditContext, Identity};

/// A registration whose holder chose activation by an e-mail link (`post_activations`).
#[derive(Debug, Clone)]
pub struct NewPostActivation {
    /// Named in the link beside the token, so a token only ever opens its own registration.
    pub id: Uuid,
    /// SHA-256 of the link's token; the token itself is never stored.
    pub token_hash: [u8; 32],
    pub identity: Identity,
    pub phone: PhoneNumber,
    pub email: Email,
    pub password_phc: String,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostActivation {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub identity: Identity,
    pub phone: PhoneNumber,
    pub email: Email,
    pub password_phc: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

/// How an account's person was proven (`identity_proofing`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProofing {
    pub account_id: AccountId,
    /// The channel that proved the person (`vietnam_post`).
    pub source: RegistrationChannel,
    pub level: AssuranceLevel,
    pub recorded_at: OffsetDateTime,
    /// Set when postal staff checked the person's card at a counter.
    pub counter: Option<CounterCheck>,
}

/// What postal staff recorded when they checked the person's card in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterCheck {
    pub at: OffsetDateTime,
    /// The operator, by name.
    pub by: String,
    /// The number of the document they saw (CCCD or passport).
    pub document_number: String,
    pub note: String,
}

/// A counter proofing to record: audited with `audit.actor` as the operator.
#[derive(Debug, Clone)]
pub struct CounterProof {
    pub account: AccountId,
    pub operator: String,
    pub document_number: String,
    pub note: String,
    pub audit: AuditContext,
}
