//! RP-initiated logout (`end_session_endpoint`). With a valid `id_token_hint` for the current
//! session the session ends at once; without one, the person confirms on a dvcid page first,
//! so that another site cannot sign people out behind their back. Ending the session revokes
//! its grants and queues back-channel logouts (in the store, in one transaction); delivery is
//! started right away.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use oidc::{EndSessionError, EndSessionRefusal};

use super::endpoints::fault;
use super::params::{self, Pairs};
use crate::auth::{NotSignedIn, SESSION_COOKIE, SignedIn};
use crate::cookies;
use crate::errors::{ErrorKind, ErrorPage};
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::{AppState, csrf};

pub(super) async fn logout_get(
    State(state): State<AppState>,
    tr: Tr,
    RawQuery(query): RawQuery,
    signed: Result<SignedIn, NotSignedIn>,
) -> Response {
    let params = params::from_query(query.as_deref());
    end_session(&state, &tr, &params, signed.ok(), false).await
}

/// The person confirmed on the page `end_session` showed: the original parameters come back
/// in the form and are checked again, so the form cannot redirect anywhere they could not.
pub(super) async fn confirm(
    State(state): State<AppState>,
    tr: Tr,
    signed: Result<SignedIn, NotSignedIn>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let (Ok(signed), Ok(Form(pairs))) = (signed, form) else {
        return signed_out(&tr);
    };
    let token = params::first(&pairs, "csrf").unwrap_or_default();
    let key = state.settings.csrf_key.expose();
    if !csrf::verify(key, &signed.session.id.to_string(), token) {
        return ErrorPage::new(ErrorKind::Csrf, &tr).respond(&tr, Format::Html);
    }
    let original: Pairs = pairs
        .into_iter()
        .filter(|(name, _)| name != "csrf")
        .collect();
    end_session(&state, &tr, &original, Some(signed), true).await
}

async fn end_session(
    state: &AppState,
    tr: &Tr,
    params: &[(String, String)],
    signed: Option<SignedIn>,
    confirmed: bool,
) -> Response {
    let current = signed.as_ref().map(|signed| &signed.session);
    let answer = match state.provider.end_session(params, current).await {
        Ok(answer) => answer,
        Err(EndSessionError::Refused(reason)) => {
            let message = tr.t(match reason {
                EndSessionRefusal::RepeatedParameter => "logout-refused-invalid-request",
                EndSessionRefusal::ClientMismatch => "logout-refused-client-mismatch",
            });
            return ErrorPage::new(ErrorKind::BadRequest, tr)
                .with_message(message)
                .respond(tr, Format::Html);
        }
        Err(EndSessionError::Fault(error)) => return fault(&error),
    };
    let Some(signed) = signed else {
        // Nobody to sign out here: go back to the service (if it may be), or say so.
        return match answer.redirect {
            Some(url) => Redirect::to(url.as_str()).into_response(),
            None => signed_out(tr),
        };
    };
    if answer.confirm && !confirmed {
        let csrf = csrf::csrf_token(
            state.settings.csrf_key.expose(),
            &signed.session.id.to_string(),
        );
        let page = ConfirmPage {
            tr,
            fields: params.to_vec(),
            csrf,
        };
        return page::render(StatusCode::OK, tr, &page);
    }
    if let Err(error) = state.engine.sessions().end(signed.session.id).await {
        return Failure::from(error).respond(tr, Format::Html);
    }
    deliver_logouts(state);
    let mut response = match answer.redirect {
        Some(url) => Redirect::to(url.as_str()).into_response(),
        None => signed_out(tr),
    };
    if let Ok(forget) = cookies::removal(SESSION_COOKIE) {
        response.headers_mut().append(header::SET_COOKIE, forget);
    }
    response
}

/// Starts delivering the back-channel logouts the ended session queued. A background task
/// of the server also polls the queue, so a delivery lost here (a crash) still happens.
pub(crate) fn deliver_logouts(state: &AppState) {
    let provider = Arc::clone(&state.provider);
    tokio::spawn(async move {
        if let Err(error) = provider.deliver_logouts().await {
            tracing::warn!(%error, "back-channel logout delivery failed; it will be retried");
        }
    });
}

fn signed_out(tr: &Tr) -> Response {
    let mut response = page::render(StatusCode::OK, tr, &SignedOutPage { tr });
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct ConfirmPage<'a> {
    tr: &'a Tr,
    fields: Vec<(String, String)>,
    csrf: String,
}

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOutPage<'a> {
    tr: &'a Tr,
}
