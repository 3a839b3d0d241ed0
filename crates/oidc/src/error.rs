//! The provider's faults and refusals. A fault ([`OidcError`]: the store or the keys failed) is
//! an error; a refusal (a bad request, an unknown client, a spent code) is an answer the
//! protocol defines, carried as data the web layer renders: [`AuthorizeError`], [`TokenError`],
//! [`BearerError`], [`EndSessionError`]. None of them ever holds a secret, token or code.

use serde_json::{Value, json};

use crate::keys::KeyError;
use crate::params::Repeated;

/// Something the provider could not do for reasons outside the request.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    #[error("signing keys: {0}")]
    Keys(#[from] KeyError),
    /// A value the provider itself built could not be turned into a URL (a registered URI
    /// that does not parse, say): a configuration problem, not the request's.
    #[error("cannot build a URL: {0}")]
    Url(&'static str),
    /// A parked authorization request names a client (or redirect URI) that has since been
    /// removed: nothing can be sent to it any more.
    #[error("the client of this authorization request is no longer registered")]
    ClientGone,
    #[error("internal: {0}")]
    Internal(String),
}

/// Why an authorization request cannot even be answered with a redirect: the person sees a
/// page instead, because the redirect target is unknown or untrusted (RFC 6749 §4.1.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FatalReason {
    MissingClientId,
    RepeatedClientId,
    UnknownClient,
    MissingRedirectUri,
    RepeatedRedirectUri,
    UnregisteredRedirectUri,
}

impl FatalReason {
    /// A stable code, for the page's translations and for logs.
    pub const fn code(self) -> &'static str {
        match self {
            Self::MissingClientId => "missing_client_id",
            Self::RepeatedClientId => "repeated_client_id",
            Self::UnknownClient => "unknown_client",
            Self::MissingRedirectUri => "missing_redirect_uri",
            Self::RepeatedRedirectUri => "repeated_redirect_uri",
            Self::UnregisteredRedirectUri => "unregistered_redirect_uri",
        }
    }
}

impl std::fmt::Display for FatalReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// An authorization request refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    /// Show a page; never redirect.
    #[error("the authorization request cannot be answered: {0}")]
    Fatal(FatalReason),
    /// Redirect the browser here: the registered `redirect_uri` with `error`,
    /// `error_description`, `state` and `iss`.
    #[error("the authorization request was refused")]
    Redirect(url::Url),
    #[error(transparent)]
    Fault(#[from] OidcError),
}

/// The `error` codes of RFC 6749 §5.2 and RFC 7009 §2.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    UnsupportedTokenType,
}

impl TokenErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedTokenType => "unsupported_token_type",
        }
    }
}

/// A refusal at the token, introspection or revocation endpoint, or a fault there. The web
/// layer sends `status()`, `body()` as JSON, `www_authenticate()` when present, and
/// `Cache-Control: no-store`.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{}: {description}", code.as_str())]
    Refused {
        code: TokenErrorCode,
        description: String,
        /// The client tried HTTP Basic: an `invalid_client` must then be a 401 with a
        /// `WWW-Authenticate: Basic` challenge (RFC 6749 §5.2).
        basic: bool,
    },
    #[error(transparent)]
    Fault(#[from] OidcError),
}

impl TokenError {
    pub(crate) fn refused(code: TokenErrorCode, description: impl Into<String>) -> Self {
        Self::Refused {
            code,
            description: description.into(),
            basic: false,
        }
    }

    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::refused(TokenErrorCode::InvalidRequest, description)
    }

    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::refused(TokenErrorCode::InvalidGrant, description)
    }

    /// A parameter of the form was sent more than once.
    pub(crate) fn repeated(Repeated(name): Repeated) -> Self {
        Self::invalid_request(format!("{name} was sent more than once"))
    }

    /// The error code, `None` for a fault.
    pub fn code(&self) -> Option<TokenErrorCode> {
        match self {
            Self::Refused { code, .. } => Some(*code),
            Self::Fault(_) => None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Refused {
                code: TokenErrorCode::InvalidClient,
                basic: true,
                ..
            } => 401,
            Self::Refused { .. } => 400,
            Self::Fault(_) => 503,
        }
    }

    pub fn www_authenticate(&self) -> Option<String> {
        match self {
            Self::Refused {
                code: TokenErrorCode::InvalidClient,
                basic: true,
                ..
            } => Some(format!("Basic realm=\"{REALM}\"")),
            _ => None,
        }
    }

    pub fn body(&self) -> Value {
        match self {
            Self::Refused {
                code, description, ..
            } => json!({ "error": code.as_str(), "error_description": description }),
            Self::Fault(_) => json!({
                "error": "server_error",
                "error_description": "the server could not complete the request; try again later",
            }),
        }
    }
}

const REALM: &str = "dvcid";

/// A refusal at the userinfo endpoint (RFC 6750 §3).
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    /// No token at all: a bare challenge, no error code (RFC 6750 §3.1).
    #[error("no access token was presented")]
    Missing,
    #[error("the request is malformed: {0}")]
    InvalidRequest(&'static str),
    /// Expired, revoked, of a revoked grant or a locked account, not ours, or not a user's.
    #[error("the access token is not valid: {0}")]
    InvalidToken(&'static str),
    #[error("the access token lacks the scope: {0}")]
    InsufficientScope(&'static str),
    #[error(transparent)]
    Fault(#[from] OidcError),
}

impl BearerError {
    pub fn missing() -> Self {
        Self::Missing
    }

    pub fn invalid_request() -> Self {
        Self::InvalidRequest("send the access token once, in the Authorization header or the form")
    }

    fn code(&self) -> Option<&'static str> {
        match self {
            Self::Missing | Self::Fault(_) => None,
            Self::InvalidRequest(_) => Some("invalid_request"),
            Self::InvalidToken(_) => Some("invalid_token"),
            Self::InsufficientScope(_) => Some("insufficient_scope"),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Missing | Self::InvalidToken(_) => 401,
            Self::InvalidRequest(_) => 400,
            Self::InsufficientScope(_) => 403,
            Self::Fault(_) => 503,
        }
    }

    /// The `WWW-Authenticate` value (RFC 6750 §3).
    pub fn www_authenticate(&self) -> String {
        match (self.code(), self) {
            (Some(code), Self::InsufficientScope(_)) => {
                format!("Bearer realm=\"{REALM}\", error=\"{code}\", scope=\"openid\"")
            }
            (Some(code), _) => format!("Bearer realm=\"{REALM}\", error=\"{code}\""),
            (None, _) => format!("Bearer realm=\"{REALM}\""),
        }
    }

    pub fn body(&self) -> Value {
        match (self.code(), self) {
            (
                Some(code),
                Self::InvalidRequest(why) | Self::InvalidToken(why) | Self::InsufficientScope(why),
            ) => {
                json!({ "error": code, "error_description": why })
            }
            (_, Self::Fault(_)) => json!({ "error": "server_error" }),
            _ => json!({}),
        }
    }
}

/// Why an end-session request cannot be acted on at all (the person sees a page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndSessionRefusal {
    /// A parameter appeared twice.
    RepeatedParameter,
    /// `client_id` names another client than the `id_token_hint` was issued to.
    ClientMismatch,
}

impl EndSessionRefusal {
    /// A stable code, for the page's translations and for logs.
    pub const fn code(self) -> &'static str {
        match self {
            Self::RepeatedParameter => "repeated_parameter",
            Self::ClientMismatch => "client_mismatch",
        }
    }
}

/// An end-session request refused, or a fault while handling it.
#[derive(Debug, thiserror::Error)]
pub enum EndSessionError {
    #[error("the logout request is refused: {}", .0.code())]
    Refused(EndSessionRefusal),
    #[error(transparent)]
    Fault(#[from] OidcError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_is_a_401_challenge_only_after_basic() {
        let basic = TokenError::Refused {
            code: TokenErrorCode::InvalidClient,
            description: "unknown client".to_owned(),
            basic: true,
        };
        assert_eq!(basic.status(), 401);
        assert_eq!(
            basic.www_authenticate().as_deref(),
            Some("Basic realm=\"dvcid\"")
        );
        assert_eq!(basic.body()["error"], "invalid_client");
        let post = TokenError::refused(TokenErrorCode::InvalidClient, "unknown client");
        assert_eq!(post.status(), 400);
        assert_eq!(post.www_authenticate(), None);
        let grant = TokenError::invalid_grant("spent");
        assert_eq!(grant.status(), 400);
        assert_eq!(grant.body()["error_description"], "spent");
    }

    #[test]
    fn bearer_refusals_follow_rfc_6750() {
        assert_eq!(BearerError::missing().status(), 401);
        assert_eq!(
            BearerError::missing().www_authenticate(),
            "Bearer realm=\"dvcid\""
        );
        let invalid = BearerError::InvalidToken("expired");
        assert_eq!(invalid.status(), 401);
        assert_eq!(
            invalid.www_authenticate(),
            "Bearer realm=\"dvcid\", error=\"invalid_token\""
        );
        assert_eq!(invalid.body()["error"], "invalid_token");
        assert_eq!(BearerError::invalid_request().status(), 400);
        assert_eq!(BearerError::InsufficientScope("openid").status(), 403);
    }
}
