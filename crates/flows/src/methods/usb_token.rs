//! USB ký số (S7): the person's local signing agent signs a challenge with the certificate on
//! their token, after the PIN typed in the agent's own window; the portal checks the Web eID
//! token, the certificate's chain and revocation, and signs in the account the certificate is
//! bound to. The certificate identifies the person: nothing is typed on the portal's page.
//!
//! ```text
//! Agent(challenge) ──agent_response──▶ Proven (LoA3, hwk + pin)
//!   ▲      │ refused, expired or unbound: a fresh challenge
//!   └──────┘
//! ```

use async_trait::async_trait;
use domain::{AccountKind, AccountStatus, AssuranceLevel, AuthMethod, CredentialKind};
use pki::{CertIdentity, ValidCertificate};
use serde::{Deserialize, Serialize};
use store::{Account, AccountId};

use super::kind::MethodKind;
use super::method::{Begin, Descriptor, Evidence, Method, Progress};
use crate::certificates::AgentChallenge;
use crate::common::security_refusal;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::services::Services;
use crate::signing::{PhoneSigning, Polled};
use crate::throttle::ThrottleAction;
use crate::view::{Action, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UsbToken {
    /// Step-up: the signed-in account the certificate must belong to.
    expected: Option<AccountId>,
    challenge: AgentChallenge,
}

#[async_trait]
impl Method for UsbToken {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::UsbToken,
        account_kinds: &[AccountKind::Citizen, AccountKind::Business],
        needs: &[CredentialKind::Certificate],
        level: AssuranceLevel::LoA3,
        amr: &[AuthMethod::Hwk, AuthMethod::Pin],
    };

    fn begin(begin: &Begin, services: &Services) -> Self {
        Self {
            expected: begin.account,
            challenge: AgentChallenge::new(services),
        }
    }

    fn step(&self, services: &Services) -> Step {
        self.challenge.step(services)
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        let services = ctx.services;
        let Action::AgentResponse { token } = action else {
            return Ok(Progress::refused(Problem::form("action.unexpected")));
        };
        let certificate = match self.challenge.answer(services, ctx.client, &token).await? {
            Ok(certificate) => certificate,
            Err(problem) => return Ok(Progress::refused(problem)),
        };
        Ok(match signing_in(ctx, &certificate, self.expected).await? {
            Ok(evidence) => Progress::Proven(evidence, Acted::default()),
            Err(problem) => Progress::refused(problem),
        })
    }
}

/// Asks whether a confirmation on a phone arrived (SIM, remote signing) and, once signed,
/// which account the certificate opens. Also says whether the wait is spent: refused, timed
/// out or signed, its transaction is never asked again.
pub(crate) async fn poll_sign_in(
    ctx: &Ctx<'_>,
    signing: &PhoneSigning,
    expected: Option<AccountId>,
) -> Result<(Progress, bool), FlowError> {
    let certificate = match signing.poll(ctx.services, ctx.client).await? {
        Polled::Waiting => return Ok((Progress::Continue(Acted::default()), false)),
        Polled::Unreachable(problem) => return Ok((Progress::refused(problem), false)),
        Polled::Refused(problem) => return Ok((Progress::refused(problem), true)),
        Polled::Signed(certificate) => certificate,
    };
    let progress = match signing_in(ctx, &certificate, expected).await? {
        Ok(evidence) => Progress::Proven(evidence, Acted::default()),
        Err(problem) => Progress::refused(problem),
    };
    Ok((progress, true))
}

/// The evidence a valid certificate gives: the account it is bound to, able to sign in now
/// (and, for step-up, the signed-in one). A valid certificate that opens no account here is
/// audited: worth an operator's look.
pub(crate) async fn signing_in(
    ctx: &Ctx<'_>,
    certificate: &ValidCertificate,
    expected: Option<AccountId>,
) -> Result<Result<Evidence, Problem>, FlowError> {
    let services = ctx.services;
    match bound_account(services, certificate, expected).await? {
        Ok(account) => Ok(Ok(Evidence {
            account: account.id,
            used: vec![(CredentialKind::Certificate, credential_key(certificate))],
            phone_changed: false,
        })),
        Err(problem) => {
            let reason = problem.code;
            security_refusal(services, None, ctx.client, ThrottleAction::SignIn, reason).await?;
            Ok(Err(problem))
        }
    }
}

/// The account the certificate was bound to — the same certificate (issuer and serial) and
/// the same person or business — able to sign in now.
async fn bound_account(
    services: &Services,
    certificate: &ValidCertificate,
    expected: Option<AccountId>,
) -> Result<Result<Account, Problem>, FlowError> {
    let store = &services.store;
    let key = credential_key(certificate);
    let not_bound = || Ok(Err(Problem::form("certificate.not_bound")));
    let Some(owner) = store
        .credential_owner(CredentialKind::Certificate, &key)
        .await?
    else {
        return not_bound();
    };
    let credentials = store.credentials(owner).await?;
    let binding = credentials
        .iter()
        .find(|held| held.kind == CredentialKind::Certificate && held.key == key);
    let same_certificate = binding.is_some_and(|held| {
        let field = |name: &str| held.public_data.get(name).and_then(|value| value.as_str());
        field("issuer") == Some(certificate.issuer.as_str())
            && field("serial") == Some(certificate.serial_hex.as_str())
    });
    let Some(account) = store.account(owner).await? else {
        return not_bound();
    };
    if !same_certificate || !identifies(&account, &certificate.identity) {
        return not_bound();
    }
    if expected.is_some_and(|expected| expected != account.id) {
        return Ok(Err(Problem::form("step_up.other_account")));
    }
    if account.status != AccountStatus::Active {
        return Ok(Err(Problem::form("account.locked")));
    }
    Ok(Ok(account))
}

/// A certificate credential's key: the SHA-256 of its public key, hex.
pub(crate) fn credential_key(certificate: &ValidCertificate) -> String {
    domain::digest::to_hex(&certificate.spki_sha256)
}

/// Whether the certificate names the account's own person or business.
pub(crate) fn identifies(account: &Account, identity: &CertIdentity) -> bool {
    let held = &account.identity;
    match identity {
        CertIdentity::Citizen(id) => held.personal_id.as_ref() == Some(id),
        CertIdentity::LegacyCitizen(cmnd) => held.legacy_cmnd.as_ref() == Some(cmnd),
        CertIdentity::Organisation { tax_code, .. } => held.tax_code.as_ref() == Some(tax_code),
    }
}
