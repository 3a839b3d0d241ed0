//! The HTTP face of dvcid: routes, pages, operations endpoints and the middleware every request
//! passes through (request IDs, spans, metrics, security headers, limits).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod home;
mod ops;
mod security;
mod telemetry;

use std::sync::Arc;

use axum::Router;
use connectors::Connectors;
use domain::{Clock, PasswordPolicy, Secret};
use metrics_exporter_prometheus::PrometheusHandle;
use store::Store;

pub use telemetry::install_metrics_recorder;

/// What every handler may use. Built once at start-up and shared.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// Clients of the national registries, SMS and e-mail.
    pub connectors: Connectors,
    pub metrics: Option<PrometheusHandle>,
    pub settings: Arc<Settings>,
}

/// Facts about the deployment that change how pages and headers are produced.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public base URL, e.g. `https://id.dichvucong.gov.vn`; `http://` only for loopback demo.
    pub public_base_url: String,
    /// Send `Strict-Transport-Security` (production behind HTTPS).
    pub hsts: bool,
    /// Links shown on the home page to the sandbox outboxes (demo only).
    pub sandbox_links: bool,
    /// Key of the HMAC that OTP codes are stored under.
    pub otp_key: Secret<String>,
    pub password_policy: PasswordPolicy,
}

/// The application's routes with all middleware applied. `extra` is merged in before the
/// middleware, so that e.g. the demo's sandbox routes are traced and measured too.
pub fn router(state: AppState, extra: Router) -> Router {
    let hsts = state.settings.hsts;
    let app = Router::new()
        .merge(home::routes())
        .merge(ops::routes())
        .with_state(state)
        .merge(extra);
    telemetry::apply(security::apply(app, hsts))
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
