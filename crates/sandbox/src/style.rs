//! The stylesheet of the sandbox's pages, served beside them: the pages carry no inline
//! styles, so a strict Content-Security-Policy (`style-src 'self'`) holds for them too.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Where the pages link their stylesheet.
pub const PATH: &str = "/sandbox/sandbox.css";

const CSS: &str = include_str!("../assets/sandbox.css");

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
}

pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> axum::Router<S> {
    axum::Router::new().route(PATH, get(stylesheet))
}
