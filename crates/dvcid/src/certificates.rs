//! `[certificates]`: sign-in with certificates (USB token through the local signing agent) is
//! on when trust anchors are configured — the Vietnam National Root CA and the Government CA
//! roots in production, the sandbox's in the demo.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use connectors::revocation::HttpRevocationFetcher;
use flows::{CertificateSignIn, OsRandomness};
use pki::{RevocationConfig, TrustAnchors, Validator};
use serde::Deserialize;
use url::Url;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatesConfig {
    /// A folder of PEM files: the roots certificates must chain to.
    pub trust_anchors_dir: PathBuf,
    /// A folder of PEM files: issuing CAs, for tokens that present only the end certificate.
    pub intermediates_dir: Option<PathBuf>,
    /// Where people's local signing agent listens (`dvcid-agent serve`).
    #[serde(default = "default_agent_url")]
    pub agent_url: String,
}

/// `dvcid-agent`'s default address.
pub fn default_agent_url() -> String {
    "http://127.0.0.1:14571".to_owned()
}

/// The certificate check for `public_base_url`'s origin, from the configured folders; a
/// missing or empty folder is an error naming it.
pub fn sign_in(
    config: &CertificatesConfig,
    public_base_url: &str,
) -> anyhow::Result<CertificateSignIn> {
    let mut anchors = TrustAnchors::from_dir(&config.trust_anchors_dir).with_context(|| {
        format!(
            "certificates.trust_anchors_dir {}",
            config.trust_anchors_dir.display()
        )
    })?;
    if let Some(dir) = &config.intermediates_dir {
        anchors = anchors
            .with_intermediates_dir(dir)
            .with_context(|| format!("certificates.intermediates_dir {}", dir.display()))?;
    }
    let fetcher = HttpRevocationFetcher::new(HttpRevocationFetcher::DEFAULT_TIMEOUT)
        .map_err(|error| anyhow::anyhow!("the OCSP and CRL client: {error}"))?;
    let validator = Validator::new(
        anchors,
        Arc::new(fetcher),
        Arc::new(OsRandomness),
        RevocationConfig::default(),
    );
    let agent = Url::parse(&config.agent_url)
        .with_context(|| format!("certificates.agent_url {:?}", config.agent_url))?;
    let origin = Url::parse(public_base_url)?.origin().ascii_serialization();
    Ok(CertificateSignIn::new(validator, &origin, agent.as_str()))
}
