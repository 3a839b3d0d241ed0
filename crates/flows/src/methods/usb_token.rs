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
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};
use serde::{Deserialize, Serialize};
use store::AccountId;

use super::certificate_account::signing_in;
use super::kind::MethodKind;
use super::method::{Begin, Descriptor, Method, Progress};
use crate::certificates::AgentChallenge;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::services::Services;
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
