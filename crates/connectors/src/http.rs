//! The JSON-over-HTTP transport shared by the registry and SMS clients: timeouts, bounded
//! retries with back-off, the bearer key, and the mapping of statuses and failures onto
//! [`ConnectorError`] (see `crates/sandbox/PROTOCOL.md`).

use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::{ConfigError, HttpEndpoint};
use crate::error::{ConnectorError, System};
use domain::Secret;

/// Larger answers are a broken or hostile server, not a registry record.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The back-off doubles up to this.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The error body every protocol uses (OAuth 2.0 calls its text `error_description`).
#[derive(Debug, serde::Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default, alias = "error_description")]
    message: String,
}

/// Whether a call may be sent again after a failure that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// A lookup, or a send that carries an idempotency key.
    Safe,
    /// A call whose effect a lost answer hides (a code spent, a request pushed to a phone).
    Never,
}

/// One attempt's failure, and whether another attempt may succeed.
struct Failure {
    error: ConnectorError,
    retry: bool,
}

pub(crate) struct HttpClient {
    system: System,
    http: reqwest::Client,
    base: Url,
    api_key: Option<Secret<String>>,
    timeout: Duration,
    retries: u32,
    backoff: Duration,
}

impl HttpClient {
    pub(crate) fn new(
        system: System,
        endpoint: &HttpEndpoint,
        key: &str,
    ) -> Result<Self, ConfigError> {
        endpoint.validate(key)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(endpoint.connect_timeout_ms))
            // A registry that redirects is misconfigured; following could carry the key away.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dvcid-connectors/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConfigError::new(key, describe(&error)))?;
        Ok(Self {
            system,
            http,
            base: endpoint.base_url.clone(),
            api_key: endpoint.api_key.clone(),
            timeout: Duration::from_millis(endpoint.timeout_ms),
            retries: endpoint.retries,
            backoff: Duration::from_millis(endpoint.backoff_ms),
        })
    }

    /// The base URL with `segments` appended, each percent-encoded as one path segment (so a
    /// value can never add a segment or a query).
    fn url(&self, segments: &[&str]) -> Result<Url, ConnectorError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| self.invalid("the base URL cannot take a path"))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
    ) -> Result<T, ConnectorError> {
        let url = self.url(segments)?;
        self.call(Repeat::Safe, || self.http.request(Method::GET, url.clone()))
            .await
    }

    /// A POST that is safe to repeat: a lookup, or a send that carries an idempotency key in
    /// `headers`.
    pub(crate) async fn post<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: &B,
        headers: &[(&'static str, HeaderValue)],
    ) -> Result<T, ConnectorError> {
        let url = self.url(segments)?;
        self.call(Repeat::Safe, || {
            headers.iter().fold(
                self.http.request(Method::POST, url.clone()).json(body),
                |request, (name, value)| request.header(*name, value.clone()),
            )
        })
        .await
    }

    /// A POST whose body and authorisation `finish` sets (a form, a person's bearer token).
    pub(crate) async fn post_with<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        repeat: Repeat,
        finish: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<T, ConnectorError> {
        let url = self.url(segments)?;
        self.call(repeat, || {
            finish(self.http.request(Method::POST, url.clone()))
        })
        .await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        repeat: Repeat,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<T, ConnectorError> {
        let retries = match repeat {
            Repeat::Safe => self.retries,
            Repeat::Never => 0,
        };
        let mut attempt: u32 = 0;
        loop {
            let mut request = build().timeout(self.timeout);
            if let Some(key) = &self.api_key {
                // reqwest marks the header sensitive, so its own Debug hides it too.
                request = request.bearer_auth(key.expose());
            }
            let failure = match self.attempt(request).await {
                Ok(value) => {
                    tracing::debug!(attempt, "external call succeeded");
                    return Ok(value);
                }
                Err(failure) => failure,
            };
            if !failure.retry || attempt >= retries {
                tracing::warn!(
                    attempt,
                    error.kind = failure.error.kind(),
                    error = %failure.error,
                    "external call failed"
                );
                return Err(failure.error);
            }
            let pause = self
                .backoff
                .saturating_mul(2u32.saturating_pow(attempt))
                .min(MAX_BACKOFF);
            tracing::info!(attempt, error = %failure.error, ?pause, "external call will be retried");
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    async fn attempt<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, Failure> {
        let response = request
            .send()
            .await
            .map_err(|error| self.transport(&error))?;
        let status = response.status();
        let body = self.read_body(response).await?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|error| Failure {
                error: self.invalid(format!("HTTP {status}: unexpected body: {error}")),
                retry: false,
            });
        }
        let error_body: Option<ErrorBody> = serde_json::from_slice(&body).ok();
        let detail = match &error_body {
            Some(body) => format!("HTTP {}: {}: {}", status.as_u16(), body.error, body.message),
            None => format!("HTTP {}", status.as_u16()),
        };
        Err(match status {
            // Only the protocol's own "not found" counts: a bare 404 is a wrong base URL.
            StatusCode::NOT_FOUND => match error_body {
                Some(body) if body.error == "not_found" => Failure {
                    error: ConnectorError::NotFound,
                    retry: false,
                },
                _ => Failure {
                    error: self.invalid(format!("{detail} without the protocol's error body")),
                    retry: false,
                },
            },
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => self.unavailable(detail),
            status if status.is_server_error() => self.unavailable(detail),
            status if status.is_client_error() => Failure {
                error: ConnectorError::Rejected {
                    system: self.system,
                    reason: detail,
                },
                retry: false,
            },
            _ => Failure {
                error: self.invalid(detail),
                retry: false,
            },
        })
    }

    /// The body, refusing more than [`MAX_BODY_BYTES`].
    async fn read_body(&self, response: Response) -> Result<Vec<u8>, Failure> {
        read_bounded(response).await.map_err(|error| match error {
            BodyError::TooLarge => Failure {
                error: self.invalid("answer too large"),
                retry: false,
            },
            BodyError::Transport(error) => self.transport(&error),
        })
    }

    /// A failure to exchange the request at all: timeouts, refused or reset connections.
    fn transport(&self, error: &reqwest::Error) -> Failure {
        let reason = if error.is_timeout() {
            format!("no answer within {} ms", self.timeout.as_millis())
        } else {
            describe(error)
        };
        self.unavailable(reason)
    }

    fn unavailable(&self, reason: String) -> Failure {
        Failure {
            error: ConnectorError::Unavailable {
                system: self.system,
                reason,
            },
            retry: true,
        }
    }

    pub(crate) fn invalid(&self, reason: impl Into<String>) -> ConnectorError {
        ConnectorError::InvalidResponse {
            system: self.system,
            reason: reason.into(),
        }
    }
}

/// Why an answer's body could not be read.
pub(crate) enum BodyError {
    /// Over [`MAX_BODY_BYTES`].
    TooLarge,
    Transport(reqwest::Error),
}

/// The body of `response`, refusing more than [`MAX_BODY_BYTES`] (a broken or hostile
/// server, not an answer).
pub(crate) async fn read_bounded(mut response: Response) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The error and its causes on one line, without the URL (whose path can hold a personal ID
/// or a phone number, which do not belong in logs).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_connect() {
        "connection failed".to_owned()
    } else if error.is_body() || error.is_decode() {
        "connection broke while reading the answer".to_owned()
    } else {
        "request failed".to_owned()
    };
    crate::error::append_causes(&mut text, error);
    text
}
