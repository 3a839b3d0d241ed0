//! The social insurance registry (BHXH — Bảo hiểm xã hội Việt Nam): the insured person and
//! the phone registered with BHXH, for registration by BHXH code.

use async_trait::async_trait;
use domain::{BhxhCode, Gender, PersonalId, PhoneNumber};
use serde::Deserialize;
use time::Date;
use tracing::Instrument;

use crate::config::{ConfigError, HttpEndpoint};
use crate::error::{ConnectorError, System};
use crate::http::HttpClient;
use crate::wire;

/// A person insured with BHXH (người tham gia BHXH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsuredPerson {
    pub bhxh_code: BhxhCode,
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    /// The phone registered with BHXH, which receives the registration OTP; `None` when the
    /// record has none.
    pub phone: Option<PhoneNumber>,
}

/// The social insurance registry.
#[async_trait]
pub trait BhxhRegistry: Send + Sync {
    /// The insured person with `code`; [`ConnectorError::NotFound`] when there is none.
    async fn insured(&self, code: &BhxhCode) -> Result<InsuredPerson, ConnectorError>;
}

/// [`BhxhRegistry`] over the v1 HTTP protocol.
pub struct HttpBhxhRegistry {
    client: HttpClient,
}

impl HttpBhxhRegistry {
    pub fn new(endpoint: &HttpEndpoint) -> Result<Self, ConfigError> {
        Ok(Self {
            client: HttpClient::new(System::Bhxh, endpoint, "bhxh")?,
        })
    }
}

#[derive(Deserialize)]
struct InsuredWire {
    bhxh_code: BhxhCode,
    personal_id: PersonalId,
    full_name: String,
    #[serde(with = "wire::date")]
    birth_date: Date,
    gender: Gender,
    phone: Option<PhoneNumber>,
}

#[async_trait]
impl BhxhRegistry for HttpBhxhRegistry {
    async fn insured(&self, code: &BhxhCode) -> Result<InsuredPerson, ConnectorError> {
        let span = tracing::info_span!("connector", system = "bhxh", op = "insured");
        async {
            let answer: InsuredWire = self.client.get(&["v1", "insured", code.as_str()]).await?;
            if &answer.bhxh_code != code {
                return Err(self.client.invalid("the record is for another BHXH code"));
            }
            Ok(InsuredPerson {
                full_name: wire::full_name(&answer.full_name)
                    .map_err(|reason| self.client.invalid(reason))?,
                bhxh_code: answer.bhxh_code,
                personal_id: answer.personal_id,
                birth_date: answer.birth_date,
                gender: answer.gender,
                phone: answer.phone,
            })
        }
        .instrument(span)
        .await
    }
}
