//! Đăng nhập (SPEC S1–S5): the sign-in flow is a shell around the sign-in methods.
//!
//! ```text
//!           offered = enabled methods reaching the required level
//!                     (step-up: only those the signed-in account holds)
//! start ──▶ Running(method) ──method steps──▶ Proven ──▶ SignedIn (acr, amr from the method)
//!            ▲    │ choose_method (another offered method)      │ step-up: the session's
//!            └────┘                                            │ level raised, amr added
//! none offered ──▶ Unreachable
//! ```

use async_trait::async_trait;
use domain::{AssuranceLevel, AuthMethod};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{AuditKind, NewAuditEvent, StepWrite};
use uuid::Uuid;

use crate::common::audit_context;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::methods::kind::MethodKind;
use crate::methods::{self, Begin, Evidence, MethodState, Progress};
use crate::problem::Problem;
use crate::services::Services;
use crate::view::{Action, Done, FlowKind, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Login {
    /// The level the sign-in must reach (a relying service's `acr_values` or minimum).
    required: AssuranceLevel,
    offered: Vec<MethodKind>,
    /// Step-up: the signed-in session to raise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raise: Option<Uuid>,
    /// The relying service that asked for the sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_name: Option<String>,
    at: At,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
enum At {
    Running {
        method: Box<MethodState>,
    },
    /// No method offered here reaches the required level.
    Unreachable,
    SignedIn {
        phone_changed: bool,
    },
}

#[async_trait]
impl Flow for Login {
    const KIND: FlowKind = FlowKind::Login;

    fn start(start: &Start, services: &Services) -> Option<Self> {
        let begin = Begin {
            flow: start.flow,
            account: start.account,
            hint: start.hint.clone(),
            required: start.required,
        };
        let at = match start.offered.first() {
            Some(first) => At::Running {
                method: Box::new(methods::begin(*first, &begin, services)),
            },
            None => At::Unreachable,
        };
        Some(Self {
            required: start.required.unwrap_or(AssuranceLevel::LoA2),
            offered: start.offered.clone(),
            raise: start.session,
            client_name: start.client_name.clone(),
            at,
        })
    }

    fn step(&self, services: &Services) -> Step {
        match &self.at {
            At::Running { method } => method.step(services),
            At::Unreachable => Step::Unreachable {
                required: self.required,
            },
            At::SignedIn { phone_changed } => Step::Done {
                result: if *phone_changed {
                    Done::PhoneChanged
                } else {
                    Done::SignedIn
                },
            },
        }
    }

    /// The running method first (the page marks its tab current), then the others offered.
    fn methods(&self) -> Vec<MethodKind> {
        match &self.at {
            At::Running { method } => {
                let running = method.kind();
                std::iter::once(running)
                    .chain(self.offered.iter().copied().filter(|kind| *kind != running))
                    .collect()
            }
            At::Unreachable | At::SignedIn { .. } => Vec::new(),
        }
    }

    fn client_name(&self) -> Option<String> {
        self.client_name.clone()
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        let At::Running { method } = &mut self.at else {
            return Ok(Acted::problem(Problem::form("action.unexpected")));
        };
        if let Action::ChooseMethod { method: chosen } = action {
            // Switching is always allowed, whatever cooldown the current method is in.
            if !self.offered.contains(&chosen) {
                return Ok(Acted::problem(Problem::form("method.not_offered")));
            }
            let begin = Begin {
                flow: ctx.flow,
                account: ctx.account,
                hint: None,
                required: Some(self.required),
            };
            **method = methods::begin(chosen, &begin, ctx.services);
            return Ok(Acted::default());
        }
        let kind = method.kind();
        match method.act(ctx, action).await? {
            Progress::Continue(acted) => Ok(acted),
            Progress::Proven(evidence, acted) => {
                let phone_changed = evidence.phone_changed;
                let acted = self.signed_in(ctx, kind, evidence, acted).await?;
                self.at = At::SignedIn { phone_changed };
                Ok(acted)
            }
        }
    }
}

impl Login {
    /// The trip out to VNeID, when the sign-in is about to take it.
    pub(crate) fn vneid_trip(&self) -> Option<&crate::methods::vneid::Trip> {
        match &self.at {
            At::Running { method } => match method.as_ref() {
                MethodState::Vneid(vneid) => vneid.trip(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The method proved who the person is: a new session at the method's level, or (step-up)
    /// the signed-in session raised to it; the credentials' use and the audit event are written
    /// in the same transaction as the flow's last step.
    async fn signed_in(
        &self,
        ctx: &mut Ctx<'_>,
        kind: MethodKind,
        evidence: Evidence,
        mut acted: Acted,
    ) -> Result<Acted, FlowError> {
        let descriptor = methods::descriptor(kind);
        let mut amr: Vec<AuthMethod> = descriptor.amr.to_vec();
        let level = match &evidence.asserted {
            Some(asserted) => {
                for method in &asserted.amr {
                    if !amr.contains(method) {
                        amr.push(*method);
                    }
                }
                asserted.level
            }
            None => descriptor.level,
        };
        let level = crate::proofing::capped(ctx.services, evidence.account, level).await?;
        if !evidence.used.is_empty() {
            acted.writes.push(StepWrite::CredentialsUsed {
                account: evidence.account,
                used: evidence.used.clone(),
            });
        }
        let services = ctx.services;
        let raised = match self.raise {
            Some(session) => {
                services
                    .sessions
                    .raise(session, evidence.account, level, &amr)
                    .await?
            }
            None => None,
        };
        let (acr, amr) = match raised {
            Some((write, session)) => {
                acted.writes.push(write);
                acted.raised = true;
                (session.acr, session.amr)
            }
            None => {
                let (issued, write) =
                    services
                        .sessions
                        .prepare(evidence.account, level, &amr, ctx.client);
                acted.writes.push(write);
                let session = issued.session.clone();
                acted.session = Some(issued);
                (session.acr, session.amr)
            }
        };
        acted.writes.push(StepWrite::Audit(NewAuditEvent {
            account_id: Some(evidence.account),
            kind: AuditKind::SignedIn,
            context: audit_context(ctx.client),
            details: json!({
                "method": kind.as_str(),
                "acr": acr.as_str(),
                "amr": amr,
                "step_up": self.raise.is_some(),
                "phone_changed": evidence.phone_changed,
            }),
        }));
        Ok(acted)
    }
}
