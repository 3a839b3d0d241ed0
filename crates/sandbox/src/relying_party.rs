//! The other end of the demo's OpenID Connect client: the page a relying service would have
//! at its redirect URI. It shows what the provider sent back (a code to exchange at `/token`,
//! or an error), and receives back-channel logout tokens, so the whole protocol can be tried
//! from a browser and `curl` without writing a relying service.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::state::Sandbox;

pub(crate) fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/sandbox/rp/callback", get(callback))
        .route("/sandbox/rp/backchannel-logout", post(backchannel_logout))
        .route("/sandbox/rp/logouts", get(logouts))
}

/// What arrived at the redirect URI, as JSON: `code`, `state`, `iss`, or `error` and
/// `error_description`.
async fn callback(RawQuery(query): RawQuery) -> Json<Value> {
    let received: serde_json::Map<String, Value> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
            .collect();
    let next = if received.contains_key("code") {
        "exchange the code within 60 seconds: curl -u CLIENT_ID:SECRET -d grant_type=authorization_code -d code=CODE -d redirect_uri=THIS_ADDRESS -d code_verifier=VERIFIER ISSUER/token"
    } else {
        "the provider answered with an error"
    };
    Json(json!({ "received": received, "next": next }))
}

#[derive(Debug, Deserialize)]
struct LogoutForm {
    logout_token: String,
}

async fn backchannel_logout(
    State(sandbox): State<Arc<Sandbox>>,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> StatusCode {
    match form {
        Ok(Form(form)) => {
            sandbox.record_logout_token(form.logout_token);
            StatusCode::OK
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

#[derive(Debug, Deserialize)]
struct Limit {
    limit: Option<usize>,
}

/// The logout tokens received, newest first (each a JWT to verify against the provider's JWKS).
async fn logouts(State(sandbox): State<Arc<Sandbox>>, Query(limit): Query<Limit>) -> Json<Value> {
    let tokens = sandbox.logout_tokens(limit.limit.unwrap_or(20));
    Json(json!({ "logout_tokens": tokens }))
}
