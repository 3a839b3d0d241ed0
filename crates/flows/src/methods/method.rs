//! What a sign-in method is: its descriptor (account kinds, credentials, level, `amr`), where
//! it begins, and what it says when it has proven who the person is.

use async_trait::async_trait;
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::{AccountId, Credential};

use super::kind::MethodKind;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::services::Services;
use crate::view::{Action, Step};

/// What a method is and proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    pub kind: MethodKind,
    /// The account kinds it signs in.
    pub account_kinds: &'static [AccountKind],
    /// The credentials an account must hold for it, all of them.
    pub needs: &'static [CredentialKind],
    pub level: AssuranceLevel,
    pub amr: &'static [AuthMethod],
}

impl Descriptor {
    /// Whether an account of this kind holding these credentials can use the method.
    pub fn applies_to(&self, kind: AccountKind, credentials: &[Credential]) -> bool {
        self.account_kinds.contains(&kind)
            && self
                .needs
                .iter()
                .all(|need| credentials.iter().any(|held| held.kind == *need))
    }
}

/// Where the method begins: with nobody known yet, or (step-up) the signed-in account.
#[derive(Debug, Clone, Default)]
pub(crate) struct Begin {
    /// The sign-in flow's id.
    pub flow: uuid::Uuid,
    pub account: Option<AccountId>,
    pub hint: Option<String>,
    /// The level the sign-in must reach (a method whose level depends on the person checks it).
    pub required: Option<AssuranceLevel>,
}

/// The method has established who the person is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evidence {
    pub account: AccountId,
    /// Credentials used, to record their last use.
    pub used: Vec<(CredentialKind, String)>,
    /// The default OTP phone was replaced on the way (lost-phone change).
    pub phone_changed: bool,
    /// What another provider asserted, for a method whose level depends on the person rather
    /// than on the method (VNeID: its account's level); `None`: the descriptor's.
    pub asserted: Option<Asserted>,
}

/// A level and methods another identity provider vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asserted {
    pub level: AssuranceLevel,
    /// Besides the method's own `amr`.
    pub amr: Vec<AuthMethod>,
}

pub(crate) enum Progress {
    /// Still running (refusals and writes in `Acted`).
    Continue(Acted),
    Proven(Evidence, Acted),
}

impl Progress {
    /// Still running, with a refusal to show.
    pub fn refused(problem: crate::problem::Problem) -> Self {
        Self::Continue(Acted::problem(problem))
    }

    /// The same progress, with one more write for its step.
    pub fn write(self, write: store::StepWrite) -> Self {
        match self {
            Self::Continue(acted) => Self::Continue(acted.write(write)),
            Self::Proven(evidence, acted) => Self::Proven(evidence, acted.write(write)),
        }
    }
}

#[async_trait]
pub(crate) trait Method: Serialize + DeserializeOwned + Send + Sync + Sized {
    const DESCRIPTOR: Descriptor;

    fn begin(begin: &Begin, services: &Services) -> Self;
    fn step(&self, services: &Services) -> Step;
    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError>;
}
