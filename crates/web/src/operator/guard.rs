//! The operator console's guard: `OperatorSession` lets a handler run only for an operator
//! signed in at LoA3 with a certificate within the console's idle timeout. Anyone else is
//! answered before the handler runs — not signed in: the sign-in page offering the methods
//! that reach LoA3; an operator signed in another way: step-up with their certificate; not an
//! operator (or no certificate): a 403 page; idle too long: signed out and asked again.
//!
//! A handler then asks for what it needs: `operator.require(&state, Capability::…)` answers
//! a 403 page (audited as a security refusal) when the operator's roles do not allow it.
//! `OperatorPost` adds the form and its session-bound CSRF token to the same checks.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use domain::AssuranceLevel;
use flows::{Capability, Client, ConsoleAccess, Operator};
use serde::de::DeserializeOwned;
use store::{AccountId, Session};

use crate::AppState;
use crate::auth::{SESSION_COOKIE, SignedIn};
use crate::client::RequestClient;
use crate::cookies;
use crate::csrf;
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::Format;
use crate::problems;

/// The console's home, where a sign-in for it comes back to.
pub const CONSOLE: &str = "/operator";

/// An operator allowed into the console, for this request.
pub struct OperatorSession {
    pub operator: Operator,
    pub session: Session,
    pub tr: Tr,
    pub client: Client,
    /// The token the console's forms carry (bound to the session).
    pub csrf: String,
}

impl OperatorSession {
    /// `Ok` when the operator's roles allow `capability`; otherwise the 403 page, after the
    /// refusal is audited. `target` is the account concerned, if any.
    pub async fn require(
        &self,
        state: &AppState,
        capability: Capability,
        target: Option<AccountId>,
    ) -> Result<(), Response> {
        let operators = state.engine.operators();
        match operators.require(&self.operator, capability, target).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(problem)) => Err(self.refused(&problem)),
            Err(error) => Err(Failure::from(error).respond(&self.tr, Format::Html)),
        }
    }

    /// The 403 page for a refusal of the permission table.
    pub fn refused(&self, problem: &flows::Problem) -> Response {
        let page = crate::errors::ErrorPage::new(ErrorKind::Forbidden, &self.tr)
            .with_message(problems::message(problem, &self.tr));
        page.respond(&self.tr, Format::Html)
    }
}

impl FromRequestParts<AppState> for OperatorSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(tr) = Tr::from_request_parts(parts, state).await;
        let Ok(RequestClient(client)) = RequestClient::from_request_parts(parts, state).await;
        // A GET comes back to the page asked for after signing in; a form to the console.
        let back = match parts.method {
            axum::http::Method::GET => parts
                .uri
                .path_and_query()
                .map_or(CONSOLE, |path| path.as_str())
                .to_owned(),
            _ => CONSOLE.to_owned(),
        };
        let Ok(signed) = SignedIn::from_request_parts(parts, state).await else {
            return Err(sign_in(state, &tr, &client, &back, None).await);
        };
        let operators = state.engine.operators();
        let access = operators
            .console_access(&signed.session, &signed.account, &client)
            .await;
        match access {
            Ok(ConsoleAccess::Granted(operator)) => {
                let csrf = csrf::csrf_token(
                    state.settings.csrf_key.expose(),
                    &signed.session.id.to_string(),
                );
                Ok(Self {
                    operator,
                    session: signed.session,
                    tr,
                    client,
                    csrf,
                })
            }
            Ok(ConsoleAccess::StepUp { method }) => {
                let step_up = Some((&signed, method));
                Err(sign_in(state, &tr, &client, &back, step_up).await)
            }
            Ok(ConsoleAccess::NotOperator) => Err(Failure::with_message(
                ErrorKind::Forbidden,
                "operator-not-operator",
            )
            .respond(&tr, Format::Html)),
            Ok(ConsoleAccess::NeedsCertificate) => Err(Failure::with_message(
                ErrorKind::Forbidden,
                "operator-needs-certificate",
            )
            .respond(&tr, Format::Html)),
            Ok(ConsoleAccess::IdleExpired) => Err(signed_out(&back)),
            Err(error) => Err(Failure::from(error).respond(&tr, Format::Html)),
        }
    }
}

/// A sign-in at LoA3 that comes back to `back`: a new one, or — for an operator signed in
/// below it — the step-up of their session with a certificate method they hold.
async fn sign_in(
    state: &AppState,
    tr: &Tr,
    client: &Client,
    back: &str,
    step_up: Option<(&SignedIn, flows::MethodKind)>,
) -> Response {
    let request = flows::SignInRequest {
        return_to: Some(back),
        acr_preference: vec![AssuranceLevel::LoA3],
        signed_in: step_up.map(|(signed, _)| (signed.session.id, signed.account.id)),
        client: Some(client),
        first: step_up.map(|(_, method)| method),
        ..flows::SignInRequest::default()
    };
    match state.engine.start_sign_in(request).await {
        Ok(started) => crate::pages::flow::show_started(state, tr, &started, None),
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

/// The console's idle timeout ended the session: the cookie goes, and the console asks for a
/// sign-in again.
fn signed_out(back: &str) -> Response {
    let mut response = Redirect::to(back).into_response();
    if let Ok(cookie) = cookies::removal(SESSION_COOKIE) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A form posted in the console: the guard's checks, then the body, then its CSRF token
/// (a foreign token is a 403, a malformed body a 400).
pub struct OperatorPost<F> {
    pub session: OperatorSession,
    pub form: F,
}

/// The forms of the console carry their token as `csrf`.
pub trait CsrfField {
    fn csrf(&self) -> &str;
}

impl<F> FromRequest<AppState> for OperatorPost<F>
where
    F: DeserializeOwned + CsrfField + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let session = OperatorSession::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let Ok(Form(form)) = Form::<F>::from_request(request, state).await else {
            return Err(Failure::new(ErrorKind::BadRequest).respond(&session.tr, Format::Html));
        };
        let token = session.session.id.to_string();
        if !csrf::verify(state.settings.csrf_key.expose(), &token, form.csrf()) {
            return Err(Failure::new(ErrorKind::Csrf).respond(&session.tr, Format::Html));
        }
        Ok(Self { session, form })
    }
}
