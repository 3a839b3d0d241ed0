//! Getting a certificate proven by a signature, whatever holds its key: the local signing
//! agent (USB token), a PKI SIM through the carrier's mobile signature service, or the remote
//! signing service after the person signs in there. Sign-in, registration and binding a
//! certificate on the account page all run this, then decide what the certificate opens.
//!
//! ```text
//! Agent(challenge) ──agent_response───────────────────────────────┐
//! Sim ──sim_phone──▶ waiting ──poll──────────────────────────────┼──▶ Signed(certificate)
//! Remote(trip out) ──callback──▶ waiting ──poll──────────────────┘
//!   cancel, a refusal on the phone, a timeout: back to the start of its own kind
//! ```

use domain::PhoneNumber;
use pki::ValidCertificate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::certificates::AgentChallenge;
use crate::error::FlowError;
use crate::flow::Ctx;
use crate::methods::MethodKind;
use crate::problem::Problem;
use crate::remote_authorization::Authorization;
use crate::services::Services;
use crate::signing::{PhoneSigning, Polled, SigningPurpose};
use crate::view::{Action, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub(crate) enum CertificateProof {
    Agent {
        challenge: AgentChallenge,
    },
    Sim {
        /// The number as typed, shown again after a refusal.
        phone: String,
        waiting: Option<PhoneSigning>,
    },
    Remote {
        authorization: Authorization,
        waiting: Option<PhoneSigning>,
    },
}

/// What an action did to the proof.
pub(crate) enum Proof {
    /// Not proven yet; a refusal to show, if any.
    Pending(Option<Problem>),
    Signed(Box<ValidCertificate>),
}

impl CertificateProof {
    /// A proof by `via` (the USB token unless a SIM or remote signing), for the flow `flow`.
    pub(crate) fn new(via: MethodKind, services: &Services, flow: Uuid) -> Self {
        match via {
            MethodKind::SimPki => Self::Sim {
                phone: String::new(),
                waiting: None,
            },
            MethodKind::RemoteSigning => Self::Remote {
                authorization: Authorization::new(services, flow),
                waiting: None,
            },
            _ => Self::Agent {
                challenge: AgentChallenge::new(services),
            },
        }
    }

    /// The method the certificate signs through.
    pub(crate) fn via(&self) -> MethodKind {
        match self {
            Self::Agent { .. } => MethodKind::UsbToken,
            Self::Sim { .. } => MethodKind::SimPki,
            Self::Remote { .. } => MethodKind::RemoteSigning,
        }
    }

    /// The PKI SIM's number (E.164), when a SIM signed: the account page shows which SIM.
    pub(crate) fn sim_phone(&self) -> Option<String> {
        match self {
            Self::Sim { phone, .. } => PhoneNumber::parse(phone)
                .ok()
                .map(|phone| phone.e164().to_owned()),
            _ => None,
        }
    }

    pub(crate) fn step(&self, services: &Services) -> Step {
        match self {
            Self::Agent { challenge } => challenge.step(services),
            Self::Sim {
                waiting: Some(signing),
                ..
            }
            | Self::Remote {
                waiting: Some(signing),
                ..
            } => signing.step(services),
            Self::Sim { phone, .. } => Step::SimPhone {
                phone: phone.clone(),
            },
            Self::Remote { authorization, .. } => authorization.step(services),
        }
    }

    pub(crate) async fn act(
        &mut self,
        ctx: &Ctx<'_>,
        action: Action,
        purpose: SigningPurpose,
    ) -> Result<Proof, FlowError> {
        let services = ctx.services;
        let unexpected = || Ok(Proof::Pending(Some(Problem::form("action.unexpected"))));
        match (self, action) {
            (Self::Agent { challenge }, Action::AgentResponse { token }) => Ok(
                match challenge.answer(services, ctx.client, &token).await? {
                    Ok(certificate) => Proof::Signed(Box::new(certificate)),
                    Err(problem) => Proof::Pending(Some(problem)),
                },
            ),
            (
                Self::Sim {
                    phone,
                    waiting: waiting @ None,
                },
                Action::SimPhone { phone: typed },
            ) => {
                *phone = typed.trim().to_owned();
                let number = match PhoneNumber::parse(phone) {
                    Ok(number) => number,
                    Err(invalid) => {
                        return Ok(Proof::Pending(Some(Problem::invalid("phone", &invalid))));
                    }
                };
                let started = PhoneSigning::sim(services, ctx.client, &number, purpose).await?;
                Ok(wait_for(waiting, started))
            }
            (
                Self::Remote {
                    authorization,
                    waiting: waiting @ None,
                },
                Action::Callback {
                    code, state, error, ..
                },
            ) => {
                let called = authorization
                    .callback(services, ctx.flow, code, &state, error)
                    .await;
                let started = match called {
                    Ok((session, credential)) => {
                        PhoneSigning::remote(services, &session, &credential, purpose).await?
                    }
                    Err(problem) => Err(problem),
                };
                Ok(wait_for(waiting, started))
            }
            (
                Self::Sim {
                    waiting: waiting @ Some(_),
                    ..
                }
                | Self::Remote {
                    waiting: waiting @ Some(_),
                    ..
                },
                action @ (Action::Poll | Action::Cancel),
            ) => settle(ctx, waiting, action).await,
            _ => unexpected(),
        }
    }
}

/// Waits on the phone, or says why the request did not go out.
fn wait_for(waiting: &mut Option<PhoneSigning>, started: Result<PhoneSigning, Problem>) -> Proof {
    match started {
        Ok(signing) => {
            *waiting = Some(signing);
            Proof::Pending(None)
        }
        Err(problem) => Proof::Pending(Some(problem)),
    }
}

/// A waiting step's own actions: `poll` asks whether the confirmation arrived, `cancel` gives
/// up. Refused, timed out, signed or cancelled, the transaction leaves `waiting` and is never
/// asked again: a late approval on the phone lands nowhere.
async fn settle(
    ctx: &Ctx<'_>,
    waiting: &mut Option<PhoneSigning>,
    action: Action,
) -> Result<Proof, FlowError> {
    let polled = match (waiting.as_mut(), action) {
        (Some(signing), Action::Poll) => signing.poll(ctx.services, ctx.client).await?,
        _ => {
            *waiting = None;
            return Ok(Proof::Pending(None));
        }
    };
    Ok(match polled {
        Polled::Waiting => Proof::Pending(None),
        Polled::Unreachable(problem) => Proof::Pending(Some(problem)),
        Polled::Refused(problem) => {
            *waiting = None;
            Proof::Pending(Some(problem))
        }
        Polled::Signed(certificate) => {
            *waiting = None;
            Proof::Signed(certificate)
        }
    })
}
