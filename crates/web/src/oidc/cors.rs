//! CORS for browser apps (public clients in a page) at `/token`, `/userinfo` and `/revoke`, for
//! exactly the web origins clients registered (`dvcid client add --web-origin`); no other
//! route answers CORS. Credentials are never allowed (tokens travel in the body or the
//! `Authorization` header, not in cookies), and every answer says it varies by `Origin`.
//!
//! A preflight carries neither a client nor a token, so it is answered for an origin any
//! client registered; the actual response then carries `Access-Control-Allow-Origin` only
//! when the client it is about — named in the request at `/token` and `/revoke`, the access
//! token's at `/userinfo` — registered that origin.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// How long a browser may reuse a preflight answer.
const MAX_AGE_SECS: &str = "600";

/// The request's `Origin`, when it is one (a browser's cross-origin request).
pub(super) fn origin(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    (origin != "null" && !origin.is_empty()).then(|| origin.to_owned())
}

/// Answers `OPTIONS` for a route that accepts `methods`.
pub(super) async fn preflight(
    state: &AppState,
    headers: &HeaderMap,
    methods: &'static str,
) -> Response {
    let known = match origin(headers) {
        Some(origin) => match state.provider.web_origin_registered(&origin).await {
            Ok(true) => Some(origin),
            Ok(false) => None,
            Err(error) => return super::endpoints::fault(&error),
        },
        None => None,
    };
    let Some(origin) = known else {
        return vary(StatusCode::FORBIDDEN.into_response());
    };
    let mut response = allow(StatusCode::NO_CONTENT.into_response(), &origin);
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    response
}

/// The actual response, opened to `origin` when `allowed` (the client it is about registered
/// it); otherwise left closed.
pub(super) fn answer(response: Response, origin: Option<&str>, allowed: bool) -> Response {
    match origin {
        Some(origin) if allowed => {
            let mut response = allow(response, origin);
            response.headers_mut().insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("www-authenticate"),
            );
            response
        }
        _ => vary(response),
    }
}

/// Whether the client `client_id` registered `origin`; a store fault closes the response.
pub(super) async fn client_allows(
    state: &AppState,
    client_id: Option<&str>,
    origin: Option<&str>,
) -> bool {
    let (Some(client_id), Some(origin)) = (client_id, origin) else {
        return false;
    };
    match state.provider.client_web_origin(client_id, origin).await {
        Ok(allowed) => allowed,
        Err(error) => {
            tracing::warn!(%error, "cannot read a client's web origins");
            false
        }
    }
}

fn allow(response: Response, origin: &str) -> Response {
    let mut response = vary(response);
    if let Ok(value) = HeaderValue::from_str(origin) {
        response
            .headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    response
}

fn vary(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("origin"));
    response
}

/// `OPTIONS /token` and `OPTIONS /revoke`.
pub(super) async fn preflight_post(State(state): State<AppState>, headers: HeaderMap) -> Response {
    preflight(&state, &headers, "POST").await
}

/// `OPTIONS /userinfo`.
pub(super) async fn preflight_get_post(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    preflight(&state, &headers, "GET, POST").await
}
