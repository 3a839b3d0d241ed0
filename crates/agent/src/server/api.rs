//! The JSON API the portal's page calls: status, start an authentication, poll its result.
//!
//! Every call needs `Host: 127.0.0.1:<port>` (or `localhost:<port>`) and, except a plain
//! `GET /status`, an allow-listed `Origin`; otherwise `403 {"error":"host_not_allowed"|
//! "origin_not_allowed","message"}` without CORS headers. Answers to allowed origins carry
//! `Access-Control-Allow-Origin: <origin>` and `Vary: Origin`; `OPTIONS` on each path answers
//! the preflight (`204`, methods `GET, POST`, header `Content-Type`).
//!
//! - `GET /status` → `200 {"version","appVersion","tokensPresent":bool,"certificates":n}`.
//! - `POST /web-eid/authenticate`, `Content-Type: application/json`,
//!   `{"challengeNonce": 44..=128 chars, "lang": "vi"|"en"}` →
//!   `202 {"requestId","confirmUrl":"http://127.0.0.1:<port>/confirm/<id>","expiresIn":300}`;
//!   `415 unsupported_media_type`, `400 invalid_nonce` or `invalid_request`. The page opens
//!   `confirmUrl` in a small window, where the person chooses a certificate and types the PIN.
//! - `GET /web-eid/result/<requestId>` from the same origin → `200 {"status":"pending"}`, or
//!   `200` the Web eID token `{"unverifiedCertificate","algorithm":"ES256"|"RS256",
//!   "signature","format":"web-eid:1.0","appVersion"}` (once), or
//!   `200 {"error":"user_cancelled"|"pin_locked","message"}` (once);
//!   `404 unknown_request` (expired after 5 minutes, already answered, never made);
//!   `403 origin_mismatch` (another allowed origin made it).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{AppState, allowed_origin, certificates};
use crate::pages::Lang;
use crate::requests::{LIFETIME, Poll};
use crate::web_eid::{Nonce, Origin, app_version};

/// Chrome's Private Network Access preflight asks for this before a public page reaches
/// loopback; answering it is harmless where the browser no longer asks.
const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

pub(super) fn error(
    status: StatusCode,
    code: &str,
    message: &str,
) -> (StatusCode, Json<serde_json::Value>) {
    (status, Json(json!({ "error": code, "message": message })))
}

/// Lets the allow-listed `origin` read the answer.
fn cors(origin: &Origin, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    if let Ok(value) = HeaderValue::from_str(origin.as_str()) {
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// The CORS preflight: only allow-listed origins get through.
pub(super) async fn preflight(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = match allowed_origin(&state.config, &headers) {
        Ok(origin) => origin,
        Err(refused) => return refused.into_response(),
    };
    let mut response = cors(&origin, StatusCode::NO_CONTENT);
    let out = response.headers_mut();
    out.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    out.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    out.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    if headers
        .get(REQUEST_PRIVATE_NETWORK)
        .is_some_and(|v| v.as_bytes() == b"true")
    {
        out.insert(ALLOW_PRIVATE_NETWORK, HeaderValue::from_static("true"));
    }
    response
}

/// `GET /status`: whether the agent runs and sees a certificate. Open to requests without an
/// `Origin` (the person checking by hand); refused to origins not allowed.
pub(super) async fn status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = match headers.contains_key(ORIGIN) {
        true => match allowed_origin(&state.config, &headers) {
            Ok(origin) => Some(origin),
            Err(refused) => return refused.into_response(),
        },
        false => None,
    };
    let count = certificates(&state).await.map_or(0, |c| c.len());
    let body = Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "appVersion": app_version(),
        "tokensPresent": count > 0,
        "certificates": count,
    }));
    match origin {
        Some(origin) => cors(&origin, body),
        None => body.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AuthenticateBody {
    challenge_nonce: String,
    lang: Option<String>,
}

/// `POST /web-eid/authenticate`: opens a request the person confirms in the agent's page.
pub(super) async fn authenticate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<AuthenticateBody>, JsonRejection>,
) -> Response {
    let origin = match allowed_origin(&state.config, &headers) {
        Ok(origin) => origin,
        Err(refused) => return refused.into_response(),
    };
    let body = match body {
        Ok(Json(body)) => body,
        Err(JsonRejection::MissingJsonContentType(_)) => {
            let refused = error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send Content-Type: application/json",
            );
            return cors(&origin, refused);
        }
        Err(rejection) => {
            let refused = error(
                rejection.status(),
                "invalid_request",
                &rejection.body_text(),
            );
            return cors(&origin, refused);
        }
    };
    let nonce = match Nonce::parse(&body.challenge_nonce) {
        Ok(nonce) => nonce,
        Err(e) => {
            return cors(
                &origin,
                error(StatusCode::BAD_REQUEST, "invalid_nonce", &e.to_string()),
            );
        }
    };
    let lang = Lang::from_tag(body.lang.as_deref());
    let now = state.clock.now();
    let Ok(id) = state.requests.create(origin.clone(), nonce, lang, now) else {
        let failed = error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "no randomness",
        );
        return cors(&origin, failed);
    };
    tracing::info!(origin = origin.as_str(), "authentication requested");
    let confirm_url = format!("http://127.0.0.1:{}/confirm/{id}", state.config.port);
    let body = Json(json!({
        "requestId": id,
        "confirmUrl": confirm_url,
        "expiresIn": LIFETIME.whole_seconds(),
    }));
    cors(&origin, (StatusCode::ACCEPTED, body))
}

/// `GET /web-eid/result/{id}`: pending, the token, or why there is none; only for the origin
/// that asked.
pub(super) async fn result(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let origin = match allowed_origin(&state.config, &headers) {
        Ok(origin) => origin,
        Err(refused) => return refused.into_response(),
    };
    let answer = match state.requests.poll(&id, &origin, state.clock.now()) {
        Poll::Gone => error(
            StatusCode::NOT_FOUND,
            "unknown_request",
            "no such request (expired, already answered or never made)",
        )
        .into_response(),
        Poll::OtherOrigin => {
            tracing::warn!(
                origin = origin.as_str(),
                "result refused: another origin's request"
            );
            error(
                StatusCode::FORBIDDEN,
                "origin_mismatch",
                "another site made this request",
            )
            .into_response()
        }
        Poll::Pending => Json(json!({ "status": "pending" })).into_response(),
        Poll::Signed(token) => Json(token).into_response(),
        Poll::Failed(failure) => Json(json!({
            "error": failure.code(),
            "message": failure.message(),
        }))
        .into_response(),
    };
    cors(&origin, answer)
}
