//! Test certificates (rcgen), a software token, a hand-moved clock, and the portal's check of
//! a Web eID token.

use std::sync::Mutex;

use agent::certificate::{CertificateInfo, KeyKind};
use agent::requests::Clock;
use agent::token::{PinTries, Token, TokenCertificate, TokenError};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair,
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cryptoki::types::AuthPin;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, RsaKeySize,
};
use secrecy::ExposeSecret;
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::der::Decode;

/// The UID attribute (0.9.2342.19200300.100.1.1) where Vietnamese CAs put `CCCD:…` or `MST:…`.
const UID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];

pub struct TestCertificate {
    pub name: &'static str,
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    pub key_pem: String,
    pub key_der: Vec<u8>,
}

/// A sandbox CA issuing two personal certificates: an EC P-256 one and an RSA one.
pub fn two_certificates() -> [TestCertificate; 2] {
    let now = OffsetDateTime::now_utc();
    let mut ca = CertificateParams::default();
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name
        .push(DnType::CommonName, "Sandbox Issuing CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = now - Duration::days(1);
    ca.not_after = now + Duration::days(3650);
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let ec_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let rsa_key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
    [
        person(&issuer, ec_key, "NGUYỄN VĂN AN", "CCCD:001099012345", now),
        person(&issuer, rsa_key, "TRẦN THỊ BÌNH", "CCCD:079199000123", now),
    ]
}

fn person(
    issuer: &Issuer<'_, KeyPair>,
    key: KeyPair,
    name: &'static str,
    uid: &str,
    now: OffsetDateTime,
) -> TestCertificate {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::CustomDnType(UID.to_vec()), uid);
    params.distinguished_name.push(DnType::CountryName, "VN");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(730);
    let cert = params.signed_by(&key, issuer).unwrap();
    TestCertificate {
        name,
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
        key_pem: key.serialize_pem(),
        key_der: key.serialize_der(),
    }
}

/// What the portal does with a token: rebuild `M` from its own nonce and origin and check the
/// signature with the certificate's key. Returns the certificate's DER.
pub fn verify_token(token: &Value, origin: &str, nonce: &str) -> Vec<u8> {
    assert_eq!(token["format"], "web-eid:1.0");
    assert!(
        token["appVersion"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let der = STANDARD
        .decode(token["unverifiedCertificate"].as_str().unwrap())
        .unwrap();
    let signature = STANDARD
        .decode(token["signature"].as_str().unwrap())
        .unwrap();
    let cert = Certificate::from_der(&der).unwrap();
    let public_key = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    // Built here, not with the agent's code, so a wrong message in the agent fails the test.
    let mut m = digest(&SHA256, origin.as_bytes()).as_ref().to_vec();
    m.extend_from_slice(digest(&SHA256, nonce.as_bytes()).as_ref());
    let algorithm: &dyn aws_lc_rs::signature::VerificationAlgorithm =
        match token["algorithm"].as_str().unwrap() {
            "ES256" => &ECDSA_P256_SHA256_FIXED,
            "RS256" => &RSA_PKCS1_2048_8192_SHA256,
            other => panic!("unexpected algorithm {other}"),
        };
    UnparsedPublicKey::new(algorithm, public_key)
        .verify(&m, &signature)
        .expect("the token's signature verifies over H(origin) ‖ H(nonce)");
    der
}

/// A token in memory, with the PIN 123456, for the HTTP tests.
pub struct SoftToken {
    entries: Vec<(TokenCertificate, Vec<u8>)>,
}

pub const SOFT_PIN: &str = "123456";

impl SoftToken {
    pub fn new(certificates: &[TestCertificate]) -> Self {
        let entries = certificates
            .iter()
            .map(|c| {
                let info = CertificateInfo::from_der(&c.cert_der).unwrap();
                let listed = TokenCertificate {
                    token_label: "Soft token".into(),
                    info,
                };
                (listed, c.key_der.clone())
            })
            .collect();
        Self { entries }
    }
}

impl Token for SoftToken {
    fn certificates(&self) -> Result<Vec<TokenCertificate>, TokenError> {
        Ok(self.entries.iter().map(|(c, _)| c.clone()).collect())
    }

    fn sign(
        &self,
        certificate: &CertificateInfo,
        pin: &AuthPin,
        message: &[u8],
    ) -> Result<Vec<u8>, TokenError> {
        if pin.expose_secret() != SOFT_PIN {
            return Err(TokenError::PinIncorrect(PinTries::LastOne));
        }
        let (listed, key) = self
            .entries
            .iter()
            .find(|(c, _)| c.info.der == certificate.der)
            .ok_or(TokenError::CertificateNotFound)?;
        let rng = SystemRandom::new();
        match listed.info.key {
            Some(KeyKind::EcP256) => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, key).unwrap();
                Ok(pair.sign(&rng, message).unwrap().as_ref().to_vec())
            }
            Some(KeyKind::Rsa) => {
                let pair = RsaKeyPair::from_pkcs8(key).unwrap();
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .unwrap();
                Ok(signature)
            }
            None => Err(TokenError::UnsupportedKey),
        }
    }
}

pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new() -> Self {
        Self(Mutex::new(OffsetDateTime::now_utc()))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// A 256-bit nonce in base64, as the portal makes it (44 characters).
pub fn nonce() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    STANDARD.encode(bytes)
}

/// `value="…"` of the input named `name` in a page (all of them, in order).
pub fn input_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}
