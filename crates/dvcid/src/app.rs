//! What `serve` and `demo` share: build the flow engine and the application state, and serve
//! until stopped.

use std::sync::Arc;

use axum::Router;
use connectors::Connectors;
use domain::{PasswordPolicy, Secret, SystemClock};
use flows::{Engine, EngineParts, FlowConfig, OsRandomness};
use store::Store;
use tokio::net::TcpListener;

use crate::shutdown;

pub struct Parts {
    pub store: Arc<dyn Store>,
    pub connectors: Connectors,
    pub flows: FlowConfig,
    pub password_policy: PasswordPolicy,
    /// The server's secret: OTP MACs and CSRF tokens are keyed from it.
    pub secret: Secret<String>,
    pub public_base_url: String,
    pub hsts: bool,
    pub sandbox_links: bool,
    /// Routes served beside the application (the demo's sandbox).
    pub extra_routes: Router,
}

pub async fn serve(parts: Parts, listener: TcpListener) -> anyhow::Result<()> {
    let metrics = web::install_metrics_recorder().map_err(anyhow::Error::msg)?;
    let secret = parts.secret.expose().as_bytes();
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
    let parts_store = Arc::clone(&parts.store);
    let state = web::AppState {
        store: parts.store,
        engine: Arc::new(engine),
        metrics: Some(metrics),
        settings: Arc::new(web::Settings {
            public_base_url: parts.public_base_url,
            hsts: parts.hsts,
            sandbox_links: parts.sandbox_links,
            csrf_key: Secret::new(derive(secret, b"csrf")),
        }),
    };
    tokio::spawn(purge_expired(Arc::clone(&parts_store)));
    let app = web::router(state, parts.extra_routes);
    web::serve(listener, app, shutdown::signal()).await?;
    Ok(())
}

/// Deletes what has expired (flows with their OTP challenges, throttle windows) every few
/// minutes; any node may do it, and doing it twice is harmless.
async fn purge_expired(store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        let now = time::OffsetDateTime::now_utc();
        let flows = store.purge_expired_flows(now).await;
        let throttles = store.purge_expired_throttles(now).await;
        match (flows, throttles) {
            (Ok(flows), Ok(throttles)) => tracing::debug!(flows, throttles, "expired state purged"),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(%error, "purging expired state failed")
            }
        }
    }
}

/// A key for one purpose from the configured secret, so that an OTP MAC can never be replayed
/// as a CSRF token or the reverse.
fn derive(secret: &[u8], purpose: &[u8]) -> Vec<u8> {
    flows::MacKey::new(secret)
        .sign(&[b"dvcid key", purpose])
        .to_vec()
}
