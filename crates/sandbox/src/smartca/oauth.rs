//! SmartCA's sign-in (OAuth 2.0 authorisation code with PKCE, RFC 6749 and RFC 7636):
//! `GET|POST auth/authorize` is the page where the person signs in with their user id and
//! password, `POST auth/token` exchanges the code for an access token.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::PersonalId;
use domain::digest::{decode_token, encode_token, equal, sha256};
use serde::{Deserialize, Serialize};
use time::Duration;
use url::Url;

use super::books::{Access, Grant};
use super::{SMARTCA_CLIENT_ID, SMARTCA_CLIENT_SECRET, SMARTCA_PASSWORD};
use crate::state::Sandbox;

/// SmartCA's own codes live 15 s; the sandbox allows a slow demo a minute.
const CODE_LIFETIME: Duration = Duration::seconds(60);
const TOKEN_LIFETIME: Duration = Duration::hours(1);
/// A PKCE S256 challenge: base64url of 32 bytes, unpadded.
const CHALLENGE_LEN: usize = 43;

/// The authorisation request, as the relying service sent the person (absent parameters are
/// empty, and refused below by name).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AuthorizeParams {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

/// Why the sign-in step did not give a redirect back to the relying service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefused {
    /// The request cannot go back to the relying service (unknown client, bad redirect_uri).
    #[error("invalid authorisation request: {0}")]
    InvalidRequest(String),
    #[error("wrong user id or password")]
    WrongCredentials,
}

/// A request the page refuses: shown to the person, or sent back to the relying service.
enum Refusal {
    Shown(String),
    SentBack(Url),
}

fn with_query(mut url: Url, pairs: &[(&str, &str)]) -> Url {
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
    }
    url
}

impl AuthorizeParams {
    /// The redirect URI when the request is one the page may serve.
    fn check(&self) -> Result<Url, Refusal> {
        if self.client_id != SMARTCA_CLIENT_ID {
            return Err(Refusal::Shown(format!(
                "unknown client_id (the sandbox client is {SMARTCA_CLIENT_ID})"
            )));
        }
        let redirect = Url::parse(&self.redirect_uri)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.fragment().is_none())
            .ok_or_else(|| Refusal::Shown("redirect_uri must be an http(s) URL".to_owned()))?;
        let error = |code: &str, description: &str| {
            Refusal::SentBack(with_query(
                redirect.clone(),
                &[
                    ("error", code),
                    ("error_description", description),
                    ("state", &self.state),
                ],
            ))
        };
        if self.response_type != "code" {
            return Err(error(
                "unsupported_response_type",
                "response_type must be code",
            ));
        }
        if self.code_challenge_method != "S256" {
            return Err(error(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
        if self.code_challenge.len() != CHALLENGE_LEN
            || decode_token(&self.code_challenge).is_none()
        {
            return Err(error(
                "invalid_request",
                "code_challenge must be the base64url S256 challenge",
            ));
        }
        Ok(redirect)
    }

    fn denied(&self, redirect: Url) -> Url {
        with_query(
            redirect,
            &[("error", "access_denied"), ("state", &self.state)],
        )
    }
}

/// The sign-in step: the redirect back to the relying service (with a fresh code, or with the
/// error the request itself earned).
pub(crate) fn sign_in(
    sandbox: &Sandbox,
    params: &AuthorizeParams,
    user_id: &str,
    password: &str,
) -> Result<Url, SignInRefused> {
    let redirect = match params.check() {
        Ok(redirect) => redirect,
        Err(Refusal::Shown(message)) => return Err(SignInRefused::InvalidRequest(message)),
        Err(Refusal::SentBack(url)) => return Ok(url),
    };
    let user = PersonalId::parse(user_id.trim())
        .ok()
        .filter(|id| super::user(sandbox, id).is_some());
    let password_ok = equal(password.as_bytes(), SMARTCA_PASSWORD.as_bytes());
    let (Some(user), true) = (user, password_ok) else {
        return Err(SignInRefused::WrongCredentials);
    };
    let code = sandbox.random_token();
    let now = sandbox.now();
    let grant = Grant {
        user,
        client_id: params.client_id.clone(),
        redirect_uri: params.redirect_uri.clone(),
        challenge: params.code_challenge.clone(),
        expires: now + CODE_LIFETIME,
    };
    sandbox
        .smartca()
        .add_grant(sha256(code.as_bytes()), grant, now);
    Ok(with_query(
        redirect,
        &[("code", &code), ("state", &params.state)],
    ))
}

/// [`sign_in`] from the authorisation URL a relying service built.
pub(crate) fn sign_in_at(
    sandbox: &Sandbox,
    authorize_url: &Url,
    user_id: &str,
    password: &str,
) -> Result<Url, SignInRefused> {
    let malformed = || SignInRefused::InvalidRequest("malformed authorisation URL".to_owned());
    let uri: axum::http::Uri = authorize_url.as_str().parse().map_err(|_| malformed())?;
    let Query(params) = Query::<AuthorizeParams>::try_from_uri(&uri).map_err(|_| malformed())?;
    sign_in(sandbox, &params, user_id, password)
}

struct UserRow {
    id: String,
    name: String,
    has_credential: bool,
}

#[derive(Template)]
#[template(path = "smartca_signin.html")]
struct SignInPage {
    params: AuthorizeParams,
    user_id: String,
    error: Option<String>,
    password: &'static str,
    users: Vec<UserRow>,
}

fn page(status: StatusCode, page: SignInPage) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => crate::error::ApiError::internal(format!("cannot render the page: {error}"))
            .into_response(),
    }
}

fn sign_in_page(
    sandbox: &Sandbox,
    params: AuthorizeParams,
    user_id: String,
    error: Option<String>,
) -> SignInPage {
    SignInPage {
        params,
        user_id,
        error,
        password: SMARTCA_PASSWORD,
        users: super::users(sandbox)
            .into_iter()
            .map(|user| UserRow {
                id: user.personal_id.as_str().to_owned(),
                name: user.full_name.to_owned(),
                has_credential: user.certificate.is_some(),
            })
            .collect(),
    }
}

fn refused(sandbox: &Sandbox, params: AuthorizeParams, refusal: Refusal) -> Response {
    match refusal {
        Refusal::SentBack(url) => Redirect::to(url.as_str()).into_response(),
        Refusal::Shown(message) => page(
            StatusCode::BAD_REQUEST,
            sign_in_page(sandbox, params, String::new(), Some(message)),
        ),
    }
}

async fn show(State(sandbox): State<Arc<Sandbox>>, params: Query<AuthorizeParams>) -> Response {
    let Query(params) = params;
    match params.check() {
        Ok(_) => page(
            StatusCode::OK,
            sign_in_page(&sandbox, params, String::new(), None),
        ),
        Err(refusal) => refused(&sandbox, params, refusal),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    user_id: String,
    password: String,
    /// `sign_in` or `cancel`: which button was pressed.
    action: String,
}

async fn submit(
    State(sandbox): State<Arc<Sandbox>>,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return refused(
            &sandbox,
            AuthorizeParams::default(),
            Refusal::Shown("malformed form".to_owned()),
        );
    };
    if form.action == "cancel" {
        return match form.params.check() {
            Ok(redirect) => Redirect::to(form.params.denied(redirect).as_str()).into_response(),
            Err(refusal) => refused(&sandbox, form.params, refusal),
        };
    }
    match sign_in(&sandbox, &form.params, &form.user_id, &form.password) {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(SignInRefused::WrongCredentials) => {
            tracing::info!("sandbox SmartCA sign-in refused");
            let message = "Sai tài khoản hoặc mật khẩu. / Wrong user id or password.".to_owned();
            page(
                StatusCode::OK,
                sign_in_page(&sandbox, form.params, form.user_id, Some(message)),
            )
        }
        Err(SignInRefused::InvalidRequest(message)) => {
            refused(&sandbox, form.params, Refusal::Shown(message))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
    client_secret: String,
    code_verifier: String,
}

#[derive(Serialize)]
struct TokenAnswer {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
}

#[derive(Serialize)]
struct OAuthError {
    error: &'static str,
    error_description: &'static str,
}

fn oauth_error(status: StatusCode, error: &'static str, description: &'static str) -> Response {
    let body = OAuthError {
        error,
        error_description: description,
    };
    (status, [(CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) equals the challenge; the verifier is 43–128
/// unreserved characters.
pub(super) fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    well_formed
        && equal(
            encode_token(&sha256(verifier.as_bytes())).as_bytes(),
            challenge.as_bytes(),
        )
}

async fn token(
    State(sandbox): State<Arc<Sandbox>>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let bad_grant =
        |description| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description);
    let Ok(Form(form)) = form else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "malformed form");
    };
    if form.grant_type != "authorization_code" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code",
        );
    }
    if form.client_id != SMARTCA_CLIENT_ID
        || !equal(
            form.client_secret.as_bytes(),
            SMARTCA_CLIENT_SECRET.as_bytes(),
        )
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let now = sandbox.now();
    let Some(grant) = sandbox.smartca().take_grant(&sha256(form.code.as_bytes())) else {
        return bad_grant("unknown or already used code");
    };
    if grant.expires <= now {
        return bad_grant("the code expired");
    }
    if grant.client_id != form.client_id || grant.redirect_uri != form.redirect_uri {
        return bad_grant("the code was issued for another client or redirect_uri");
    }
    if !verifier_matches(&form.code_verifier, &grant.challenge) {
        return bad_grant("code_verifier does not match the code_challenge");
    }
    let access_token = sandbox.random_token();
    let access = Access {
        user: grant.user,
        expires: now + TOKEN_LIFETIME,
    };
    sandbox
        .smartca()
        .add_token(sha256(access_token.as_bytes()), access, now);
    let answer = TokenAnswer {
        access_token,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME.whole_seconds(),
    };
    ([(CACHE_CONTROL, "no-store")], Json(answer)).into_response()
}

pub(super) fn routes() -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/smartca/auth/authorize", get(show).post(submit))
        .route("/sandbox/smartca/auth/token", post(token))
}
