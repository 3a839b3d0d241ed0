//! The OpenID provider at this origin (SPEC V5), from the `oidc` crate: discovery, keys,
//! `/authorize` (a signed-out person's request is parked, they sign in, it resumes), `/token`
//! and `/userinfo`. A request the person's level cannot meet ends at the relying service as an
//! OAuth error, after a page that says why.

use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use domain::AssuranceLevel;
use oidc::{AuthorizeError, Decision, PresentedClient};
use uuid::Uuid;

use super::templates;
use super::{
    AUTHZ_COOKIE, SESSION_COOKIE, State, Transport, fault, page, see_other, set_cookie,
    with_cookies,
};
use crate::signin::acr_of;

pub(super) fn routes() -> axum::Router<std::sync::Arc<super::AppState>> {
    axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks.json", get(jwks))
        .route("/authorize", get(authorize_get).post(authorize_post))
        .route("/authorize/resume", get(resume))
        .route("/token", axum::routing::post(token))
        .route("/userinfo", get(userinfo).post(userinfo))
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn discovery(state: State) -> Response {
    let mut response = Json(state.provider.discovery()).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    response
}

async fn jwks(state: State) -> Response {
    match state.provider.jwks().await {
        Ok(keys) => Json(keys).into_response(),
        Err(error) => {
            tracing::error!(%error, "the JWKS is unavailable");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

fn pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

async fn authorize_get(state: State, transport: Transport, RawQuery(query): RawQuery) -> Response {
    authorize(
        state,
        transport,
        pairs(query.as_deref().unwrap_or_default()),
    )
    .await
}

async fn authorize_post(state: State, transport: Transport, body: String) -> Response {
    authorize(state, transport, pairs(&body)).await
}

async fn authorize(state: State, transport: Transport, params: Vec<(String, String)>) -> Response {
    let request = match state.provider.authorization_request(&params).await {
        Ok(request) => request,
        Err(AuthorizeError::Redirect(url)) => return see_other(url.as_str()),
        Err(AuthorizeError::Fatal(reason)) => {
            let tr = transport.tr();
            let mut response = page(
                &transport,
                &templates::Message {
                    tr: &tr,
                    title: tr.t("authorize-refused-title"),
                    text: format!("{} ({})", tr.t("authorize-refused-text"), reason.code()),
                    link: None,
                    link_text: String::new(),
                },
            );
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return response;
        }
        Err(AuthorizeError::Fault(error)) => return fault(&transport, &error),
    };
    decide(&state, &transport, &request, None, None).await
}

/// Asks the provider what to do with the request given the browser's session.
async fn decide(
    state: &State,
    transport: &Transport,
    request: &oidc::AuthorizationRequest,
    parked: Option<Uuid>,
    fresh_since: Option<time::OffsetDateTime>,
) -> Response {
    let session = match transport.cookie(SESSION_COOKIE) {
        Some(token) => match state.vneid.session(&token).await {
            Ok(found) => found,
            Err(error) => return fault(transport, &error),
        },
        None => None,
    };
    // What a person can reach is what their level gives: nothing raises a level-1 account.
    let reachable = match &session {
        Some((_, account)) => match state.vneid.level_of(account).await {
            Ok(level) => acr_of(level),
            Err(error) => return fault(transport, &error),
        },
        None => AssuranceLevel::LoA3,
    };
    let decision = state
        .provider
        .decide(
            request,
            session
                .as_ref()
                .map(|(session, account)| (session, account)),
            reachable,
            fresh_since,
        )
        .await;
    let decision = match decision {
        Ok(decision) => decision,
        Err(error) => return fault(transport, &error),
    };
    let done = |response: Response| {
        with_cookies(
            response,
            &[set_cookie(
                AUTHZ_COOKIE,
                "",
                state.secure_cookies(),
                Some(0),
            )],
        )
    };
    match decision {
        Decision::Issue(url) => {
            if let Some(id) = parked {
                let _ = state.provider.unpark(id).await;
            }
            done(see_other(url.as_str()))
        }
        Decision::Error(url) => {
            if let Some(id) = parked {
                let _ = state.provider.unpark(id).await;
            }
            let error = url
                .query_pairs()
                .find(|(name, _)| name == "error")
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default();
            if error == "unmet_authentication_requirements" {
                // Say why before going back: a level-1 account cannot sign in at LoA3.
                let tr = transport.tr();
                return done(page(
                    transport,
                    &templates::Message {
                        tr: &tr,
                        title: tr.t("level-needed-title"),
                        text: tr.t("level-needed-text"),
                        link: Some(url.to_string()),
                        link_text: tr.t1("action-back-to", "client", request.client_name()),
                    },
                ));
            }
            done(see_other(url.as_str()))
        }
        Decision::SignIn { .. } if parked.is_none() => match state.provider.park(request).await {
            Ok(id) => see_other(&format!("/login?authz={id}")),
            Err(error) => fault(transport, &error),
        },
        Decision::SignIn { .. } => match parked {
            Some(id) => see_other(&format!("/login?authz={id}")),
            None => see_other("/login"),
        },
        Decision::Consent { .. } => {
            // No consent page is offered here (relying services of the eID provider are
            // registered without one): a request that needs one is declined, never granted
            // silently.
            let session = session.as_ref();
            match session {
                Some((session, account)) => {
                    match state
                        .provider
                        .consent(request, session, account, false)
                        .await
                    {
                        Ok(url) => done(see_other(url.as_str())),
                        Err(error) => fault(transport, &error),
                    }
                }
                None => see_other("/login"),
            }
        }
    }
}

/// After signing in: the parked request, decided with the fresh sign-in.
async fn resume(state: State, transport: Transport) -> Response {
    let Some(id) = transport
        .cookie(AUTHZ_COOKIE)
        .and_then(|value| Uuid::parse_str(&value).ok())
    else {
        return see_other("/home");
    };
    let parked = match state.provider.parked(id).await {
        Ok(Some(parked)) => parked,
        Ok(None) => {
            return with_cookies(
                see_other("/home"),
                &[set_cookie(
                    AUTHZ_COOKIE,
                    "",
                    state.secure_cookies(),
                    Some(0),
                )],
            );
        }
        Err(error) => return fault(&transport, &error),
    };
    decide(
        &state,
        &transport,
        &parked.request,
        Some(id),
        Some(parked.seen_at),
    )
    .await
}

/// HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-urlencoded).
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |part: &str| -> String {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

async fn token(state: State, headers: HeaderMap, body: String) -> Response {
    let form = pairs(&body);
    let get = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let client = PresentedClient {
        basic: basic(&headers),
        client_id: get("client_id"),
        client_secret: get("client_secret"),
        client_assertion_type: get("client_assertion_type"),
        client_assertion: get("client_assertion"),
    };
    match state.provider.token(&client, &form).await {
        Ok(answer) => no_store(Json(answer).into_response()),
        Err(error) => {
            if let oidc::TokenError::Fault(fault) = &error {
                tracing::error!(%fault, "token request failed");
            }
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut response = no_store((status, Json(error.body())).into_response());
            if let Some(challenge) = error.www_authenticate()
                && let Ok(value) = header::HeaderValue::from_str(&challenge)
            {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}

async fn userinfo(state: State, headers: HeaderMap, body: String) -> Response {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::to_owned);
    let from_body = pairs(&body)
        .into_iter()
        .find(|(name, _)| name == "access_token")
        .map(|(_, value)| value);
    let result = match from_header.or(from_body) {
        Some(token) => state.provider.userinfo(token.trim()).await,
        None => Err(oidc::BearerError::missing()),
    };
    match result {
        Ok(claims) => no_store(Json(claims).into_response()),
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let mut response = no_store((status, Json(error.body())).into_response());
            if let Ok(value) = header::HeaderValue::from_str(&error.www_authenticate()) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}
