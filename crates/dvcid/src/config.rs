//! Production configuration: one TOML file, any setting overridable by an environment variable
//! named after its path (`connectors.sms.base_url` → `DVCID_CONNECTORS__SMS__BASE_URL`).
//! Parsed whole at start-up; unknown keys are refused and every error names its setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use connectors::ConnectorsConfig;
use domain::password::PasswordPolicy;
use domain::secret::Secret;
use flows::FlowConfig;
use ipnet::IpNet;
use serde::Deserialize;
use url::Url;

use crate::certificates::CertificatesConfig;
use crate::logging;

const ENV_PREFIX: &str = "DVCID_";
/// Variables under this prefix belong to the test harness, not to the server.
const ENV_IGNORED: [&str; 2] = ["DVCID_TEST_", "DVCID_CONFIG"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB` (may hold a password).
    pub database_url: Secret<String>,
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The address people and relying services reach dvcid at; `https` unless loopback.
    pub public_base_url: Url,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    pub secrets: Secrets,
    pub connectors: ConnectorsConfig,
    #[serde(default)]
    pub password: PasswordPolicy,
    /// Limits of the self-service flows: OTP, throttling, sessions, Argon2id cost.
    #[serde(default)]
    pub flows: FlowConfig,
    /// Lifetimes and limits of the OpenID provider: tokens, key rotation, client assertions.
    #[serde(default)]
    pub oidc: oidc::OidcConfig,
    /// Sign-in with certificates (USB token): off unless trust anchors are configured.
    pub certificates: Option<CertificatesConfig>,
    /// The tamper-evident audit trail's signed checkpoints.
    #[serde(default)]
    pub audit: AuditConfig,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Minutes between checkpoints of the audit chains (any node may make one; the same heads
    /// are recorded once). Events newer than the latest checkpoint are protected by their
    /// chain only.
    #[serde(default = "default_checkpoint_minutes")]
    pub checkpoint_minutes: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            checkpoint_minutes: default_checkpoint_minutes(),
        }
    }
}

impl AuditConfig {
    pub fn checkpoint_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.checkpoint_minutes.saturating_mul(60))
    }
}

fn default_checkpoint_minutes() -> u64 {
    10
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default = "default_log_format")]
    pub format: logging::Format,
    pub filter: Option<String>,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: default_log_format(),
            filter: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Reverse proxies (CIDR networks, or single addresses) whose `Forwarded` and
    /// `X-Forwarded-For` headers are believed; none by default.
    #[serde(default, deserialize_with = "networks::deserialize")]
    pub trusted_proxies: Vec<IpNet>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: default_max_connections(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// The server's secret (at least 32 bytes of randomness); the keys of OTP MACs and CSRF
    /// tokens are derived from it.
    pub otp_key: Secret<String>,
    /// Seals the OpenID provider's private signing keys in the database (at least 32 bytes of
    /// randomness). Every node needs the same one; losing it loses the signing keys.
    pub key_encryption_key: Secret<String>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], 8080))
}

fn default_log_format() -> logging::Format {
    logging::Format::Json
}

fn default_max_connections() -> u32 {
    16
}

pub const MIN_SECRET_BYTES: usize = 32;
/// A minute covers a failover and a retry; a longer grace is a longer window for a stolen copy.
const MAX_REFRESH_RETRY_GRACE_SECS: u32 = 60;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("environment variable {variable}: {message}")]
    Environment { variable: String, message: String },
    #[error(
        "setting `{setting}`: {message} (in the file, or as the environment variable {variable})"
    )]
    Setting {
        setting: String,
        variable: String,
        message: String,
    },
}

impl ConfigError {
    fn setting(setting: &str, message: impl Into<String>) -> Self {
        Self::Setting {
            setting: setting.to_owned(),
            variable: env_name(setting),
            message: message.into(),
        }
    }
}

/// Reads the file, applies the `DVCID_…` variables from `env`, and checks the result.
pub fn load(
    path: &Path,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut table: toml::Table =
        text.parse()
            .map_err(|error: toml::de::Error| ConfigError::Syntax {
                path: path.to_owned(),
                message: error.message().to_owned(),
            })?;
    apply_env(&mut table, env)?;
    let config: Config =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|error| {
            ConfigError::setting(&failed_setting(&error), error.inner().to_string())
        })?;
    validate(&config)?;
    Ok(config)
}

fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (variable, value) in env {
        let Some(name) = variable.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if ENV_IGNORED
            .iter()
            .any(|ignored| variable.starts_with(ignored))
        {
            continue;
        }
        let path: Vec<String> = name.split("__").map(str::to_ascii_lowercase).collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::Environment {
                variable,
                message: "empty part in the name; levels are separated by a double underscore"
                    .into(),
            });
        }
        set_path(table, &path, typed(value)).map_err(|message| ConfigError::Environment {
            variable: variable.clone(),
            message,
        })?;
    }
    Ok(())
}

/// Environment values are text; numbers and booleans are read as such so that
/// `DVCID_DATABASE__MAX_CONNECTIONS=32` fills a number.
fn typed(value: String) -> toml::Value {
    if let Ok(number) = value.parse::<i64>() {
        toml::Value::Integer(number)
    } else if value == "true" || value == "false" {
        toml::Value::Boolean(value == "true")
    } else {
        toml::Value::String(value)
    }
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    match path {
        [] => Err("no setting named".to_owned()),
        [last] => {
            table.insert(last.clone(), value);
            Ok(())
        }
        [first, rest @ ..] => {
            let entry = table
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            match entry {
                toml::Value::Table(inner) => set_path(inner, rest, value),
                _ => Err(format!("`{first}` is a value, not a section")),
            }
        }
    }
}

fn validate(config: &Config) -> Result<(), ConfigError> {
    store::Backend::of_url(config.database_url.expose())
        .map_err(|error| ConfigError::setting("database_url", error.to_string()))?;
    let url = &config.public_base_url;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(ConfigError::setting(
            "public_base_url",
            "must be an https:// URL (plain http is allowed only for localhost)",
        ));
    }
    if config.secrets.otp_key.expose().len() < MIN_SECRET_BYTES {
        return Err(ConfigError::setting(
            "secrets.otp_key",
            format!("must be at least {MIN_SECRET_BYTES} bytes of random text"),
        ));
    }
    if config.secrets.key_encryption_key.expose().len() < MIN_SECRET_BYTES {
        return Err(ConfigError::setting(
            "secrets.key_encryption_key",
            format!("must be at least {MIN_SECRET_BYTES} bytes of random text"),
        ));
    }
    config.connectors.validate().map_err(|error| {
        ConfigError::setting(&format!("connectors.{}", error.key), error.reason)
    })?;
    if !(1..=1440).contains(&config.audit.checkpoint_minutes) {
        return Err(ConfigError::setting(
            "audit.checkpoint_minutes",
            "must be from 1 to 1440 (a day)",
        ));
    }
    if config.oidc.refresh_token_retry_grace_secs > MAX_REFRESH_RETRY_GRACE_SECS {
        return Err(ConfigError::setting(
            "oidc.refresh_token_retry_grace_secs",
            format!(
                "must be from 0 (off) to {MAX_REFRESH_RETRY_GRACE_SECS}: longer lets a stolen \
                 refresh token be exchanged too"
            ),
        ));
    }
    if config.database.max_connections == 0 {
        return Err(ConfigError::setting(
            "database.max_connections",
            "must be at least 1",
        ));
    }
    Ok(())
}

/// The dotted path of the setting a deserialisation error is about. serde reports a missing key
/// at its parent's path, so the key named in the message is appended.
fn failed_setting(error: &serde_path_to_error::Error<toml::de::Error>) -> String {
    let parent = error.path().to_string();
    let message = error.inner().to_string();
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (parent.as_str(), named) {
        (".", Some(key)) => key.to_owned(),
        (_, Some(key)) => format!("{parent}.{key}"),
        _ => parent,
    }
}

/// The environment variable that sets `setting` (a dotted path).
fn env_name(setting: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        setting.replace('.', "__").to_ascii_uppercase()
    )
}

mod networks;
#[cfg(test)]
mod tests;
