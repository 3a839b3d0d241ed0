//! A small PKI made with rcgen for the tests: root → issuing CA → end entities, a delegated
//! OCSP responder, another CA, OCSP responses built with x509-ocsp's types and signed here,
//! CRLs, and a fetcher that answers from the test's script.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use der::asn1::{BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use pki::{FetchError, RevocationConfig, RevocationFetcher, TrustAnchors, Validator};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CustomExtension, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::AsExtension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, CertificatePolicies};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::ext::Nonce;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    ResponderId, ResponseData, RevokedInfo, SingleResponse, Version,
};

/// The time every test runs at, unless it moves.
pub const NOW: OffsetDateTime = datetime!(2026-05-01 10:00 UTC);
pub const OCSP_URL: &str = "http://ocsp.ca.test/";
pub const CRL_URL: &str = "http://crl.ca.test/ca.crl";
/// A valid personal ID number: Hà Nội (001), a man born in 1999.
pub const CCCD: &str = "001099012345";
/// A valid tax code (check digit 6).
pub const MST: &str = "0100109106";
/// SIM-PKI certificates' policy in these tests; the USB method refuses it.
pub const SIM_POLICY: &str = "1.3.6.1.4.1.99999.1.2";
pub const TOKEN_POLICY: &str = "1.3.6.1.4.1.99999.1.1";

const UID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A certificate with its key, and what rcgen needs to issue under it.
pub struct Authority {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub der: Vec<u8>,
}

impl Authority {
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    pub fn cert(&self) -> Certificate {
        Certificate::from_der(&self.der).unwrap()
    }

    pub fn pem(&self) -> String {
        pem_of(&self.der)
    }
}

pub fn pem_of(der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn ca_params(
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "VN");
    params
        .distinguished_name
        .push(DnType::OrganizationName, name);
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = not_before;
    params.not_after = not_after;
    params.key_identifier_method = KeyIdMethod::Sha256;
    params
}

pub fn root(name: &str) -> Authority {
    let key = KeyPair::generate().unwrap();
    let params = ca_params(
        name,
        datetime!(2020-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    );
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Authority { params, key, der }
}

pub fn intermediate(name: &str, parent: &Authority) -> Authority {
    let key = KeyPair::generate().unwrap();
    let params = ca_params(
        name,
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2035-01-01 0:00 UTC),
    );
    let der = params
        .signed_by(&key, &parent.issuer())
        .unwrap()
        .der()
        .to_vec();
    Authority { params, key, der }
}

/// What an end-entity certificate says; `Default` is a good personal certificate.
#[derive(Clone)]
pub struct Leaf {
    pub subject: Vec<(DnType, String)>,
    pub key_usages: Vec<KeyUsagePurpose>,
    pub extended: Vec<ExtendedKeyUsagePurpose>,
    pub policies: Vec<&'static str>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub ocsp: Option<&'static str>,
    pub crl: Option<&'static str>,
    pub serial: u64,
}

impl Default for Leaf {
    fn default() -> Self {
        Self {
            subject: vec![
                (DnType::CountryName, "VN".to_owned()),
                (DnType::CommonName, "Nguyễn Văn An".to_owned()),
                (DnType::CustomDnType(UID.to_vec()), format!("CCCD:{CCCD}")),
            ],
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
            extended: vec![ExtendedKeyUsagePurpose::ClientAuth],
            policies: vec![TOKEN_POLICY],
            not_before: datetime!(2026-01-01 0:00 UTC),
            not_after: datetime!(2027-01-01 0:00 UTC),
            ocsp: Some(OCSP_URL),
            crl: Some(CRL_URL),
            serial: 0x1001,
        }
    }
}

impl Leaf {
    pub fn organisation(tax_code: &str, name: &str) -> Self {
        Self {
            subject: vec![
                (DnType::CountryName, "VN".to_owned()),
                (DnType::OrganizationName, name.to_owned()),
                (DnType::CommonName, name.to_owned()),
                (
                    DnType::CustomDnType(UID.to_vec()),
                    format!("MST:{tax_code}"),
                ),
            ],
            ..Self::default()
        }
    }

    pub fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        for (kind, value) in &self.subject {
            params
                .distinguished_name
                .push(kind.clone(), DnValue::Utf8String(value.clone()));
        }
        params.key_usages = self.key_usages.clone();
        params.extended_key_usages = self.extended.clone();
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.serial_number = Some(SerialNumber::from(self.serial));
        params.use_authority_key_identifier_extension = true;
        if let Some(url) = self.crl {
            params.crl_distribution_points = vec![CrlDistributionPoint {
                uris: vec![url.to_owned()],
            }];
        }
        if let Some(url) = self.ocsp {
            let access = AuthorityInfoAccessSyntax(vec![AccessDescription {
                access_method: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1"),
                access_location: GeneralName::UniformResourceIdentifier(
                    Ia5String::new(url).unwrap(),
                ),
            }]);
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                    access.to_der().unwrap(),
                ));
        }
        if !self.policies.is_empty() {
            let policies = CertificatePolicies(
                self.policies
                    .iter()
                    .map(|oid| PolicyInformation {
                        policy_identifier: ObjectIdentifier::new(oid).unwrap(),
                        policy_qualifiers: None,
                    })
                    .collect(),
            );
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    &[2, 5, 29, 32],
                    policies.to_der().unwrap(),
                ));
        }
        params
    }

    /// Issues the certificate under `ca` with a fresh key; returns its DER and key.
    pub fn issue(&self, ca: &Authority) -> (Vec<u8>, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let der = self
            .params()
            .signed_by(&key, &ca.issuer())
            .unwrap()
            .der()
            .to_vec();
        (der, key)
    }
}

/// An OCSP responder certificate delegated by `ca`, with or without id-kp-OCSPSigning.
pub fn responder(ca: &Authority, ocsp_signing: bool) -> Authority {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "OCSP responder");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if ocsp_signing {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    }
    params.not_before = datetime!(2026-01-01 0:00 UTC);
    params.not_after = datetime!(2027-01-01 0:00 UTC);
    let der = params.signed_by(&key, &ca.issuer()).unwrap().der().to_vec();
    Authority { params, key, der }
}

/// The world of most tests: root → "VN Test CA" → leaves; another root and CA that must not
/// be believed; a delegated responder with and without the OCSPSigning usage.
pub struct World {
    pub root: Authority,
    pub ca: Authority,
    pub delegated: Authority,
    pub delegated_without_eku: Authority,
    pub other_ca: Authority,
    pub other_delegated: Authority,
}

impl World {
    pub fn new() -> Self {
        let vn_root = root("VN Test Root CA");
        let ca = intermediate("VN Test CA", &vn_root);
        let delegated = responder(&ca, true);
        let delegated_without_eku = responder(&ca, false);
        let other_root = root("Other Root CA");
        let other_ca = intermediate("Other CA", &other_root);
        let other_delegated = responder(&other_ca, true);
        Self {
            root: vn_root,
            ca,
            delegated,
            delegated_without_eku,
            other_ca,
            other_delegated,
        }
    }

    pub fn anchors(&self) -> TrustAnchors {
        TrustAnchors::from_pem(self.root.pem().as_bytes()).unwrap()
    }

    /// A CRL of the issuing CA revoking `revoked` serials (with key compromise on NOW - 1 day).
    pub fn crl(
        &self,
        revoked: &[u64],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Vec<u8> {
        crl_by(&self.ca, revoked, this_update, next_update)
    }
}

pub fn crl_by(
    ca: &Authority,
    revoked: &[u64],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
) -> Vec<u8> {
    CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|serial| RevokedCertParams {
                serial_number: SerialNumber::from(*serial),
                revocation_time: NOW - Duration::days(1),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&ca.issuer())
    .unwrap()
    .der()
    .to_vec()
}

/// Who signs an OCSP response.
#[derive(Clone, Copy, Debug)]
pub enum Signer {
    Ca,
    CaByKey,
    Delegated,
    DelegatedWithoutEku,
    OtherCa,
    OtherDelegated,
}

/// What the responder answers; `Reply::good()` is a correct, fresh, good answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: CertStatus,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    pub nonce: NonceReply,
    pub signer: Signer,
    pub other_serial: bool,
    pub tamper: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum NonceReply {
    Echo,
    Omit,
    Wrong,
}

impl Reply {
    pub fn good() -> Self {
        Self {
            status: CertStatus::good(),
            this_update: NOW,
            next_update: Some(NOW + Duration::minutes(10)),
            nonce: NonceReply::Echo,
            signer: Signer::Ca,
            other_serial: false,
            tamper: false,
        }
    }

    pub fn revoked(on: OffsetDateTime, reason: Option<x509_cert::ext::pkix::CrlReason>) -> Self {
        Self {
            status: CertStatus::Revoked(RevokedInfo {
                revocation_time: ocsp_time(on),
                revocation_reason: reason,
            }),
            ..Self::good()
        }
    }

    /// The DER OCSPResponse answering `request`.
    pub fn answer(&self, world: &World, request: &OcspRequest) -> Vec<u8> {
        let asked = request.tbs_request.request_list.first().unwrap();
        let mut cert_id: CertId = asked.req_cert.clone();
        if self.other_serial {
            cert_id.serial_number =
                x509_cert::serial_number::SerialNumber::new(&[0x7f, 0x7f]).unwrap();
        }
        let extensions = match self.nonce {
            NonceReply::Echo => request
                .nonce()
                .map(|n| vec![n.to_extension(&Default::default(), &[]).unwrap()]),
            NonceReply::Omit => None,
            NonceReply::Wrong => Some(vec![
                Nonce::new(vec![9u8; 32])
                    .unwrap()
                    .to_extension(&Default::default(), &[])
                    .unwrap(),
            ]),
        };
        let (authority, by_key, certs) = match self.signer {
            Signer::Ca => (&world.ca, false, None),
            Signer::CaByKey => (&world.ca, true, None),
            Signer::Delegated => (&world.delegated, false, Some(vec![world.delegated.cert()])),
            Signer::DelegatedWithoutEku => (
                &world.delegated_without_eku,
                false,
                Some(vec![world.delegated_without_eku.cert()]),
            ),
            Signer::OtherCa => (&world.other_ca, false, None),
            Signer::OtherDelegated => (
                &world.other_delegated,
                false,
                Some(vec![world.other_delegated.cert()]),
            ),
        };
        let signer_cert = authority.cert();
        let responder_id = if by_key {
            let key = signer_cert
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes();
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, key);
            ResponderId::ByKey(OctetString::new(hash.as_ref()).unwrap())
        } else {
            ResponderId::ByName(signer_cert.tbs_certificate.subject.clone())
        };
        let data = ResponseData {
            version: Version::V1,
            responder_id,
            produced_at: ocsp_time(self.this_update),
            responses: vec![SingleResponse {
                cert_id,
                cert_status: self.status,
                this_update: ocsp_time(self.this_update),
                next_update: self.next_update.map(ocsp_time),
                single_extensions: None,
            }],
            response_extensions: extensions,
        };
        let mut signature =
            rcgen::SigningKey::sign(&authority.key, &data.to_der().unwrap()).unwrap();
        if self.tamper {
            *signature.last_mut().unwrap() ^= 1;
        }
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
            signature: BitString::from_bytes(&signature).unwrap(),
            certs,
        };
        OcspResponse::successful(basic).unwrap().to_der().unwrap()
    }
}

pub fn ocsp_time(at: OffsetDateTime) -> OcspGeneralizedTime {
    let since = std::time::Duration::from_secs(at.unix_timestamp() as u64);
    OcspGeneralizedTime(GeneralizedTime::from_unix_duration(since).unwrap())
}

type OcspScript = Box<dyn Fn(&OcspRequest) -> Result<Vec<u8>, FetchError> + Send + Sync>;

/// A fetcher answering from the test's script, counting what it was asked.
pub struct ScriptedFetcher {
    ocsp: Mutex<OcspScript>,
    crl: Mutex<Result<Vec<u8>, FetchError>>,
    pub ocsp_calls: AtomicUsize,
    pub crl_calls: AtomicUsize,
    pub last_request: Mutex<Option<Vec<u8>>>,
}

impl ScriptedFetcher {
    pub fn new() -> Self {
        Self {
            ocsp: Mutex::new(Box::new(|_| Err(FetchError::Timeout))),
            crl: Mutex::new(Err(FetchError::Timeout)),
            ocsp_calls: AtomicUsize::new(0),
            crl_calls: AtomicUsize::new(0),
            last_request: Mutex::new(None),
        }
    }

    pub fn answer_ocsp(&self, script: OcspScript) {
        *self.ocsp.lock().unwrap() = script;
    }

    pub fn answer_crl(&self, answer: Result<Vec<u8>, FetchError>) {
        *self.crl.lock().unwrap() = answer;
    }

    pub fn ocsp_calls(&self) -> usize {
        self.ocsp_calls.load(Ordering::SeqCst)
    }

    pub fn crl_calls(&self) -> usize {
        self.crl_calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl RevocationFetcher for ScriptedFetcher {
    async fn ocsp(&self, url: &str, request_der: Vec<u8>) -> Result<Vec<u8>, FetchError> {
        assert_eq!(url, OCSP_URL);
        self.ocsp_calls.fetch_add(1, Ordering::SeqCst);
        *self.last_request.lock().unwrap() = Some(request_der.clone());
        let request = OcspRequest::from_der(&request_der).expect("a DER OCSPRequest");
        (self.ocsp.lock().unwrap())(&request)
    }

    async fn crl(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        assert_eq!(url, CRL_URL);
        self.crl_calls.fetch_add(1, Ordering::SeqCst);
        self.crl.lock().unwrap().clone()
    }
}

/// A validator over `world`'s root with `fetcher`, seeded randomness and `config`.
pub fn validator(
    world: &World,
    fetcher: Arc<ScriptedFetcher>,
    config: RevocationConfig,
) -> Validator {
    Validator::new(
        world.anchors(),
        fetcher,
        Arc::new(domain::random::SeededRandomness::new(7)),
        config,
    )
}

/// A fetcher whose OCSP answers are `reply` made by `world`.
pub fn replying(world: &Arc<World>, reply: Reply) -> Arc<ScriptedFetcher> {
    let fetcher = Arc::new(ScriptedFetcher::new());
    let world = Arc::clone(world);
    fetcher.answer_ocsp(Box::new(move |request| Ok(reply.answer(&world, request))));
    fetcher
}
