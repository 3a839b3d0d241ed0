//! Signing in with a certificate, whatever holds its key (the local agent's token, a PKI SIM,
//! the remote signing service): the proof (`certificate_proof`), then the account the
//! certificate is bound to — the same key, issuer and serial, and the same person or
//! business — able to sign in now.

use std::marker::PhantomData;

use async_trait::async_trait;
use domain::{AccountStatus, CredentialKind};
use pki::{CertIdentity, ValidCertificate};
use serde::{Deserialize, Serialize};
use store::{Account, AccountId};

use super::method::{Begin, Descriptor, Evidence, Method, Progress};
use crate::certificate_proof::{CertificateProof, Proof};
use crate::common::security_refusal;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::services::Services;
use crate::signing::SigningPurpose;
use crate::throttle::ThrottleAction;
use crate::view::{Action, Step};

/// A sign-in method that proves a certificate — on a USB token, a PKI SIM, or at the remote
/// signing service, as `M` says — then signs in the account it is bound to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub(crate) struct ByCertificate<M> {
    /// Step-up: the signed-in account the certificate must belong to.
    expected: Option<AccountId>,
    proof: CertificateProof,
    #[serde(skip)]
    holder: PhantomData<M>,
}

/// Where a sign-in method's certificate key is held, and so what the method proves.
pub(crate) trait KeyHolder: std::fmt::Debug + Clone + Send + Sync + 'static {
    const DESCRIPTOR: Descriptor;
}

#[async_trait]
impl<M: KeyHolder> Method for ByCertificate<M> {
    const DESCRIPTOR: Descriptor = M::DESCRIPTOR;

    fn begin(begin: &Begin, services: &Services) -> Self {
        Self {
            expected: begin.account,
            proof: CertificateProof::new(M::DESCRIPTOR.kind, services, begin.flow),
            holder: PhantomData,
        }
    }

    fn step(&self, services: &Services) -> Step {
        self.proof.step(services)
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        let certificate = match self.proof.act(ctx, action, SigningPurpose::SignIn).await? {
            Proof::Pending(problem) => {
                return Ok(Progress::Continue(
                    problem.map_or_else(Acted::default, Acted::problem),
                ));
            }
            Proof::Signed(certificate) => certificate,
        };
        Ok(match signing_in(ctx, &certificate, self.expected).await? {
            Ok(evidence) => Progress::Proven(evidence, Acted::default()),
            Err(problem) => Progress::refused(problem),
        })
    }
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
            asserted: None,
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
