//! The sandbox's certificate authorities: a root in the style of the Vietnam National Root
//! CA, two issuing CAs in the style of VNPT-CA and Viettel-CA under it, and an issuing CA
//! under a root nobody trusts. Each issuing CA delegates OCSP to a responder certificate
//! (id-kp-OCSPSigning) that it issued.

use der::Decode;
use der::asn1::Null;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;

use super::{PkiError, keys};

/// An issuing certificate authority of the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaId {
    /// In the style of VNPT-CA, under the trusted root.
    Vnpt,
    /// In the style of Viettel-CA, under the trusted root.
    Viettel,
    /// Under a root that is not among the trust anchors: what it issues must be refused.
    Untrusted,
}

impl CaId {
    pub const ALL: [CaId; 3] = [CaId::Vnpt, CaId::Viettel, CaId::Untrusted];

    /// The name in URLs: `/sandbox/pki/ocsp/{slug}`, `/sandbox/pki/crl/{slug}.crl`.
    pub fn slug(self) -> &'static str {
        match self {
            CaId::Vnpt => "vnpt",
            CaId::Viettel => "viettel",
            CaId::Untrusted => "untrusted",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|ca| ca.slug() == slug)
    }

    /// The CA's common name.
    pub fn common_name(self) -> &'static str {
        match self {
            CaId::Vnpt => "VNPT Certification Authority (sandbox)",
            CaId::Viettel => "Viettel-CA (sandbox)",
            CaId::Untrusted => "Unknown CA (sandbox, not trusted)",
        }
    }

    fn organisation(self) -> &'static str {
        match self {
            CaId::Vnpt => "VNPT Group (sandbox)",
            CaId::Viettel => "Viettel Group (sandbox)",
            CaId::Untrusted => "Nobody (sandbox)",
        }
    }

    /// The certificate policy of the CA's USB token certificates, under the arc IANA keeps
    /// for documentation (RFC 5612), so it can never collide with a real CA's.
    pub fn policy_oid(self) -> &'static str {
        match self {
            CaId::Vnpt => "1.3.6.1.4.1.32473.84.1.1",
            CaId::Viettel => "1.3.6.1.4.1.32473.84.2.1",
            CaId::Untrusted => "1.3.6.1.4.1.32473.84.9.1",
        }
    }
}

pub(crate) const TRUSTED_ROOT_NAME: &str = "Vietnam National Root CA (sandbox)";
const UNTRUSTED_ROOT_NAME: &str = "Unknown Root CA (sandbox, not trusted)";

/// A certificate with its key and the parameters rcgen needs to issue under it.
pub(crate) struct Authority {
    params: CertificateParams,
    key: KeyPair,
    pub(crate) pem: String,
    pub(crate) cert: Certificate,
}

impl Authority {
    fn new(
        params: CertificateParams,
        key: KeyPair,
        signer: Option<&Authority>,
    ) -> Result<Self, PkiError> {
        let cert = match signer {
            Some(signer) => params.signed_by(&key, &signer.issuer())?,
            None => params.self_signed(&key)?,
        };
        Ok(Self {
            cert: Certificate::from_der(cert.der())?,
            pem: cert.pem(),
            params,
            key,
        })
    }

    pub(crate) fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    pub(crate) fn key(&self) -> &KeyPair {
        &self.key
    }
}

/// An issuing CA and its delegated OCSP responder.
pub(crate) struct IssuingCa {
    pub(crate) id: CaId,
    pub(crate) ca: Authority,
    pub(crate) responder: Authority,
}

/// Every authority of one sandbox.
pub(crate) struct Authorities {
    pub(crate) root: Authority,
    pub(crate) untrusted_root: Authority,
    pub(crate) issuing: Vec<IssuingCa>,
}

impl Authorities {
    /// The authorities of `seed`, with validity periods around `epoch` (a day's start).
    pub(crate) fn new(seed: u64, epoch: OffsetDateTime) -> Result<Self, PkiError> {
        let years = |n: i64| Duration::days(365 * n);
        let root = root(
            seed,
            TRUSTED_ROOT_NAME,
            "root",
            epoch - years(5),
            epoch + years(20),
        )?;
        let untrusted_root = root_untrusted(seed, epoch - years(5), epoch + years(20))?;
        let mut issuing = Vec::with_capacity(CaId::ALL.len());
        for id in CaId::ALL {
            let parent = match id {
                CaId::Untrusted => &untrusted_root,
                CaId::Vnpt | CaId::Viettel => &root,
            };
            let label = format!("ca/{}", id.slug());
            let mut params = ca_params(
                seed,
                &label,
                &[
                    (DnType::CountryName, "VN"),
                    (DnType::OrganizationName, id.organisation()),
                    (DnType::CommonName, id.common_name()),
                ],
                epoch - years(3),
                epoch + years(10),
            );
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.use_authority_key_identifier_extension = true;
            let ca = Authority::new(params, keys::key_pair(seed, &label)?, Some(parent))?;
            let responder = responder(seed, id, &ca, epoch)?;
            issuing.push(IssuingCa { id, ca, responder });
        }
        Ok(Self {
            root,
            untrusted_root,
            issuing,
        })
    }

    pub(crate) fn get(&self, id: CaId) -> Option<&IssuingCa> {
        self.issuing.iter().find(|ca| ca.id == id)
    }
}

fn distinguished_name(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (kind, value) in parts {
        name.push(kind.clone(), *value);
    }
    name
}

fn ca_params(
    seed: u64,
    label: &str,
    name: &[(DnType, &str)],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(keys::serial(seed, label));
    params.key_identifier_method = KeyIdMethod::Sha256;
    params
}

fn root(
    seed: u64,
    name: &str,
    label: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Authority, PkiError> {
    let params = ca_params(
        seed,
        label,
        &[
            (DnType::CountryName, "VN"),
            (DnType::OrganizationName, "Sandbox"),
            (DnType::CommonName, name),
        ],
        not_before,
        not_after,
    );
    Authority::new(params, keys::key_pair(seed, label)?, None)
}

fn root_untrusted(
    seed: u64,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Authority, PkiError> {
    root(
        seed,
        UNTRUSTED_ROOT_NAME,
        "untrusted-root",
        not_before,
        not_after,
    )
}

/// The delegated OCSP responder of `ca`: id-kp-OCSPSigning, and id-pkix-ocsp-nocheck so that
/// clients do not ask about the responder's own status (RFC 6960 §4.2.2.2.1).
fn responder(
    seed: u64,
    id: CaId,
    ca: &Authority,
    epoch: OffsetDateTime,
) -> Result<Authority, PkiError> {
    let label = format!("ocsp/{}", id.slug());
    let common_name = format!("{} OCSP Responder", id.common_name());
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&[
        (DnType::CountryName, "VN"),
        (DnType::OrganizationName, id.organisation()),
        (DnType::CommonName, &common_name),
    ]);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    params.not_before = epoch - Duration::days(30);
    params.not_after = epoch + Duration::days(365);
    params.serial_number = Some(keys::serial(seed, &label));
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method = KeyIdMethod::Sha256;
    params
        .custom_extensions
        .push(CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 48, 1, 5],
            der::Encode::to_der(&Null)?,
        ));
    Authority::new(params, keys::key_pair(seed, &label)?, Some(ca))
}
