//! The operators' records: a role granted to an account, and while it lasts.

use domain::OperatorRole;
use time::OffsetDateTime;

use crate::model::{AccountId, Actor};

/// A live grant of an operator role (`operator_roles` with `revoked_at` unset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub account_id: AccountId,
    pub role: OperatorRole,
    pub granted_by: Actor,
    pub granted_at: OffsetDateTime,
}
