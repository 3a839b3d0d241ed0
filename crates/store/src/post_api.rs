//! The store trait of the Vietnam Post channel (SPEC R4, S5): pending e-mail activations,
//! identity proofing records and phones still to confirm.

use async_trait::async_trait;
use domain::PhoneNumber;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::Result;
use crate::model::{Account, AccountId, AuditContext, NewAccount};
use crate::post_model::{CounterProof, IdentityProofing, NewPostActivation, PostActivation};

#[async_trait]
pub trait PostStore: Send + Sync {
    /// Creates a Vietnam Post account (the account, its phone and password as
    /// `create_account` does) with its proofing record at LoA2, in one transaction. With
    /// `phone_confirmed` false its OTP phone waits for a first accepted code.
    async fn create_post_account(
        &self,
        account: &NewAccount,
        phone_confirmed: bool,
        now: OffsetDateTime,
    ) -> Result<Account>;
    async fn create_post_activation(
        &self,
        activation: &NewPostActivation,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn post_activation(&self, id: Uuid) -> Result<Option<PostActivation>>;
    /// Uses the activation and creates its account (phone unconfirmed), in one transaction.
    /// `Conflict` when it was used already or has expired (of two clicks at once, one wins);
    /// `Duplicate` when the personal ID got an account meanwhile (the link stays unused).
    async fn activate_post_registration(
        &self,
        id: Uuid,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<Account>;
    async fn identity_proofing(&self, account: AccountId) -> Result<Option<IdentityProofing>>;
    /// Raises a Vietnam Post account still at LoA2 to LoA3 with what the counter saw, audited
    /// (`IdentityProvenAtCounter`). `None` when there is no such account at LoA2 (of two
    /// clerks at once, one records it).
    async fn prove_at_counter(
        &self,
        proof: &CounterProof,
        now: OffsetDateTime,
    ) -> Result<Option<IdentityProofing>>;
    /// The account's OTP phones no code has confirmed yet.
    async fn unconfirmed_phones(&self, account: AccountId) -> Result<Vec<PhoneNumber>>;
}
