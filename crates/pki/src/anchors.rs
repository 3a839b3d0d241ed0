//! The trust anchors (root CAs) and configured intermediate CAs, loaded once at start-up from
//! PEM: in production the Vietnam National Root CA and the Government CA roots, in the demo
//! the sandbox's roots. A bad file is an error at start-up, never a refusal at sign-in.

use std::path::{Path, PathBuf};

use der::Encode;
use rustls_pki_types::{CertificateDer, TrustAnchor};
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;

/// Why trust anchors could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin} holds no readable PEM certificate")]
    Pem { origin: String },
    #[error("{subject} (from {origin}) cannot be a trust anchor: {detail}")]
    NotAnAnchor {
        origin: String,
        subject: String,
        detail: String,
    },
    #[error("no trust anchor was configured")]
    Empty,
}

/// Roots to validate against, and intermediates offered to path building besides those the
/// certificate holder presents.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    // `trust[i]` is made from `roots[i]`: webpki wants a slice of anchors, and OCSP and CRL
    // checks need the root's certificate when it issued the end-entity certificate itself.
    trust: Vec<TrustAnchor<'static>>,
    roots: Vec<Certificate>,
    intermediates: Vec<CertificateDer<'static>>,
}

impl TrustAnchors {
    /// Anchors from PEM text holding one or more certificates.
    pub fn from_pem(pem: &[u8]) -> Result<Self, AnchorError> {
        let mut anchors = Self {
            trust: Vec::new(),
            roots: Vec::new(),
            intermediates: Vec::new(),
        };
        anchors.add_roots(pem, "PEM text")?;
        anchors.non_empty()
    }

    /// Anchors from every `.pem`, `.crt` and `.cer` file of a folder (PEM encoded), in name
    /// order; other files are ignored.
    pub fn from_dir(dir: &Path) -> Result<Self, AnchorError> {
        let mut anchors = Self {
            trust: Vec::new(),
            roots: Vec::new(),
            intermediates: Vec::new(),
        };
        for path in pem_files(dir)? {
            let pem = read(&path)?;
            anchors.add_roots(&pem, &path.display().to_string())?;
        }
        anchors.non_empty()
    }

    /// Adds intermediate CA certificates (PEM) that path building may use.
    pub fn with_intermediates_pem(mut self, pem: &[u8]) -> Result<Self, AnchorError> {
        for cert in load_pem(pem, "intermediate PEM text")? {
            let der = cert.to_der().map_err(|_| AnchorError::Pem {
                origin: "intermediate PEM text".to_owned(),
            })?;
            self.intermediates.push(CertificateDer::from(der));
        }
        Ok(self)
    }

    /// Adds every intermediate CA certificate found in a folder, as [`Self::from_dir`] reads.
    pub fn with_intermediates_dir(mut self, dir: &Path) -> Result<Self, AnchorError> {
        for path in pem_files(dir)? {
            self = self.with_intermediates_pem(&read(&path)?)?;
        }
        Ok(self)
    }

    /// The number of trust anchors.
    pub fn len(&self) -> usize {
        self.trust.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trust.is_empty()
    }

    pub(crate) fn trust_anchors(&self) -> &[TrustAnchor<'static>] {
        &self.trust
    }

    pub(crate) fn intermediates(&self) -> &[CertificateDer<'static>] {
        &self.intermediates
    }

    /// The root certificate behind `anchor`, one of `trust_anchors()`.
    pub(crate) fn root_of(&self, anchor: &TrustAnchor<'_>) -> Option<&Certificate> {
        let index = self.trust.iter().position(|candidate| {
            candidate.subject == anchor.subject
                && candidate.subject_public_key_info == anchor.subject_public_key_info
        })?;
        self.roots.get(index)
    }

    fn add_roots(&mut self, pem: &[u8], origin: &str) -> Result<(), AnchorError> {
        for cert in load_pem(pem, origin)? {
            let not_an_anchor = |detail: String| AnchorError::NotAnAnchor {
                origin: origin.to_owned(),
                subject: cert.tbs_certificate.subject.to_string(),
                detail,
            };
            // A folder holding an end-entity certificate by mistake must not make it a root.
            let is_ca = matches!(
                cert.tbs_certificate.get::<BasicConstraints>(),
                Ok(Some((_, constraints))) if constraints.ca
            );
            if !is_ca {
                return Err(not_an_anchor("not a CA certificate".to_owned()));
            }
            let der =
                CertificateDer::from(cert.to_der().map_err(|e| not_an_anchor(e.to_string()))?);
            let anchor = webpki::anchor_from_trusted_cert(&der)
                .map_err(|e| not_an_anchor(format!("{e:?}")))?
                .to_owned();
            self.trust.push(anchor);
            self.roots.push(cert);
        }
        Ok(())
    }

    fn non_empty(self) -> Result<Self, AnchorError> {
        if self.trust.is_empty() {
            return Err(AnchorError::Empty);
        }
        Ok(self)
    }
}

fn load_pem(pem: &[u8], origin: &str) -> Result<Vec<Certificate>, AnchorError> {
    let certs = Certificate::load_pem_chain(pem).map_err(|_| AnchorError::Pem {
        origin: origin.to_owned(),
    })?;
    if certs.is_empty() {
        return Err(AnchorError::Pem {
            origin: origin.to_owned(),
        });
    }
    Ok(certs)
}

fn pem_files(dir: &Path) -> Result<Vec<PathBuf>, AnchorError> {
    let io = |source| AnchorError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "pem" | "crt" | "cer"));
        if wanted && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

fn read(path: &Path) -> Result<Vec<u8>, AnchorError> {
    std::fs::read(path).map_err(|source| AnchorError::Io {
        path: path.to_owned(),
        source,
    })
}
