//! `[mobile_signature]`: the carrier's MSSP (ETSI TS 102 204 over SOAP), the application
//! provider's credentials at it, and the files of the mutual TLS client certificate.

use std::path::PathBuf;

use domain::Secret;
use serde::Deserialize;
use url::Url;

use super::{
    ConfigError, check_retries, check_timeout, default_backoff_ms, default_connect_timeout_ms,
    default_retries, is_this_host,
};

/// How long the person has to answer on the phone (the request's `TimeOut`), by default.
const fn default_signature_timeout_secs() -> u32 {
    120
}
/// An MSS_Signature answers at once (asynchronous mode) but crosses the carrier's network.
const fn default_http_timeout_ms() -> u64 {
    10_000
}
/// Longer than any sign-in page waits.
const MAX_SIGNATURE_TIMEOUT_SECS: u32 = 600;

/// Which status code means what: ETSI's own table, or an MSSP's dialect of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusCodeTable {
    /// ETSI TS 102 204: 500 signature, 504 outstanding, 401 cancelled, 208 expired, …
    #[default]
    Etsi,
    /// The Vietnamese Mobile-ID deployment: 408 signature, 405 cancelled, 406 timed out, the
    /// rest as ETSI.
    MobileIdVn,
}

/// The mobile signature service (Sim ký số) as an application provider (AP) reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileSignatureConfig {
    /// The MSSP's signature port, `https://…/soap/services/MSS_SignaturePort`.
    pub endpoint: Url,
    /// Where MSS_StatusQuery goes, for MSSPs that serve it on a port of its own
    /// (`…/MSS_StatusQueryPort`); by default the signature port.
    #[serde(default)]
    pub status_endpoint: Option<Url>,
    /// AP_ID, e.g. `http://ap.mobile-id.vn/dvcqg`.
    pub ap_id: String,
    /// AP_PWD.
    pub ap_password: Secret<String>,
    /// MSSP_ID, e.g. `http://hmssp.mobile-id.vn`.
    pub mssp_id: String,
    /// SignatureProfile, e.g. `http://mobile-id.vn/digitalSignature`.
    pub signature_profile: String,
    /// The additional service asking for the signing certificate, e.g.
    /// `http://mobile-id.vn/MSSP/v1.0.0#signingCertificate`.
    pub signing_certificate_service: String,
    #[serde(default)]
    pub status_codes: StatusCodeTable,
    /// The request's `TimeOut`: seconds the person has to enter the PIN.
    #[serde(default = "default_signature_timeout_secs")]
    pub timeout_secs: u32,
    /// The whole of one HTTP exchange.
    #[serde(default = "default_http_timeout_ms")]
    pub http_timeout_ms: u64,
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Extra attempts of a status query (idempotent); a new signature request is never
    /// repeated.
    #[serde(default = "default_retries")]
    pub status_retries: u32,
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    /// PEM file of the AP's TLS client certificate (mutual TLS), with `client_key`.
    #[serde(default)]
    pub client_certificate: Option<PathBuf>,
    /// PEM file of the client certificate's private key (PKCS#8, SEC1 or PKCS#1).
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// PEM file of a CA to trust for the MSSP's server certificate, besides the system's.
    #[serde(default)]
    pub ca_certificate: Option<PathBuf>,
}

impl MobileSignatureConfig {
    /// A configuration with the default timeouts, no TLS files and the ETSI status codes.
    pub fn new(
        endpoint: Url,
        ap_id: impl Into<String>,
        ap_password: Secret<String>,
        mssp_id: impl Into<String>,
    ) -> Self {
        Self {
            endpoint,
            status_endpoint: None,
            ap_id: ap_id.into(),
            ap_password,
            mssp_id: mssp_id.into(),
            signature_profile: "http://mobile-id.vn/digitalSignature".to_owned(),
            signing_certificate_service: "http://mobile-id.vn/MSSP/v1.0.0#signingCertificate"
                .to_owned(),
            status_codes: StatusCodeTable::Etsi,
            timeout_secs: default_signature_timeout_secs(),
            http_timeout_ms: default_http_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            status_retries: default_retries(),
            backoff_ms: default_backoff_ms(),
            client_certificate: None,
            client_key: None,
            ca_certificate: None,
        }
    }

    /// Where MSS_StatusQuery goes.
    pub fn status_url(&self) -> &Url {
        self.status_endpoint.as_ref().unwrap_or(&self.endpoint)
    }

    pub(crate) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        for (name, url) in [
            ("endpoint", Some(&self.endpoint)),
            ("status_endpoint", self.status_endpoint.as_ref()),
        ] {
            let Some(url) = url else { continue };
            if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
                return Err(ConfigError::new(
                    format!("{key}.{name}"),
                    "must be an http or https URL",
                ));
            }
            // AP_PWD travels in the body: over plain HTTP it is as good as published. An
            // unspecified address (a demo listening on 0.0.0.0) is this host too.
            if url.scheme() == "http" && !is_this_host(url) {
                return Err(ConfigError::new(
                    format!("{key}.{name}"),
                    "must be https (plain http only on a loopback address)",
                ));
            }
        }
        for (name, value) in [
            ("ap_id", self.ap_id.as_str()),
            ("ap_password", self.ap_password.expose().as_str()),
            ("mssp_id", self.mssp_id.as_str()),
            ("signature_profile", self.signature_profile.as_str()),
            (
                "signing_certificate_service",
                self.signing_certificate_service.as_str(),
            ),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::new(
                    format!("{key}.{name}"),
                    "must not be empty",
                ));
            }
        }
        if !(1..=MAX_SIGNATURE_TIMEOUT_SECS).contains(&self.timeout_secs) {
            return Err(ConfigError::new(
                format!("{key}.timeout_secs"),
                format!("must be 1 to {MAX_SIGNATURE_TIMEOUT_SECS} seconds"),
            ));
        }
        check_timeout(&format!("{key}.http_timeout_ms"), self.http_timeout_ms)?;
        check_timeout(
            &format!("{key}.connect_timeout_ms"),
            self.connect_timeout_ms,
        )?;
        check_retries(&format!("{key}.status_retries"), self.status_retries)?;
        check_timeout(&format!("{key}.backoff_ms"), self.backoff_ms.max(1))?;
        match (&self.client_certificate, &self.client_key) {
            (Some(_), None) => Err(ConfigError::new(
                format!("{key}.client_key"),
                "client_certificate needs its client_key",
            )),
            (None, Some(_)) => Err(ConfigError::new(
                format!("{key}.client_certificate"),
                "client_key needs its client_certificate",
            )),
            _ => Ok(()),
        }
    }
}
