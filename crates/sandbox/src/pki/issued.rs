//! The end-entity certificates the sandbox CAs issue, one per [`CertificateRole`]: good
//! personal and organisation certificates (in every subject form the portal must read), and
//! one of each kind the portal must refuse.

use der::Encode;
use der::asn1::{Ia5String, ObjectIdentifier};
use domain::{PersonalId, TaxCode};
use rcgen::{
    CertificateParams, CrlDistributionPoint, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, KeyIdMethod, KeyUsagePurpose,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use url::Url;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, CertificatePolicies};

use super::authorities::{Authorities, CaId};
use super::{PkiError, Revocation, RevocationReason, keys, urls};
use crate::businesses::{BusinessRole, SyntheticBusinesses};
use crate::people::SyntheticPeople;

/// Why a certificate exists. Each is issued to a fixed synthetic person or business, so the
/// same seed always gives the same holders, serial numbers and keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateRole {
    /// A good personal certificate (VNPT), `UID=CCCD:…`.
    Citizen,
    /// A second good certificate of the same person (Viettel): a token holding two.
    CitizenSecond,
    /// A good personal certificate with the 12-digit CMND form, `UID=CMND:…`.
    CitizenCmnd12,
    /// A good personal certificate with a bare number, `UID=…`.
    CitizenBareNumber,
    /// A good personal certificate of the old 9-digit identity card, `UID=CMND:…`.
    CitizenLegacyCmnd,
    CitizenExpired,
    /// Revoked ten days before the sandbox started, for key compromise.
    CitizenRevoked,
    /// Valid only from thirty days after the sandbox started.
    CitizenNotYetValid,
    /// Issued by a CA under a root that is not a trust anchor.
    CitizenUntrusted,
    /// keyUsage keyEncipherment only: the key may not sign.
    CitizenWrongKeyUsage,
    /// A good organisation certificate (VNPT), `UID=MST:…`.
    Business,
    /// A good organisation certificate of a branch (Viettel), `UID=MST:…-001`.
    BusinessBranch,
    /// Revoked for cessation of operation (the business was dissolved).
    BusinessRevoked,
    BusinessExpired,
    /// A good personal certificate on a PKI SIM (Sim ký số), signed through the carrier's
    /// mobile signature service.
    SimCitizen,
    /// A PKI SIM whose certificate was revoked (the SIM was reported lost).
    SimCitizenRevoked,
    /// A good organisation certificate on its legal representative's PKI SIM.
    SimBusiness,
    /// A good personal certificate held by the remote signing service (VNPT SmartCA).
    RemoteCitizen,
    /// A remote signing certificate that was revoked.
    RemoteCitizenRevoked,
    /// A good personal certificate on the PKI SIM of the demo's operator, who signs in to the
    /// operator console with it (kept apart from the SIM people register with).
    SimOperator,
}

/// Where a certificate's private key lives, and so how its holder signs with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyHolder {
    /// A USB token, through the local signing agent.
    Token,
    /// A PKI SIM, through the carrier's mobile signature service (ETSI TS 102 204).
    Sim,
    /// A remote signing service (SmartCA): the person approves in its app.
    Remote,
}

/// What the portal should conclude about a certificate when the sandbox starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Good,
    Expired,
    Revoked,
    NotYetValid,
    Untrusted,
    WrongKeyUsage,
}

/// The form of the identifier in a personal certificate's UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UidForm {
    Cccd,
    Cmnd12,
    Bare,
    /// The old card's 9 digits; the sandbox takes the last 9 of the personal ID.
    LegacyCmnd,
}

/// Who a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HolderSource {
    /// The synthetic person at this index.
    Person(usize, UidForm),
    Business(BusinessRole),
}

/// The first person who holds a certificate: past the demo identities and their neighbours.
const FIRST_HOLDER: usize = 10;

impl CertificateRole {
    pub const ALL: [CertificateRole; 20] = [
        CertificateRole::Citizen,
        CertificateRole::CitizenSecond,
        CertificateRole::CitizenCmnd12,
        CertificateRole::CitizenBareNumber,
        CertificateRole::CitizenLegacyCmnd,
        CertificateRole::CitizenExpired,
        CertificateRole::CitizenRevoked,
        CertificateRole::CitizenNotYetValid,
        CertificateRole::CitizenUntrusted,
        CertificateRole::CitizenWrongKeyUsage,
        CertificateRole::Business,
        CertificateRole::BusinessBranch,
        CertificateRole::BusinessRevoked,
        CertificateRole::BusinessExpired,
        CertificateRole::SimCitizen,
        CertificateRole::SimCitizenRevoked,
        CertificateRole::SimBusiness,
        CertificateRole::RemoteCitizen,
        CertificateRole::RemoteCitizenRevoked,
        CertificateRole::SimOperator,
    ];

    /// The stable name in URLs and files (`citizen_second`).
    pub fn id(self) -> &'static str {
        match self {
            CertificateRole::Citizen => "citizen",
            CertificateRole::CitizenSecond => "citizen_second",
            CertificateRole::CitizenCmnd12 => "citizen_cmnd12",
            CertificateRole::CitizenBareNumber => "citizen_bare_number",
            CertificateRole::CitizenLegacyCmnd => "citizen_legacy_cmnd",
            CertificateRole::CitizenExpired => "citizen_expired",
            CertificateRole::CitizenRevoked => "citizen_revoked",
            CertificateRole::CitizenNotYetValid => "citizen_not_yet_valid",
            CertificateRole::CitizenUntrusted => "citizen_untrusted",
            CertificateRole::CitizenWrongKeyUsage => "citizen_wrong_key_usage",
            CertificateRole::Business => "business",
            CertificateRole::BusinessBranch => "business_branch",
            CertificateRole::BusinessRevoked => "business_revoked",
            CertificateRole::BusinessExpired => "business_expired",
            CertificateRole::SimCitizen => "sim_citizen",
            CertificateRole::SimCitizenRevoked => "sim_citizen_revoked",
            CertificateRole::SimBusiness => "sim_business",
            CertificateRole::RemoteCitizen => "remote_citizen",
            CertificateRole::RemoteCitizenRevoked => "remote_citizen_revoked",
            CertificateRole::SimOperator => "sim_operator",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.id() == id)
    }

    pub fn ca(self) -> CaId {
        match self {
            CertificateRole::CitizenSecond
            | CertificateRole::CitizenCmnd12
            | CertificateRole::CitizenNotYetValid
            | CertificateRole::BusinessBranch
            | CertificateRole::BusinessRevoked
            | CertificateRole::SimCitizen
            | CertificateRole::SimCitizenRevoked
            | CertificateRole::SimBusiness
            | CertificateRole::SimOperator => CaId::Viettel,
            CertificateRole::CitizenUntrusted => CaId::Untrusted,
            _ => CaId::Vnpt,
        }
    }

    pub fn status(self) -> CertificateStatus {
        match self {
            CertificateRole::CitizenExpired | CertificateRole::BusinessExpired => {
                CertificateStatus::Expired
            }
            CertificateRole::CitizenRevoked
            | CertificateRole::BusinessRevoked
            | CertificateRole::SimCitizenRevoked
            | CertificateRole::RemoteCitizenRevoked => CertificateStatus::Revoked,
            CertificateRole::CitizenNotYetValid => CertificateStatus::NotYetValid,
            CertificateRole::CitizenUntrusted => CertificateStatus::Untrusted,
            CertificateRole::CitizenWrongKeyUsage => CertificateStatus::WrongKeyUsage,
            _ => CertificateStatus::Good,
        }
    }

    fn holder(self) -> HolderSource {
        let person = |offset: usize, form| HolderSource::Person(FIRST_HOLDER + offset, form);
        match self {
            CertificateRole::Citizen | CertificateRole::CitizenSecond => person(0, UidForm::Cccd),
            CertificateRole::CitizenCmnd12 => person(1, UidForm::Cmnd12),
            CertificateRole::CitizenBareNumber => person(2, UidForm::Bare),
            CertificateRole::CitizenLegacyCmnd => person(3, UidForm::LegacyCmnd),
            CertificateRole::CitizenExpired => person(4, UidForm::Cccd),
            CertificateRole::CitizenRevoked => person(5, UidForm::Cccd),
            CertificateRole::CitizenNotYetValid => person(6, UidForm::Cccd),
            CertificateRole::CitizenUntrusted => person(7, UidForm::Cccd),
            CertificateRole::CitizenWrongKeyUsage => person(8, UidForm::Cccd),
            CertificateRole::Business => HolderSource::Business(BusinessRole::Company),
            CertificateRole::BusinessBranch => HolderSource::Business(BusinessRole::Branch),
            CertificateRole::BusinessRevoked => HolderSource::Business(BusinessRole::Dissolved),
            CertificateRole::BusinessExpired => HolderSource::Business(BusinessRole::Other),
            CertificateRole::SimCitizen => person(9, UidForm::Cccd),
            CertificateRole::SimCitizenRevoked => person(10, UidForm::Cccd),
            CertificateRole::SimBusiness => HolderSource::Business(BusinessRole::Company),
            CertificateRole::RemoteCitizen => person(11, UidForm::Cccd),
            CertificateRole::RemoteCitizenRevoked => person(12, UidForm::Cccd),
            CertificateRole::SimOperator => person(13, UidForm::Cccd),
        }
    }

    /// Where the certificate's key is and how its holder signs.
    pub fn key_holder(self) -> KeyHolder {
        match self {
            CertificateRole::SimCitizen
            | CertificateRole::SimCitizenRevoked
            | CertificateRole::SimBusiness
            | CertificateRole::SimOperator => KeyHolder::Sim,
            CertificateRole::RemoteCitizen | CertificateRole::RemoteCitizenRevoked => {
                KeyHolder::Remote
            }
            _ => KeyHolder::Token,
        }
    }

    fn revocation(self, epoch: OffsetDateTime) -> Option<Revocation> {
        let at = epoch - Duration::days(10) + Duration::hours(9);
        match self {
            CertificateRole::CitizenRevoked
            | CertificateRole::SimCitizenRevoked
            | CertificateRole::RemoteCitizenRevoked => Some(Revocation {
                at,
                reason: RevocationReason::KeyCompromise,
            }),
            CertificateRole::BusinessRevoked => Some(Revocation {
                at,
                reason: RevocationReason::CessationOfOperation,
            }),
            _ => None,
        }
    }

    pub fn description_vi(self) -> &'static str {
        match self.status() {
            CertificateStatus::Good => "Hợp lệ",
            CertificateStatus::Expired => "Đã hết hạn",
            CertificateStatus::Revoked => "Đã bị thu hồi",
            CertificateStatus::NotYetValid => "Chưa có hiệu lực",
            CertificateStatus::Untrusted => "Do tổ chức không được tin cậy cấp",
            CertificateStatus::WrongKeyUsage => "Khóa không dùng để ký",
        }
    }

    pub fn description_en(self) -> &'static str {
        match self.status() {
            CertificateStatus::Good => "Good",
            CertificateStatus::Expired => "Expired",
            CertificateStatus::Revoked => "Revoked",
            CertificateStatus::NotYetValid => "Not yet valid",
            CertificateStatus::Untrusted => "Issued by an untrusted CA",
            CertificateStatus::WrongKeyUsage => "Key may not sign (key usage)",
        }
    }
}

/// Who holds a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Holder {
    Citizen {
        personal_id: PersonalId,
        full_name: String,
    },
    Organisation {
        tax_code: TaxCode,
        name: String,
    },
}

/// A certificate the sandbox issued, with its private key (sandbox only).
#[derive(Debug, Clone, Serialize)]
pub struct IssuedCertificate {
    pub role: CertificateRole,
    pub holder: Holder,
    /// The subject's UID as written (`CCCD:…`, `MST:…`, …).
    pub uid: String,
    pub ca: CaId,
    pub status: CertificateStatus,
    /// Uppercase hex, as `pki::ValidCertificate::serial_hex` gives it.
    pub serial_hex: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub revocation: Option<Revocation>,
    #[serde(skip)]
    pub der: Vec<u8>,
    #[serde(skip)]
    pub pem: String,
    /// The private key, PKCS#8 PEM — for loading a SoftHSM token in the demo and tests.
    #[serde(skip)]
    pub key_pkcs8_pem: String,
    #[serde(skip)]
    pub(crate) serial: Vec<u8>,
}

/// Issues one certificate per role whose holder exists (a small population has fewer).
pub(crate) fn issue_all(
    seed: u64,
    authorities: &Authorities,
    people: &SyntheticPeople,
    businesses: &SyntheticBusinesses,
    base: &Url,
    epoch: OffsetDateTime,
) -> Result<Vec<IssuedCertificate>, PkiError> {
    let mut issued = Vec::with_capacity(CertificateRole::ALL.len());
    for role in CertificateRole::ALL {
        let Some((holder, uid)) = holder(role, people, businesses) else {
            continue;
        };
        let Some(ca) = authorities.get(role.ca()) else {
            continue;
        };
        let label = format!("ee/{}", role.id());
        let key = keys::key_pair(seed, &label)?;
        let serial = keys::serial(seed, &label);
        let params = params(role, &holder, &uid, serial.clone(), base, epoch)?;
        let certificate = params.signed_by(&key, &ca.ca.issuer())?;
        issued.push(IssuedCertificate {
            role,
            holder,
            uid,
            ca: role.ca(),
            status: role.status(),
            serial_hex: serial
                .to_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect(),
            not_before: params.not_before,
            not_after: params.not_after,
            revocation: role.revocation(epoch),
            der: certificate.der().to_vec(),
            pem: certificate.pem(),
            key_pkcs8_pem: key.serialize_pem(),
            serial: serial.to_bytes(),
        });
    }
    Ok(issued)
}

fn holder(
    role: CertificateRole,
    people: &SyntheticPeople,
    businesses: &SyntheticBusinesses,
) -> Option<(Holder, String)> {
    match role.holder() {
        HolderSource::Person(index, form) => {
            let person = people.get(index)?;
            let id = person.personal_id.as_str();
            let uid = match form {
                UidForm::Cccd => format!("CCCD:{id}"),
                UidForm::Cmnd12 => format!("CMND:{id}"),
                UidForm::Bare => id.to_owned(),
                UidForm::LegacyCmnd => format!("CMND:{}", id.get(3..)?),
            };
            let holder = Holder::Citizen {
                personal_id: person.personal_id.clone(),
                full_name: person.full_name.clone(),
            };
            Some((holder, uid))
        }
        HolderSource::Business(business_role) => {
            let business = businesses.role(business_role)?;
            let holder = Holder::Organisation {
                tax_code: business.tax_code.clone(),
                name: business.name.clone(),
            };
            Some((holder, format!("MST:{}", business.tax_code.as_str())))
        }
    }
}

/// The validity period of a role's certificate, around `epoch`.
fn validity(role: CertificateRole, epoch: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    match role.status() {
        CertificateStatus::Expired => (epoch - Duration::days(3 * 365), epoch - Duration::days(30)),
        CertificateStatus::NotYetValid => {
            (epoch + Duration::days(30), epoch + Duration::days(3 * 365))
        }
        _ => (epoch - Duration::days(90), epoch + Duration::days(2 * 365)),
    }
}

fn params(
    role: CertificateRole,
    holder: &Holder,
    uid: &str,
    serial: rcgen::SerialNumber,
    base: &Url,
    epoch: OffsetDateTime,
) -> Result<CertificateParams, PkiError> {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "VN");
    match holder {
        Holder::Citizen {
            personal_id,
            full_name,
        } => {
            name.push(DnType::StateOrProvinceName, personal_id.province().name);
            name.push(DnType::CommonName, DnValue::Utf8String(full_name.clone()));
        }
        Holder::Organisation { name: org, .. } => {
            name.push(DnType::OrganizationName, DnValue::Utf8String(org.clone()));
            name.push(DnType::CommonName, DnValue::Utf8String(org.clone()));
        }
    }
    name.push(
        DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 1]),
        DnValue::Utf8String(uid.to_owned()),
    );

    let mut params = CertificateParams::default();
    params.distinguished_name = name;
    params.key_usages = match role.status() {
        CertificateStatus::WrongKeyUsage => vec![KeyUsagePurpose::KeyEncipherment],
        _ => vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ],
    };
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    (params.not_before, params.not_after) = validity(role, epoch);
    params.serial_number = Some(serial);
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method = KeyIdMethod::Sha256;
    params.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![urls::crl(base, role.ca())?.to_string()],
    }];
    let ocsp = AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1"),
        access_location: GeneralName::UniformResourceIdentifier(Ia5String::new(
            urls::ocsp(base, role.ca())?.as_str(),
        )?),
    }]);
    params
        .custom_extensions
        .push(CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 1, 1],
            ocsp.to_der()?,
        ));
    let policies = CertificatePolicies(vec![PolicyInformation {
        policy_identifier: ObjectIdentifier::new(role.ca().policy_oid())
            .map_err(der::Error::from)?,
        policy_qualifiers: None,
    }]);
    params
        .custom_extensions
        .push(CustomExtension::from_oid_content(
            &[2, 5, 29, 32],
            policies.to_der()?,
        ));
    Ok(params)
}
