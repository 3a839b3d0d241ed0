//! Certificates for sign-in: X.509 path validation to configured trust anchors, key usage and
//! policies per sign-in method, revocation by OCSP with a CRL fallback (fail closed), the
//! identity in Vietnamese certificate subjects, and the Web eID authentication token.
//!
//! ```text
//! TrustAnchors::from_dir(path)? / from_pem(bytes)? [.with_intermediates_pem(bytes)?]
//! Validator::new(anchors, Arc<dyn RevocationFetcher>, Arc<dyn Randomness>, RevocationConfig)
//! validator.validate(der, presented_intermediates, &UsagePolicy, at).await
//!     -> Result<ValidCertificate, Refusal>
//! web_eid::verify(token_json, origin, nonce, &validator, at, &UsagePolicy).await
//!     -> Result<ValidCertificate, Refusal>
//! signed_hash::verify(SignedHash { hash, signature, certificate, chain }, &validator, at, &UsagePolicy).await
//!     -> Result<ValidCertificate, Refusal>
//! ```
//!
//! Nothing here reads the clock or does HTTP: the time is an argument, and OCSP responses and
//! CRLs come through a [`RevocationFetcher`]. A [`Refusal`] is an outcome to show, with a
//! stable code and messages in Vietnamese and English; only loading anchors has an error.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod anchors;
mod cache;
mod cert;
mod crl;
mod identity;
mod ocsp;
mod oid;
mod path;
mod refusal;
mod revocation;
mod signature;
pub mod signed_hash;
mod usage;
mod validator;
pub mod web_eid;

pub use anchors::{AnchorError, TrustAnchors};
pub use der::asn1::ObjectIdentifier;
pub use identity::CertIdentity;
pub use refusal::{
    IdentityProblem, KeyUsageProblem, PolicyProblem, Refusal, RevocationReason, TokenProblem,
    UnavailableReason,
};
pub use revocation::{CheckedBy, FetchError, RevocationConfig, RevocationFetcher};
pub use usage::UsagePolicy;
pub use validator::{ValidCertificate, Validator};
