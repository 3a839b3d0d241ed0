//! Accounts brought over from the portal's earlier system: people who registered with the
//! old 9-digit identity card (CMND) before the 12-digit personal ID existed. They sign in as
//! before, and are asked for their personal ID afterwards (L1–L3).

use domain::{AccountKind, LegacyCmnd, PasswordContext, PhoneNumber, RegistrationChannel};
use store::{AccountId, Actor, AuditContext, Identity, NewAccount};
use time::Date;

use crate::error::FlowError;
use crate::problem::Problem;
use crate::services::Services;

/// An account of the earlier system, as its records hold it.
#[derive(Debug, Clone)]
pub struct LegacyAccount {
    pub cmnd: LegacyCmnd,
    pub full_name: String,
    pub birth_date: Date,
    pub phone: PhoneNumber,
    /// Chosen by the holder; hashed here, and held to today's policy.
    pub password: String,
}

/// Creates the account (no personal ID yet, its OTP phone, its password), or says why not.
pub(crate) async fn legacy_account(
    services: &Services,
    legacy: &LegacyAccount,
) -> Result<Result<AccountId, Problem>, FlowError> {
    let store = &services.store;
    if store.account_by_legacy_cmnd(&legacy.cmnd).await?.is_some() {
        return Ok(Err(Problem::form("account.exists")));
    }
    let context = PasswordContext {
        personal_id: Some(legacy.cmnd.as_str().to_owned()),
        phones: vec![legacy.phone.national()],
        birth_date: Some(legacy.birth_date),
        names: vec![legacy.full_name.clone()],
    };
    if let Err(invalid) = services
        .password_policy
        .check(&legacy.password, true, &context)
    {
        return Ok(Err(Problem::invalid("password", &invalid)));
    }
    let phc = services.passwords.hash(&legacy.password).await?;
    let account = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: None,
            legacy_cmnd: Some(legacy.cmnd.clone()),
            tax_code: None,
            full_name: legacy.full_name.clone(),
            birth_date: Some(legacy.birth_date),
            gender: None,
        },
        email: None,
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(legacy.phone.clone()),
        password_phc: Some(phc),
        audit: AuditContext {
            actor: Actor::System,
            client_ip: None,
        },
    };
    let created = store.create_account(&account, services.clock.now()).await?;
    Ok(Ok(created.id))
}
