//! The social insurance registry (BHXH — Bảo hiểm xã hội Việt Nam): the insured person and the
//! phone registered with BHXH, by BHXH code.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use domain::{BhxhCode, Gender, PersonalId, PhoneNumber};
use serde::Serialize;
use time::Date;

use crate::control::{System, gate};
use crate::error::ApiError;
use crate::state::Sandbox;

#[derive(Debug, Serialize)]
struct Insured {
    bhxh_code: BhxhCode,
    personal_id: PersonalId,
    full_name: String,
    #[serde(with = "crate::wire::date")]
    birth_date: Date,
    gender: Gender,
    phone: Option<PhoneNumber>,
}

async fn insured(
    State(sandbox): State<Arc<Sandbox>>,
    Path(raw): Path<String>,
) -> Result<Json<Insured>, ApiError> {
    let code = BhxhCode::parse(&raw).map_err(|error| ApiError::invalid("bhxh_code", &error))?;
    let person = sandbox
        .people()
        .by_bhxh_code(&code)
        .ok_or_else(|| ApiError::not_found("no insured person with this BHXH code"))?;
    Ok(Json(Insured {
        bhxh_code: person.bhxh_code.clone(),
        personal_id: person.personal_id.clone(),
        full_name: person.full_name.clone(),
        birth_date: person.birth_date,
        gender: person.gender,
        phone: person.bhxh_phone.clone(),
    }))
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/bhxh/v1/insured/{bhxh_code}", get(insured))
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::Bhxh),
            gate,
        ))
}
