//! Sign-in methods: one module each, plugged into the sign-in flow (Kratos's strategies, with
//! Kanidm's one closed enum of handlers). A method says which account kinds and credentials it
//! applies to, the level and RFC 8176 `amr` it proves, and runs its own steps until it either
//! goes on or has `Proven` who the person is. The table in `methods!` below is the only
//! central list: adding a method is a module, a line there, its templates and translations.

use async_trait::async_trait;
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::{AccountId, Credential};

use crate::FlowError;
use crate::flow::{Acted, Ctx};
use crate::services::Services;
use crate::view::{Action, Step};

pub(crate) mod password_sms;
#[cfg(feature = "test-methods")]
pub(crate) mod totp;

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
    pub account: Option<AccountId>,
    pub hint: Option<String>,
}

/// The method has established who the person is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evidence {
    pub account: AccountId,
    /// Credentials used, to record their last use.
    pub used: Vec<(CredentialKind, String)>,
    /// The default OTP phone was replaced on the way (lost-phone change).
    pub phone_changed: bool,
}

pub(crate) enum Progress {
    /// Still running (refusals and writes in `Acted`).
    Continue(Acted),
    Proven(Evidence, Acted),
}

#[async_trait]
pub(crate) trait Method: Serialize + DeserializeOwned + Send + Sync + Sized {
    const DESCRIPTOR: Descriptor;

    fn begin(begin: &Begin) -> Self;
    fn step(&self, services: &Services) -> Step;
    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError>;
}

/// Declares the methods: `MethodKind` (their stable names), `MethodState` (a running method,
/// stored in the sign-in flow) and the dispatch between them.
macro_rules! methods {
    ( $( $(#[$meta:meta])* $variant:ident($state:ty) = $name:literal ),+ $(,)? ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum MethodKind {
            $( $(#[$meta])* #[serde(rename = $name)] $variant ),+
        }

        impl MethodKind {
            /// Every method built in, in the order the sign-in page offers them.
            #[allow(clippy::vec_init_then_push, reason = "a line may be left out by its #[cfg]")]
            pub fn all() -> Vec<MethodKind> {
                let mut all = Vec::new();
                $( $(#[$meta])* all.push(Self::$variant); )+
                all
            }

            pub fn as_str(self) -> &'static str {
                match self { $( $(#[$meta])* Self::$variant => $name ),+ }
            }

            pub fn descriptor(self) -> Descriptor {
                match self { $( $(#[$meta])* Self::$variant => <$state as Method>::DESCRIPTOR ),+ }
            }

            pub(crate) fn begin(self, begin: &Begin) -> MethodState {
                match self {
                    $( $(#[$meta])* Self::$variant => MethodState::$variant(<$state as Method>::begin(begin)) ),+
                }
            }
        }

        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(tag = "method", content = "state", rename_all = "snake_case")]
        pub(crate) enum MethodState {
            $( $(#[$meta])* #[serde(rename = $name)] $variant($state) ),+
        }

        impl MethodState {
            pub fn kind(&self) -> MethodKind {
                match self { $( $(#[$meta])* Self::$variant(_) => MethodKind::$variant ),+ }
            }

            pub fn step(&self, services: &Services) -> Step {
                match self { $( $(#[$meta])* Self::$variant(state) => state.step(services) ),+ }
            }

            pub async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
                match self { $( $(#[$meta])* Self::$variant(state) => state.act(ctx, action).await ),+ }
            }
        }
    };
}

methods! {
    // Số định danh + mật khẩu → OTP qua SMS (S1–S4, P1–P2).
    PasswordSms(password_sms::PasswordSms) = "password_sms",
    // Mật khẩu → mã của ứng dụng xác thực (TOTP), only for tests.
    #[cfg(feature = "test-methods")] Totp(totp::Totp) = "totp",
}

impl MethodKind {
    pub fn parse(text: &str) -> Option<Self> {
        Self::all().into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The methods an account can sign in with, strongest first.
pub(crate) fn held_by(kind: AccountKind, credentials: &[Credential]) -> Vec<MethodKind> {
    let mut held: Vec<MethodKind> = MethodKind::all()
        .into_iter()
        .filter(|method| method.descriptor().applies_to(kind, credentials))
        .collect();
    held.sort_by_key(|method| std::cmp::Reverse(method.descriptor().level));
    held
}
