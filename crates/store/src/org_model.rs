//! Organisations' members (SPEC A1): citizen accounts acting for a business or agency account
//! in a role, the invitations that make them members, and what a session acts for.

use domain::PersonalId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::AccountId;

/// What a member may do for the organisation. Administrators manage the members; submitters
/// file on its behalf at relying services; viewers only look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgRole {
    Administrator,
    Submitter,
    Viewer,
}

impl OrgRole {
    pub const ALL: [OrgRole; 3] = [Self::Administrator, Self::Submitter, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Submitter => "submitter",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// A citizen account acting for an organisation account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: AccountId,
    pub member_id: AccountId,
    pub role: OrgRole,
    /// The administrator who invited the member; `None` for a first administrator.
    pub added_by: Option<AccountId>,
    pub added_at: OffsetDateTime,
}

/// An invitation to be written; the token itself goes to the invitee, only its digest here.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub id: Uuid,
    pub token_hash: [u8; 32],
    pub organisation_id: AccountId,
    pub personal_id: PersonalId,
    pub role: OrgRole,
    pub invited_by: AccountId,
    pub expires_at: OffsetDateTime,
}

/// An invitation still open (neither accepted, withdrawn nor expired), or just closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: Uuid,
    pub organisation_id: AccountId,
    pub personal_id: PersonalId,
    pub role: OrgRole,
    pub invited_by: Option<AccountId>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What the session acts for, once the person has chosen (`chosen` false: not asked yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActingFor {
    pub chosen: bool,
    /// The organisation; `None` as the person themself.
    pub organisation_id: Option<AccountId>,
}
