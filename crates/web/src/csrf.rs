//! Cross-site request forgery: a state-changing request (anything but GET, HEAD, OPTIONS) that
//! a browser says another site started is refused with a translated 403. tower-http's
//! `CsrfLayer` decides (the `Sec-Fetch-Site` / `Origin` scheme of Go 1.25); this module turns
//! its bare refusal into a page or JSON. Requests with neither header (native apps, curl) pass.
//!
//! Signed-in pages add a per-session synchronizer token (`csrf_token`, `verify`) to their forms
//! as a second line for browsers too old to send `Sec-Fetch-Site`.

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tower_http::csrf::{CsrfLayer, ProtectionError};

use crate::errors::{ErrorKind, ErrorPage};
use crate::i18n::{self, Tr};
use crate::page::Format;

/// Keeps these tokens apart from anything else the same key may sign.
const TOKEN_CONTEXT: &[u8] = b"dvcid csrf token v1\0";

/// Applies the check to every route of `router`. Allowed besides same-origin requests: an
/// `Origin` equal to the configured public origin (behind a proxy that rewrites `Host`) or to
/// the request's own `Host`.
pub(crate) fn apply(router: Router, public_base_url: &str) -> Router {
    let mut layer = CsrfLayer::new();
    match origin_of(public_base_url) {
        Some(origin) => match layer.clone().add_trusted_origin(&origin) {
            Ok(with_origin) => layer = with_origin,
            Err(error) => tracing::warn!(%error, "public origin not trusted for CSRF checks"),
        },
        None => tracing::warn!(
            public_base_url,
            "public_base_url has no origin; CSRF checks trust only the request's Host"
        ),
    }
    router
        .layer(layer)
        .layer(middleware::from_fn(explain_refusal))
}

/// `https://id.example:8443` of `https://id.example:8443/path/`: what browsers send as `Origin`.
fn origin_of(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str().to_ascii_lowercase();
    Some(format!("{scheme}://{authority}"))
}

/// Replaces tower-http's empty 403 by a page in the person's language, or JSON.
async fn explain_refusal(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // Only unsafe methods can be refused; the rest need not pay for negotiating.
    let context = (!safe).then(|| {
        let lang = i18n::negotiate(request.uri(), request.headers());
        let here = request.uri().path().to_owned();
        (Tr::new(lang, &here), Format::of(request.headers()))
    });
    let response = next.run(request).await;
    match (response.extensions().get::<ProtectionError>(), context) {
        (Some(refusal), Some((tr, format))) => {
            tracing::warn!(reason = %refusal, path = tr.here(), "cross-site request refused");
            ErrorPage::new(ErrorKind::Csrf, &tr).respond(&tr, format)
        }
        _ => response,
    }
}

/// A token binding a form to the session `session_id`: HMAC-SHA-256 under `key`, URL-safe
/// base64 without padding (43 characters). Put it in a hidden field (`ui::csrf_field`).
pub fn csrf_token(key: &[u8], session_id: &str) -> String {
    match mac(key, session_id) {
        Some(mac) => URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

/// Whether `token` is `csrf_token(key, session_id)`, compared in constant time.
pub fn verify(key: &[u8], session_id: &str, token: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(token) else {
        return false;
    };
    mac(key, session_id).is_some_and(|mac| mac.verify_slice(&bytes).is_ok())
}

/// `None` cannot happen (HMAC takes keys of any length); an absent MAC makes an empty token
/// that never verifies, rather than a panic.
fn mac(key: &[u8], session_id: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(TOKEN_CONTEXT);
    mac.update(session_id.as_bytes());
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_session_and_key() {
        let key = b"server key of at least 32 bytes!";
        let token = csrf_token(key, "session-1");
        assert_eq!(token.len(), 43);
        assert!(verify(key, "session-1", &token));
        assert!(!verify(key, "session-2", &token));
        assert!(!verify(b"another key", "session-1", &token));
        assert!(!verify(key, "session-1", ""));
        assert!(!verify(key, "session-1", "not base64!"));
        assert!(!verify(key, "session-1", &token[..42]));
    }

    #[test]
    fn the_public_origin_is_scheme_and_authority() {
        assert_eq!(
            origin_of("https://ID.dichvucong.gov.vn/").as_deref(),
            Some("https://id.dichvucong.gov.vn")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/base/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("not a url"), None);
    }
}
