//! The store trait of organisations' members and invitations (SPEC A1). Every change appends
//! its audit event to the organisation's trail in the same transaction; changes to one
//! organisation's members are serialised on its account row, so that two administrators
//! demoting each other at once cannot leave it without one.

use async_trait::async_trait;
use domain::PersonalId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::Result;
use crate::model::{Account, AccountId, AuditContext, NewAccount};
use crate::org_model::{ActingFor, Invitation, Membership, NewInvitation, OrgRole};

#[async_trait]
pub trait OrganisationStore: Send + Sync {
    /// The organisation's members, administrators first.
    async fn members(&self, organisation: AccountId) -> Result<Vec<Membership>>;
    /// The organisations the account is a member of, oldest membership first.
    async fn memberships_of(&self, member: AccountId) -> Result<Vec<Membership>>;
    async fn membership(
        &self,
        organisation: AccountId,
        member: AccountId,
    ) -> Result<Option<Membership>>;
    /// Makes `member` the organisation's first administrator if it has no administrator yet;
    /// false (and nothing written) when it has one.
    async fn add_first_administrator(
        &self,
        organisation: AccountId,
        member: AccountId,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Creates an agency account with its code and its first administrator, in one
    /// transaction (`Duplicate` with `AgencyCode` when the code is taken).
    async fn create_agency(
        &self,
        agency: &NewAccount,
        code: &str,
        administrator: AccountId,
        now: OffsetDateTime,
    ) -> Result<Account>;
    /// The agency account's identifier code.
    async fn agency_code(&self, agency: AccountId) -> Result<Option<String>>;
    async fn agency_by_code(&self, code: &str) -> Result<Option<Account>>;
    async fn create_invitation(
        &self,
        invitation: &NewInvitation,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<Invitation>;
    /// The organisation's open invitations, newest first.
    async fn open_invitations(
        &self,
        organisation: AccountId,
        now: OffsetDateTime,
    ) -> Result<Vec<Invitation>>;
    /// The open invitation holding this token digest.
    async fn invitation_by_token(
        &self,
        token_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Invitation>>;
    /// Spends the open invitation for `personal_id` with this token and makes `member` a
    /// member in its role, in one transaction. `None` when no such invitation is open (spent,
    /// withdrawn, expired, or for someone else); `Duplicate` when already a member.
    async fn accept_invitation(
        &self,
        token_hash: &[u8; 32],
        personal_id: &PersonalId,
        member: AccountId,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<Option<Membership>>;
    /// Withdraws an open invitation of the organisation; false when there was none such.
    async fn withdraw_invitation(
        &self,
        organisation: AccountId,
        id: Uuid,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Changes a member's role. `NotFound` for a non-member, `LastAdministrator` when it
    /// would leave the organisation without an administrator.
    async fn change_member_role(
        &self,
        organisation: AccountId,
        member: AccountId,
        role: OrgRole,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// Removes a member; their sessions stop acting for the organisation at once. Refusals as
    /// for `change_member_role`.
    async fn remove_member(
        &self,
        organisation: AccountId,
        member: AccountId,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// What the live session acts for.
    async fn acting_for(&self, session: Uuid, now: OffsetDateTime) -> Result<Option<ActingFor>>;
    /// Records the person's choice on the live session: `None` as themself, or an
    /// organisation they are a member of (false, and nothing written, otherwise).
    async fn choose_acting_for(
        &self,
        session: Uuid,
        organisation: Option<AccountId>,
        now: OffsetDateTime,
    ) -> Result<bool>;
}
