//! The records the store keeps. Identifiers are domain types: what comes out of the store has
//! been parsed again, so a corrupted row is an error rather than a wrong answer.

use domain::{
    AccountKind, AccountStatus, AssuranceLevel, CredentialKind, Email, Gender, LegacyCmnd,
    PersonalId, PhoneNumber, RegistrationChannel, TaxCode,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub Uuid);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub identity: Identity,
    pub email: Option<Email>,
    pub status: AccountStatus,
    pub registration_channel: RegistrationChannel,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Who the account belongs to, as proven at registration or refreshed from the population
/// database (SPEC L3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub personal_id: Option<PersonalId>,
    pub legacy_cmnd: Option<LegacyCmnd>,
    pub tax_code: Option<TaxCode>,
    pub full_name: String,
    pub birth_date: Option<Date>,
    pub gender: Option<Gender>,
}

/// Everything a registration writes, in one transaction (SPEC R8: nothing half-created).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub kind: AccountKind,
    pub identity: Identity,
    pub email: Option<Email>,
    pub registration_channel: RegistrationChannel,
    pub default_phone: Option<PhoneNumber>,
    pub password_phc: Option<String>,
    pub audit: AuditContext,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPhone {
    pub phone: PhoneNumber,
    pub is_default: bool,
    pub added_at: OffsetDateTime,
}

impl AccountPhone {
    /// The phone an `otp_phone` credential is (`None` for other kinds).
    pub fn of(credential: &Credential) -> Option<crate::Result<Self>> {
        (credential.kind == CredentialKind::OtpPhone).then(|| {
            let phone = crate::convert::parsed(
                "credentials",
                "key",
                credential.key.clone(),
                PhoneNumber::parse,
            )?;
            Ok(Self {
                phone,
                is_default: credential.is_default,
                added_at: credential.created_at,
            })
        })
    }
}

/// Something an account signs in or proves itself with (`credentials` table), without its
/// secret: the password hash is read only by `CredentialStore::password_phc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub account_id: AccountId,
    pub kind: CredentialKind,
    /// What tells two credentials of a kind apart: '' for the password, the E.164 number of a
    /// phone, a certificate's fingerprint, "issuer subject" of a federated identity.
    pub key: String,
    /// The public part (a certificate's subject, a federated identity's level).
    pub public_data: serde_json::Value,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewCredential {
    pub kind: CredentialKind,
    pub key: String,
    pub public_data: serde_json::Value,
    /// A hash or a sealed value, never a secret in the clear.
    pub secret: Option<String>,
}

/// A change a flow step makes besides its own state; `FlowStore::save_step` commits the
/// state and every write of the step in one transaction.
#[derive(Debug, Clone)]
pub enum StepWrite {
    /// A signed-in session (the token's digest only).
    OpenSession(NewSession),
    Audit(NewAuditEvent),
    /// The accepted OTP is used up with the step it moved on (single use: a second request
    /// with the same code fails the whole step with `Conflict`).
    ConsumeOtp {
        id: Uuid,
    },
    /// Records that the account's credentials (kind and key) were just used to sign in.
    CredentialsUsed {
        account: AccountId,
        used: Vec<(CredentialKind, String)>,
    },
    /// A right code proved the phone: it is no longer an unconfirmed one (Vietnam Post
    /// registrations take the phone unconfirmed).
    ConfirmPhone {
        account: AccountId,
        phone: PhoneNumber,
    },
    /// Throttle counters a success resets (every window of each key).
    ForgetHits {
        keys: Vec<String>,
    },
    /// Step-up: the session's level, methods and `auth_time` after a stronger method.
    RaiseSession {
        id: Uuid,
        acr: AssuranceLevel,
        amr: Vec<String>,
        auth_time: OffsetDateTime,
    },
    /// A lost-phone change waits out its cool-down (replacing any change pending).
    SchedulePhoneChange {
        account: AccountId,
        phone: PhoneNumber,
        replaces: Option<PhoneNumber>,
        cancel_mac: [u8; 32],
        effective_at: OffsetDateTime,
        audit: AuditContext,
    },
    /// The browser or app that just signed in (its device credential; `key` is a digest).
    RememberDevice {
        account: AccountId,
        key: String,
    },
    /// Binds a credential to the account (audited as `CredentialAdded`).
    AddCredential {
        account: AccountId,
        credential: NewCredential,
        audit: AuditContext,
    },
    /// A registration that ends in this step: the account and its credentials. The id is
    /// chosen by the flow, so that the same step can open the new account's session.
    CreateAccount {
        id: AccountId,
        account: NewAccount,
        credentials: Vec<NewCredential>,
    },
    /// The lost-phone change (P2): the new phone becomes the default and the lost default
    /// goes, in the same transaction.
    ReplaceDefaultPhone {
        account: AccountId,
        phone: PhoneNumber,
        audit: AuditContext,
    },
}

/// A lost-phone change waiting out its cool-down (`phone_changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPhoneChange {
    pub account_id: AccountId,
    pub phone: PhoneNumber,
    pub replaces: Option<PhoneNumber>,
    pub requested_at: OffsetDateTime,
    pub effective_at: OffsetDateTime,
}

/// A persisted self-service flow. `state` is the flow's own state enum, serialised by the
/// `flows` crate; `version` guards against two nodes continuing the same flow at once.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRecord {
    pub id: Uuid,
    pub kind: String,
    pub state: serde_json::Value,
    pub account_id: Option<AccountId>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewFlow {
    pub id: Uuid,
    pub kind: String,
    pub state: serde_json::Value,
    pub account_id: Option<AccountId>,
    pub expires_at: OffsetDateTime,
}

/// An OTP sent by SMS. Only a MAC of the code is kept; `attempts` counts every check, and a
/// resend replaces the code but never resets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpChallenge {
    pub id: Uuid,
    pub flow_id: Uuid,
    pub purpose: String,
    pub phone: PhoneNumber,
    pub code_mac: Vec<u8>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub sends: i32,
    pub last_sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub consumed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// When one more send of a code is allowed: its sends are still the `expected_sends` its flow
/// last saw (so of concurrent resends exactly one wins), the last one no later than
/// `sent_before` (the resend cooldown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResendLimit {
    pub expected_sends: i32,
    pub sent_before: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewOtpChallenge {
    pub id: Uuid,
    pub flow_id: Uuid,
    pub purpose: String,
    pub phone: PhoneNumber,
    pub code_mac: Vec<u8>,
    pub max_attempts: i32,
    pub expires_at: OffsetDateTime,
}

/// A signed-in browser or app. The cookie holds a random token; the store keeps its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub account_id: AccountId,
    pub acr: AssuranceLevel,
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub idle_expires_at: OffsetDateTime,
    pub absolute_expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: Uuid,
    pub token_hash: [u8; 32],
    pub account_id: AccountId,
    pub acr: AssuranceLevel,
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub idle_expires_at: OffsetDateTime,
    pub absolute_expires_at: OffsetDateTime,
}

/// Who did something and from where; attached to every change (SPEC A5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub actor: Actor,
    pub client_ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The account holder, in a self-service flow.
    Holder,
    /// An operator, by name, through an admin command.
    Operator(String),
    /// dvcid itself (expiry, a registry refresh).
    System,
}

impl Actor {
    pub fn to_stored(&self) -> String {
        match self {
            Self::Holder => "holder".to_owned(),
            Self::Operator(name) => format!("operator:{name}"),
            Self::System => "system".to_owned(),
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        match stored {
            "holder" => Some(Self::Holder),
            "system" => Some(Self::System),
            other => other
                .strip_prefix("operator:")
                .map(|name| Self::Operator(name.to_owned())),
        }
    }
}

/// The kinds of event in the audit trail. Stored as their `as_str` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    AccountRegistered,
    PasswordChanged,
    PhoneAdded,
    PhoneRemoved,
    DefaultPhoneChanged,
    PhoneChangeRefused,
    IdentityUpdated,
    StatusChanged,
    SignedIn,
    SignInFailed,
    SignedOut,
    CredentialAdded,
    CredentialRemoved,
    PhoneChangeScheduled,
    PhoneChangeCancelled,
    /// Someone asked to recover the account's password (the code went to its phone).
    RecoveryRequested,
    /// A refusal worth an operator's attention: throttled attempts, wrong OTPs, captcha
    /// failures, recovery attempts (`details.reason` says which).
    SecurityRefusal,
    /// An operator role was granted to the account (`details.role`).
    OperatorRoleGranted,
    /// An operator role of the account was revoked (`details.role`).
    OperatorRoleRevoked,
    /// An operator read the account's page (reads of personal data by staff are audited).
    AccountViewedByOperator,
    /// An operator ended every session of the account.
    SessionsEndedByOperator,
    /// An operator replaced the default OTP phone after checking the holder's document in
    /// person (`details`: old and new phone, the reason, the document seen).
    OtpPhoneReset,
    /// An administrator invited someone (by personal ID) to act for the organisation.
    MemberInvited,
    /// An open invitation was withdrawn.
    InvitationWithdrawn,
    /// Someone became a member of the organisation (an accepted invitation, or its first
    /// administrator); written to the organisation's and the member's trails.
    MemberAdded,
    MemberRoleChanged,
    MemberRemoved,
    /// The person chose, for the session, to act for an organisation or as themself.
    ActingForChosen,
    /// Postal staff checked the person's card at a Vietnam Post counter: the account's identity
    /// proofing was raised to LoA3 (the operator is the actor).
    IdentityProvenAtCounter,
}

impl AuditKind {
    pub const ALL: [AuditKind; 29] = [
        Self::AccountRegistered,
        Self::PasswordChanged,
        Self::PhoneAdded,
        Self::PhoneRemoved,
        Self::DefaultPhoneChanged,
        Self::PhoneChangeRefused,
        Self::IdentityUpdated,
        Self::StatusChanged,
        Self::SignedIn,
        Self::SignInFailed,
        Self::SignedOut,
        Self::CredentialAdded,
        Self::CredentialRemoved,
        Self::PhoneChangeScheduled,
        Self::PhoneChangeCancelled,
        Self::RecoveryRequested,
        Self::SecurityRefusal,
        Self::OperatorRoleGranted,
        Self::OperatorRoleRevoked,
        Self::AccountViewedByOperator,
        Self::SessionsEndedByOperator,
        Self::OtpPhoneReset,
        Self::MemberInvited,
        Self::InvitationWithdrawn,
        Self::MemberAdded,
        Self::MemberRoleChanged,
        Self::MemberRemoved,
        Self::ActingForChosen,
        Self::IdentityProvenAtCounter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountRegistered => "account_registered",
            Self::PasswordChanged => "password_changed",
            Self::PhoneAdded => "phone_added",
            Self::PhoneRemoved => "phone_removed",
            Self::DefaultPhoneChanged => "default_phone_changed",
            Self::PhoneChangeRefused => "phone_change_refused",
            Self::IdentityUpdated => "identity_updated",
            Self::StatusChanged => "status_changed",
            Self::SignedIn => "signed_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignedOut => "signed_out",
            Self::CredentialAdded => "credential_added",
            Self::CredentialRemoved => "credential_removed",
            Self::PhoneChangeScheduled => "phone_change_scheduled",
            Self::PhoneChangeCancelled => "phone_change_cancelled",
            Self::RecoveryRequested => "recovery_requested",
            Self::SecurityRefusal => "security_refusal",
            Self::OperatorRoleGranted => "operator_role_granted",
            Self::OperatorRoleRevoked => "operator_role_revoked",
            Self::AccountViewedByOperator => "account_viewed_by_operator",
            Self::SessionsEndedByOperator => "sessions_ended_by_operator",
            Self::OtpPhoneReset => "otp_phone_reset",
            Self::MemberInvited => "member_invited",
            Self::InvitationWithdrawn => "invitation_withdrawn",
            Self::MemberAdded => "member_added",
            Self::MemberRoleChanged => "member_role_changed",
            Self::MemberRemoved => "member_removed",
            Self::ActingForChosen => "acting_for_chosen",
            Self::IdentityProvenAtCounter => "identity_proven_at_counter",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }
}

/// An event to append. `details` never holds a secret (no password, OTP or token).
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub account_id: Option<AccountId>,
    pub kind: AuditKind,
    pub context: AuditContext,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: OffsetDateTime,
    pub account_id: Option<AccountId>,
    pub kind: AuditKind,
    pub actor: Actor,
    pub client_ip: Option<String>,
    pub details: serde_json::Value,
}
