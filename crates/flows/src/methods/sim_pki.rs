//! Sim ký số (S6): the person types the number of their PKI SIM, confirms the request on the
//! phone with the SIM's PIN, and the portal checks the signature over its own hash, the SIM
//! certificate's chain and revocation, and signs in the account the certificate is bound to.
//!
//! ```text
//! Phone ──sim_phone{phone}──▶ Waiting(code) ──poll──▶ Proven (LoA3, sc + pin)
//!   ▲                            │ cancel, refused on the phone, timed out, certificate
//!   └────────────────────────────┘ refused or not bound: back to the number, with why
//! ```

use async_trait::async_trait;
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind, PhoneNumber};
use serde::{Deserialize, Serialize};
use store::AccountId;

use super::certificate_account::act_on_wait;
use super::kind::MethodKind;
use super::method::{Begin, Descriptor, Method, Progress};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::services::Services;
use crate::signing::{PhoneSigning, SigningPurpose};
use crate::view::{Action, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SimPki {
    /// Step-up: the signed-in account the SIM's certificate must belong to.
    expected: Option<AccountId>,
    /// The number as typed, shown again after a refusal.
    phone: String,
    waiting: Option<PhoneSigning>,
}

#[async_trait]
impl Method for SimPki {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::SimPki,
        account_kinds: &[AccountKind::Citizen, AccountKind::Business],
        needs: &[CredentialKind::Certificate],
        level: AssuranceLevel::LoA3,
        // The key is on the SIM, a smart card, used with its PIN (RFC 8176).
        amr: &[AuthMethod::Sc, AuthMethod::Pin],
    };

    fn begin(begin: &Begin, _services: &Services) -> Self {
        Self {
            expected: begin.account,
            phone: String::new(),
            waiting: None,
        }
    }

    fn step(&self, services: &Services) -> Step {
        match &self.waiting {
            Some(signing) => signing.step(services),
            None => Step::SimPhone {
                phone: self.phone.clone(),
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        match (&self.waiting, action) {
            (Some(_), action) => act_on_wait(ctx, &mut self.waiting, action, self.expected).await,
            (None, Action::SimPhone { phone }) => {
                self.phone = phone.trim().to_owned();
                let phone = match PhoneNumber::parse(&self.phone) {
                    Ok(phone) => phone,
                    Err(invalid) => {
                        return Ok(Progress::refused(Problem::invalid("phone", &invalid)));
                    }
                };
                let purpose = SigningPurpose::SignIn;
                match PhoneSigning::sim(ctx.services, ctx.client, &phone, purpose).await? {
                    Ok(signing) => {
                        self.waiting = Some(signing);
                        Ok(Progress::Continue(Acted::default()))
                    }
                    Err(problem) => Ok(Progress::refused(problem)),
                }
            }
            _ => Ok(Progress::refused(Problem::form("action.unexpected"))),
        }
    }
}
