//! Which account a valid certificate opens, whatever signed with it (the local agent, a PKI
//! SIM, the remote signing service): the account it is bound to — the same key, issuer and
//! serial, and the same person or business — able to sign in now. Also the waiting step the
//! SIM and remote signing share: poll it to a certificate, or cancel it.

use domain::{AccountStatus, CredentialKind};
use pki::{CertIdentity, ValidCertificate};
use store::{Account, AccountId};

use super::method::{Evidence, Progress};
use crate::common::security_refusal;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::services::Services;
use crate::signing::{PhoneSigning, Polled};
use crate::throttle::ThrottleAction;
use crate::view::Action;

/// A waiting step's own actions: `poll` asks whether the confirmation arrived and, once
/// signed, which account the certificate opens; `cancel` gives up. Refused, timed out, signed
/// or cancelled, the transaction leaves `waiting` and is never asked again. Any other action
/// is unexpected while waiting.
pub(crate) async fn act_on_wait(
    ctx: &Ctx<'_>,
    waiting: &mut Option<PhoneSigning>,
    action: Action,
    expected: Option<AccountId>,
) -> Result<Progress, FlowError> {
    let Some(signing) = waiting.as_mut() else {
        return Ok(Progress::refused(Problem::form("action.unexpected")));
    };
    match action {
        Action::Poll => {}
        Action::Cancel => {
            *waiting = None;
            return Ok(Progress::Continue(Acted::default()));
        }
        _ => return Ok(Progress::refused(Problem::form("action.unexpected"))),
    }
    let certificate = match signing.poll(ctx.services, ctx.client).await? {
        Polled::Waiting => return Ok(Progress::Continue(Acted::default())),
        Polled::Unreachable(problem) => return Ok(Progress::refused(problem)),
        Polled::Refused(problem) => {
            *waiting = None;
            return Ok(Progress::refused(problem));
        }
        Polled::Signed(certificate) => certificate,
    };
    *waiting = None;
    Ok(match signing_in(ctx, &certificate, expected).await? {
        Ok(evidence) => Progress::Proven(evidence, Acted::default()),
        Err(problem) => Progress::refused(problem),
    })
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
