//! Headers and limits every response carries, whatever route produced it.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// No form or API call of an identity provider needs more; larger bodies are refused early.
const MAX_BODY_BYTES: usize = 64 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// What a 503 that names no wait of its own tells clients: long enough for the store to fail
/// over or an outside system to come back, short enough not to lose the person.
const RETRY_AFTER_UNAVAILABLE: HeaderValue = HeaderValue::from_static("5");

/// Pages use only their own scripts, styles and images, and may not be framed (clickjacking).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a page whose script also talks to `origin` (the person's local signing
/// agent); a page that sets its own policy keeps it.
pub(crate) fn csp_connecting_to(origin: &str) -> String {
    format!("{CSP}; connect-src 'self' {origin}")
}

/// Every 503 says when to try again (RFC 9110 §10.2.3): clients and the waiting page retry
/// instead of giving up or hammering a node that is failing over.
async fn retry_after_on_unavailable(mut response: Response) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(RETRY_AFTER_UNAVAILABLE);
    }
    response
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
        .layer(axum::middleware::map_response(retry_after_on_unavailable))
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn answer(status: StatusCode, retry_after: Option<&'static str>) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        response
    }

    async fn retry_after_of(path: &str) -> Option<String> {
        let app = apply(
            Router::new()
                .route(
                    "/down",
                    get(|| answer(StatusCode::SERVICE_UNAVAILABLE, None)),
                )
                .route(
                    "/busy",
                    get(|| answer(StatusCode::SERVICE_UNAVAILABLE, Some("2"))),
                )
                .route("/ok", get(|| answer(StatusCode::OK, None))),
            false,
        );
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|value| value.to_str().unwrap().to_owned())
    }

    #[tokio::test]
    async fn every_503_says_when_to_come_back_and_keeps_its_own_wait() {
        assert_eq!(retry_after_of("/down").await.as_deref(), Some("5"));
        assert_eq!(retry_after_of("/busy").await.as_deref(), Some("2"));
        assert_eq!(retry_after_of("/ok").await, None);
    }
}
