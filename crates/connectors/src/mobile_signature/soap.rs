//! SOAP 1.1 over HTTP to the MSSP: `text/xml` with a `SOAPAction`, mutual TLS when the AP has a
//! client certificate, timeouts, and retries only for calls the caller says are safe to repeat.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use url::Url;

use crate::config::{ConfigError, MobileSignatureConfig};
use crate::error::{ConnectorError, System};
use crate::http::{BodyError, MAX_BACKOFF, describe, read_bounded};

const KEY: &str = "mobile_signature";

/// An HTTP answer the SOAP layer reads: 200 with the message, or 500 with a fault.
pub(super) struct SoapAnswer {
    pub status: StatusCode,
    pub body: String,
}

/// Whether a call may be sent again after a failure that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repeat {
    /// Reading (MSS_StatusQuery): repeating changes nothing at the MSSP.
    Safe,
    /// Starting a signature: a repeat could push a second request to the phone.
    Never,
}

pub(super) struct SoapClient {
    http: reqwest::Client,
    timeout: Duration,
    retries: u32,
    backoff: Duration,
}

impl SoapClient {
    pub(super) fn new(config: &MobileSignatureConfig) -> Result<Self, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            // An MSSP that redirects is misconfigured; following could carry AP_PWD away.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dvcid-connectors/", env!("CARGO_PKG_VERSION")));
        // validate() has refused a certificate without its key and the reverse.
        if let (Some(certificate), Some(key)) = (&config.client_certificate, &config.client_key) {
            let mut pem = read_file(&format!("{KEY}.client_certificate"), certificate)?;
            pem.push(b'\n');
            pem.extend(read_file(&format!("{KEY}.client_key"), key)?);
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|error| ConfigError::new(format!("{KEY}.client_key"), describe(&error)))?;
            builder = builder.identity(identity);
        }
        if let Some(path) = &config.ca_certificate {
            let key = format!("{KEY}.ca_certificate");
            let pem = read_file(&key, path)?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|error| ConfigError::new(&key, describe(&error)))?;
            if certificates.is_empty() {
                return Err(ConfigError::new(key, "holds no PEM certificate"));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder
            .build()
            .map_err(|error| ConfigError::new(KEY, describe(&error)))?;
        Ok(Self {
            http,
            timeout: Duration::from_millis(config.http_timeout_ms),
            retries: config.status_retries,
            backoff: Duration::from_millis(config.backoff_ms),
        })
    }

    /// Posts `body` and reads the answer with `read`; failures that may pass are tried again
    /// only when `repeat` allows.
    pub(super) async fn call<T>(
        &self,
        url: &Url,
        action: &'static str,
        body: &str,
        repeat: Repeat,
        read: impl Fn(SoapAnswer) -> Result<T, ConnectorError>,
    ) -> Result<T, ConnectorError> {
        let retries = match repeat {
            Repeat::Safe => self.retries,
            Repeat::Never => 0,
        };
        let mut attempt: u32 = 0;
        loop {
            let error = match self.exchange(url, action, body).await.and_then(&read) {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !error.is_unavailable() || attempt >= retries {
                tracing::warn!(attempt, error.kind = error.kind(), error = %error, "MSSP call failed");
                return Err(error);
            }
            let pause = self
                .backoff
                .saturating_mul(2u32.saturating_pow(attempt))
                .min(MAX_BACKOFF);
            tracing::info!(attempt, error = %error, ?pause, "MSSP call will be retried");
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    async fn exchange(
        &self,
        url: &Url,
        action: &'static str,
        body: &str,
    ) -> Result<SoapAnswer, ConnectorError> {
        let response = self
            .http
            .post(url.clone())
            .timeout(self.timeout)
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", action)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|error| self.transport(&error))?;
        let status = response.status();
        let bytes = read_bounded(response).await.map_err(|error| match error {
            BodyError::TooLarge => invalid("answer too large"),
            BodyError::Transport(error) => self.transport(&error),
        })?;
        match status {
            // A SOAP 1.1 fault comes with HTTP 500; the reader tells a fault from a crash.
            StatusCode::OK | StatusCode::INTERNAL_SERVER_ERROR => {
                let body = String::from_utf8(bytes)
                    .map_err(|_| invalid(format!("HTTP {status}: the answer is not UTF-8")))?;
                Ok(SoapAnswer { status, body })
            }
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => {
                Err(unavailable(format!("HTTP {}", status.as_u16())))
            }
            status if status.is_server_error() => {
                Err(unavailable(format!("HTTP {}", status.as_u16())))
            }
            status if status.is_client_error() => Err(ConnectorError::Rejected {
                system: System::MobileSignature,
                reason: format!("HTTP {} from the MSSP's SOAP port", status.as_u16()),
            }),
            status => Err(invalid(format!("unexpected HTTP {}", status.as_u16()))),
        }
    }

    fn transport(&self, error: &reqwest::Error) -> ConnectorError {
        if error.is_timeout() {
            unavailable(format!("no answer within {} ms", self.timeout.as_millis()))
        } else {
            unavailable(describe(error))
        }
    }
}

fn read_file(key: &str, path: &std::path::Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path)
        .map_err(|error| ConfigError::new(key, format!("cannot read {}: {error}", path.display())))
}

pub(super) fn unavailable(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Unavailable {
        system: System::MobileSignature,
        reason: reason.into(),
    }
}

pub(super) fn invalid(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::InvalidResponse {
        system: System::MobileSignature,
        reason: reason.into(),
    }
}

pub(super) fn rejected(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Rejected {
        system: System::MobileSignature,
        reason: reason.into(),
    }
}
