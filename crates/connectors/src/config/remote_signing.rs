//! `[connectors.remote_signing]`: where the remote signing service (VNPT SmartCA gateway) lives,
//! the portal's client registration with it, and how patiently to talk to it.

use domain::Secret;
use serde::Deserialize;
use url::Url;

use super::{ConfigError, HttpEndpoint, is_this_host};

/// The remote signing service. `base_url` is the gateway's root: `auth/authorize`,
/// `auth/token` and `csc/...` are appended.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSigningConfig {
    pub base_url: Url,
    /// The portal's OAuth 2.0 client id at the service.
    pub client_id: String,
    pub client_secret: Secret<String>,
    #[serde(default = "super::default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "super::default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Extra attempts, only for the calls safe to repeat (credential lookups, status polls).
    #[serde(default = "super::default_retries")]
    pub retries: u32,
    #[serde(default = "super::default_backoff_ms")]
    pub backoff_ms: u64,
}

/// Longer than any client id a service hands out.
const MAX_CLIENT_ID_LEN: usize = 200;

impl RemoteSigningConfig {
    /// A configuration with the default timeouts and retries.
    pub fn new(base_url: Url, client_id: impl Into<String>, client_secret: Secret<String>) -> Self {
        let endpoint = HttpEndpoint::new(base_url);
        Self {
            base_url: endpoint.base_url,
            client_id: client_id.into(),
            client_secret,
            timeout_ms: endpoint.timeout_ms,
            connect_timeout_ms: endpoint.connect_timeout_ms,
            retries: endpoint.retries,
            backoff_ms: endpoint.backoff_ms,
        }
    }

    /// The transport settings, without an API key: every call after sign-in carries the
    /// person's access token instead.
    pub(crate) fn endpoint(&self) -> HttpEndpoint {
        HttpEndpoint {
            base_url: self.base_url.clone(),
            api_key: None,
            timeout_ms: self.timeout_ms,
            connect_timeout_ms: self.connect_timeout_ms,
            retries: self.retries,
            backoff_ms: self.backoff_ms,
        }
    }

    pub(crate) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        self.endpoint().validate(key)?;
        let id = self.client_id.trim();
        if id.is_empty()
            || id.len() > MAX_CLIENT_ID_LEN
            || id.chars().any(|c| c.is_control())
            || id != self.client_id
        {
            return Err(ConfigError::new(
                format!("{key}.client_id"),
                format!("must be 1 to {MAX_CLIENT_ID_LEN} characters, no spaces around"),
            ));
        }
        if self.client_secret.expose().is_empty() {
            return Err(ConfigError::new(
                format!("{key}.client_secret"),
                "must not be empty",
            ));
        }
        // The secret and the people's access tokens travel with every call.
        if self.base_url.scheme() == "http" && !is_this_host(&self.base_url) {
            return Err(ConfigError::new(
                format!("{key}.base_url"),
                "must be https (plain http only on this host): it carries the client secret and tokens",
            ));
        }
        Ok(())
    }
}
