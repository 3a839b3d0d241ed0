//! The agent's HTTP server on 127.0.0.1: the JSON API the portal's page calls ([`api`]) and
//! the agent's own confirm page ([`confirm`]), behind the checks that keep other sites out.
//!
//! Every request must name the agent in `Host` (a rebound DNS name cannot); API requests must
//! come from an allow-listed `Origin`, and their POSTs must be JSON so that the browser asks
//! first (CORS preflight), which only allow-listed origins pass.

mod api;
mod confirm;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, HOST, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::requests::{Clock, Requests};
use crate::token::{Token, TokenCertificate, TokenError};
use crate::web_eid::Origin;

/// What the server is told at start.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The port the agent listens on (after binding, so port 0 in tests resolves).
    pub port: u16,
    pub allowed_origins: Vec<Origin>,
}

impl ServerConfig {
    fn hosts(&self) -> [String; 2] {
        [
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
        ]
    }

    /// The agent's own origins, from which its confirm form is posted.
    fn own_origins(&self) -> [String; 2] {
        self.hosts().map(|host| format!("http://{host}"))
    }

    fn allowed(&self, origin: &str) -> Option<&Origin> {
        self.allowed_origins.iter().find(|o| o.as_str() == origin)
    }
}

#[derive(Clone)]
struct AppState {
    config: Arc<ServerConfig>,
    token: Arc<dyn Token>,
    requests: Arc<Requests>,
    clock: Arc<dyn Clock>,
}

pub fn router(config: ServerConfig, token: Arc<dyn Token>, clock: Arc<dyn Clock>) -> Router {
    let state = AppState {
        config: Arc::new(config),
        token,
        requests: Arc::new(Requests::default()),
        clock,
    };
    Router::new()
        .route("/status", get(api::status).options(api::preflight))
        .route(
            "/web-eid/authenticate",
            axum::routing::post(api::authenticate).options(api::preflight),
        )
        .route(
            "/web-eid/result/{id}",
            get(api::result).options(api::preflight),
        )
        .route("/confirm/{id}", get(confirm::show).post(confirm::submit))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Refuses a `Host` other than the agent's own; marks every answer private to this browser.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request.headers().get(HOST).and_then(|h| h.to_str().ok());
    let mut response = if host.is_some_and(|h| state.config.hosts().iter().any(|own| own == h)) {
        next.run(request).await
    } else {
        tracing::warn!(host = ?host, "request refused: Host is not the agent");
        api::error(
            StatusCode::FORBIDDEN,
            "host_not_allowed",
            "Host is not the agent",
        )
        .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An API request from an origin missing or not allow-listed: `403`, and no CORS headers, so
/// the page cannot even read why.
struct OriginRefused;

impl IntoResponse for OriginRefused {
    fn into_response(self) -> Response {
        api::error(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this site is not in the agent's list of allowed sites",
        )
        .into_response()
    }
}

/// The origin of an API request, if it is allow-listed.
fn allowed_origin(config: &ServerConfig, headers: &HeaderMap) -> Result<Origin, OriginRefused> {
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|h| h.to_str().ok());
    match origin.and_then(|o| config.allowed(o)) {
        Some(origin) => Ok(origin.clone()),
        None => {
            tracing::warn!(origin = ?origin, "request refused: origin not allowed");
            Err(OriginRefused)
        }
    }
}

/// Runs a PKCS#11 call off the async threads (tokens are slow and the calls block).
async fn on_token<T, F>(token: &Arc<dyn Token>, call: F) -> Result<T, TokenError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Token) -> Result<T, TokenError> + Send + 'static,
{
    let token = Arc::clone(token);
    tokio::task::spawn_blocking(move || call(token.as_ref()))
        .await
        .unwrap_or(Err(TokenError::Interrupted))
}

async fn certificates(state: &AppState) -> Result<Vec<TokenCertificate>, TokenError> {
    on_token(&state.token, |t| t.certificates()).await
}
