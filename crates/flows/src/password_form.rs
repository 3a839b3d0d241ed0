//! The ID + password form (+ captcha) the password-based sign-in methods begin with: what it
//! shows, and the checks a submission passes — throttling, the password against its hash (an
//! unknown ID against a dummy one), step-up's expected account, the account's status.

use domain::AccountStatus;
use serde::{Deserialize, Serialize};
use store::{Account, AccountId, AuditKind};

use crate::common::{Identifier, attempt_by, audit, failed_attempt, pass_gate, succeeded_attempt};
use crate::error::FlowError;
use crate::flow::Ctx;
use crate::methods::method::Begin;
use crate::problem::Problem;
use crate::throttle::ThrottleAction;
use crate::view::Step;

/// The ID + password form (+ captcha) the password methods begin with, as their state keeps
/// it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PasswordForm {
    /// What the identifier field shows.
    identifier: String,
    /// Step-up: only the signed-in account may prove itself here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expected: Option<AccountId>,
}

impl PasswordForm {
    /// A relying service's hint is shown, never trusted: it only pre-fills the field. Long
    /// junk is dropped.
    pub fn new(begin: &Begin) -> Self {
        let identifier = begin
            .hint
            .as_deref()
            .map(str::trim)
            .filter(|hint| hint.len() <= 32)
            .unwrap_or_default()
            .to_owned();
        Self {
            identifier,
            expected: begin.account,
        }
    }

    pub fn step(&self) -> Step {
        Step::Credentials {
            identifier: self.identifier.clone(),
        }
    }

    /// The form was sent: the account when ID and password are right and it may sign in
    /// (for step-up, only the expected one), or the refusal to show. Throttled, audited and
    /// counted like every sign-in attempt; an unknown ID is checked against a dummy hash, so
    /// it gets the same answer in the same time as a wrong password.
    pub async fn submit(
        &mut self,
        ctx: &mut Ctx<'_>,
        identifier: &str,
        password: &str,
        captcha: Option<&str>,
    ) -> Result<Result<Account, Problem>, FlowError> {
        self.identifier = identifier.trim().to_owned();
        let identifier = match Identifier::parse(identifier) {
            Ok(identifier) => identifier,
            Err(problem) => return Ok(Err(problem)),
        };
        let services = ctx.services;
        // Refused for load before anything is counted against the person or the address.
        let admission = services.passwords.admit()?;
        let account = identifier.account(services).await?;
        let subject = account.as_ref().map(|account| account.id);
        let client = ctx.client;
        let action = ThrottleAction::SignIn;
        let attempt = attempt_by(services, client, action, identifier.key(), subject).await?;
        let gate = pass_gate(ctx, &attempt, subject, captcha, false).await?;
        if let Err(problem) = gate {
            return Ok(Err(problem));
        }
        let phc = match &account {
            Some(account) => services.store.password_phc(account.id).await?,
            None => None,
        };
        let matches = admission.verify(password, phc.as_deref()).await?;
        let account = match account {
            Some(account) if matches => account,
            known => {
                if let Some(account) = known {
                    let details = serde_json::json!({ "reason": "password" });
                    let kind = AuditKind::SignInFailed;
                    audit(services, Some(account.id), kind, ctx.client, details).await?;
                }
                failed_attempt(ctx, &attempt).await?;
                return Ok(Err(Problem::form("credentials.invalid")));
            }
        };
        succeeded_attempt(ctx, &attempt);
        if self.expected.is_some_and(|expected| expected != account.id) {
            return Ok(Err(Problem::form("step_up.other_account")));
        }
        if account.status != AccountStatus::Active {
            return Ok(Err(Problem::form("account.locked")));
        }
        Ok(Ok(account))
    }
}
