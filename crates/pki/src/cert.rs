//! Reading one X.509 certificate with `x509-cert`: decoding, its times as `OffsetDateTime`, its
//! extensions, the revocation URLs it names and the digests that identify its key.

use aws_lc_rs::digest;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

use crate::Refusal;
use crate::oid;

/// Decodes a DER certificate; `part` names it in the refusal ("certificate", "intermediate").
pub(crate) fn decode(der: &[u8], part: &'static str) -> Result<Certificate, Refusal> {
    Certificate::from_der(der).map_err(|_| Refusal::Malformed { part })
}

/// A time of X.509 or OCSP as seconds since the epoch, or `None` outside `OffsetDateTime`.
pub(crate) fn datetime(since_epoch: std::time::Duration) -> Option<OffsetDateTime> {
    let seconds = i64::try_from(since_epoch.as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

pub(crate) fn not_before(cert: &Certificate) -> Option<OffsetDateTime> {
    datetime(cert.tbs_certificate.validity.not_before.to_unix_duration())
}

pub(crate) fn not_after(cert: &Certificate) -> Option<OffsetDateTime> {
    datetime(cert.tbs_certificate.validity.not_after.to_unix_duration())
}

/// Whether `at` falls within the certificate's validity period.
pub(crate) fn valid_at(cert: &Certificate, at: OffsetDateTime) -> bool {
    matches!((not_before(cert), not_after(cert)), (Some(from), Some(to)) if from <= at && at <= to)
}

/// The extension of type `T`, `None` when absent; a malformed or repeated one is a refusal.
pub(crate) fn extension<'a, T>(cert: &'a Certificate) -> Result<Option<T>, Refusal>
where
    T: Decode<'a> + der::oid::AssociatedOid,
{
    cert.tbs_certificate
        .get::<T>()
        .map(|found| found.map(|(_critical, value)| value))
        .map_err(|_| Refusal::Malformed {
            part: "certificate extension",
        })
}

/// The OCSP responder URLs of the authority information access extension (HTTP only).
pub(crate) fn ocsp_urls(cert: &Certificate) -> Result<Vec<String>, Refusal> {
    let Some(access) = extension::<AuthorityInfoAccessSyntax>(cert)? else {
        return Ok(Vec::new());
    };
    Ok(access
        .0
        .iter()
        .filter(|description| description.access_method == oid::AD_OCSP)
        .filter_map(|description| http_url(&description.access_location))
        .collect())
}

/// The URLs of the CRL distribution points (HTTP only; LDAP is not fetched).
pub(crate) fn crl_urls(cert: &Certificate) -> Result<Vec<String>, Refusal> {
    let Some(points) = extension::<CrlDistributionPoints>(cert)? else {
        return Ok(Vec::new());
    };
    Ok(points
        .0
        .iter()
        .filter_map(|point| match &point.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(http_url)
        .collect())
}

fn http_url(name: &GeneralName) -> Option<String> {
    match name {
        GeneralName::UniformResourceIdentifier(uri) => {
            let uri = uri.as_str();
            let lower = uri.to_ascii_lowercase();
            (lower.starts_with("http://") || lower.starts_with("https://")).then(|| uri.to_owned())
        }
        _ => None,
    }
}

/// SHA-1 of the public key bits: the OCSP CertID's issuerKeyHash and a byKey ResponderID.
pub(crate) fn key_sha1(cert: &Certificate) -> Vec<u8> {
    let key = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, key)
        .as_ref()
        .to_vec()
}

/// SHA-256 of the whole SubjectPublicKeyInfo: the key an account binds to.
pub(crate) fn spki_sha256(cert: &Certificate) -> Result<[u8; 32], Refusal> {
    let malformed = |_| Refusal::Malformed { part: "public key" };
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(malformed)?;
    <[u8; 32]>::try_from(digest::digest(&digest::SHA256, &spki).as_ref())
        .map_err(|_| Refusal::Malformed { part: "public key" })
}

/// The serial number as uppercase hex of its magnitude (sign-padding zeros dropped), the way
/// `openssl` and CA portals print it.
pub(crate) fn serial_hex(cert: &Certificate) -> String {
    let bytes = cert.tbs_certificate.serial_number.as_bytes();
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
