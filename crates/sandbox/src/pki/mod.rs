//! The sandbox's certificate authorities (chứng thực chữ ký số giả lập): a root, two issuing
//! CAs and an untrusted one, the certificates they issued to synthetic people and businesses,
//! an RFC 6960 OCSP responder and CRLs over HTTP, and pages saying which certificate is which.
//!
//! Keys, serial numbers and holders come from the sandbox seed (see `keys`), so a restart with
//! the same seed gives the same identities and keys; validity dates are counted from the start
//! of the day the sandbox started, so "expired" and "not yet valid" stay true relative to it.
//! Nothing is written to disk unless [`SandboxPki::export`] is called.

mod authorities;
mod crl;
mod issued;
mod keys;
mod ocsp;
mod pages;

use std::path::Path;
use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use serde::Serialize;
use time::{OffsetDateTime, Time, UtcOffset};
use url::Url;

pub use authorities::CaId;
pub use issued::{CertificateRole, CertificateStatus, Holder, IssuedCertificate, KeyHolder};

use crate::businesses::SyntheticBusinesses;
use crate::control::{System, gate};
use crate::people::SyntheticPeople;
use crate::state::Sandbox;
use authorities::{Authorities, IssuingCa};

/// Why the sandbox PKI could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot make a sandbox certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot encode a sandbox certificate: {0}")]
    Encoding(#[from] der::Error),
    #[error("cannot derive the sandbox key {0}")]
    Key(String),
    #[error("the sandbox base URL cannot hold the PKI paths: {0}")]
    Url(#[from] url::ParseError),
}

/// When and why a certificate was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Revocation {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub reason: RevocationReason,
}

/// The reasons the sandbox CAs give (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    KeyCompromise,
    CessationOfOperation,
}

impl RevocationReason {
    pub fn label_vi(self) -> &'static str {
        match self {
            RevocationReason::KeyCompromise => "lộ khóa bí mật",
            RevocationReason::CessationOfOperation => "ngừng hoạt động",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RevocationReason::KeyCompromise => "key compromise",
            RevocationReason::CessationOfOperation => "cessation of operation",
        }
    }

    fn for_crl(self) -> rcgen::RevocationReason {
        match self {
            RevocationReason::KeyCompromise => rcgen::RevocationReason::KeyCompromise,
            RevocationReason::CessationOfOperation => rcgen::RevocationReason::CessationOfOperation,
        }
    }

    fn for_ocsp(self) -> x509_cert::ext::pkix::CrlReason {
        use x509_cert::ext::pkix::CrlReason;
        match self {
            RevocationReason::KeyCompromise => CrlReason::KeyCompromise,
            RevocationReason::CessationOfOperation => CrlReason::CessationOfOperation,
        }
    }
}

/// Where the sandbox publishes each CA's revocation status.
pub(crate) mod urls {
    use super::CaId;
    use url::Url;

    pub(crate) fn ocsp(base: &Url, ca: CaId) -> Result<Url, url::ParseError> {
        base.join(&format!("sandbox/pki/ocsp/{}", ca.slug()))
    }

    pub(crate) fn crl(base: &Url, ca: CaId) -> Result<Url, url::ParseError> {
        base.join(&format!("sandbox/pki/crl/{}.crl", ca.slug()))
    }
}

/// The certificate authorities and what they issued.
pub struct SandboxPki {
    base: Url,
    authorities: Authorities,
    issued: Vec<IssuedCertificate>,
}

impl SandboxPki {
    /// The PKI of `people`'s seed, its URLs under `base` (the sandbox's public origin, e.g.
    /// `http://127.0.0.1:8080/`), its dates counted from the start of `now`'s day (UTC).
    pub fn generate(
        people: &SyntheticPeople,
        businesses: &SyntheticBusinesses,
        base: &Url,
        now: OffsetDateTime,
    ) -> Result<Self, PkiError> {
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let epoch = now.to_offset(UtcOffset::UTC).replace_time(Time::MIDNIGHT);
        let seed = people.seed();
        let authorities = Authorities::new(seed, epoch)?;
        let issued = issued::issue_all(seed, &authorities, people, businesses, &base, epoch)?;
        Ok(Self {
            base,
            authorities,
            issued,
        })
    }

    /// The trusted root (PEM): what the portal's trust anchor folder holds in the demo.
    pub fn trust_anchors_pem(&self) -> &str {
        &self.authorities.root.pem
    }

    /// The trusted issuing CAs (PEM), for the portal's configured intermediates: a Web eID
    /// token carries only the end-entity certificate.
    pub fn intermediates_pem(&self) -> String {
        self.trusted_issuing()
            .map(|ca| ca.ca.pem.as_str())
            .collect()
    }

    /// An issuing CA's certificate (PEM).
    pub fn ca_pem(&self, ca: CaId) -> Option<&str> {
        self.authorities.get(ca).map(|ca| ca.ca.pem.as_str())
    }

    /// Every certificate issued, in [`CertificateRole::ALL`] order.
    pub fn issued(&self) -> &[IssuedCertificate] {
        &self.issued
    }

    pub fn certificate(&self, role: CertificateRole) -> Option<&IssuedCertificate> {
        self.issued.iter().find(|issued| issued.role == role)
    }

    pub fn ocsp_url(&self, ca: CaId) -> Result<Url, url::ParseError> {
        urls::ocsp(&self.base, ca)
    }

    pub fn crl_url(&self, ca: CaId) -> Result<Url, url::ParseError> {
        urls::crl(&self.base, ca)
    }

    /// Writes `trust-anchors/root.pem`, `intermediates/{ca}.pem`, `certificates/{role}.pem`
    /// and `keys/{role}.key.pem` (owner-only on Unix) under `dir`, for a portal's
    /// configuration and for loading tokens.
    pub fn export(&self, dir: &Path) -> std::io::Result<()> {
        let folder = |name: &str| {
            let path = dir.join(name);
            std::fs::create_dir_all(&path).map(|()| path)
        };
        let anchors = folder("trust-anchors")?;
        std::fs::write(anchors.join("root.pem"), self.trust_anchors_pem())?;
        let intermediates = folder("intermediates")?;
        for ca in self.trusted_issuing() {
            std::fs::write(
                intermediates.join(format!("{}.pem", ca.id.slug())),
                &ca.ca.pem,
            )?;
        }
        let certificates = folder("certificates")?;
        let keys = folder("keys")?;
        for issued in &self.issued {
            let id = issued.role.id();
            std::fs::write(certificates.join(format!("{id}.pem")), &issued.pem)?;
            write_private(&keys.join(format!("{id}.key.pem")), &issued.key_pkcs8_pem)?;
        }
        Ok(())
    }

    fn trusted_issuing(&self) -> impl Iterator<Item = &IssuingCa> {
        self.authorities
            .issuing
            .iter()
            .filter(|ca| ca.id != CaId::Untrusted)
    }

    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    pub(crate) fn authorities(&self) -> &Authorities {
        &self.authorities
    }

    /// The certificate `ca` issued with this serial number (DER integer content octets).
    pub(crate) fn find(&self, ca: CaId, serial: &[u8]) -> Option<&IssuedCertificate> {
        let magnitude =
            |bytes: &[u8]| -> Vec<u8> { bytes.iter().copied().skip_while(|b| *b == 0).collect() };
        let wanted = magnitude(serial);
        self.issued
            .iter()
            .find(|issued| issued.ca == ca && magnitude(&issued.serial) == wanted)
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    let ocsp = axum::Router::new()
        .route("/sandbox/pki/ocsp/{ca}", post(ocsp::post))
        .route("/sandbox/pki/ocsp/{ca}/{*request}", get(ocsp::get))
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::Ocsp),
            gate,
        ));
    let crl = axum::Router::new()
        .route("/sandbox/pki/crl/{file}", get(crl::get))
        .route_layer(from_fn_with_state((Arc::clone(sandbox), System::Crl), gate));
    axum::Router::new()
        .merge(ocsp)
        .merge(crl)
        .merge(pages::routes())
}
