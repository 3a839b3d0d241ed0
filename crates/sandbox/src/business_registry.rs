//! The national business registry (Hệ thống thông tin quốc gia về đăng ký doanh nghiệp): a
//! business by tax code, with its name, address, legal representative and status.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use domain::TaxCode;

use crate::businesses::Business;
use crate::control::{System, gate};
use crate::error::ApiError;
use crate::state::Sandbox;

async fn business(
    State(sandbox): State<Arc<Sandbox>>,
    Path(raw): Path<String>,
) -> Result<Json<Business>, ApiError> {
    let code = TaxCode::parse(&raw).map_err(|error| ApiError::invalid("tax_code", &error))?;
    sandbox
        .businesses()
        .by_tax_code(&code)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no business with this tax code"))
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route(
            "/sandbox/business-registry/v1/businesses/{tax_code}",
            get(business),
        )
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::BusinessRegistry),
            gate,
        ))
}
