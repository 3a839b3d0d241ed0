//! Who may do what in the operator console and the `dvcid operator` commands: one table, here
//! and nowhere else (docs/architecture.md shows it). A role grants exactly the capabilities
//! listed for it; an operator holding several roles may do what any of them allows.

use domain::OperatorRole;

/// What an operator can be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Find accounts by personal ID / CMND, tax code or phone.
    Search,
    /// Find accounts by personal ID / CMND only (the post-office counter).
    SearchByPersonalId,
    /// Read an account's page: identity, credentials, phones, sessions and history.
    ViewAccount,
    /// Lock and unlock an account.
    LockUnlock,
    /// End every session of an account (and the relying services' grants with them).
    EndSessions,
    /// Replace the default OTP phone after checking the holder's document in person.
    ResetPhone,
    /// Send an account's activation again.
    ResendActivation,
    /// Mark an applicant proven at a post-office counter.
    CounterProofing,
    /// Create and manage agency accounts.
    ManageAgencies,
    /// Export the audit trail for a SIEM.
    AuditExport,
    /// Grant and revoke operator roles; change accounts that hold operator roles.
    GrantRoles,
}

impl Capability {
    pub const ALL: [Capability; 11] = [
        Self::Search,
        Self::SearchByPersonalId,
        Self::ViewAccount,
        Self::LockUnlock,
        Self::EndSessions,
        Self::ResetPhone,
        Self::ResendActivation,
        Self::CounterProofing,
        Self::ManageAgencies,
        Self::AuditExport,
        Self::GrantRoles,
    ];

    /// The stable name, for the audit trail and the documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Search => "search",
            Self::SearchByPersonalId => "search_by_personal_id",
            Self::ViewAccount => "view_account",
            Self::LockUnlock => "lock_unlock",
            Self::EndSessions => "end_sessions",
            Self::ResetPhone => "reset_phone",
            Self::ResendActivation => "resend_activation",
            Self::CounterProofing => "counter_proofing",
            Self::ManageAgencies => "manage_agencies",
            Self::AuditExport => "audit_export",
            Self::GrantRoles => "grant_roles",
        }
    }
}

/// The permission table.
pub fn capabilities(role: OperatorRole) -> &'static [Capability] {
    use Capability as C;
    match role {
        OperatorRole::Helpdesk => &[
            C::Search,
            C::SearchByPersonalId,
            C::ViewAccount,
            C::LockUnlock,
            C::EndSessions,
            C::ResetPhone,
            C::ResendActivation,
        ],
        OperatorRole::Post => &[C::SearchByPersonalId, C::CounterProofing],
        OperatorRole::AgencyAdmin => &[C::SearchByPersonalId, C::ManageAgencies],
        OperatorRole::Auditor => &[
            C::Search,
            C::SearchByPersonalId,
            C::ViewAccount,
            C::AuditExport,
        ],
        OperatorRole::SystemAdmin => &[
            C::Search,
            C::SearchByPersonalId,
            C::ViewAccount,
            C::GrantRoles,
        ],
    }
}

/// Whether any of `roles` allows `capability`.
pub fn allows(roles: &[OperatorRole], capability: Capability) -> bool {
    roles
        .iter()
        .any(|role| capabilities(*role).contains(&capability))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_system_administrator_grants_roles() {
        for role in OperatorRole::ALL {
            assert_eq!(
                allows(&[role], Capability::GrantRoles),
                role == OperatorRole::SystemAdmin,
                "{role}"
            );
        }
    }

    #[test]
    fn the_post_office_only_searches_by_personal_id_and_proves() {
        let post = [OperatorRole::Post];
        let allowed: Vec<Capability> = Capability::ALL
            .into_iter()
            .filter(|capability| allows(&post, *capability))
            .collect();
        assert_eq!(
            allowed,
            [Capability::SearchByPersonalId, Capability::CounterProofing]
        );
    }

    #[test]
    fn no_role_is_empty_and_every_capability_has_a_role() {
        for role in OperatorRole::ALL {
            assert!(!capabilities(role).is_empty(), "{role}");
        }
        for capability in Capability::ALL {
            assert!(
                OperatorRole::ALL
                    .iter()
                    .any(|role| capabilities(*role).contains(&capability)),
                "{capability:?}"
            );
        }
    }
}
