//! `/authorize`: validate the relying service's request, then issue a code at once (single
//! sign-on), or park the request while the person signs in (or agrees to share), and come
//! back to it at `/authorize/resume/{id}`.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use oidc::{AuthorizationRequest, AuthorizeError, Decision, FatalReason};
use serde::Deserialize;
use uuid::Uuid;

use super::endpoints::fault;
use super::params;
use crate::auth::{NotSignedIn, SignedIn};
use crate::client::RequestClient;
use crate::errors::{ErrorKind, ErrorPage};
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::{AppState, csrf};

pub(super) async fn authorize_get(
    State(state): State<AppState>,
    tr: Tr,
    RawQuery(query): RawQuery,
    signed: Result<SignedIn, NotSignedIn>,
    RequestClient(client): RequestClient,
) -> Response {
    let params = params::from_query(query.as_deref());
    let request = match state.provider.authorization_request(&params).await {
        Ok(request) => request,
        Err(AuthorizeError::Redirect(url)) => return Redirect::to(url.as_str()).into_response(),
        Err(AuthorizeError::Fatal(reason)) => return refused(&tr, reason),
        Err(AuthorizeError::Fault(error)) => return fault(&error),
    };
    proceed(&state, &tr, &client, request, signed.ok(), None).await
}

/// Back from the sign-in flow (or showing the consent page again).
pub(super) async fn resume(
    State(state): State<AppState>,
    tr: Tr,
    Path(id): Path<Uuid>,
    signed: Result<SignedIn, NotSignedIn>,
    RequestClient(client): RequestClient,
) -> Response {
    match state.provider.parked(id).await {
        Ok(Some(parked)) => {
            proceed(
                &state,
                &tr,
                &client,
                parked.request,
                signed.ok(),
                Some((id, parked.seen_at)),
            )
            .await
        }
        Ok(None) => expired(&tr),
        Err(error) => fault(&error),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ConsentForm {
    csrf: String,
    decision: String,
}

pub(super) async fn answer_consent(
    State(state): State<AppState>,
    tr: Tr,
    Path(id): Path<Uuid>,
    signed: Result<SignedIn, NotSignedIn>,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Response {
    let (Ok(signed), Ok(Form(form))) = (signed, form) else {
        return Failure::new(ErrorKind::BadRequest).respond(&tr, Format::Html);
    };
    let key = state.settings.csrf_key.expose();
    if !csrf::verify(key, &signed.session.id.to_string(), &form.csrf) {
        return ErrorPage::new(ErrorKind::Csrf, &tr).respond(&tr, Format::Html);
    }
    let parked = match state.provider.parked(id).await {
        Ok(Some(parked)) => parked,
        Ok(None) => return expired(&tr),
        Err(error) => return fault(&error),
    };
    let approved = form.decision == "approve";
    let answer = state
        .provider
        .consent(&parked.request, &signed.session, &signed.account, approved)
        .await;
    finish(&state, id, answer).await
}

/// Acts on the provider's decision for a request. `parked` is the request's id and the
/// instant it was first seen, once it has been parked for a sign-in or consent.
async fn proceed(
    state: &AppState,
    tr: &Tr,
    client: &flows::Client,
    request: AuthorizationRequest,
    signed: Option<SignedIn>,
    parked: Option<(Uuid, time::OffsetDateTime)>,
) -> Response {
    let session = signed.as_ref().map(|s| (&s.session, &s.account));
    let reachable = match &signed {
        Some(signed) => match state
            .engine
            .reachable_level(signed.account.id, signed.account.kind)
            .await
        {
            Ok(level) => level,
            Err(error) => return Failure::from(error).respond(tr, Format::Html),
        },
        None => domain::AssuranceLevel::LoA1,
    };
    if let Some(signed) = &signed {
        match choice_first(state, &request, signed, parked).await {
            Ok(None) => {}
            Ok(Some(response)) => return response,
            Err(error) => return Failure::from(error).respond(tr, Format::Html),
        }
    }
    let decision = state
        .provider
        .decide(
            &request,
            session,
            reachable,
            parked.map(|(_, seen_at)| seen_at),
        )
        .await;
    let decision = match decision {
        Ok(decision) => decision,
        Err(error) => return fault(&error),
    };
    match decision {
        Decision::Issue(url) | Decision::Error(url) => match parked {
            Some((id, _)) => finish(state, id, Ok(url)).await,
            None => Redirect::to(url.as_str()).into_response(),
        },
        Decision::SignIn { login_hint, .. } => {
            let id = match park(state, &request, parked).await {
                Ok(id) => id,
                Err(response) => return response,
            };
            let return_to = format!("/authorize/resume/{id}");
            let acr_preference = match request.acr_preference() {
                [] => vec![request.min_acr()],
                preference => preference.to_vec(),
            };
            // A session below the level is raised by a stronger method (step-up), unless the
            // request asks for a new sign-in anyway.
            let step_up = !request.prompt_login() && !request.prompt().select_account;
            let sign_in = flows::SignInRequest {
                return_to: Some(&return_to),
                login_hint: login_hint.as_deref(),
                acr_preference,
                signed_in: signed
                    .as_ref()
                    .filter(|_| step_up)
                    .map(|signed| (signed.session.id, signed.account.id)),
                client_name: Some(request.client_name()),
                client: Some(client),
                first: None,
            };
            match state.engine.start_sign_in(sign_in).await {
                Ok(started) => {
                    crate::pages::flow::show_started(state, tr, &started, request.ui_locales())
                }
                Err(error) => Failure::from(error).respond(tr, Format::Html),
            }
        }
        Decision::Consent {
            client_name,
            scopes,
        } => {
            let Some(signed) = signed else {
                return Failure::new(ErrorKind::Internal).respond(tr, Format::Html);
            };
            let id = match park(state, &request, parked).await {
                Ok(id) => id,
                Err(response) => return response,
            };
            let csrf = csrf::csrf_token(
                state.settings.csrf_key.expose(),
                &signed.session.id.to_string(),
            );
            let scopes = scopes
                .iter()
                .map(|scope| tr.t(&format!("consent-scope-{scope}")))
                .collect();
            let page = ConsentPage {
                tr,
                client_name,
                scopes,
                action: format!("/authorize/resume/{id}"),
                csrf,
            };
            page::render(StatusCode::OK, tr, &page)
        }
    }
}

/// A member of organisations says whom they act for before the relying service hears from
/// the session (SPEC A1): the request waits, parked, while they choose. Not for `prompt=none`
/// (no page may be shown), nor on first arrival with `prompt=login` (the sign-in it asks for
/// opens a new session, which is asked on its return).
async fn choice_first(
    state: &AppState,
    request: &AuthorizationRequest,
    signed: &SignedIn,
    parked: Option<(Uuid, time::OffsetDateTime)>,
) -> Result<Option<Response>, flows::FlowError> {
    if request.prompt().none || (request.prompt_login() && parked.is_none()) {
        return Ok(None);
    }
    let organisations = state.engine.organisations();
    if !organisations
        .needs_choice(&signed.session, &signed.account)
        .await?
    {
        return Ok(None);
    }
    Ok(Some(match park(state, request, parked).await {
        Ok(id) => {
            Redirect::to(&format!("/acting-for?return_to=/authorize/resume/{id}")).into_response()
        }
        Err(response) => response,
    }))
}

async fn park(
    state: &AppState,
    request: &AuthorizationRequest,
    parked: Option<(Uuid, time::OffsetDateTime)>,
) -> Result<Uuid, Response> {
    match parked {
        Some((id, _)) => Ok(id),
        None => state
            .provider
            .park(request)
            .await
            .map_err(|error| fault(&error)),
    }
}

/// Sends the browser back to the relying service; the parked request is spent.
async fn finish(state: &AppState, id: Uuid, answer: Result<url::Url, oidc::OidcError>) -> Response {
    match answer {
        Ok(url) => {
            if let Err(error) = state.provider.unpark(id).await {
                tracing::warn!(%error, "parked authorization request not removed");
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(error) => fault(&error),
    }
}

/// A request that cannot be answered to its sender (unknown client, unregistered redirect):
/// the person is told, and nothing is redirected (RFC 6749 §4.1.2.1).
fn refused(tr: &Tr, reason: FatalReason) -> Response {
    let key = match reason {
        FatalReason::UnknownClient => "authorize-refused-unknown-client",
        FatalReason::UnregisteredRedirectUri => "authorize-refused-redirect-uri",
        FatalReason::MissingClientId
        | FatalReason::RepeatedClientId
        | FatalReason::MissingRedirectUri
        | FatalReason::RepeatedRedirectUri => "authorize-refused-invalid-request",
    };
    tracing::info!(
        reason = reason.code(),
        "authorization request refused without redirect"
    );
    let message = tr.t(key);
    ErrorPage::new(ErrorKind::BadRequest, tr)
        .with_message(message)
        .respond(tr, Format::Html)
}

fn expired(tr: &Tr) -> Response {
    Failure::with_message(ErrorKind::Expired, "authorize-expired").respond(tr, Format::Html)
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    tr: &'a Tr,
    client_name: String,
    scopes: Vec<String>,
    action: String,
    csrf: String,
}
