//! The agent's own page, opened by the portal in a small window: shows which site asks, lets
//! the person choose a certificate and type the PIN, then signs.
//!
//! The portal's page cannot read this page (no CORS), frame it (frame-ancestors) or post it
//! (per-request CSRF token only this page knows), so the PIN never reaches the portal.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, ORIGIN, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cryptoki::types::AuthPin;
use serde::Deserialize;

use super::{AppState, certificates, on_token};
use crate::pages::{self, Confirm, Lang, Outcome, Problem, TokenProblem};
use crate::requests::{ClaimError, Failure, Pending};
use crate::token::{TokenCertificate, TokenError};
use crate::web_eid::{Algorithm, AuthToken, message};

const X_FRAME_OPTIONS: HeaderName = HeaderName::from_static("x-frame-options");
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

fn page(status: StatusCode, html: Result<String, askama::Error>) -> Response {
    let Ok(html) = html else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "page could not be rendered",
        )
            .into_response();
    };
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    // Same-origin, not no-referrer: browsers send `Origin: null` on a POST under no-referrer.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

fn closing(status: StatusCode, lang: Lang, outcome: Outcome) -> Response {
    page(status, pages::message(lang, outcome))
}

fn render_form(
    state: &AppState,
    id: &str,
    request: &Pending,
    certificates: &[TokenCertificate],
    chosen: Option<&str>,
    problem: Option<Problem>,
) -> Response {
    let action = format!("/confirm/{id}");
    let html = pages::confirm(&Confirm {
        lang: request.lang,
        origin: request.origin.as_str(),
        action: &action,
        csrf: &request.csrf,
        certificates,
        chosen,
        problem,
        now: state.clock.now(),
    });
    page(StatusCode::OK, html)
}

/// `GET /confirm/{id}`.
pub(super) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(request) = state.requests.pending(&id, state.clock.now()) else {
        return closing(StatusCode::NOT_FOUND, Lang::Vi, Outcome::Gone);
    };
    match certificates(&state).await {
        Ok(found) => render_form(&state, &id, &request, &found, None, None),
        Err(e) => {
            tracing::warn!(error = %e, "certificates could not be listed");
            let problem = Problem::Token(TokenProblem::from(&e));
            render_form(&state, &id, &request, &[], None, Some(problem))
        }
    }
}

/// The confirm form. Not `Debug`: it holds the PIN.
#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    csrf: String,
    action: String,
    certificate: Option<String>,
    pin: Option<String>,
}

/// `POST /confirm/{id}`: sign or cancel.
pub(super) async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    // A browser posting this form from anywhere but the agent's own page names its site here.
    let origin = headers.get(ORIGIN).and_then(|h| h.to_str().ok());
    if origin.is_some_and(|o| !state.config.own_origins().iter().any(|own| own == o)) {
        tracing::warn!(origin = ?origin, "confirm form refused: posted from another site");
        return closing(StatusCode::FORBIDDEN, Lang::Vi, Outcome::Gone);
    }
    let Ok(Form(form)) = form else {
        return closing(StatusCode::BAD_REQUEST, Lang::Vi, Outcome::Gone);
    };
    let request = match state.requests.claim(&id, &form.csrf, state.clock.now()) {
        Ok(request) => request,
        Err(ClaimError::BadCsrf) => {
            tracing::warn!("confirm form refused: wrong CSRF token");
            return closing(StatusCode::FORBIDDEN, Lang::Vi, Outcome::Gone);
        }
        Err(ClaimError::Gone | ClaimError::NotAwaiting) => {
            return closing(StatusCode::NOT_FOUND, Lang::Vi, Outcome::Gone);
        }
    };
    if form.action == "cancel" {
        state.requests.failed(&id, Failure::Cancelled);
        tracing::info!(origin = request.origin.as_str(), "authentication cancelled");
        return closing(StatusCode::OK, request.lang, Outcome::Cancelled);
    }
    sign(&state, &id, &request, form).await
}

async fn sign(state: &AppState, id: &str, request: &Pending, form: ConfirmForm) -> Response {
    let found = match certificates(state).await {
        Ok(found) => found,
        Err(e) => return retry(state, id, request, &[], None, &e),
    };
    let chosen = form
        .certificate
        .as_deref()
        .and_then(|f| found.iter().find(|c| c.info.fingerprint == f));
    let (Some(chosen), Some(pin)) = (chosen, form.pin.filter(|p| !p.is_empty())) else {
        state.requests.release(id);
        let problem = Some(Problem::EnterPin);
        return render_form(
            state,
            id,
            request,
            &found,
            form.certificate.as_deref(),
            problem,
        );
    };
    let Some(kind) = chosen.info.key else {
        return retry(
            state,
            id,
            request,
            &found,
            None,
            &TokenError::UnsupportedKey,
        );
    };
    let pin = AuthPin::from(pin);
    let to_sign = message(&request.origin, &request.nonce);
    let info = chosen.info.clone();
    let signed = on_token(&state.token, move |t| t.sign(&info, &pin, &to_sign)).await;
    match signed {
        Ok(signature) => {
            let token = AuthToken::new(&chosen.info.der, Algorithm::for_key(kind), &signature);
            state.requests.signed(id, token);
            tracing::info!(origin = request.origin.as_str(), "authentication signed");
            closing(StatusCode::OK, request.lang, Outcome::Done)
        }
        Err(TokenError::PinLocked) => {
            state.requests.failed(id, Failure::PinLocked);
            tracing::warn!(origin = request.origin.as_str(), "PIN locked");
            closing(
                StatusCode::OK,
                request.lang,
                Outcome::Token(TokenProblem::PinLocked),
            )
        }
        Err(e) => {
            let fingerprint = Some(chosen.info.fingerprint.as_str());
            retry(state, id, request, &found, fingerprint, &e)
        }
    }
}

/// The person may try again (wrong PIN, token removed): the request awaits them again.
fn retry(
    state: &AppState,
    id: &str,
    request: &Pending,
    found: &[TokenCertificate],
    chosen: Option<&str>,
    error: &TokenError,
) -> Response {
    tracing::warn!(origin = request.origin.as_str(), error = %error, "signing refused");
    state.requests.release(id);
    let problem = Some(Problem::Token(TokenProblem::from(error)));
    render_form(state, id, request, found, chosen, problem)
}
