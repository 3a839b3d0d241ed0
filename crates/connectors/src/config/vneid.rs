//! `[connectors.vneid]`: the national eID provider (VNeID) as an OpenID provider, the portal's
//! client registration with it, and how patiently to talk to it.

use domain::Secret;
use serde::Deserialize;
use url::Url;

use super::{
    ConfigError, check_timeout, default_connect_timeout_ms, default_timeout_ms, is_this_host,
};

fn default_scopes() -> Vec<String> {
    vec!["openid".to_owned(), "profile".to_owned()]
}

/// Longer than any client id a provider hands out.
const MAX_CLIENT_ID_LEN: usize = 200;
/// More scopes than this is a typing error, not a registration.
const MAX_SCOPES: usize = 20;

/// VNeID as the portal's OpenID provider. The discovery document is read from
/// `{issuer}/.well-known/openid-configuration`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VneidConfig {
    /// The issuer identifier, exactly as the provider's discovery document and tokens carry
    /// it (kept as written: `https://id.example` and `https://id.example/` are different
    /// issuers).
    pub issuer: String,
    /// The portal's client id at the provider.
    pub client_id: String,
    /// Sent with HTTP Basic authentication (`client_secret_basic`) to the token endpoint.
    pub client_secret: Secret<String>,
    /// What the portal asks for; must include `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The whole of one call (discovery, keys, code exchange).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
}

impl VneidConfig {
    /// A configuration with the default scopes and timeouts.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret,
            scopes: default_scopes(),
            timeout_ms: default_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
        }
    }

    /// The issuer as a URL (checked by [`VneidConfig::validate`]).
    pub(crate) fn issuer_url(&self, key: &str) -> Result<Url, ConfigError> {
        Url::parse(&self.issuer)
            .map_err(|error| ConfigError::new(format!("{key}.issuer"), error.to_string()))
    }

    pub(crate) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        let issuer = self.issuer_url(key)?;
        let issuer_key = format!("{key}.issuer");
        if !matches!(issuer.scheme(), "http" | "https")
            || issuer.cannot_be_a_base()
            || issuer.host().is_none()
        {
            return Err(ConfigError::new(issuer_key, "must be an https URL"));
        }
        // OpenID Connect Discovery §2: an issuer has no query and no fragment.
        if issuer.query().is_some()
            || issuer.fragment().is_some()
            || self.issuer.trim() != self.issuer
        {
            return Err(ConfigError::new(
                issuer_key,
                "must have no query, no fragment and no spaces around",
            ));
        }
        // The token request carries the client secret; the keys that sign the identity come
        // from there too.
        if issuer.scheme() == "http" && !is_this_host(&issuer) {
            return Err(ConfigError::new(
                issuer_key,
                "must be https (plain http only on this host): it carries the client secret and the signing keys",
            ));
        }
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
        self.validate_scopes(key)?;
        check_timeout(&format!("{key}.timeout_ms"), self.timeout_ms)?;
        check_timeout(
            &format!("{key}.connect_timeout_ms"),
            self.connect_timeout_ms,
        )
    }

    fn validate_scopes(&self, key: &str) -> Result<(), ConfigError> {
        let scopes_key = format!("{key}.scopes");
        // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
        let token = |scope: &str| {
            !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        };
        if self.scopes.len() > MAX_SCOPES || !self.scopes.iter().all(|scope| token(scope)) {
            return Err(ConfigError::new(
                scopes_key,
                format!("must be at most {MAX_SCOPES} scope tokens without spaces or quotes"),
            ));
        }
        if !self.scopes.iter().any(|scope| scope == "openid") {
            return Err(ConfigError::new(scopes_key, "must include \"openid\""));
        }
        Ok(())
    }
}
