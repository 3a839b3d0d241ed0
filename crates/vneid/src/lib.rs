//! The national eID provider (VNeID, "Tài khoản định danh điện tử", SPEC §5) as its own process
//! and origin, built from the portal's crates on a database of its own.
//!
//! # What it does
//! - **Applications (V1).** The police register an e-ID application (personal ID, name, birth
//!   date, gender, phone, level 1 or 2) and approve it; the approval texts the applicant the
//!   published ASCII message through the SMS gateway. In the sandbox a police console at
//!   `/sandbox/police` stands in for the police's system.
//! - **Activation (V2–V3)** from `/` ("Kích hoạt tài khoản định danh điện tử") or the sign-in
//!   page ("Kích hoạt"): ID + phone, each failing case with its own message (no application,
//!   not approved, phone differs, already active, locked); an SMS code; a password (skipped when
//!   the application carries the password of an earlier app account); a 6-digit passcode; two
//!   different security questions with answers. Each step is a stored flow.
//! - **Sign-in (V4)**: ID + password; a device not seen before (device cookie, its SHA-256 kept
//!   as a `device` credential) also gives the passcode or an SMS code. Five wrong passwords or
//!   passcodes in a row lock the account for 30 minutes (an ID without an account "locks" the
//!   same way, so the lock reveals nothing); one address may try 200 sign-ins in 15 minutes.
//!   Sessions are LoA2 for a level-1 account and LoA3 for level 2; `amr` is `pwd` plus `pin`
//!   (passcode) or `sms` on a new device, and `pwd` alone on a remembered one (the device
//!   cookie, a 256-bit token, stands for the possession factor there).
//! - **OpenID provider (V5)** from the `oidc` crate: discovery, `/jwks.json`, `/authorize`,
//!   `/token`, `/userinfo`. Clients registered with `ClaimMapping::Vneid` (the portal) get the
//!   person's claims in the ID token and userinfo: the standard ones plus `citizenPid`,
//!   `fullName`, `birthDate`, `gender`, `accountLevel`. A level-1 person asked for LoA3 sees a
//!   page saying level 2 is needed and goes back with `unmet_authentication_requirements`.
//!
//! # Storage
//! The `store` crate's schema on a separate database: eID accounts are `accounts` (citizen,
//! registration channel `vneid`) with their phone and password `credentials`; sessions, flows,
//! OTP challenges, throttles, audit and the OpenID tables as in the portal. Migration
//! `0005_eid.sql` adds what has no home there: `eid_applications` (the police's records, keyed
//! by personal ID: the account does not exist until activation, and the level is the
//! application's), `eid_secrets` (the passcode's and answers' Argon2id hashes — kept apart from
//! `credentials` so that the portal's credential kinds, matched exhaustively by its sign-in
//! methods, stay as they are) and `eid_lockouts` (the wrong-password count and lock).
//!
//! # Public API for the portal side
//! - [`VneidApp::start_for_tests`] starts the provider on `127.0.0.1:0` with a fresh store, an
//!   injected clock and randomness and an SMS gateway; [`VneidApp::base_url`] is its issuer.
//! - [`PortalClient`] registers the portal as a confidential client (client_secret_basic, PKCE
//!   S256, exact redirect URI, no consent page, `ClaimMapping::Vneid`).
//! - [`seed`]: an approved application, an active account (with a known password and passcode).
//! - [`build`] + [`router`] + [`http::serve`] for a process of one's own; [`run`] for
//!   `dvcid vneid --config FILE` ([`config::FileConfig`]).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod activation;
pub mod applications;
pub mod config;
pub mod http;
pub mod rules;
pub mod seed;
pub mod service;
pub mod signin;
pub mod text;

use std::sync::Arc;

use domain::digest::sha256;
use domain::random::Randomness;
use domain::{Clock, SystemClock};
use store::{ClaimMapping, ClientSettings, OidcClient, Store};
use tokio::net::TcpListener;
use url::Url;

pub use applications::{ApplicationForm, Approval};
pub use http::{AppState, router};
pub use service::{Caller, Refusal, Settings, Vneid, VneidError, VneidParts};

/// The client the portal is registered as (demo: `dvcid-portal`, redirect
/// `<portal base>/login/vneid/callback`).
#[derive(Clone)]
pub struct PortalClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

impl std::fmt::Debug for PortalClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

pub const PORTAL_CLIENT_ID: &str = "dvcid-portal";

impl PortalClient {
    /// The settings the portal is registered with.
    pub fn settings(&self) -> ClientSettings {
        ClientSettings {
            claim_mapping: ClaimMapping::Vneid,
            consent: false,
            require_pkce: true,
            ..ClientSettings::first_party(&self.redirect_uri, &["openid", "profile", "phone"])
        }
    }

    /// Registers (or re-registers, replacing the secret and redirect URI) the client.
    pub async fn register(&self, store: &dyn Store) -> Result<(), store::StoreError> {
        let now = time::OffsetDateTime::now_utc();
        store.delete_client(&self.client_id).await?;
        store
            .create_client(&OidcClient {
                id: self.client_id.clone(),
                name: "Cổng Dịch vụ công quốc gia".to_owned(),
                secret_hash: Some(sha256(self.client_secret.as_bytes())),
                settings: self.settings(),
                created_at: now,
                updated_at: now,
            })
            .await
    }
}

/// The application state: the engine and an OpenID provider whose issuer is the public base
/// URL (signing keys made on the first start, sealed with `key_encryption_key`).
pub async fn build(
    parts: VneidParts,
    oidc_config: oidc::OidcConfig,
    key_encryption_key: &[u8],
) -> anyhow::Result<Arc<AppState>> {
    let store = Arc::clone(&parts.store);
    let clock = Arc::clone(&parts.clock);
    let random = Arc::clone(&parts.random);
    let issuer = parts.settings.public_base_url.clone();
    let pairwise = service::derive_key(&parts.secret, b"pairwise subject");
    let vneid = Arc::new(Vneid::new(parts).await?);
    let keys = Arc::new(oidc::KeyRing::new(
        Arc::clone(&store),
        oidc::SealingKey::derive(key_encryption_key),
        &oidc_config,
    ));
    keys.ensure_keys(clock.now()).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let provider = oidc::Provider::new(oidc::ProviderParts {
        store,
        clock,
        random,
        config: oidc_config,
        issuer,
        keys,
        pairwise_key: domain::digest::MacKey::new(&pairwise),
        http,
    });
    Ok(Arc::new(AppState {
        vneid,
        provider: Arc::new(provider),
    }))
}

/// A provider serving on a socket, stopped when dropped.
pub struct VneidApp {
    base_url: Url,
    state: Arc<AppState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for VneidApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a test gives the provider; the rest is made up (sandbox on, cheap Argon2).
pub struct TestParts {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub sms: Arc<dyn connectors::SmsGateway>,
}

/// Argon2id cheap enough for tests (never for a server).
pub fn test_argon2() -> flows::Argon2Params {
    flows::Argon2Params {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
        max_concurrent: 2,
        max_waiting: 64,
    }
}

impl VneidApp {
    /// Serves `state` on `listener` until dropped.
    pub fn spawn(listener: TcpListener, state: Arc<AppState>) -> Self {
        let base_url = state.vneid.settings().public_base_url.clone();
        let app = router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            if let Err(error) = http::serve(listener, app, std::future::pending()).await {
                tracing::error!(%error, "the VNeID server stopped");
            }
        });
        Self {
            base_url,
            state,
            task,
        }
    }

    /// The provider on a random loopback port: base URL `http://127.0.0.1:PORT/`, the police
    /// console mounted, `settings` adjusted by `customise`.
    pub async fn start_for_tests_with(
        parts: TestParts,
        customise: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
        let mut settings = Settings::new(base_url);
        settings.sandbox = true;
        customise(&mut settings);
        let state = build(
            VneidParts {
                store: parts.store,
                clock: parts.clock,
                random: parts.random,
                sms: parts.sms,
                argon2: test_argon2(),
                secret: b"vneid test secret, never in a server".to_vec(),
                settings,
            },
            oidc::OidcConfig::default(),
            b"vneid test key encryption key, never in a server",
        )
        .await?;
        Ok(Self::spawn(listener, state))
    }

    pub async fn start_for_tests(parts: TestParts) -> anyhow::Result<Self> {
        Self::start_for_tests_with(parts, |_| {}).await
    }

    /// The issuer, with its trailing slash (`http://127.0.0.1:PORT/`).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The issuer as tokens carry it (no trailing slash).
    pub fn issuer(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }

    pub fn vneid(&self) -> &Arc<Vneid> {
        &self.state.vneid
    }

    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }
}

/// Deletes what has expired (flows with their codes, throttle windows, codes, grants and
/// tokens) every five minutes; any node may do it, and doing it twice is harmless.
pub fn spawn_housekeeping(state: &Arc<AppState>) -> tokio::task::JoinHandle<()> {
    let state = Arc::clone(state);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            let store = state.vneid.store();
            let now = state.vneid.now();
            let flows = store.purge_expired_flows(now).await;
            let throttles = store.purge_expired_throttles(now).await;
            let grants = state.provider.purge().await;
            if let (Err(error), _, _) | (_, Err(error), _) = (&flows, &throttles, &grants) {
                tracing::warn!(%error, "purging expired VNeID state failed");
            }
            if let Err(error) = grants {
                tracing::warn!(%error, "purging expired VNeID grants failed");
            }
        }
    })
}

/// `dvcid vneid --config FILE`: the provider from its configuration file, until stopped.
pub async fn run(
    config: config::FileConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = store::connect(&config.database_url, store::ConnectOptions::default()).await?;
    let sms = Arc::new(connectors::HttpSmsGateway::new(&config.sms)?);
    let listener = TcpListener::bind(config.listen).await?;
    let mut settings = Settings::new(config.public_base_url.clone());
    settings.sandbox = config.sandbox;
    let state = build(
        VneidParts {
            store: Arc::clone(&store),
            clock: Arc::new(SystemClock),
            random: Arc::new(domain::random::OsRandomness),
            sms,
            argon2: flows::FlowConfig::default().argon2,
            secret: config.secret.expose().as_bytes().to_vec(),
            settings,
        },
        oidc::OidcConfig::default(),
        config.key_encryption_key.expose().as_bytes(),
    )
    .await?;
    if let Some(portal) = config.portal() {
        portal.register(store.as_ref()).await?;
    }
    let _housekeeping = spawn_housekeeping(&state);
    tracing::info!(listen = %config.listen, base = %config.public_base_url, "VNeID provider serving");
    http::serve(listener, router(state), shutdown).await?;
    Ok(())
}
