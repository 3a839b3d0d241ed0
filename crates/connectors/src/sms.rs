//! The SMS gateway (tổng đài SMS): sends OTPs and notices. Every send carries a fresh
//! idempotency key that its retries repeat, so a retry after a lost answer cannot text twice.

use async_trait::async_trait;
use domain::PhoneNumber;
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::config::{ConfigError, HttpEndpoint};
use crate::error::{ConnectorError, System};
use crate::http::HttpClient;

/// The gateway's acknowledgement of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReceipt {
    /// The gateway's id of the message, for support and delivery reports.
    pub message_id: String,
}

/// The SMS gateway.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// Sends `text` to `to`. The text may hold an OTP: implementations never log it.
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<SmsReceipt, ConnectorError>;
}

/// [`SmsGateway`] over the v1 HTTP protocol.
pub struct HttpSmsGateway {
    client: HttpClient,
}

impl HttpSmsGateway {
    pub fn new(endpoint: &HttpEndpoint) -> Result<Self, ConfigError> {
        Ok(Self {
            client: HttpClient::new(System::Sms, endpoint, "sms")?,
        })
    }
}

#[derive(Serialize)]
struct SendRequest<'a> {
    to: &'a str,
    text: &'a str,
}

#[derive(Deserialize)]
struct SendResponse {
    message_id: String,
}

const MAX_MESSAGE_ID_LEN: usize = 128;

#[async_trait]
impl SmsGateway for HttpSmsGateway {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<SmsReceipt, ConnectorError> {
        let key = uuid::Uuid::new_v4().to_string();
        let span = tracing::info_span!(
            "connector",
            system = "sms",
            op = "send",
            to = %to.masked(),
            idempotency_key = %key
        );
        async {
            // A UUID is always a valid header value; the error arm only keeps this total.
            let header = HeaderValue::from_str(&key).map_err(|error| ConnectorError::Rejected {
                system: System::Sms,
                reason: error.to_string(),
            })?;
            let request = SendRequest {
                to: to.e164(),
                text,
            };
            let answer: SendResponse = self
                .client
                .post(
                    &["v1", "messages"],
                    &request,
                    &[("idempotency-key", header)],
                )
                .await?;
            let id = answer.message_id.trim();
            if id.is_empty() || id.len() > MAX_MESSAGE_ID_LEN {
                return Err(self.client.invalid("message_id missing or too long"));
            }
            tracing::info!(message_id = %id, "SMS accepted");
            Ok(SmsReceipt {
                message_id: id.to_owned(),
            })
        }
        .instrument(span)
        .await
    }
}
