//! What every flow is: a serde state enum behind the `Flow` trait, moved on by actions within
//! a `Ctx`, each step returning what it did (`Acted`) — refusals to show, the writes to commit
//! with the new state, and a session when the step signed the person in.

use async_trait::async_trait;
use domain::AssuranceLevel;
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::{AccountId, StepWrite};
use uuid::Uuid;

use crate::captcha::Captcha;
use crate::context::Client;
use crate::error::FlowError;
use crate::methods::kind::MethodKind;
use crate::problem::Problem;
use crate::services::Services;
use crate::sessions::IssuedSession;
use crate::throttle::CaptchaWork;
use crate::view::{Action, FlowKind, Step};

/// What an action did besides changing the state.
#[derive(Debug, Default)]
pub(crate) struct Acted {
    pub problems: Vec<Problem>,
    /// Committed with the flow's new state, in one transaction.
    pub writes: Vec<StepWrite>,
    /// A sign-in completed: the new session (its row is among `writes`).
    pub session: Option<IssuedSession>,
    /// A step-up completed: the signed-in session's level was raised in place.
    pub raised: bool,
}

impl Acted {
    pub fn problem(problem: Problem) -> Self {
        Self::problems(vec![problem])
    }

    pub fn problems(problems: Vec<Problem>) -> Self {
        Self {
            problems,
            ..Self::default()
        }
    }

    pub fn write(mut self, write: StepWrite) -> Self {
        self.writes.push(write);
        self
    }
}

/// How a flow starts: who is signed in (account pages, step-up), what the starter pre-fills,
/// and, for sign-in, the level asked for and the methods offered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Start {
    /// The id the new flow will have (an outside service sends the person back to it).
    pub flow: Uuid,
    pub account: Option<AccountId>,
    /// The signed-in session a sign-in raises (step-up).
    pub session: Option<Uuid>,
    /// What the person would type first (a relying service's `login_hint`).
    pub hint: Option<String>,
    pub required: Option<AssuranceLevel>,
    pub offered: Vec<MethodKind>,
    /// The relying service the sign-in is for, shown on its pages.
    pub client_name: Option<String>,
    /// The captcha the first form already asks: the client's address needs one.
    pub captcha: Option<CaptchaWork>,
}

/// What an action may touch besides its own state.
pub(crate) struct Ctx<'a> {
    pub services: &'a Services,
    pub flow: Uuid,
    pub client: &'a Client,
    pub captcha: &'a mut Option<Captcha>,
    /// The account the flow was started for (account pages).
    pub account: Option<AccountId>,
    /// Writes the step's helpers add along the way (a throttle reset), committed with the
    /// step's own whatever it returns.
    pub writes: Vec<StepWrite>,
}

#[async_trait]
pub(crate) trait Flow: Serialize + DeserializeOwned + Send + Sync + Sized {
    const KIND: FlowKind;
    /// Whether the captcha is asked from the first step (recovery sends SMS to anyone's phone).
    const CAPTCHA_AT_START: bool = false;

    /// The state a new flow starts in; `None` when the flow cannot start (no account).
    fn start(start: &Start, services: &Services) -> Option<Self>;
    fn step(&self, services: &Services) -> Step;
    /// The sign-in methods the person may switch to at this point (sign-in only).
    fn methods(&self) -> Vec<MethodKind> {
        Vec::new()
    }
    /// The relying service the flow is for (sign-in only).
    fn client_name(&self) -> Option<String> {
        None
    }
    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError>;
}
