//! The entry points the web layer calls: start a flow, show it, act on it. Each flow's own
//! logic lives in its module behind the `Flow` trait; this module loads, dispatches and saves.

use std::sync::Arc;

use connectors::Connectors;
use domain::{AccountKind, AssuranceLevel, Clock, PasswordPolicy};
use store::{AccountId, FlowRecord, Store};
use uuid::Uuid;

use crate::account::AccountService;
use crate::add_phone::AddPhone;
use crate::bind_certificate::BindCertificate;
use crate::captcha::Captcha;
use crate::certificates::CertificateSignIn;
use crate::common::new_captcha;
use crate::config::FlowConfig;
use crate::context::Client;
use crate::error::FlowError;
use crate::flow::{Ctx, Flow, Start};
use crate::login::Login;
use crate::methods::{self, MethodKind};
use crate::operators::OperatorService;
use crate::otp::Otps;
use crate::passwords::Passwords;
use crate::persist::{self, Loaded};
use crate::problem::Problem;
use crate::recovery::Recovery;
use crate::register_certificate::RegisterCertificate;
use crate::registration::{RegisterBhxh, RegisterPhone};
use crate::services::Services;
use crate::sessions::{IssuedSession, Sessions};
use crate::throttle::{CaptchaWork, Throttle, ThrottleAction};
use crate::vietnam_post::RegisterPost;
use crate::view::{Action, FlowKind, FlowView};
use domain::digest::{MacKey, decode_token, encode_token};
use domain::random::Randomness;

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
    services: Services,
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
    /// Set when the action raised the signed-in session's level (step-up).
    pub raised: bool,
}

/// A sign-in a relying service asked for: the level it needs, the ID it already knows, and —
/// for step-up — the session to raise.
#[derive(Debug, Clone, Default)]
pub struct SignInRequest<'a> {
    pub return_to: Option<&'a str>,
    pub login_hint: Option<&'a str>,
    /// The first level of the list the account can reach is the one asked for (OpenID
    /// Connect Core 3.1.2.1: `acr_values` is a preference); empty: LoA2.
    pub acr_preference: Vec<AssuranceLevel>,
    pub signed_in: Option<(uuid::Uuid, AccountId)>,
    /// The relying service's name, shown on the sign-in pages.
    pub client_name: Option<&'a str>,
    /// Who asks: an address that already needs the captcha gets it on the first form.
    pub client: Option<&'a Client>,
    /// The method to begin with, when it is offered (the sign-in page's tab).
    pub first: Option<MethodKind>,
}

impl Engine {
    pub async fn new(parts: EngineParts) -> Result<Self, FlowError> {
        Ok(Self {
            services: Self::services(parts).await?,
        })
    }

    async fn services(parts: EngineParts) -> Result<Services, FlowError> {
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
        let passwords =
            Arc::new(Passwords::new(&parts.config.argon2, Arc::clone(&parts.random)).await?);
        let sessions = Sessions::new(
            Arc::clone(&parts.store),
            Arc::clone(&parts.clock),
            Arc::clone(&parts.random),
            parts.config.session.clone(),
        );
        Ok(Services {
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
            certificates: None,
            federation_callback: None,
            public_base: None,
        })
    }

    /// Turns on sign-in with certificates through the local signing agent (USB token).
    pub fn with_certificate_sign_in(mut self, certificates: CertificateSignIn) -> Self {
        self.services.certificates = Some(Arc::new(certificates));
        self
    }

    /// Hashes on `passwords` instead of a pool of its own: one node's services share one
    /// pool, so that admission control counts every hash the node does.
    pub fn with_passwords(mut self, passwords: Arc<Passwords>) -> Self {
        self.services.passwords = passwords;
        self
    }

    /// Turns on "Đăng nhập bằng VNeID" (with `connectors.vneid`): `public_base` is this site's
    /// public address, to which VNeID sends people back.
    pub fn with_vneid(mut self, public_base: &url::Url) -> Self {
        self.services.federation_callback = public_base.join(crate::VNEID_CALLBACK).ok();
        self
    }

    /// Sets this site's public base URL, on which e-mailed links are built (Vietnam Post
    /// activation). Without it, activation by e-mail is refused as unavailable.
    pub fn with_public_base(mut self, public_base: &url::Url) -> Self {
        self.services.public_base = Some(public_base.clone());
        self
    }

    /// What the Vietnam Post activation link `id` + `token` shows, or why it does not work.
    pub async fn post_activation_link(
        &self,
        id: Uuid,
        token: &str,
    ) -> Result<Result<crate::LinkPreview, Problem>, FlowError> {
        crate::vietnam_post::activation::preview(&self.services, id, token).await
    }

    /// Uses the Vietnam Post activation link: the account is created.
    pub async fn activate_post_registration(
        &self,
        id: Uuid,
        token: &str,
        client: &Client,
    ) -> Result<Result<AccountId, Problem>, FlowError> {
        crate::vietnam_post::activation::activate(&self.services, id, token, client).await
    }

    /// The Vietnam Post counter's operations (proofing in person).
    pub fn post_counter(&self) -> crate::PostCounter<'_> {
        crate::PostCounter {
            services: &self.services,
        }
    }

    /// Where the browser goes to sign in with VNeID, for the sign-in flow `id` whose step is to
    /// go there (`None` otherwise).
    pub async fn vneid_authorization_url(
        &self,
        id: Uuid,
        binding: &str,
    ) -> Result<Option<url::Url>, FlowError> {
        let record = self.load(id, binding).await?;
        if kind_of(&record)? != FlowKind::Login {
            return Ok(None);
        }
        let loaded = persist::open::<Login>(record)?;
        let services = &self.services;
        let (Some(trip), Some(provider)) = (
            loaded.envelope.state.vneid_trip(),
            services.connectors.vneid.as_ref(),
        ) else {
            return Ok(None);
        };
        let Some(authorization) = trip.authorization(services) else {
            return Ok(None);
        };
        let url = provider.authorization_url(&authorization).await;
        url.map(Some).map_err(FlowError::Outside)
    }

    /// Brings over an account of the portal's earlier system, of the old 9-digit card.
    pub async fn import_legacy_account(
        &self,
        legacy: &crate::LegacyAccount,
    ) -> Result<Result<AccountId, Problem>, FlowError> {
        crate::import::legacy_account(&self.services, legacy).await
    }

    pub fn config(&self) -> &FlowConfig {
        &self.services.config
    }

    pub fn sessions(&self) -> &Sessions {
        &self.services.sessions
    }

    /// The account pages' operations.
    pub fn accounts(&self) -> AccountService<'_> {
        AccountService {
            services: &self.services,
        }
    }

    /// The operator console's operations.
    pub fn operators(&self) -> OperatorService<'_> {
        OperatorService {
            services: &self.services,
        }
    }

    /// Business and agency accounts' members, and what a session acts for.
    pub fn organisations(&self) -> crate::organisations::OrganisationService<'_> {
        crate::organisations::OrganisationService {
            services: &self.services,
        }
    }

    /// "Hủy đổi số điện thoại": cancels a pending lost-phone change with the code the replaced
    /// phone received.
    pub async fn cancel_phone_change(
        &self,
        identifier: &str,
        code: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        crate::phone_change::cancel(&self.services, identifier, code, client).await
    }

    /// The methods that sign with a certificate this deployment runs (USB token, PKI SIM,
    /// remote signing), in the sign-in page's order.
    pub fn certificate_methods(&self) -> Vec<MethodKind> {
        methods::enabled(&self.services)
            .into_iter()
            .filter(|method| methods::signs_with_certificate(*method))
            .collect()
    }

    /// The highest level the account can sign in at, with the methods it holds.
    pub async fn reachable_level(
        &self,
        account: AccountId,
        kind: AccountKind,
    ) -> Result<AssuranceLevel, FlowError> {
        let credentials = self.services.store.credentials(account).await?;
        let held = methods::held_by(&self.services, kind, &credentials)
            .first()
            .map_or(AssuranceLevel::LoA1, |method| {
                methods::descriptor(*method).level
            });
        crate::proofing::capped(&self.services, account, held).await
    }

    /// Starts a flow. `return_to` must be a relative path on this site (others are dropped);
    /// `account` is the signed-in account, for flows of the account pages.
    pub async fn start(
        &self,
        kind: FlowKind,
        return_to: Option<&str>,
        account: Option<AccountId>,
        client: &Client,
    ) -> Result<Started, FlowError> {
        if kind == FlowKind::Login {
            let request = SignInRequest {
                return_to,
                client: Some(client),
                ..SignInRequest::default()
            };
            return self.start_sign_in(request).await;
        }
        let start = Start {
            account,
            ..Start::default()
        };
        let return_to = return_to.and_then(safe_return_path);
        match kind {
            FlowKind::Login => self.start_as::<Login>(return_to, start).await,
            FlowKind::RegisterPhone => self.start_as::<RegisterPhone>(return_to, start).await,
            FlowKind::RegisterBhxh => self.start_as::<RegisterBhxh>(return_to, start).await,
            FlowKind::RegisterVietnamPost => self.start_as::<RegisterPost>(return_to, start).await,
            FlowKind::Recovery => self.start_as::<Recovery>(return_to, start).await,
            FlowKind::AddPhone => self.start_as::<AddPhone>(return_to, start).await,
            FlowKind::RegisterCertificate => {
                self.start_as::<RegisterCertificate>(return_to, start).await
            }
            FlowKind::BindCertificate => self.start_as::<BindCertificate>(return_to, start).await,
        }
    }

    /// Starts a flow that proves a certificate by signing through `method` (USB token, PKI
    /// SIM, remote signing): registration, or (with the signed-in `account`) binding it on the
    /// account page. `None` for a method this deployment does not run, or another flow.
    pub async fn start_with_certificate(
        &self,
        kind: FlowKind,
        method: MethodKind,
        return_to: Option<&str>,
        account: Option<AccountId>,
    ) -> Result<Option<Started>, FlowError> {
        if !self.certificate_methods().contains(&method) {
            return Ok(None);
        }
        let start = Start {
            account,
            offered: vec![method],
            ..Start::default()
        };
        let return_to = return_to.and_then(safe_return_path);
        match kind {
            FlowKind::RegisterCertificate => {
                self.start_as::<RegisterCertificate>(return_to, start).await
            }
            FlowKind::BindCertificate => self.start_as::<BindCertificate>(return_to, start).await,
            _ => return Ok(None),
        }
        .map(Some)
    }

    /// Starts a sign-in. The methods offered are those enabled that reach the level asked
    /// for; for step-up, those the signed-in account holds. `login_hint` (an ID number the
    /// relying service already knows) is shown in the identifier field, where the person can
    /// still change it.
    pub async fn start_sign_in(&self, request: SignInRequest<'_>) -> Result<Started, FlowError> {
        let (offered, required) = match request.signed_in {
            Some((_, account)) => {
                self.step_up_methods(account, &request.acr_preference)
                    .await?
            }
            None => {
                let required = request
                    .acr_preference
                    .iter()
                    .copied()
                    .find(|level| !self.methods_reaching(*level).is_empty())
                    .or(request.acr_preference.first().copied())
                    .unwrap_or(AssuranceLevel::LoA2);
                (self.methods_reaching(required), required)
            }
        };
        // Step-up comes from the holder's own signed-in browser: no captcha up front.
        let address = request
            .client
            .and_then(|client| client.address.as_deref())
            .filter(|_| request.signed_in.is_none());
        let captcha = match address {
            Some(address) => {
                let now = self.services.clock.now();
                let throttle = &self.services.throttle;
                throttle
                    .address_needs_captcha(ThrottleAction::SignIn, address, now)
                    .await?
            }
            None => None,
        };
        let mut offered = offered;
        if let Some(first) = request.first {
            // A stable sort: the others keep their order behind it.
            offered.sort_by_key(|method| *method != first);
        }
        let start = Start {
            account: request.signed_in.map(|(_, account)| account),
            session: request.signed_in.map(|(session, _)| session),
            hint: request.login_hint.map(str::to_owned),
            required: Some(required),
            offered,
            client_name: request.client_name.map(str::to_owned),
            captcha,
            ..Start::default()
        };
        let return_to = request.return_to.and_then(safe_return_path);
        self.start_as::<Login>(return_to, start).await
    }

    /// The enabled methods reaching `level`, strongest first but the portal's own method
    /// first: it is what nearly everyone has.
    fn methods_reaching(&self, level: AssuranceLevel) -> Vec<MethodKind> {
        let mut offered: Vec<MethodKind> = methods::enabled(&self.services)
            .into_iter()
            .filter(|method| methods::descriptor(*method).level >= level)
            .collect();
        offered.sort_by_key(|method| *method != MethodKind::PasswordSms);
        offered
    }

    /// Step-up: the first preferred level the account can reach, and its methods that do.
    async fn step_up_methods(
        &self,
        account: AccountId,
        preference: &[AssuranceLevel],
    ) -> Result<(Vec<MethodKind>, AssuranceLevel), FlowError> {
        let store = &self.services.store;
        let Some(holder) = store.account(account).await? else {
            return Err(FlowError::NeedsAccount);
        };
        let credentials = store.credentials(account).await?;
        let held = methods::held_by(&self.services, holder.kind, &credentials);
        let preference = if preference.is_empty() {
            &[AssuranceLevel::LoA2][..]
        } else {
            preference
        };
        let required = preference
            .iter()
            .copied()
            .find(|level| {
                held.iter()
                    .any(|method| methods::descriptor(*method).level >= *level)
            })
            .or(preference.first().copied())
            .unwrap_or(AssuranceLevel::LoA2);
        let offered = held
            .into_iter()
            .filter(|method| methods::descriptor(*method).level >= required)
            .collect();
        Ok((offered, required))
    }

    pub async fn view(&self, id: Uuid, binding: &str) -> Result<FlowView, FlowError> {
        let record = self.load(id, binding).await?;
        match kind_of(&record)? {
            FlowKind::Login => self.view_as::<Login>(record),
            FlowKind::RegisterPhone => self.view_as::<RegisterPhone>(record),
            FlowKind::RegisterBhxh => self.view_as::<RegisterBhxh>(record),
            FlowKind::RegisterVietnamPost => self.view_as::<RegisterPost>(record),
            FlowKind::Recovery => self.view_as::<Recovery>(record),
            FlowKind::AddPhone => self.view_as::<AddPhone>(record),
            FlowKind::RegisterCertificate => self.view_as::<RegisterCertificate>(record),
            FlowKind::BindCertificate => self.view_as::<BindCertificate>(record),
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
        metrics::counter!("dvcid_flow_steps_total", "kind" => kind_of(&record)?.as_str(), "action" => action.name()).increment(1);
        match kind_of(&record)? {
            FlowKind::Login => self.act_as::<Login>(record, client, action).await,
            FlowKind::RegisterPhone => self.act_as::<RegisterPhone>(record, client, action).await,
            FlowKind::RegisterBhxh => self.act_as::<RegisterBhxh>(record, client, action).await,
            FlowKind::RegisterVietnamPost => {
                self.act_as::<RegisterPost>(record, client, action).await
            }
            FlowKind::Recovery => self.act_as::<Recovery>(record, client, action).await,
            FlowKind::AddPhone => self.act_as::<AddPhone>(record, client, action).await,
            FlowKind::RegisterCertificate => {
                self.act_as::<RegisterCertificate>(record, client, action)
                    .await
            }
            FlowKind::BindCertificate => {
                self.act_as::<BindCertificate>(record, client, action).await
            }
        }
    }

    async fn load(&self, id: Uuid, binding: &str) -> Result<FlowRecord, FlowError> {
        let binding = decode_token(binding).ok_or(FlowError::NotFound)?;
        let services = &self.services;
        persist::load(services.store.as_ref(), id, &binding, services.clock.now()).await
    }

    async fn start_as<F: Flow>(
        &self,
        return_to: Option<String>,
        start: Start,
    ) -> Result<Started, FlowError> {
        let services = &self.services;
        let binding = services.random.token();
        let start = Start {
            flow: Uuid::new_v4(),
            ..start
        };
        let state = F::start(&start, services).ok_or(FlowError::NeedsAccount)?;
        let now = services.clock.now();
        // With `captcha_after_per_account = 0` sign-in asks the captcha every time, as the
        // portal's form did; by default it is asked only once throttling says so.
        let always =
            F::KIND == FlowKind::Login && services.config.throttle.captcha_after_per_account == 0;
        let captcha = match start.captcha {
            Some(work) => Some(new_captcha(services, work)),
            None => {
                (F::CAPTCHA_AT_START || always).then(|| new_captcha(services, CaptchaWork::Normal))
            }
        };
        let loaded = persist::create(
            services.store.as_ref(),
            persist::NewEnvelope {
                id: start.flow,
                kind: F::KIND.as_str(),
                state,
                binding: &binding,
                return_to,
                captcha,
                account: start.account,
                expires_at: now + services.config.flow_lifetime(),
            },
            now,
        )
        .await?;
        Ok(Started {
            view: self.render(&loaded, Vec::new()),
            binding: encode_token(&binding),
        })
    }

    fn view_as<F: Flow>(&self, record: FlowRecord) -> Result<FlowView, FlowError> {
        let loaded = persist::open::<F>(record)?;
        Ok(self.render(&loaded, Vec::new()))
    }

    /// One step: load, act, then save the new state with every write of the step in one
    /// transaction.
    async fn act_as<F: Flow>(
        &self,
        record: FlowRecord,
        client: &Client,
        action: Action,
    ) -> Result<Outcome, FlowError> {
        let services = &self.services;
        let mut loaded = persist::open::<F>(record)?;
        let mut ctx = Ctx {
            services,
            flow: loaded.record.id,
            client,
            captcha: &mut loaded.envelope.captcha,
            account: loaded.record.account_id,
            writes: Vec::new(),
        };
        let mut acted = loaded.envelope.state.act(&mut ctx, action).await?;
        acted.writes.append(&mut ctx.writes);
        if let (Some(session), Some(device)) = (&acted.session, &client.device) {
            let account = session.session.account_id;
            acted.writes.push(store::StepWrite::RememberDevice {
                account,
                key: crate::common::device_key(account, device),
            });
        }
        persist::save(
            services.store.as_ref(),
            &mut loaded,
            &acted.writes,
            services.clock.now(),
        )
        .await?;
        Ok(Outcome {
            view: self.render(&loaded, acted.problems),
            session: acted.session,
            raised: acted.raised,
        })
    }

    fn render<F: Flow>(&self, loaded: &Loaded<F>, problems: Vec<Problem>) -> FlowView {
        let state = &loaded.envelope.state;
        FlowView {
            id: loaded.record.id,
            kind: F::KIND,
            expires_at: loaded.record.expires_at,
            step: state.step(&self.services),
            methods: state.methods(),
            client_name: state.client_name(),
            problems,
            captcha: loaded.envelope.captcha.as_ref().map(Captcha::prompt),
            return_to: loaded.envelope.return_to.clone(),
        }
    }
}

/// Whether some built-in method reaches `level`.
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
