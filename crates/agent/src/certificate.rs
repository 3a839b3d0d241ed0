//! What the agent reads from a certificate: the names and expiry the person chooses by, and the
//! key kind that decides the signing algorithm.

use aws_lc_rs::digest::{SHA256, digest};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::der::asn1::{
    BmpString, Ia5StringRef, ObjectIdentifier, PrintableStringRef, TeletexStringRef, Utf8StringRef,
};
use x509_cert::der::{Any, Decode, Encode, Tag, Tagged};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// The kinds of key the agent can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    EcP256,
    Rsa,
}

/// A certificate as the person sees it, with its DER.
#[derive(Clone, Debug)]
pub struct CertificateInfo {
    pub der: Vec<u8>,
    /// The subject's common name, or the whole subject when it has none.
    pub subject_name: String,
    /// The subject as an RFC 4514 string (shows `UID=CCCD:…` or `UID=MST:…`).
    pub subject: String,
    /// The issuer's common name, or the whole issuer when it has none.
    pub issuer_name: String,
    pub not_after: OffsetDateTime,
    /// `None` for keys the agent cannot sign with (still listed, so the person sees why).
    pub key: Option<KeyKind>,
    pub is_ca: bool,
    /// Hex SHA-256 of the DER: how the confirm page names the chosen certificate.
    pub fingerprint: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the certificate cannot be read: {0}")]
pub struct CertificateError(String);

impl CertificateInfo {
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let cert = Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        let not_after = i64::try_from(tbs.validity.not_after.to_unix_duration().as_secs())
            .ok()
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .ok_or_else(|| CertificateError("expiry out of range".into()))?;
        let is_ca = tbs
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == BASIC_CONSTRAINTS)
            .filter_map(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
            .any(|bc| bc.ca);
        Ok(Self {
            der: der.to_vec(),
            subject_name: common_name(&tbs.subject).unwrap_or_else(|| tbs.subject.to_string()),
            subject: tbs.subject.to_string(),
            issuer_name: common_name(&tbs.issuer).unwrap_or_else(|| tbs.issuer.to_string()),
            not_after,
            key: key_kind(&cert),
            is_ca,
            fingerprint: hex(digest(&SHA256, der).as_ref()),
        })
    }
}

/// The DER fields PKCS#11 stores beside a certificate (CKA_SUBJECT, CKA_ISSUER,
/// CKA_SERIAL_NUMBER), which other software on the token uses to find it, and the public key.
pub struct CertificateFields {
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    pub serial: Vec<u8>,
    /// The subjectPublicKey bits: an EC point or a PKCS#1 RSAPublicKey.
    pub public_key: Vec<u8>,
}

impl CertificateFields {
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let cert = Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        let encode = |r: Result<Vec<u8>, x509_cert::der::Error>| {
            r.map_err(|e| CertificateError(e.to_string()))
        };
        Ok(Self {
            subject: encode(tbs.subject.to_der())?,
            issuer: encode(tbs.issuer.to_der())?,
            serial: encode(tbs.serial_number.to_der())?,
            public_key: tbs
                .subject_public_key_info
                .subject_public_key
                .raw_bytes()
                .to_vec(),
        })
    }
}

fn key_kind(cert: &Certificate) -> Option<KeyKind> {
    let algorithm = &cert.tbs_certificate.subject_public_key_info.algorithm;
    if algorithm.oid == RSA_ENCRYPTION {
        return Some(KeyKind::Rsa);
    }
    let curve = algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    (algorithm.oid == EC_PUBLIC_KEY && curve == Some(PRIME256V1)).then_some(KeyKind::EcP256)
}

fn common_name(name: &Name) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == COMMON_NAME)
        .find_map(|atv| text(&atv.value))
}

/// The text of a directory string in any of the encodings CAs use.
fn text(value: &Any) -> Option<String> {
    match value.tag() {
        Tag::Utf8String => value
            .decode_as::<Utf8StringRef<'_>>()
            .ok()
            .map(|s| s.to_string()),
        Tag::PrintableString => value
            .decode_as::<PrintableStringRef<'_>>()
            .ok()
            .map(|s| s.to_string()),
        Tag::Ia5String => value
            .decode_as::<Ia5StringRef<'_>>()
            .ok()
            .map(|s| s.to_string()),
        Tag::TeletexString => value
            .decode_as::<TeletexStringRef<'_>>()
            .ok()
            .map(|s| s.to_string()),
        Tag::BmpString => value.decode_as::<BmpString>().ok().map(|s| s.to_string()),
        _ => None,
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
