//! The configuration file of `dvcid vneid --config FILE`, parsed whole at start-up: unknown keys
//! are refused and every error names its key; secrets are wrapped so `Debug` cannot print them.
//!
//! ```toml
//! listen          = "0.0.0.0:8081"
//! public_base_url = "https://vneid.gov.vn"
//! database_url    = "postgres://vneid:PASSWORD@db.internal/vneid"   # or sqlite:///var/lib/vneid/vneid.sqlite3
//! sandbox         = false            # true mounts the police console at /sandbox/police
//! secret             = "…at least 32 bytes…"   # OTP MACs and pairwise subjects are keyed from it
//! key_encryption_key = "…at least 32 bytes…"   # seals the OpenID signing keys in the database
//!
//! [sms]                              # the SMS gateway (connectors' HTTP endpoint settings)
//! base_url = "https://sms.example.gov.vn/api/"
//!
//! [portal]                           # the portal as a relying party (optional)
//! client_id     = "dvcid-portal"
//! client_secret = "…"
//! redirect_uri  = "https://id.dichvucong.gov.vn/login/vneid/callback"
//! ```

use std::net::SocketAddr;
use std::path::Path;

use connectors::HttpEndpoint;
use domain::Secret;
use serde::Deserialize;
use url::Url;

use crate::PortalClient;

pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: SocketAddr,
    pub public_base_url: Url,
    pub database_url: String,
    #[serde(default)]
    pub sandbox: bool,
    pub secret: Secret<String>,
    pub key_encryption_key: Secret<String>,
    pub sms: HttpEndpoint,
    #[serde(default)]
    pub portal: Option<PortalSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSection {
    pub client_id: String,
    pub client_secret: Secret<String>,
    pub redirect_uri: Url,
}

impl std::fmt::Debug for PortalSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalSection")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(String),
    #[error("{key}: {reason}")]
    Invalid { key: &'static str, reason: String },
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let config: FileConfig =
            toml::from_str(text).map_err(|error| ConfigError::Parse(error.to_string()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| ConfigError::Invalid {
            key,
            reason: reason.to_owned(),
        };
        let scheme = self.public_base_url.scheme();
        let loopback = matches!(
            self.public_base_url.host_str(),
            Some("localhost" | "127.0.0.1" | "[::1]")
        );
        if scheme != "https" && !(scheme == "http" && loopback) {
            return Err(invalid(
                "public_base_url",
                "must be https (http only on loopback)",
            ));
        }
        if store::Backend::of_url(&self.database_url).is_err() {
            return Err(invalid(
                "database_url",
                "expected sqlite://PATH or postgres://…",
            ));
        }
        if self.secret.expose().len() < MIN_SECRET_BYTES {
            return Err(invalid("secret", "needs at least 32 bytes"));
        }
        if self.key_encryption_key.expose().len() < MIN_SECRET_BYTES {
            return Err(invalid("key_encryption_key", "needs at least 32 bytes"));
        }
        if let Some(portal) = &self.portal
            && portal.client_secret.expose().len() < 16
        {
            return Err(invalid(
                "portal.client_secret",
                "needs at least 16 characters",
            ));
        }
        Ok(())
    }

    pub fn portal(&self) -> Option<PortalClient> {
        self.portal.as_ref().map(|portal| PortalClient {
            client_id: portal.client_id.clone(),
            client_secret: portal.client_secret.expose().clone(),
            redirect_uri: portal.redirect_uri.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
listen = "127.0.0.1:8081"
public_base_url = "http://127.0.0.1:8081/"
database_url = "sqlite:///tmp/vneid.sqlite3"
secret = "0123456789abcdef0123456789abcdef"
key_encryption_key = "0123456789abcdef0123456789abcdef"
[sms]
base_url = "http://127.0.0.1:8080/sandbox/sms/"
[portal]
client_id = "dvcid-portal"
client_secret = "a portal secret of some length"
redirect_uri = "http://127.0.0.1:8080/login/vneid/callback"
"#;

    #[test]
    fn parses_and_refuses_with_the_key() {
        let config = FileConfig::parse(GOOD).unwrap();
        assert_eq!(config.portal().unwrap().client_id, "dvcid-portal");
        assert!(!format!("{config:?}").contains("0123456789abcdef"));
        let unknown = GOOD.replace("sandbox", "x").replace("listen =", "listn =");
        assert!(FileConfig::parse(&unknown).is_err());
        let short = GOOD.replace(
            "secret = \"0123456789abcdef0123456789abcdef\"",
            "secret = \"short\"",
        );
        let error = FileConfig::parse(&short).unwrap_err().to_string();
        assert!(error.starts_with("secret:"), "{error}");
    }
}
