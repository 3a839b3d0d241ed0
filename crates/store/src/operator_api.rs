//! The operators' store trait: roles granted to accounts, and the look-ups the operator
//! console needs beyond the holder's own. Every change is audited in its own transaction.

use async_trait::async_trait;
use domain::{OperatorRole, PhoneNumber};
use time::OffsetDateTime;

use crate::error::Result;
use crate::model::{Account, AccountId, AuditContext};
use crate::operator_model::RoleGrant;

/// What an operator's reset of the OTP phone writes (besides the phone itself).
#[derive(Debug, Clone)]
pub struct PhoneReset<'a> {
    pub account: AccountId,
    pub phone: &'a PhoneNumber,
    /// Why, as the operator wrote it.
    pub reason: &'a str,
    /// The number of the identity document the operator checked in person.
    pub document: &'a str,
    pub audit: &'a AuditContext,
}

#[async_trait]
pub trait OperatorStore: Send + Sync {
    /// Grants `role` to the account, audited (`OperatorRoleGranted`, granted by the audit's
    /// actor); false when the account holds it already (nothing written).
    async fn grant_role(
        &self,
        account: AccountId,
        role: OperatorRole,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Revokes the account's live grant of `role`, audited (`OperatorRoleRevoked`); false when
    /// it had none.
    async fn revoke_role(
        &self,
        account: AccountId,
        role: OperatorRole,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// The account's live grants, in the roles' order.
    async fn roles_of(&self, account: AccountId) -> Result<Vec<RoleGrant>>;
    /// Every live grant, by account then role.
    async fn role_grants(&self) -> Result<Vec<RoleGrant>>;
    /// The accounts whose OTP phones include `phone` (a phone may serve several).
    async fn accounts_by_phone(&self, phone: &PhoneNumber) -> Result<Vec<Account>>;
    /// Makes `phone` the account's default OTP phone in place of the current default (which
    /// goes), cancels any lost-phone change still waiting, and audits it all as
    /// `OtpPhoneReset`, in one transaction. Returns the phone replaced, if any.
    async fn reset_otp_phone(
        &self,
        reset: &PhoneReset<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<PhoneNumber>>;
}
