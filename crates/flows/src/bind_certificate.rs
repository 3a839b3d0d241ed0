//! Gắn chứng thư số, from the account pages: a signed-in person binds another certificate of
//! their own (a new token, a renewed certificate, a PKI SIM, SmartCA) by signing with it. It
//! must name the account's own person or business and be bound nowhere else; the account's OTP
//! phone is told.
//!
//! ```text
//! Proving (certificate_proof) ──▶ Bound
//!   refusals: the certificate's (pki), someone else's certificate, bound already
//! ```

use async_trait::async_trait;
use domain::CredentialKind;
use serde::{Deserialize, Serialize};
use store::{AccountId, StepWrite};

use crate::certificate_proof::{CertificateProof, Proof};
use crate::common::audit_context;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::methods::MethodKind;
use crate::methods::certificate_account::identifies;
use crate::notices;
use crate::problem::Problem;
use crate::register_certificate::BoundCertificate;
use crate::services::Services;
use crate::signing::SigningPurpose;
use crate::view::{Action, Done, FlowKind, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum BindCertificate {
    Proving {
        account: AccountId,
        proof: Box<CertificateProof>,
    },
    Bound {
        via: MethodKind,
    },
}

#[async_trait]
impl Flow for BindCertificate {
    const KIND: FlowKind = FlowKind::BindCertificate;

    fn start(start: &Start, services: &Services) -> Option<Self> {
        let via = start
            .offered
            .first()
            .copied()
            .unwrap_or(MethodKind::UsbToken);
        start.account.map(|account| Self::Proving {
            account,
            proof: Box::new(CertificateProof::new(via, services, start.flow)),
        })
    }

    fn methods(&self) -> Vec<MethodKind> {
        match self {
            Self::Proving { proof, .. } => vec![proof.via()],
            Self::Bound { via } => vec![*via],
        }
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Proving { proof, .. } => proof.step(services),
            Self::Bound { .. } => Step::Done {
                result: Done::CertificateBound,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        let services = ctx.services;
        let Self::Proving { account, proof } = &mut *self else {
            return Ok(Acted::problem(Problem::form("action.unexpected")));
        };
        let account = *account;
        if ctx.account != Some(account) {
            return Err(FlowError::NeedsAccount);
        }
        let certificate = match proof.act(ctx, action, SigningPurpose::Bind).await? {
            Proof::Signed(certificate) => certificate,
            Proof::Pending(problem) => {
                return Ok(problem.map_or_else(Acted::default, Acted::problem));
            }
        };
        let store = &services.store;
        let holder = store.account(account).await?.ok_or(FlowError::NotFound)?;
        if !identifies(&holder, &certificate.identity) {
            return Ok(Acted::problem(Problem::form("certificate.other_holder")));
        }
        let bound = BoundCertificate::of(&certificate, proof);
        let via = proof.via();
        let credential = bound.credential();
        if store
            .credential_owner(CredentialKind::Certificate, &credential.key)
            .await?
            .is_some()
        {
            return Ok(Acted::problem(Problem::form("certificate.already_bound")));
        }
        notify(services, account, &bound).await?;
        *self = Self::Bound { via };
        Ok(Acted::default().write(StepWrite::AddCredential {
            account,
            credential,
            audit: audit_context(ctx.client),
        }))
    }
}

/// Tells the account's default OTP phone, so that an unwanted binding is noticed; a failed
/// text is logged, not fatal.
async fn notify(
    services: &Services,
    account: AccountId,
    bound: &BoundCertificate,
) -> Result<(), FlowError> {
    let phones = services.store.phones(account).await?;
    if let Some(phone) = phones.iter().find(|phone| phone.is_default) {
        let text = notices::certificate_bound(bound.issuer_name());
        if let Err(error) = services.connectors.sms.send(&phone.phone, &text).await {
            tracing::warn!(%error, "certificate bound notice not sent");
        }
    }
    Ok(())
}
