//! The telecom subscriber database (CSDL thuê bao): who holds a mobile subscription (chủ thuê
//! bao), to check that a phone belongs to the person registering or changing it.

use async_trait::async_trait;
use domain::{Carrier, PersonalId, PhoneNumber};
use serde::Deserialize;
use time::Date;
use tracing::Instrument;

use crate::config::{ConfigError, HttpEndpoint};
use crate::error::{ConnectorError, System};
use crate::http::HttpClient;
use crate::wire;

/// The holder of a mobile subscription as the carriers registered them. Not always the person
/// who uses the phone: a relative's subscription is common.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub phone: PhoneNumber,
    /// The carrier holding the subscription today (after number portability it need not be
    /// the prefix's).
    pub carrier: Carrier,
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
}

/// The telecom subscriber database.
#[async_trait]
pub trait SubscriberRegistry: Send + Sync {
    /// The subscriber of `phone`; [`ConnectorError::NotFound`] when the number has none.
    async fn subscriber(&self, phone: &PhoneNumber) -> Result<Subscriber, ConnectorError>;
}

/// [`SubscriberRegistry`] over the v1 HTTP protocol.
pub struct HttpSubscriberRegistry {
    client: HttpClient,
}

impl HttpSubscriberRegistry {
    pub fn new(endpoint: &HttpEndpoint) -> Result<Self, ConfigError> {
        Ok(Self {
            client: HttpClient::new(System::Subscribers, endpoint, "subscribers")?,
        })
    }
}

#[derive(Deserialize)]
struct SubscriberWire {
    phone: PhoneNumber,
    carrier: Carrier,
    personal_id: PersonalId,
    full_name: String,
    #[serde(with = "wire::date")]
    birth_date: Date,
}

#[async_trait]
impl SubscriberRegistry for HttpSubscriberRegistry {
    async fn subscriber(&self, phone: &PhoneNumber) -> Result<Subscriber, ConnectorError> {
        let span = tracing::info_span!(
            "connector",
            system = "subscribers",
            op = "subscriber",
            phone = %phone.masked()
        );
        async {
            // The national form: digits only, nothing for a path to misread.
            let national = phone.national();
            let answer: SubscriberWire = self
                .client
                .get(&["v1", "numbers", national.as_str()])
                .await?;
            if &answer.phone != phone {
                return Err(self.client.invalid("the record is for another number"));
            }
            Ok(Subscriber {
                full_name: wire::full_name(&answer.full_name)
                    .map_err(|reason| self.client.invalid(reason))?,
                phone: answer.phone,
                carrier: answer.carrier,
                personal_id: answer.personal_id,
                birth_date: answer.birth_date,
            })
        }
        .instrument(span)
        .await
    }
}
