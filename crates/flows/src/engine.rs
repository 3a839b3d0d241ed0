//! The entry points the web layer calls: start a flow, show it, act on it. Each flow's own
//! logic lives in its module behind the `Flow` trait; this module loads, dispatches and saves.

use std::sync::Arc;

use async_trait::async_trait;
use connectors::Connectors;
use domain::{Clock, PasswordPolicy};
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::{AccountId, FlowRecord, Store};
use uuid::Uuid;

use crate::FlowError;
use crate::account::AccountService;
use crate::add_phone::AddPhone;
use crate::captcha::Captcha;
use crate::config::FlowConfig;
use crate::context::Client;
use crate::login::Login;
use crate::otp::Otps;
use crate::passwords::Passwords;
use crate::persist::{self, Loaded};
use crate::problem::Problem;
use crate::random::Randomness;
use crate::recovery::Recovery;
use crate::registration::{RegisterBhxh, RegisterPhone};
use crate::secrets::{MacKey, decode_token, encode_token};
use crate::sessions::{IssuedSession, Sessions};
use crate::throttle::Throttle;
use crate::view::{Action, FlowKind, FlowView, Step};

/// What the engine is built from.
pub struct EngineParts {
    pub store: Arc<dyn Store>,
    pub connectors: Connectors,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub config: FlowConfig,
    pub password_policy: PasswordPolicy,
    /// Key of the HMAC that OTP codes are stored under.
    pub otp_key: Vec<u8>,
}

pub struct Engine {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) connectors: Connectors,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<dyn Randomness>,
    pub(crate) config: FlowConfig,
    pub(crate) password_policy: PasswordPolicy,
    pub(crate) otps: Otps,
    pub(crate) passwords: Passwords,
    pub(crate) throttle: Arc<Throttle>,
    pub sessions: Sessions,
}

/// A flow just started: its view, and the token that binds it to the starter (a cookie for
/// browsers, the `X-Flow-Token` header for apps).
#[derive(Debug)]
pub struct Started {
    pub view: FlowView,
    pub binding: String,
}

#[derive(Debug)]
pub struct Outcome {
    pub view: FlowView,
    /// Set when the action signed the person in.
    pub session: Option<IssuedSession>,
}

/// What an action did besides changing the state.
#[derive(Debug, Default)]
pub(crate) struct Acted {
    pub problems: Vec<Problem>,
    pub session: Option<IssuedSession>,
}

impl Acted {
    pub fn problem(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
            session: None,
        }
    }

    pub fn problems(problems: Vec<Problem>) -> Self {
        Self {
            problems,
            session: None,
        }
    }
}

/// What an action may touch besides its own state.
pub(crate) struct Ctx<'a> {
    pub engine: &'a Engine,
    pub flow: Uuid,
    pub client: &'a Client,
    pub captcha: &'a mut Option<Captcha>,
    /// The account the flow was started for (account pages).
    pub account: Option<AccountId>,
}

#[async_trait]
pub(crate) trait Flow: Serialize + DeserializeOwned + Send + Sync + Sized {
    const KIND: FlowKind;
    /// Whether the captcha is asked from the first step (recovery sends SMS to anyone's phone).
    const CAPTCHA_AT_START: bool = false;

    /// The state a new flow starts in; `None` when the flow cannot start (no account).
    /// `hint` pre-fills what the person would type first (a relying service's `login_hint`).
    fn start(account: Option<AccountId>, hint: Option<&str>) -> Option<Self>;
    fn step(&self, engine: &Engine) -> Step;
    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError>;
}

impl Engine {
    pub async fn new(parts: EngineParts) -> Result<Self, FlowError> {
        let throttle = Arc::new(Throttle::new(
            Arc::clone(&parts.store),
            parts.config.throttle.clone(),
        ));
        let otps = Otps {
            store: Arc::clone(&parts.store),
            sms: Arc::clone(&parts.connectors.sms),
            clock: Arc::clone(&parts.clock),
            random: Arc::clone(&parts.random),
            mac: MacKey::new(&parts.otp_key),
            limits: parts.config.otp.clone(),
            throttle: Arc::clone(&throttle),
        };
        let passwords = Passwords::new(&parts.config.argon2, Arc::clone(&parts.random)).await?;
        let sessions = Sessions::new(
            Arc::clone(&parts.store),
            Arc::clone(&parts.clock),
            Arc::clone(&parts.random),
            parts.config.session.clone(),
        );
        Ok(Self {
            store: parts.store,
            connectors: parts.connectors,
            clock: parts.clock,
            random: parts.random,
            config: parts.config,
            password_policy: parts.password_policy,
            otps,
            passwords,
            throttle,
            sessions,
        })
    }

    pub fn config(&self) -> &FlowConfig {
        &self.config
    }

    /// The account pages' operations.
    pub fn accounts(&self) -> AccountService<'_> {
        AccountService { engine: self }
    }

    /// Starts a flow. `return_to` must be a relative path on this site (others are dropped);
    /// `account` is the signed-in account, for flows of the account pages.
    pub async fn start(
        &self,
        kind: FlowKind,
        return_to: Option<&str>,
        account: Option<AccountId>,
    ) -> Result<Started, FlowError> {
        let binding = self.random.token();
        let return_to = return_to.and_then(safe_return_path);
        let view = match kind {
            FlowKind::Login => {
                self.start_as::<Login>(&binding, return_to, account, None)
                    .await?
            }
            FlowKind::RegisterPhone => {
                self.start_as::<RegisterPhone>(&binding, return_to, account, None)
                    .await?
            }
            FlowKind::RegisterBhxh => {
                self.start_as::<RegisterBhxh>(&binding, return_to, account, None)
                    .await?
            }
            FlowKind::Recovery => {
                self.start_as::<Recovery>(&binding, return_to, account, None)
                    .await?
            }
            FlowKind::AddPhone => {
                self.start_as::<AddPhone>(&binding, return_to, account, None)
                    .await?
            }
        };
        Ok(Started {
            view,
            binding: encode_token(&binding),
        })
    }

    /// Starts a sign-in for a relying service: `login_hint` (an ID number it already knows)
    /// is shown in the identifier field, where the person can still change it.
    pub async fn start_sign_in(
        &self,
        return_to: Option<&str>,
        login_hint: Option<&str>,
    ) -> Result<Started, FlowError> {
        let binding = self.random.token();
        let return_to = return_to.and_then(safe_return_path);
        let view = self
            .start_as::<Login>(&binding, return_to, None, login_hint)
            .await?;
        Ok(Started {
            view,
            binding: encode_token(&binding),
        })
    }

    pub async fn view(&self, id: Uuid, binding: &str) -> Result<FlowView, FlowError> {
        let record = self.load(id, binding).await?;
        match kind_of(&record)? {
            FlowKind::Login => self.view_as::<Login>(record),
            FlowKind::RegisterPhone => self.view_as::<RegisterPhone>(record),
            FlowKind::RegisterBhxh => self.view_as::<RegisterBhxh>(record),
            FlowKind::Recovery => self.view_as::<Recovery>(record),
            FlowKind::AddPhone => self.view_as::<AddPhone>(record),
        }
    }

    pub async fn act(
        &self,
        id: Uuid,
        binding: &str,
        client: &Client,
        action: Action,
    ) -> Result<Outcome, FlowError> {
        let record = self.load(id, binding).await?;
        tracing::info!(flow = %id, kind = %record.kind, action = action.name(), "flow step");
        match kind_of(&record)? {
            FlowKind::Login => self.act_as::<Login>(record, client, action).await,
            FlowKind::RegisterPhone => self.act_as::<RegisterPhone>(record, client, action).await,
            FlowKind::RegisterBhxh => self.act_as::<RegisterBhxh>(record, client, action).await,
            FlowKind::Recovery => self.act_as::<Recovery>(record, client, action).await,
            FlowKind::AddPhone => self.act_as::<AddPhone>(record, client, action).await,
        }
    }

    async fn load(&self, id: Uuid, binding: &str) -> Result<FlowRecord, FlowError> {
        let binding = decode_token(binding).ok_or(FlowError::NotFound)?;
        persist::load(self.store.as_ref(), id, &binding, self.clock.now()).await
    }

    async fn start_as<F: Flow>(
        &self,
        binding: &[u8; 32],
        return_to: Option<String>,
        account: Option<AccountId>,
        hint: Option<&str>,
    ) -> Result<FlowView, FlowError> {
        let state = F::start(account, hint).ok_or(FlowError::NeedsAccount)?;
        let now = self.clock.now();
        // With `captcha_after_per_account = 0` sign-in asks the captcha every time, as the
        // portal's form did; by default it is asked only once throttling says so.
        let always =
            F::KIND == FlowKind::Login && self.config.throttle.captcha_after_per_account == 0;
        let captcha = (F::CAPTCHA_AT_START || always)
            .then(|| Captcha::new(self.random.as_ref(), &self.config.captcha));
        let loaded = persist::create(
            self.store.as_ref(),
            persist::NewEnvelope {
                kind: F::KIND.as_str(),
                state,
                binding,
                return_to,
                captcha,
                account,
                expires_at: now + self.config.flow_lifetime(),
            },
            now,
        )
        .await?;
        Ok(self.render(&loaded, Vec::new()))
    }

    fn view_as<F: Flow>(&self, record: FlowRecord) -> Result<FlowView, FlowError> {
        let loaded = persist::open::<F>(record)?;
        Ok(self.render(&loaded, Vec::new()))
    }

    async fn act_as<F: Flow>(
        &self,
        record: FlowRecord,
        client: &Client,
        action: Action,
    ) -> Result<Outcome, FlowError> {
        let mut loaded = persist::open::<F>(record)?;
        let mut ctx = Ctx {
            engine: self,
            flow: loaded.record.id,
            client,
            captcha: &mut loaded.envelope.captcha,
            account: loaded.record.account_id,
        };
        let acted = loaded.envelope.state.act(&mut ctx, action).await?;
        persist::save(self.store.as_ref(), &mut loaded, self.clock.now()).await?;
        Ok(Outcome {
            view: self.render(&loaded, acted.problems),
            session: acted.session,
        })
    }

    fn render<F: Flow>(&self, loaded: &Loaded<F>, problems: Vec<Problem>) -> FlowView {
        FlowView {
            id: loaded.record.id,
            kind: F::KIND,
            expires_at: loaded.record.expires_at,
            step: loaded.envelope.state.step(self),
            problems,
            captcha: loaded.envelope.captcha.as_ref().map(Captcha::prompt),
            return_to: loaded.envelope.return_to.clone(),
        }
    }
}

fn kind_of(record: &FlowRecord) -> Result<FlowKind, FlowError> {
    FlowKind::parse(&record.kind).ok_or(FlowError::NotFound)
}

/// Only a path on this site: one leading slash, no scheme, no `//` or `/\` (which browsers
/// read as another host), no control characters.
pub fn safe_return_path(path: &str) -> Option<String> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path.len() <= 2048;
    ok.then(|| path.to_owned())
}
