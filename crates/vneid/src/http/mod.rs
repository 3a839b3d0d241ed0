//! The provider's HTTP side: the transport facts (client address, cookies) become a `Caller`
//! and cookie values here, and the handlers in `pages`, `police` and `provider` call the engine.
//! Every state-changing request passes the same-origin check (tower-http's `CsrfLayer`,
//! `Sec-Fetch-Site` / `Origin`); pages carry a strict CSP (no inline script).

mod activate;
mod i18n;
mod login;
mod pages;
mod police;
mod provider;
mod templates;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::service::{Caller, Vneid};

pub use i18n::{Lang, Tr};

/// What every handler shares.
pub struct AppState {
    pub vneid: Arc<Vneid>,
    pub provider: Arc<oidc::Provider>,
}

impl AppState {
    fn secure_cookies(&self) -> bool {
        self.vneid.settings().public_base_url.scheme() == "https"
    }
}

pub(crate) type State = axum::extract::State<Arc<AppState>>;

pub(crate) const SESSION_COOKIE: &str = "vneid_session";
pub(crate) const DEVICE_COOKIE: &str = "vneid_device";
pub(crate) const ACTIVATION_COOKIE: &str = "vneid_activation";
pub(crate) const SIGN_IN_COOKIE: &str = "vneid_sign_in";
pub(crate) const AUTHZ_COOKIE: &str = "vneid_authz";

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The provider's routes: pages, the OpenID provider, and (sandbox only) the police console.
pub fn router(state: Arc<AppState>) -> Router {
    let sandbox = state.vneid.settings().sandbox;
    let public = state.vneid.settings().public_base_url.clone();
    let mut router = pages::routes().merge(provider::routes());
    if sandbox {
        router = router.merge(police::routes());
    }
    // The protocol endpoints are cross-origin by design (a relying service's page may POST an
    // authorization request; servers call /token and /userinfo) and protected by the protocol
    // itself (registered redirect URIs, client authentication, PKCE, bearer tokens); an
    // authorization request does what its GET form does.
    let mut csrf = CsrfLayer::new()
        .with_insecure_bypass(|_, uri| matches!(uri.path(), "/authorize" | "/token" | "/userinfo"));
    let origin = public.origin().ascii_serialization();
    if let Ok(with_origin) = csrf.clone().add_trusted_origin(&origin) {
        csrf = with_origin;
    }
    router
        .with_state(state)
        .layer(csrf)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// The transport facts of a request.
pub(crate) struct Transport {
    pub caller: Caller,
    pub headers: HeaderMap,
    pub lang: Lang,
    pub path: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Transport {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(256).collect());
        let query_lang = parts.uri.query().and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == "lang")
                .map(|(_, value)| value.into_owned())
        });
        let lang = Lang::negotiate(query_lang.as_deref(), &parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        Ok(Transport {
            caller: Caller { ip, user_agent },
            headers: parts.headers.clone(),
            lang,
            path,
        })
    }
}

impl Transport {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang, &self.path)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        cookie(&self.headers, name)
    }

    /// Whether the language came from `?lang=` (then it is remembered in a cookie).
    fn lang_cookie(&self) -> Option<String> {
        let asked = self.path.contains("lang=");
        asked.then(|| {
            set_cookie(
                LANG_COOKIE_NAME,
                self.lang.code(),
                false,
                Some(365 * 86_400),
            )
        })
    }
}

const LANG_COOKIE_NAME: &str = i18n::LANG_COOKIE;

/// The value of a request cookie.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure on https. `max_age` 0 deletes.
pub(crate) fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut built = cookie::Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure);
    if let Some(seconds) = max_age {
        built = built.max_age(cookie::time::Duration::seconds(seconds));
    }
    built.build().to_string()
}

/// A response with cookies set.
pub(crate) fn with_cookies(response: impl IntoResponse, cookies: &[String]) -> Response {
    let mut response = response.into_response();
    for value in cookies {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A rendered page (no-store: pages may show personal data), with the language cookie when
/// the language was just chosen.
pub(crate) fn page<T: askama::Template>(transport: &Transport, template: &T) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            match transport.lang_cookie() {
                Some(cookie) => with_cookies(response, &[cookie]),
                None => response,
            }
        }
        Err(error) => {
            tracing::error!(%error, "a page did not render");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Lỗi hệ thống / internal error",
            )
                .into_response()
        }
    }
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A fault (store down, hashing failed): a page saying so, logged; never a panic.
pub(crate) fn fault(transport: &Transport, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "request failed");
    let tr = transport.tr();
    let mut response = page(
        transport,
        &templates::Message {
            tr: &tr,
            title: tr.t("fault-title"),
            text: tr.t("fault-text"),
            link: None,
            link_text: String::new(),
        },
    );
    *response.status_mut() = axum::http::StatusCode::SERVICE_UNAVAILABLE;
    response
}

/// Serves `router` on `listener` with the peers' addresses, until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

pub(crate) fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/vneid.css"),
    )
        .into_response()
}
