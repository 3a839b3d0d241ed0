//! The eID provider's store trait: applications, activation and the sign-in lock. The eID
//! provider runs on a database of its own; the portal's leaves these tables empty.

use async_trait::async_trait;
use domain::PersonalId;
use time::OffsetDateTime;

use crate::eid_model::{EidActivation, EidApplication, EidLockout, EidSecret, NewEidApplication};
use crate::error::Result;
use crate::model::{Account, AccountId};

#[async_trait]
pub trait EidStore: Send + Sync {
    /// Registers a pending application; one per personal ID (`Duplicate` otherwise).
    async fn create_application(
        &self,
        application: &NewEidApplication,
        now: OffsetDateTime,
    ) -> Result<EidApplication>;
    async fn application(&self, personal_id: &PersonalId) -> Result<Option<EidApplication>>;
    /// The newest applications first.
    async fn applications(&self, limit: u32) -> Result<Vec<EidApplication>>;
    /// Approves a pending application; `None` when there is none pending with this ID (so of
    /// two operators approving at once, one sends the SMS).
    async fn approve_application(
        &self,
        personal_id: &PersonalId,
        now: OffsetDateTime,
    ) -> Result<Option<EidApplication>>;
    /// Creates the eID account with its secrets and deletes the activation flow, in one
    /// transaction. `Duplicate` when the personal ID has an account already.
    async fn activate_eid(
        &self,
        activation: &EidActivation,
        now: OffsetDateTime,
    ) -> Result<Account>;
    async fn eid_secrets(&self, account: AccountId) -> Result<Vec<EidSecret>>;
    async fn eid_lockout(&self, account: AccountId) -> Result<EidLockout>;
    /// Counts a wrong password or passcode; the `max_failures`-th in a row locks the account
    /// until `now + lock_for` and starts the count again. Atomic. Returns the state after it.
    async fn record_eid_failure(
        &self,
        account: AccountId,
        max_failures: i32,
        lock_for: time::Duration,
        now: OffsetDateTime,
    ) -> Result<EidLockout>;
    /// A successful sign-in forgets the failures.
    async fn clear_eid_failures(&self, account: AccountId) -> Result<()>;
}
