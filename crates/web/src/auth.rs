//! Who is signed in: the session token from the `__Host-session` cookie (browsers) or an
//! `Authorization: Bearer` header (apps), checked against the store on every request.
//!
//! A browser's page request is looked up once, read only, by `recognise`, so that every page's
//! header can show the name and a sign-out button (`Viewer`, carried by `Tr`); a handler that
//! needs the session (`SignedIn`) reuses that lookup and records the activity.
//!
//! A session the store could not check (the database is failing over) is not "not signed in":
//! the handler, told so, would redirect to sign-in or answer 401, and an app would drop a
//! session that is still good. `recognise` turns such an answer into a retry-able 503.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use store::{Account, Session};

use crate::AppState;
use crate::cookies;
use crate::csrf;
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::Format;

pub const SESSION_COOKIE: &str = "session";

/// A live session and its active account.
pub struct SignedIn {
    pub session: Session,
    pub account: Account,
}

/// No session: pages redirect to sign-in, the API answers 401 with a message.
#[derive(Debug)]
pub struct NotSignedIn;

impl axum::response::IntoResponse for NotSignedIn {
    fn into_response(self) -> axum::response::Response {
        axum::http::StatusCode::UNAUTHORIZED.into_response()
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = NotSignedIn;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_owned);
        let sessions = state.engine.sessions();
        let found = match (bearer, parts.extensions.get::<Recognised>()) {
            // The page's own lookup of the cookie: only the activity is left to record.
            (None, Some(Recognised { session, account })) => sessions
                .record_activity(session)
                .await
                .map(|()| Some((session.clone(), account.clone()))),
            (bearer, _) => {
                let token = bearer
                    .or_else(|| cookies::read(&parts.headers, SESSION_COOKIE))
                    .ok_or(NotSignedIn)?;
                sessions.authenticate(&token).await
            }
        };
        match found {
            Ok(Some((session, account))) => Ok(Self { session, account }),
            Ok(None) => Err(NotSignedIn),
            Err(error) => {
                tracing::error!(%error, "session check failed");
                if let Some(failed) = parts.extensions.get::<SessionCheckFailed>() {
                    failed.0.store(true, Ordering::Relaxed);
                }
                Err(NotSignedIn)
            }
        }
    }
}

/// Raised by `SignedIn` when the store failed to check the session; read by `recognise` once
/// the handler has answered.
#[derive(Clone, Default)]
struct SessionCheckFailed(Arc<AtomicBool>);

/// The signed-in person as the page header shows them: their name and the sign-out form's
/// CSRF token.
#[derive(Clone)]
pub struct Viewer {
    pub name: String,
    pub csrf: String,
}

impl fmt::Debug for Viewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token binds forms to the session: not for logs.
        f.debug_struct("Viewer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The session of a page request's cookie as `recognise` found it.
#[derive(Clone)]
struct Recognised {
    session: Session,
    account: Account,
}

/// Middleware: a browser asking for a page with a session cookie is looked up once, without
/// writing to the store; the page's `Tr` then carries the `Viewer`. Requests for JSON, static
/// files or without the cookie cost nothing. When a handler's session check failed on the
/// store, its answer is replaced by a 503.
pub(crate) async fn recognise(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // The JSON API answers JSON whatever the client accepts, as its handlers do.
    let format = if request.uri().path().starts_with("/api/") {
        Format::Json
    } else {
        Format::of(request.headers())
    };
    let failed = SessionCheckFailed::default();
    request.extensions_mut().insert(failed.clone());
    let (mut parts, body) = request.into_parts();
    let Ok(tr) = Tr::from_request_parts(&mut parts, &state).await;
    let response = look_up_viewer(&state, Request::from_parts(parts, body), next).await;
    if failed.0.load(Ordering::Relaxed) {
        Failure::new(ErrorKind::Unavailable).respond(&tr, format)
    } else {
        response
    }
}

async fn look_up_viewer(state: &AppState, mut request: Request, next: Next) -> Response {
    let wants_page = Format::of(request.headers()) == Format::Html
        && !request.uri().path().starts_with("/static/");
    let token = wants_page
        .then(|| cookies::read(request.headers(), SESSION_COOKIE))
        .flatten();
    if let Some(token) = token {
        match state.engine.sessions().lookup(&token).await {
            Ok(Some((session, account))) => {
                let viewer = Viewer {
                    name: account.identity.full_name.clone(),
                    csrf: csrf::csrf_token(
                        state.settings.csrf_key.expose(),
                        &session.id.to_string(),
                    ),
                };
                request.extensions_mut().insert(viewer);
                request
                    .extensions_mut()
                    .insert(Recognised { session, account });
            }
            Ok(None) => {}
            // The page is still served, as to someone not signed in; `SignedIn` tries again.
            Err(error) => tracing::warn!(%error, "session lookup for the page header failed"),
        }
    }
    next.run(request).await
}

impl From<NotSignedIn> for Failure {
    fn from(_: NotSignedIn) -> Self {
        Failure::new(ErrorKind::Unauthorized)
    }
}
