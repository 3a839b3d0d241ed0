//! The JSON API: the same flows and account operations as the pages, for mobile apps.
//! Described by the OpenAPI document at `/api/openapi.json`. Errors are
//! `{"error": code, "message": text}` in the language of `Accept-Language`.

mod account;
mod flows;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(flows::routes())
        .merge(account::routes())
        .route("/api/openapi.json", get(openapi))
}

const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}
