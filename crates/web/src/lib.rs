//! The HTTP face of dvcid: routes, pages, operations endpoints and the middleware every request
//! passes through (request IDs, spans, metrics, security headers, limits, CSRF). Pages are
//! askama templates on `templates/base.html` with the components of `templates/ui.html`,
//! translated by `i18n::Tr`.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod api;
mod assets;
mod auth;
mod client;
pub mod cookies;
pub mod csrf;
mod device;
mod errors;
mod failure;
pub mod forms;
mod forwarded;
mod home;
pub mod i18n;
mod oidc;
pub mod operator;
mod ops;
mod page;
pub(crate) mod pages;
mod problems;
mod security;
mod showcase;
mod telemetry;

use std::sync::Arc;

use axum::Router;
use domain::Secret;
use flows::Engine;
use metrics_exporter_prometheus::PrometheusHandle;
use store::Store;

pub use assets::url as asset_url;
pub use errors::{ErrorKind, ErrorPage, Waiting};
pub use forms::{FieldError, Form, FormProblem, Link, Notice, NoticeKind, Tab};
pub use forwarded::TrustedProxies;
pub use i18n::{Lang, Tr};
pub use page::{Format, render};
/// A flow's refusal in a language, for the command line as for pages.
pub use problems::message as problem_message;
pub use telemetry::install_metrics_recorder;

/// What every handler may use. Built once at start-up and shared.
#[derive(Clone)]
pub struct AppState {
    /// For `/readyz`; everything else goes through the engine.
    pub store: Arc<dyn Store>,
    /// The self-service flows, sessions and account operations.
    pub engine: Arc<Engine>,
    /// The OpenID provider relying services sign their users in through.
    pub provider: Arc<::oidc::Provider>,
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
    /// Key of the HMAC behind the CSRF tokens of signed-in forms.
    pub csrf_key: Secret<Vec<u8>>,
    /// Reverse proxies whose forwarding headers name the client (`[http] trusted_proxies`).
    pub trusted_proxies: TrustedProxies,
}

/// The application's routes with all middleware applied. `extra` is merged in before the
/// middleware, so that e.g. the demo's sandbox routes are traced and measured too.
pub fn router(state: AppState, extra: Router) -> Router {
    let settings = Arc::clone(&state.settings);
    let site = Router::new()
        .merge(home::routes())
        .merge(ops::routes())
        .merge(i18n::routes())
        .merge(assets::routes())
        .merge(showcase::routes())
        .merge(api::routes())
        .merge(pages::routes())
        .merge(operator::routes())
        .fallback(errors::not_found)
        .with_state(state.clone())
        .merge(extra);
    // Relying services post to the protocol endpoints from their own origins by design; those
    // routes protect their own forms (see `oidc`).
    let app = csrf::apply(site, &settings.public_base_url)
        .merge(oidc::routes().with_state(state.clone()));
    // Every page's header shows who is signed in: one read-only session lookup per page view.
    let app = app.layer(axum::middleware::from_fn_with_state(state, auth::recognise));
    let app = app
        .layer(axum::middleware::from_fn(i18n::remember_query_language))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&settings),
            device::recognise,
        ));
    telemetry::apply(security::apply(app, settings.hsts))
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
