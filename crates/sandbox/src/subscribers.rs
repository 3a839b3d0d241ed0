//! The telecom subscriber database (CSDL thuê bao): who owns a mobile number (chủ thuê bao).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use domain::{Carrier, PersonalId, PhoneNumber};
use serde::Serialize;
use time::Date;

use crate::control::{System, gate};
use crate::error::ApiError;
use crate::state::Sandbox;

#[derive(Debug, Serialize)]
struct Subscriber {
    phone: PhoneNumber,
    carrier: Carrier,
    personal_id: PersonalId,
    full_name: String,
    #[serde(with = "crate::wire::date")]
    birth_date: Date,
}

async fn subscriber(
    State(sandbox): State<Arc<Sandbox>>,
    Path(raw): Path<String>,
) -> Result<Json<Subscriber>, ApiError> {
    let phone = PhoneNumber::parse(&raw).map_err(|error| ApiError::invalid("phone", &error))?;
    let owner = sandbox
        .people()
        .subscriber(&phone)
        .ok_or_else(|| ApiError::not_found("no subscriber holds this number"))?;
    Ok(Json(Subscriber {
        // The sandbox models no number portability: the carrier is the prefix's.
        carrier: phone.carrier(),
        phone,
        personal_id: owner.personal_id.clone(),
        full_name: owner.full_name.clone(),
        birth_date: owner.birth_date,
    }))
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/subscribers/v1/numbers/{phone}", get(subscriber))
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::Subscribers),
            gate,
        ))
}
