//! `GET /sandbox/people` and `GET /sandbox/people/demo`: who exists in the sandbox, for people
//! trying the demo and for tests that need a person with a given property.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::people::{DemoIdentity, Person};
use crate::state::Sandbox;

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Debug, Serialize)]
struct PeoplePage {
    total: usize,
    offset: usize,
    limit: usize,
    people: Vec<Person>,
}

#[derive(Debug, Serialize)]
struct DemoList<'a> {
    identities: Vec<DemoIdentity<'a>>,
}

async fn people(
    State(sandbox): State<Arc<Sandbox>>,
    query: Result<Query<Page>, QueryRejection>,
) -> Result<Json<PeoplePage>, ApiError> {
    let Query(page) = query.map_err(ApiError::from_query)?;
    let limit = page.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1-{MAX_LIMIT}"
        )));
    }
    let offset = page.offset.unwrap_or(0);
    let all = sandbox.people().all();
    Ok(Json(PeoplePage {
        total: all.len(),
        offset,
        limit,
        people: all.iter().skip(offset).take(limit).cloned().collect(),
    }))
}

async fn demo(State(sandbox): State<Arc<Sandbox>>) -> Response {
    // Serialised inside the handler because the identities borrow from the sandbox.
    Json(DemoList {
        identities: sandbox.people().demo_identities(),
    })
    .into_response()
}

pub(crate) fn routes() -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/people", get(people))
        .route("/sandbox/people/demo", get(demo))
}
