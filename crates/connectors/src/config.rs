//! Where each external system lives and how patiently to talk to it. Parsed whole at start-up
//! (unknown keys refused), checked by [`ConnectorsConfig::validate`] with errors that name the
//! key, secrets wrapped so `Debug` cannot print them.

mod mobile_signature;
mod remote_signing;
mod vneid;

use std::net::SocketAddr;

use domain::{Email, Secret};
use serde::Deserialize;
use url::Url;

pub use mobile_signature::{MobileSignatureConfig, StatusCodeTable};
pub use remote_signing::RemoteSigningConfig;
pub use vneid::VneidConfig;

/// A configuration value that cannot work, named by its key (`population.timeout_ms`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

pub(crate) const fn default_timeout_ms() -> u64 {
    3_000
}
pub(crate) const fn default_connect_timeout_ms() -> u64 {
    1_000
}
pub(crate) const fn default_retries() -> u32 {
    2
}
pub(crate) const fn default_backoff_ms() -> u64 {
    100
}
const fn default_smtp_timeout_ms() -> u64 {
    10_000
}
const fn default_smtp_port() -> u16 {
    587
}
const fn default_true() -> bool {
    true
}

/// More attempts than this only delays the user's error page.
const MAX_RETRIES: u32 = 10;
const MAX_TIMEOUT_MS: u64 = 120_000;

/// An HTTP system: its base URL (the protocol's `v1/...` paths are appended), an optional API
/// key sent as `Authorization: Bearer`, and the timeouts and retries of every call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpEndpoint {
    pub base_url: Url,
    #[serde(default)]
    pub api_key: Option<Secret<String>>,
    /// The whole of one attempt (connect, send, receive the answer).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Extra attempts after the first, for failures that may pass (timeouts, 5xx, refused
    /// connections); so at most `retries + 1` requests per call.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// The pause before the first retry; it doubles for each further one.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
}

impl HttpEndpoint {
    /// An endpoint with the default timeouts and retries and no API key.
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            api_key: None,
            timeout_ms: default_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            retries: default_retries(),
            backoff_ms: default_backoff_ms(),
        }
    }

    pub(crate) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        let url = &self.base_url;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(ConfigError::new(
                format!("{key}.base_url"),
                "must be an http or https URL",
            ));
        }
        // A key sent in clear text over a network is as good as published.
        if self.api_key.is_some() && url.scheme() == "http" && !is_this_host(url) {
            return Err(ConfigError::new(
                format!("{key}.api_key"),
                "an API key needs an https base_url (or a loopback address)",
            ));
        }
        check_timeout(&format!("{key}.timeout_ms"), self.timeout_ms)?;
        check_timeout(
            &format!("{key}.connect_timeout_ms"),
            self.connect_timeout_ms,
        )?;
        check_retries(&format!("{key}.retries"), self.retries)?;
        check_timeout(&format!("{key}.backoff_ms"), self.backoff_ms.max(1))
    }
}

/// Whether `url` stays on this machine, where plain http may carry a secret: a loopback
/// address, or the unspecified one (`0.0.0.0`), which connects here — what `dvcid demo
/// --listen 0.0.0.0:…` gives the sandbox.
pub(crate) fn is_this_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

pub(crate) fn check_timeout(key: &str, ms: u64) -> Result<(), ConfigError> {
    if (1..=MAX_TIMEOUT_MS).contains(&ms) {
        Ok(())
    } else {
        Err(ConfigError::new(
            key,
            format!("must be 1 to {MAX_TIMEOUT_MS} milliseconds"),
        ))
    }
}

pub(crate) fn check_retries(key: &str, retries: u32) -> Result<(), ConfigError> {
    if retries <= MAX_RETRIES {
        Ok(())
    } else {
        Err(ConfigError::new(
            key,
            format!("must be at most {MAX_RETRIES}"),
        ))
    }
}

/// The mail relay. Production relays want `starttls = true` (the default) and credentials;
/// the loopback sandbox takes plain SMTP.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpEndpoint {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// The sender address (`From` and `MAIL FROM`).
    pub from: Email,
    /// The sender's display name, e.g. "Cổng Dịch vụ công quốc gia".
    #[serde(default)]
    pub from_name: Option<String>,
    /// Upgrade the connection with STARTTLS and refuse to continue without it.
    #[serde(default = "default_true")]
    pub starttls: bool,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret<String>>,
    /// The name given in EHLO; the relay may check it. Default: the address literal [127.0.0.1].
    #[serde(default)]
    pub helo_name: Option<String>,
    /// Connecting and each SMTP command; the whole send is bounded by a multiple of it.
    #[serde(default = "default_smtp_timeout_ms")]
    pub timeout_ms: u64,
    /// Extra attempts, only after the relay said "try later" (4xx) or refused the connection:
    /// then nothing was accepted, so a retry cannot deliver twice.
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
}

impl SmtpEndpoint {
    /// A plain-SMTP endpoint with no credentials (for a loopback relay such as the sandbox).
    pub fn plain(host: impl Into<String>, port: u16, from: Email) -> Self {
        Self {
            host: host.into(),
            port,
            from,
            from_name: None,
            starttls: false,
            username: None,
            password: None,
            helo_name: None,
            timeout_ms: default_smtp_timeout_ms(),
            retries: default_retries(),
            backoff_ms: default_backoff_ms(),
        }
    }

    pub(crate) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        if self.host.trim().is_empty() {
            return Err(ConfigError::new(format!("{key}.host"), "must not be empty"));
        }
        if self.port == 0 {
            return Err(ConfigError::new(format!("{key}.port"), "must not be 0"));
        }
        match (&self.username, &self.password) {
            (Some(_), None) | (None, Some(_)) => {
                return Err(ConfigError::new(
                    format!("{key}.password"),
                    "username and password go together",
                ));
            }
            (Some(_), Some(_)) if !self.starttls => {
                return Err(ConfigError::new(
                    format!("{key}.starttls"),
                    "credentials are only sent over STARTTLS",
                ));
            }
            _ => {}
        }
        check_timeout(&format!("{key}.timeout_ms"), self.timeout_ms)?;
        check_retries(&format!("{key}.retries"), self.retries)?;
        check_timeout(&format!("{key}.backoff_ms"), self.backoff_ms.max(1))
    }
}

/// Every external system's endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorsConfig {
    pub population: HttpEndpoint,
    pub subscribers: HttpEndpoint,
    pub bhxh: HttpEndpoint,
    pub sms: HttpEndpoint,
    pub smtp: SmtpEndpoint,
    /// The national business registry, for registration with an organisation certificate.
    #[serde(default)]
    pub business_registry: Option<HttpEndpoint>,
    /// The remote signing service (VNPT SmartCA); absent: the method is not offered.
    #[serde(default)]
    pub remote_signing: Option<RemoteSigningConfig>,
    /// The carriers' mobile signature service (Sim ký số); absent: the method is not offered.
    #[serde(default)]
    pub mobile_signature: Option<MobileSignatureConfig>,
    /// VNeID, the national eID provider (OpenID Connect); absent: "Đăng nhập bằng VNeID" is
    /// not offered. The sandbox has none: the VNeID provider runs as a service of its own.
    #[serde(default)]
    pub vneid: Option<VneidConfig>,
}

/// The sandbox SmartCA's client registration (see `crates/sandbox/PROTOCOL.md`); the sandbox
/// publishes it, so it protects nothing.
const SANDBOX_SMARTCA_CLIENT_ID: &str = "dvcid-sandbox";
const SANDBOX_SMARTCA_CLIENT_SECRET: &str = "sandbox-smartca-secret";

/// The sender of sandbox mail.
const SANDBOX_FROM: &str = "no-reply@dvcid.example";
/// The sandbox MSSP's application provider credentials and its own name (documented in
/// `crates/sandbox/PROTOCOL.md`).
const SANDBOX_AP_ID: &str = "http://ap.sandbox.dvcid.example/dvcid";
const SANDBOX_AP_PASSWORD: &str = "sandbox-ap-password";
const SANDBOX_MSSP_ID: &str = "http://mssp.sandbox.dvcid.example";

impl ConnectorsConfig {
    /// Everything pointed at a sandbox: `base` is the address the sandbox router is served at
    /// (e.g. `http://127.0.0.1:8080`; the `/sandbox/<system>/` prefixes are appended), and
    /// `smtp_addr` the sandbox's SMTP receiver.
    pub fn sandbox(base: &Url, smtp_addr: SocketAddr) -> Result<Self, ConfigError> {
        let endpoint = |system: &str| -> Result<HttpEndpoint, ConfigError> {
            let mut url = base.clone();
            url.path_segments_mut()
                .map_err(|()| ConfigError::new("sandbox.base_url", "must be an http URL"))?
                .pop_if_empty()
                .extend(["sandbox", system, ""]);
            Ok(HttpEndpoint::new(url))
        };
        let mut mssp = base.clone();
        mssp.path_segments_mut()
            .map_err(|()| ConfigError::new("sandbox.base_url", "must be an http URL"))?
            .pop_if_empty()
            .extend(["sandbox", "mssp", "soap", "services", "MSS_SignaturePort"]);
        let from = Email::parse(SANDBOX_FROM)
            .map_err(|error| ConfigError::new("smtp.from", error.to_string()))?;
        Ok(Self {
            population: endpoint("population")?,
            subscribers: endpoint("subscribers")?,
            bhxh: endpoint("bhxh")?,
            sms: endpoint("sms")?,
            smtp: SmtpEndpoint::plain(smtp_addr.ip().to_string(), smtp_addr.port(), from),
            business_registry: Some(endpoint("business-registry")?),
            remote_signing: Some(RemoteSigningConfig::new(
                endpoint("smartca")?.base_url,
                SANDBOX_SMARTCA_CLIENT_ID,
                Secret::new(SANDBOX_SMARTCA_CLIENT_SECRET.to_owned()),
            )),
            mobile_signature: Some(MobileSignatureConfig::new(
                mssp,
                SANDBOX_AP_ID,
                Secret::new(SANDBOX_AP_PASSWORD.to_owned()),
                SANDBOX_MSSP_ID,
            )),
            vneid: None,
        })
    }

    /// Checks every value, naming the first key that cannot work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.population.validate("population")?;
        self.subscribers.validate("subscribers")?;
        self.bhxh.validate("bhxh")?;
        self.sms.validate("sms")?;
        if let Some(endpoint) = &self.business_registry {
            endpoint.validate("business_registry")?;
        }
        if let Some(remote_signing) = &self.remote_signing {
            remote_signing.validate("remote_signing")?;
        }
        if let Some(mssp) = &self.mobile_signature {
            mssp.validate("mobile_signature")?;
        }
        if let Some(vneid) = &self.vneid {
            vneid.validate("vneid")?;
        }
        self.smtp.validate("smtp")
    }
}

#[cfg(test)]
mod tests;
