//! The store traits. Every method that changes an account also appends its audit event in the
//! same transaction, so the trail can never miss a change (SPEC A5). Time is an argument.

use async_trait::async_trait;
use domain::{AccountStatus, CredentialKind, Email, LegacyCmnd, PersonalId, PhoneNumber, TaxCode};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit_chain::{AuditCheckpoint, ChainHead, ChainedEvent, NewAuditCheckpoint};
use crate::eid_api::EidStore;
use crate::error::Result;
use crate::model::{
    Account, AccountId, AccountPhone, AuditContext, AuditEvent, Credential, FlowRecord, Identity,
    NewAccount, NewAuditEvent, NewFlow, NewOtpChallenge, NewSession, OtpChallenge,
    PendingPhoneChange, ResendLimit, Session, StepWrite,
};
use crate::oidc_api::{ClientStore, GrantStore, LogoutOutbox, SigningKeyStore};
use crate::operator_api::OperatorStore;
use crate::org_api::OrganisationStore;
use crate::post_api::PostStore;

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates the account with its default OTP phone, its password and the registration
    /// event, all or nothing. A taken personal ID, CMND or tax code is `Duplicate`.
    async fn create_account(&self, account: &NewAccount, now: OffsetDateTime) -> Result<Account>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>>;
    async fn account_by_personal_id(&self, id: &PersonalId) -> Result<Option<Account>>;
    async fn account_by_legacy_cmnd(&self, cmnd: &LegacyCmnd) -> Result<Option<Account>>;
    async fn account_by_tax_code(&self, tax_code: &TaxCode) -> Result<Option<Account>>;
    async fn update_identity(
        &self,
        id: AccountId,
        identity: &Identity,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn set_email(
        &self,
        id: AccountId,
        email: Option<&Email>,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn set_status(
        &self,
        id: AccountId,
        status: AccountStatus,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
}

#[async_trait]
pub trait PhoneStore: Send + Sync {
    /// The account's OTP phones, the default first.
    async fn phones(&self, account: AccountId) -> Result<Vec<AccountPhone>>;
    /// Adds a phone (idempotent for a phone already there); `make_default` moves the default.
    async fn add_phone(
        &self,
        account: AccountId,
        phone: &PhoneNumber,
        make_default: bool,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn set_default_phone(
        &self,
        account: AccountId,
        phone: &PhoneNumber,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// The lost-phone change waiting out its cool-down, if any.
    async fn pending_phone_change(&self, account: AccountId) -> Result<Option<PendingPhoneChange>>;
    /// Applies the pending change if its cool-down has ended (the new phone becomes the
    /// default, the replaced one goes), in one transaction; true when it did.
    async fn settle_phone_change(&self, account: AccountId, now: OffsetDateTime) -> Result<bool>;
    /// Cancels the pending change whose cancel code has this MAC; true when there was one.
    async fn cancel_phone_change(
        &self,
        account: AccountId,
        cancel_mac: &[u8; 32],
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Removes a phone; refuses the last one (`LastPhone`). Removing the default makes the
    /// oldest remaining phone the default.
    async fn remove_phone(
        &self,
        account: AccountId,
        phone: &PhoneNumber,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
}

#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// The Argon2id PHC string, if the account has a password.
    async fn password_phc(&self, account: AccountId) -> Result<Option<String>>;
    /// Every credential of the account (secrets left out), defaults first.
    async fn credentials(&self, account: AccountId) -> Result<Vec<Credential>>;
    /// The account a credential that identifies its holder (certificate, federated identity,
    /// passkey, device) belongs to.
    async fn credential_owner(&self, kind: CredentialKind, key: &str) -> Result<Option<AccountId>>;
    /// The secret of one credential of the account (a hash or a sealed value), for the method
    /// that checks it; `None` when the account has no such credential or it has no secret.
    async fn credential_secret(
        &self,
        account: AccountId,
        kind: CredentialKind,
        key: &str,
    ) -> Result<Option<String>>;
    /// Removes one credential of the account, audited (`NotFound` when it has none such).
    async fn remove_credential(
        &self,
        account: AccountId,
        kind: CredentialKind,
        key: &str,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// Sets the password and ends every session of the account, in one transaction.
    async fn set_password(
        &self,
        account: AccountId,
        phc: &str,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
}

#[async_trait]
pub trait FlowStore: Send + Sync {
    async fn create_flow(&self, flow: &NewFlow, now: OffsetDateTime) -> Result<FlowRecord>;
    /// The flow, unless it has expired.
    async fn flow(&self, id: Uuid, now: OffsetDateTime) -> Result<Option<FlowRecord>>;
    /// Saves a new state if nobody else did since `expected_version` was read (`Conflict`
    /// otherwise, or `NotFound` when the flow is gone or expired).
    async fn update_flow(
        &self,
        flow: &FlowRecord,
        expected_version: i64,
        now: OffsetDateTime,
    ) -> Result<FlowRecord>;
    /// `update_flow` and every write of the step, in one transaction: all or nothing.
    async fn save_step(
        &self,
        flow: &FlowRecord,
        expected_version: i64,
        writes: &[StepWrite],
        now: OffsetDateTime,
    ) -> Result<FlowRecord>;
    async fn delete_flow(&self, id: Uuid) -> Result<()>;
    /// Deletes expired flows (and, by cascade, their OTP challenges); returns how many.
    async fn purge_expired_flows(&self, now: OffsetDateTime) -> Result<u64>;
}

#[async_trait]
pub trait OtpStore: Send + Sync {
    async fn create_otp(&self, otp: &NewOtpChallenge, now: OffsetDateTime) -> Result<OtpChallenge>;
    async fn otp(&self, id: Uuid) -> Result<Option<OtpChallenge>>;
    /// Spends one attempt, atomically: returns the challenge when an attempt was still allowed
    /// (not consumed, not expired, attempts below the maximum), `None` otherwise. Concurrent
    /// callers can never spend more than `max_attempts` between them.
    async fn take_otp_attempt(&self, id: Uuid, now: OffsetDateTime)
    -> Result<Option<OtpChallenge>>;
    /// Replaces the code for a resend — a new code gets a new attempt budget — if the limit
    /// allows one more send; `None` when consumed or over the limit. Atomic: of concurrent
    /// resends, only as many as the limit allows succeed.
    async fn reissue_otp(
        &self,
        id: Uuid,
        code_mac: &[u8],
        expires_at: OffsetDateTime,
        limit: ResendLimit,
        now: OffsetDateTime,
    ) -> Result<Option<OtpChallenge>>;
    /// Closes the challenge for a send elsewhere (another phone) if the limit allows one more
    /// send; false otherwise. Atomic like `reissue_otp`.
    async fn claim_otp_send(
        &self,
        id: Uuid,
        limit: ResendLimit,
        now: OffsetDateTime,
    ) -> Result<bool>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &NewSession, now: OffsetDateTime) -> Result<Session>;
    /// The live session holding this token digest (not revoked, not idle or absolutely expired).
    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>>;
    /// The live session with this id.
    async fn session(&self, id: Uuid, now: OffsetDateTime) -> Result<Option<Session>>;
    /// Records activity: moves `last_seen_at` and the idle expiry (never past the absolute one).
    async fn touch_session(
        &self,
        id: Uuid,
        idle_expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn revoke_session(&self, id: Uuid, now: OffsetDateTime) -> Result<bool>;
    /// Ends every live session of the account but `except`; returns how many ended.
    async fn revoke_sessions_of_account(
        &self,
        account: AccountId,
        except: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<u64>;
    async fn live_sessions(&self, account: AccountId, now: OffsetDateTime) -> Result<Vec<Session>>;
}

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one hit on `key` in the fixed window starting at `window_start` (moving its
    /// expiry to `expires_at`) and returns the count including it. Atomic across nodes:
    /// concurrent hits each see a distinct count.
    async fn hit(
        &self,
        key: &str,
        window_start: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<i64>;
    /// `hit` on each distinct key of `keys`, in one statement; the counts in the order of
    /// `keys` (a key listed twice is counted once).
    async fn hit_all(
        &self,
        keys: &[String],
        window_start: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<Vec<i64>>;
    async fn hits(&self, key: &str, window_start: OffsetDateTime) -> Result<i64>;
    /// Forgets every window of each of `keys`, in one statement (a success resets them).
    async fn reset_hits(&self, keys: &[String]) -> Result<()>;
    async fn purge_expired_throttles(&self, now: OffsetDateTime) -> Result<u64>;
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn append_audit(&self, event: &NewAuditEvent, now: OffsetDateTime) -> Result<AuditEvent>;
    /// The account's events, newest first.
    async fn audit_of_account(&self, account: AccountId, limit: u32) -> Result<Vec<AuditEvent>>;
}

/// The audit trail's hash chains and signed checkpoints (see `audit_chain`). Appending goes
/// through [`AuditLog`] and the account-changing methods, which chain every event themselves.
#[async_trait]
pub trait AuditChainStore: Send + Sync {
    /// Every shard's newest link, in shard order.
    async fn audit_chain_heads(&self) -> Result<Vec<ChainHead>>;
    /// Up to `limit` events of `shard` with `after_seq < seq <= up_to_seq`, in chain order.
    async fn audit_chain_page(
        &self,
        shard: u16,
        after_seq: u64,
        up_to_seq: u64,
        limit: u32,
    ) -> Result<Vec<ChainedEvent>>;
    /// Events without a link: none, unless something wrote around the store.
    async fn audit_unchained_count(&self) -> Result<u64>;
    /// Up to `limit` chained events with `since <= at < until`, in (`at`, `id`) order, after
    /// the (`at`, `id`) cursor `after`.
    async fn audit_events_page(
        &self,
        since: OffsetDateTime,
        until: OffsetDateTime,
        after: Option<(OffsetDateTime, Uuid)>,
        limit: u32,
    ) -> Result<Vec<ChainedEvent>>;
    /// Records the checkpoint; `false` when one with the same heads exists (another node made
    /// it first), which is not an error.
    async fn record_audit_checkpoint(&self, checkpoint: &NewAuditCheckpoint) -> Result<bool>;
    /// Every checkpoint, oldest first.
    async fn audit_checkpoints(&self) -> Result<Vec<AuditCheckpoint>>;
    async fn latest_audit_checkpoint(&self) -> Result<Option<AuditCheckpoint>>;
}

#[async_trait]
pub trait Health: Send + Sync {
    /// A round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<()>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// Everything dvcid keeps. Implemented by SQLite and PostgreSQL alike.
pub trait Store:
    AccountStore
    + PhoneStore
    + CredentialStore
    + FlowStore
    + OtpStore
    + SessionStore
    + ThrottleStore
    + AuditLog
    + AuditChainStore
    + Health
    + ClientStore
    + SigningKeyStore
    + GrantStore
    + LogoutOutbox
    + EidStore
    + OperatorStore
    + OrganisationStore
    + PostStore
{
}

impl<T> Store for T where
    T: AccountStore
        + PhoneStore
        + CredentialStore
        + FlowStore
        + OtpStore
        + SessionStore
        + ThrottleStore
        + AuditLog
        + AuditChainStore
        + Health
        + ClientStore
        + SigningKeyStore
        + GrantStore
        + LogoutOutbox
        + EidStore
        + OperatorStore
        + OrganisationStore
        + PostStore
{
}
