//! The national population database (CSDL quốc gia về dân cư): a citizen by personal ID, and
//! the match of a claimed (ID, full name, birth date).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use domain::{Gender, PersonalId};
use serde::{Deserialize, Serialize};
use time::Date;
use unicode_normalization::UnicodeNormalization;

use crate::control::{System, gate};
use crate::error::ApiError;
use crate::people::Person;
use crate::state::Sandbox;

#[derive(Debug, Serialize)]
struct Citizen {
    personal_id: PersonalId,
    full_name: String,
    #[serde(with = "crate::wire::date")]
    birth_date: Date,
    gender: Gender,
}

impl From<&Person> for Citizen {
    fn from(person: &Person) -> Self {
        Self {
            personal_id: person.personal_id.clone(),
            full_name: person.full_name.clone(),
            birth_date: person.birth_date,
            gender: person.gender,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchRequest {
    personal_id: String,
    full_name: String,
    #[serde(with = "crate::wire::date")]
    birth_date: Date,
}

#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum MatchResponse {
    Match,
    Mismatch { fields: Vec<&'static str> },
}

fn parse_id(raw: &str) -> Result<PersonalId, ApiError> {
    PersonalId::parse(raw).map_err(|error| ApiError::invalid("personal_id", &error))
}

async fn citizen(
    State(sandbox): State<Arc<Sandbox>>,
    Path(raw): Path<String>,
) -> Result<Json<Citizen>, ApiError> {
    let id = parse_id(&raw)?;
    let person = sandbox
        .people()
        .by_personal_id(&id)
        .ok_or_else(|| ApiError::not_found("no citizen with this personal ID"))?;
    Ok(Json(Citizen::from(person)))
}

async fn match_identity(
    State(sandbox): State<Arc<Sandbox>>,
    body: Result<Json<MatchRequest>, JsonRejection>,
) -> Result<Json<MatchResponse>, ApiError> {
    let Json(request) = body.map_err(ApiError::from_json)?;
    let id = parse_id(&request.personal_id)?;
    if request.full_name.trim().is_empty() {
        return Err(ApiError::bad_request("full_name is empty"));
    }
    let person = sandbox
        .people()
        .by_personal_id(&id)
        .ok_or_else(|| ApiError::not_found("no citizen with this personal ID"))?;
    let mut fields = Vec::new();
    if comparable_name(&request.full_name) != comparable_name(&person.full_name) {
        fields.push("full_name");
    }
    if request.birth_date != person.birth_date {
        fields.push("birth_date");
    }
    Ok(Json(if fields.is_empty() {
        MatchResponse::Match
    } else {
        MatchResponse::Mismatch { fields }
    }))
}

/// The form in which names are compared: NFC (so composed and decomposed input agree), case
/// folded, white space collapsed. Diacritics are kept: "Lê" and "Le" are different names.
pub(crate) fn comparable_name(name: &str) -> String {
    let folded: String = name.nfc().flat_map(char::to_lowercase).collect();
    folded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect()
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route(
            "/sandbox/population/v1/citizens/{personal_id}",
            get(citizen),
        )
        .route("/sandbox/population/v1/match", post(match_identity))
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::Population),
            gate,
        ))
}

#[cfg(test)]
mod tests {
    use super::comparable_name;

    #[test]
    fn names_compare_after_nfc_and_case_folding_but_keep_diacritics() {
        // "Nguyễn" written with combining marks (NFD) against the precomposed form.
        let decomposed = "Nguye\u{0302}\u{0303}n Va\u{0306}n An";
        assert_eq!(
            comparable_name(decomposed),
            comparable_name("Nguyễn Văn An")
        );
        assert_eq!(
            comparable_name("  NGUYỄN   VĂN AN "),
            comparable_name("Nguyễn Văn An")
        );
        assert_ne!(
            comparable_name("Nguyen Van An"),
            comparable_name("Nguyễn Văn An")
        );
        assert_eq!(comparable_name("ĐẶNG"), "đặng");
    }
}
