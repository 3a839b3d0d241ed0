//! Our reqwest client behind openidconnect's [`AsyncHttpClient`]: every call bounded by the
//! configured timeout, no redirect followed, the answer's size bounded, and the failures that
//! may pass (no connection, timeouts, 5xx, 408, 429) told apart from answers so that they
//! become [`ConnectorError::Unavailable`](crate::ConnectorError::Unavailable) whatever the
//! body says.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::http::{HeaderValue, Response, StatusCode};
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::config::{ConfigError, is_this_host};
use crate::http::{BodyError, describe, read_bounded};

/// Why a call brought no answer to give the library.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TransportError {
    /// No connection, no answer in time, or an answer saying "later" (5xx, 408, 429).
    #[error("{0}")]
    Unavailable(String),
    /// An answer no provider sends (too large, unreadable headers).
    #[error("{0}")]
    Invalid(String),
}

/// The HTTP client of one provider.
#[derive(Clone)]
pub(crate) struct Transport {
    http: reqwest::Client,
    timeout: Duration,
}

impl Transport {
    pub(crate) fn new(
        timeout: Duration,
        connect_timeout: Duration,
        key: &str,
    ) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            // A provider that redirects its discovery, keys or token endpoint is misconfigured;
            // following could carry the client secret away.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dvcid-connectors/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConfigError::new(key, describe(&error)))?;
        Ok(Self { http, timeout })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut request = reqwest::Request::try_from(request)
            .map_err(|error| TransportError::Invalid(describe(&error)))?;
        // Keys and the client secret travel only over TLS, or within this machine.
        let url = request.url();
        if url.scheme() != "https" && !(url.scheme() == "http" && is_this_host(url)) {
            return Err(TransportError::Invalid(format!(
                "refused to call a {} URL off this host",
                url.scheme()
            )));
        }
        *request.timeout_mut() = Some(self.timeout);
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|error| self.transport(&error))?;
        let status = response.status();
        if status.is_server_error()
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        {
            return Err(TransportError::Unavailable(format!(
                "HTTP {}",
                status.as_u16()
            )));
        }
        let mut answer = Response::builder().status(
            StatusCode::from_u16(status.as_u16())
                .map_err(|_| TransportError::Invalid(format!("HTTP status {status}")))?,
        );
        for (name, value) in response.headers() {
            let value = HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| TransportError::Invalid("unreadable header".to_owned()))?;
            answer = answer.header(name.as_str(), value);
        }
        let body = read_bounded(response).await.map_err(|error| match error {
            BodyError::TooLarge => TransportError::Invalid("answer too large".to_owned()),
            BodyError::Transport(error) => self.transport(&error),
        })?;
        answer
            .body(body)
            .map_err(|_| TransportError::Invalid("unreadable answer".to_owned()))
    }

    fn transport(&self, error: &reqwest::Error) -> TransportError {
        TransportError::Unavailable(if error.is_timeout() {
            format!("no answer within {} ms", self.timeout.as_millis())
        } else {
            describe(error)
        })
    }
}

impl<'c> AsyncHttpClient<'c> for Transport {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
