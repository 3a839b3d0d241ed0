//! What `serve` and `demo` share: build the flow engine and the application state, and serve
//! until stopped.

use std::sync::Arc;

use axum::Router;
use connectors::Connectors;
use domain::{PasswordPolicy, Secret, SystemClock};
use flows::{Engine, EngineParts, FlowConfig, OsRandomness};
use store::Store;
use tokio::net::TcpListener;

use crate::certificates::{self, CertificatesConfig};
use crate::shutdown;

pub struct Parts {
    pub store: Arc<dyn Store>,
    pub connectors: Connectors,
    pub flows: FlowConfig,
    pub password_policy: PasswordPolicy,
    /// The server's secret: OTP MACs, CSRF tokens and pairwise subjects are keyed from it.
    pub secret: Secret<String>,
    pub oidc: oidc::OidcConfig,
    /// Seals the OpenID provider's private signing keys in the store.
    pub key_encryption_key: Secret<String>,
    pub public_base_url: String,
    pub hsts: bool,
    pub sandbox_links: bool,
    /// Reverse proxies whose forwarding headers name the client.
    pub trusted_proxies: web::TrustedProxies,
    /// Routes served beside the application (the demo's sandbox).
    pub extra_routes: Router,
    pub certificates: Option<CertificatesConfig>,
    /// How often the audit chains are checkpointed, signed with the audit key (derived from
    /// the key-encryption key).
    pub audit_checkpoint_every: std::time::Duration,
}

pub async fn serve(parts: Parts, listener: TcpListener) -> anyhow::Result<()> {
    let metrics = web::install_metrics_recorder().map_err(anyhow::Error::msg)?;
    let provider = Arc::new(provider(&parts).await?);
    let secret = parts.secret.expose().as_bytes();
    let vneid = parts.connectors.vneid.is_some();
    let engine = Engine::new(EngineParts {
        store: Arc::clone(&parts.store),
        connectors: parts.connectors,
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        config: parts.flows,
        password_policy: parts.password_policy,
        otp_key: derive(secret, b"otp"),
    })
    .await?;
    let engine = match &parts.certificates {
        Some(config) => {
            engine.with_certificate_sign_in(certificates::sign_in(config, &parts.public_base_url)?)
        }
        None => engine,
    };
    let public_base = url::Url::parse(&parts.public_base_url)?;
    let engine = engine.with_public_base(&public_base);
    let engine = if vneid {
        engine.with_vneid(&public_base)
    } else {
        engine
    };
    let parts_store = Arc::clone(&parts.store);
    let state = web::AppState {
        store: parts.store,
        engine: Arc::new(engine),
        provider: Arc::clone(&provider),
        metrics: Some(metrics),
        settings: Arc::new(web::Settings {
            public_base_url: parts.public_base_url,
            hsts: parts.hsts,
            sandbox_links: parts.sandbox_links,
            trusted_proxies: parts.trusted_proxies,
            csrf_key: Secret::new(derive(secret, b"csrf")),
        }),
    };
    tokio::spawn(purge_expired(
        Arc::clone(&parts_store),
        Arc::clone(&provider),
    ));
    tokio::spawn(deliver_logouts(provider));
    let audit_key = audit::AuditKey::derive(parts.key_encryption_key.expose().as_bytes())?;
    tokio::spawn(audit::run_checkpoints(
        Arc::clone(&parts_store),
        Arc::new(audit_key),
        Arc::new(SystemClock),
        parts.audit_checkpoint_every,
    ));
    let app = web::router(state, parts.extra_routes);
    web::serve(listener, app, shutdown::signal()).await?;
    Ok(())
}

/// The OpenID provider: its signing keys are made on the first start (sealed with the
/// key-encryption key), and its issuer is the public base URL.
async fn provider(parts: &Parts) -> anyhow::Result<oidc::Provider> {
    let clock: Arc<dyn domain::Clock> = Arc::new(SystemClock);
    let keys = Arc::new(oidc::KeyRing::new(
        Arc::clone(&parts.store),
        oidc::SealingKey::derive(parts.key_encryption_key.expose().as_bytes()),
        &parts.oidc,
    ));
    keys.ensure_keys(clock.now()).await?;
    // Back-channel logouts go to registered addresses only: never follow a redirect elsewhere.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let secret = parts.secret.expose().as_bytes();
    Ok(oidc::Provider::new(oidc::ProviderParts {
        store: Arc::clone(&parts.store),
        clock,
        random: Arc::new(OsRandomness),
        config: parts.oidc.clone(),
        issuer: url::Url::parse(&parts.public_base_url)?,
        keys,
        pairwise_key: flows::MacKey::new(&derive(secret, b"pairwise subject")),
        http,
    }))
}

/// Delivers queued back-channel logouts. Handlers start a delivery as soon as they end a
/// session; this catches what they could not (a crash, a relying service that was down).
async fn deliver_logouts(provider: Arc<oidc::Provider>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        every.tick().await;
        if let Err(error) = provider.deliver_logouts().await {
            tracing::warn!(%error, "back-channel logout delivery failed");
        }
    }
}

/// Deletes what has expired (flows with their OTP challenges, throttle windows, codes, grants
/// and tokens) every few minutes; any node may do it, and doing it twice is harmless.
async fn purge_expired(store: Arc<dyn Store>, provider: Arc<oidc::Provider>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        let now = time::OffsetDateTime::now_utc();
        let flows = store.purge_expired_flows(now).await;
        let throttles = store.purge_expired_throttles(now).await;
        let grants = provider.purge().await;
        match (flows, throttles, grants) {
            (Ok(flows), Ok(throttles), Ok(grants)) => {
                tracing::debug!(flows, throttles, grants, "expired state purged")
            }
            (Err(error), _, _) | (_, Err(error), _) => {
                tracing::warn!(%error, "purging expired state failed")
            }
            (_, _, Err(error)) => tracing::warn!(%error, "purging expired grants failed"),
        }
    }
}

/// A key for one purpose from the configured secret, so that an OTP MAC can never be replayed
/// as a CSRF token or the reverse.
pub fn derive(secret: &[u8], purpose: &[u8]) -> Vec<u8> {
    flows::MacKey::new(secret)
        .sign(&[b"dvcid key", purpose])
        .to_vec()
}
