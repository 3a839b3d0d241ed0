//! Headers and limits every response carries, whatever route produced it.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// No form or API call of an identity provider needs more; larger bodies are refused early.
const MAX_BODY_BYTES: usize = 64 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Pages use only their own scripts, styles and images, and may not be framed (clickjacking).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a page whose script also talks to `origin` (the person's local signing
/// agent); a page that sets its own policy keeps it.
pub(crate) fn csp_connecting_to(origin: &str) -> String {
    format!("{CSP}; connect-src 'self' {origin}")
}

pub(crate) fn apply(router: Router, hsts: bool) -> Router {
    let router = router
        .layer(if_missing(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(overriding(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(overriding(header::X_FRAME_OPTIONS, "DENY"))
        .layer(overriding(header::REFERRER_POLICY, "no-referrer"))
        .layer(if_missing(header::CACHE_CONTROL, "no-store"))
        .layer(overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        // A bug in a handler answers 500 instead of dropping the connection.
        .layer(CatchPanicLayer::new());
    if hsts {
        router.layer(overriding(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        router
    }
}

fn overriding(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

fn if_missing(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
