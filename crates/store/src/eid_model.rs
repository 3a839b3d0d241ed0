//! The records of the national eID provider (VNeID): e-ID applications (hồ sơ đăng ký tài khoản
//! định danh điện tử) and what an activation adds to an account besides its password — the
//! passcode and the answers to security questions, all as hashes.

pub use domain::EidLevel;
use domain::{Gender, PersonalId, PhoneNumber};
use time::{Date, OffsetDateTime};

use crate::model::{AuditContext, NewAccount};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    /// Registered, waiting for the police to approve it.
    Pending,
    /// Approved: the person may activate the account (SPEC V1, V2).
    Approved,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        match stored {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            _ => None,
        }
    }
}

/// An e-ID application as registered (`eid_applications`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EidApplication {
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub phone: PhoneNumber,
    pub level: EidLevel,
    pub status: ApplicationStatus,
    /// The Argon2id hash of the password of the app account the person had before; activation
    /// keeps it and skips the password step.
    pub prior_password_phc: Option<String>,
    pub created_at: OffsetDateTime,
    pub approved_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewEidApplication {
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub phone: PhoneNumber,
    pub level: EidLevel,
    pub prior_password_phc: Option<String>,
}

/// Which secret of `eid_secrets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EidSecretKind {
    /// The 6-digit passcode (key '').
    Passcode,
    /// The answer to one security question (key = the question's id).
    SecurityAnswer,
}

impl EidSecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passcode => "passcode",
            Self::SecurityAnswer => "security_answer",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        match stored {
            "passcode" => Some(Self::Passcode),
            "security_answer" => Some(Self::SecurityAnswer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EidSecret {
    pub kind: EidSecretKind,
    pub key: String,
    /// Only ever a hash.
    pub secret: String,
}

/// Everything the last activation step writes, in one transaction: the account (with its
/// phone and password), its passcode and answers; the flow goes.
#[derive(Debug, Clone)]
pub struct EidActivation {
    pub account: NewAccount,
    pub secrets: Vec<EidSecret>,
    pub flow_id: uuid::Uuid,
    pub audit: AuditContext,
}

/// The sign-in lock of an eID account after a wrong password or passcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EidLockout {
    /// Consecutive failures since the last success or lock.
    pub failures: i32,
    /// Locked until this instant (after `max_failures` in a row).
    pub locked_until: Option<OffsetDateTime>,
}
