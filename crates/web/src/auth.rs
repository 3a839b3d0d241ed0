//! Who is signed in: the session token from the `__Host-session` cookie (browsers) or an
//! `Authorization: Bearer` header (apps), checked against the store on every request.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use store::{Account, Session};

use crate::AppState;
use crate::cookies;
use crate::errors::ErrorKind;
use crate::failure::Failure;

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
        let token = bearer
            .or_else(|| cookies::read(&parts.headers, SESSION_COOKIE))
            .ok_or(NotSignedIn)?;
        match state.engine.sessions().authenticate(&token).await {
            Ok(Some((session, account))) => Ok(Self { session, account }),
            Ok(None) => Err(NotSignedIn),
            Err(error) => {
                tracing::error!(%error, "session check failed");
                Err(NotSignedIn)
            }
        }
    }
}

impl From<NotSignedIn> for Failure {
    fn from(_: NotSignedIn) -> Self {
        Failure::new(ErrorKind::Unauthorized)
    }
}
