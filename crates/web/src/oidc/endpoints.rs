//! The endpoints relying services call from their servers: discovery, JWKS, token, userinfo,
//! introspection and revocation. Answers are JSON; token responses are never cached.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use oidc::clients::PresentedClient;
use oidc::{BearerError, OidcError, TokenError};
use serde_json::json;

use super::cors;
use super::params::{self, Pairs};
use crate::AppState;

pub(super) async fn discovery(State(state): State<AppState>) -> Response {
    public_json(state.provider.discovery())
}

pub(super) async fn jwks(State(state): State<AppState>) -> Response {
    match state.provider.jwks().await {
        Ok(keys) => public_json(keys),
        Err(error) => fault(&error),
    }
}

pub(super) async fn token(State(state): State<AppState>, request: ClientRequest) -> Response {
    let ClientRequest {
        client,
        form,
        origin,
    } = request;
    let grant = params::first(&form, "grant_type").unwrap_or_default();
    let grant = KNOWN_GRANTS
        .into_iter()
        .find(|known| *known == grant)
        .unwrap_or("other");
    let response = answer(
        "token",
        grant,
        state.provider.token(&client, &form).await.map(Json),
    );
    let allowed = cors::client_allows(&state, named_client(&client), origin.as_deref()).await;
    cors::answer(response, origin.as_deref(), allowed)
}

/// The client a request names (for CORS; authentication is the provider's business).
fn named_client(client: &PresentedClient) -> Option<&str> {
    client
        .basic
        .as_ref()
        .map(|(id, _)| id.as_str())
        .or(client.client_id.as_deref())
}

pub(super) async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = cors::origin(&headers);
    answer_userinfo(&state, params::bearer(&headers), origin).await
}

/// RFC 6750 allows the token in the header or, for POST, in the form body (not both).
pub(super) async fn userinfo_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let origin = cors::origin(&headers);
    let in_body = form
        .ok()
        .and_then(|Form(form)| params::first(&form, "access_token").map(str::to_owned));
    let token = match (params::bearer(&headers), in_body) {
        (Some(_), Some(_)) => {
            return cors::answer(bearer_refusal(BearerError::invalid_request()), None, false);
        }
        (header, body) => header.or(body),
    };
    answer_userinfo(&state, token, origin).await
}

/// The claims, opened to the request's origin only when the token's client registered it.
async fn answer_userinfo(
    state: &AppState,
    token: Option<String>,
    origin: Option<String>,
) -> Response {
    let Some(token) = token else {
        return cors::answer(bearer_refusal(BearerError::missing()), None, false);
    };
    match state.provider.userinfo_with_origins(&token).await {
        Ok(info) => {
            let allowed = origin
                .as_ref()
                .is_some_and(|origin| info.web_origins.contains(origin));
            let response = no_store(Json(info.claims).into_response());
            cors::answer(response, origin.as_deref(), allowed)
        }
        Err(refusal) => cors::answer(bearer_refusal(refusal), None, false),
    }
}

pub(super) async fn introspect(State(state): State<AppState>, request: ClientRequest) -> Response {
    let ClientRequest { client, form, .. } = request;
    answer(
        "introspect",
        "",
        state.provider.introspect(&client, &form).await.map(Json),
    )
}

/// Revocation acts only on the named (authenticated) client's own tokens, so that client's
/// origins decide CORS.
pub(super) async fn revoke(State(state): State<AppState>, request: ClientRequest) -> Response {
    let ClientRequest {
        client,
        form,
        origin,
    } = request;
    let response = answer(
        "revoke",
        "",
        state
            .provider
            .revoke(&client, &form)
            .await
            .map(|()| StatusCode::OK),
    );
    let allowed = cors::client_allows(&state, named_client(&client), origin.as_deref()).await;
    cors::answer(response, origin.as_deref(), allowed)
}

/// A form posted by a relying service's server, and how that client authenticated. A body
/// that is not a form is refused as `invalid_request` before anything else.
pub(super) struct ClientRequest {
    client: PresentedClient,
    form: Pairs,
    /// The browser's `Origin`, for CORS.
    origin: Option<String>,
}

impl FromRequest<AppState> for ClientRequest {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = request.headers().clone();
        let Ok(Form(form)) = Form::<Pairs>::from_request(request, state).await else {
            return Err(cors::answer(malformed_form(), None, false));
        };
        let client = params::presented_client(&headers, &form);
        let origin = cors::origin(&headers);
        Ok(Self {
            client,
            form,
            origin,
        })
    }
}

/// The grant types counted by name in the metrics (anything else is "other").
const KNOWN_GRANTS: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];

/// A client endpoint's answer: never cached, a refusal as RFC 6749 §5.2 describes; counted in
/// `dvcid_oidc_client_requests_total` by endpoint, grant type and outcome.
fn answer(
    endpoint: &'static str,
    grant: &'static str,
    result: Result<impl IntoResponse, TokenError>,
) -> Response {
    let outcome = match &result {
        Ok(_) => "ok",
        Err(refusal) => refusal.code().map_or("server_error", |code| code.as_str()),
    };
    metrics::counter!(
        "dvcid_oidc_client_requests_total",
        "endpoint" => endpoint,
        "grant_type" => grant,
        "outcome" => outcome,
    )
    .increment(1);
    match result {
        Ok(body) => no_store(body.into_response()),
        Err(refusal) => {
            tracing::info!(endpoint, grant, outcome, "client request refused");
            token_refusal(refusal)
        }
    }
}

/// Discovery and keys are public and change rarely: cacheable, and readable by browser apps.
fn public_json(body: serde_json::Value) -> Response {
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// RFC 6749 §5.1: token responses must not be stored by caches.
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn malformed_form() -> Response {
    let body = json!({
        "error": "invalid_request",
        "error_description": "the body must be application/x-www-form-urlencoded",
    });
    no_store((StatusCode::BAD_REQUEST, Json(body)).into_response())
}

fn token_refusal(refusal: TokenError) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, Json(refusal.body())).into_response();
    if let Some(challenge) = refusal
        .www_authenticate()
        .and_then(|value| HeaderValue::from_str(&value).ok())
    {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    no_store(response)
}

fn bearer_refusal(refusal: BearerError) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut response = (status, Json(refusal.body())).into_response();
    if let Ok(challenge) = HeaderValue::from_str(&refusal.www_authenticate()) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    no_store(response)
}

pub(super) fn fault(error: &OidcError) -> Response {
    tracing::error!(%error, "OpenID provider fault");
    let body = json!({
        "error": "server_error",
        "error_description": "the server could not complete the request; try again later",
    });
    no_store((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response())
}
