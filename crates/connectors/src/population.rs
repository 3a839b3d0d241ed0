//! The national population database (CSDL quốc gia về dân cư): a citizen's record by personal
//! ID, and the match of a claimed identity (registration, linking, VNeID activation).

use async_trait::async_trait;
use domain::{Gender, PersonalId};
use serde::{Deserialize, Serialize};
use time::Date;
use tracing::Instrument;

use crate::config::{ConfigError, HttpEndpoint};
use crate::error::{ConnectorError, MismatchField, System};
use crate::http::HttpClient;
use crate::wire;

/// A citizen as the population database records them (công dân).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub personal_id: PersonalId,
    /// Họ và tên, NFC.
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
}

/// The national population database.
#[async_trait]
pub trait PopulationRegistry: Send + Sync {
    /// The record of `id`; [`ConnectorError::NotFound`] when no citizen has it.
    async fn citizen(&self, id: &PersonalId) -> Result<Citizen, ConnectorError>;

    /// Whether the database holds this name and birth date for `id`: `Ok(())` on a match,
    /// [`ConnectorError::Mismatch`] naming the fields that differ, or
    /// [`ConnectorError::NotFound`]. Names compare after NFC and case folding, never after
    /// removing diacritics; the record itself is not disclosed.
    async fn match_identity(
        &self,
        id: &PersonalId,
        full_name: &str,
        birth_date: Date,
    ) -> Result<(), ConnectorError>;
}

/// [`PopulationRegistry`] over the v1 HTTP protocol.
pub struct HttpPopulationRegistry {
    client: HttpClient,
}

impl HttpPopulationRegistry {
    pub fn new(endpoint: &HttpEndpoint) -> Result<Self, ConfigError> {
        Ok(Self {
            client: HttpClient::new(System::Population, endpoint, "population")?,
        })
    }
}

#[derive(Deserialize)]
struct CitizenWire {
    personal_id: PersonalId,
    full_name: String,
    #[serde(with = "wire::date")]
    birth_date: Date,
    gender: Gender,
}

#[derive(Serialize)]
struct MatchRequest<'a> {
    personal_id: &'a str,
    full_name: &'a str,
    #[serde(with = "wire::date")]
    birth_date: Date,
}

#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum MatchWire {
    Match,
    Mismatch { fields: Vec<MismatchField> },
}

#[async_trait]
impl PopulationRegistry for HttpPopulationRegistry {
    async fn citizen(&self, id: &PersonalId) -> Result<Citizen, ConnectorError> {
        let span = tracing::info_span!("connector", system = "population", op = "citizen");
        async {
            let answer: CitizenWire = self.client.get(&["v1", "citizens", id.as_str()]).await?;
            // An answer about another number is someone else's record: never use it.
            if &answer.personal_id != id {
                return Err(self.client.invalid("the record is for another personal ID"));
            }
            Ok(Citizen {
                full_name: wire::full_name(&answer.full_name)
                    .map_err(|reason| self.client.invalid(reason))?,
                personal_id: answer.personal_id,
                birth_date: answer.birth_date,
                gender: answer.gender,
            })
        }
        .instrument(span)
        .await
    }

    async fn match_identity(
        &self,
        id: &PersonalId,
        full_name: &str,
        birth_date: Date,
    ) -> Result<(), ConnectorError> {
        let span = tracing::info_span!("connector", system = "population", op = "match");
        async {
            let request = MatchRequest {
                personal_id: id.as_str(),
                full_name,
                birth_date,
            };
            let answer: MatchWire = self.client.post(&["v1", "match"], &request, &[]).await?;
            match answer {
                MatchWire::Match => Ok(()),
                MatchWire::Mismatch { fields } if !fields.is_empty() => {
                    Err(ConnectorError::Mismatch { fields })
                }
                MatchWire::Mismatch { .. } => {
                    Err(self.client.invalid("a mismatch that names no field"))
                }
            }
        }
        .instrument(span)
        .await
    }
}
