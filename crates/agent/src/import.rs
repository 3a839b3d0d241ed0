//! Writing a key and its certificate onto a token, the way a CA's enrolment software does, so a
//! demo can prepare a SoftHSM token for a synthetic person or business.

use std::path::Path;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use cryptoki::context::Pkcs11;
use cryptoki::object::{Attribute, CertificateType, KeyType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use pkcs8::der::Decode;
use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::{PrivateKeyInfo, SecretDocument};
use x509_cert::Certificate;
use x509_cert::der::DecodePem;

use crate::certificate::{CertificateFields, CertificateInfo, hex};
use crate::token::{self, TokenError};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// CKA_EC_PARAMS of P-256: the DER of its OID.
const PRIME256V1_DER: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// PKCS#11 token labels are 32 bytes, space padded.
const MAX_LABEL: usize = 32;

/// What to write and where.
pub struct Import<'a> {
    pub module: &'a Path,
    pub token_label: &'a str,
    pub pin: &'a AuthPin,
    pub so_pin: &'a AuthPin,
    pub key_pem: &'a str,
    pub certificate_pem: &'a str,
    /// CKA_ID; by default the SHA-1 of the public key, as a subject key identifier is made.
    pub id: Option<Vec<u8>>,
}

#[derive(Debug)]
pub struct Imported {
    pub id: Vec<u8>,
    pub token_initialised: bool,
    pub subject: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the key is not a PKCS#8 PEM private key: {0}")]
    Key(String),
    #[error("the key is neither EC P-256 nor RSA")]
    UnsupportedKey,
    #[error("the certificate is not a PEM X.509 certificate: {0}")]
    Certificate(String),
    #[error("the key does not belong to the certificate")]
    KeyMismatch,
    #[error("the token label must be 1 to 32 bytes")]
    Label,
    #[error("no token is labelled {0:?} and no free slot can take a new one")]
    NoFreeSlot(String),
    #[error("the token already holds an object with CKA_ID {0}")]
    IdTaken(String),
}

/// A private key in the form PKCS#11 takes it.
enum PrivateKey {
    EcP256 {
        scalar: Vec<u8>,
        public: Vec<u8>,
    },
    Rsa {
        parts: Vec<Attribute>,
        public: Vec<u8>,
    },
}

pub fn import(request: &Import<'_>) -> Result<Imported, ImportError> {
    if request.token_label.is_empty() || request.token_label.len() > MAX_LABEL {
        return Err(ImportError::Label);
    }
    let key = read_key(request.key_pem)?;
    let cert_der = read_certificate(request.certificate_pem)?;
    let fields = CertificateFields::from_der(&cert_der)
        .map_err(|e| ImportError::Certificate(e.to_string()))?;
    let info = CertificateInfo::from_der(&cert_der)
        .map_err(|e| ImportError::Certificate(e.to_string()))?;
    let public = match &key {
        PrivateKey::EcP256 { public, .. } | PrivateKey::Rsa { public, .. } => public,
    };
    if *public != fields.public_key {
        return Err(ImportError::KeyMismatch);
    }
    let id = match &request.id {
        Some(id) => id.clone(),
        None => digest(&SHA1_FOR_LEGACY_USE_ONLY, &fields.public_key)
            .as_ref()
            .to_vec(),
    };

    let ctx = token::context(request.module)?;
    let (slot, token_initialised) = match find_token(&ctx, request.token_label)? {
        Some(slot) => (slot, false),
        None => (initialise_token(&ctx, request)?, true),
    };
    let session = ctx.open_rw_session(slot).map_err(TokenError::from)?;
    login(&session, request.pin)?;
    let written = write_objects(&session, &key, &cert_der, &fields, &info.subject_name, &id);
    let _ = session.logout();
    written?;
    Ok(Imported {
        id,
        token_initialised,
        subject: info.subject,
    })
}

fn read_key(pem: &str) -> Result<PrivateKey, ImportError> {
    let bad = |e: &dyn std::fmt::Display| ImportError::Key(e.to_string());
    let (label, document) = SecretDocument::from_pem(pem).map_err(|e| bad(&e))?;
    if label != "PRIVATE KEY" {
        return Err(ImportError::Key(format!(
            "PEM label {label:?}, expected PRIVATE KEY"
        )));
    }
    let info: PrivateKeyInfo<'_> = document.decode_msg().map_err(|e| bad(&e))?;
    if info.algorithm.oid == EC_PUBLIC_KEY {
        let curve = info.algorithm.parameters_oid().map_err(|e| bad(&e))?;
        if curve != PRIME256V1 {
            return Err(ImportError::UnsupportedKey);
        }
        let ec = sec1::EcPrivateKey::from_der(info.private_key).map_err(|e| bad(&e))?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, document.as_bytes())
            .map_err(|e| bad(&e))?;
        Ok(PrivateKey::EcP256 {
            scalar: ec.private_key.to_vec(),
            public: pair.public_key().as_ref().to_vec(),
        })
    } else if info.algorithm.oid == RSA_ENCRYPTION {
        let rsa = pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(|e| bad(&e))?;
        let pair = RsaKeyPair::from_pkcs8(document.as_bytes()).map_err(|e| bad(&e))?;
        let int = |u: pkcs1::UintRef<'_>| u.as_bytes().to_vec();
        Ok(PrivateKey::Rsa {
            parts: vec![
                Attribute::Modulus(int(rsa.modulus)),
                Attribute::PublicExponent(int(rsa.public_exponent)),
                Attribute::PrivateExponent(int(rsa.private_exponent)),
                Attribute::Prime1(int(rsa.prime1)),
                Attribute::Prime2(int(rsa.prime2)),
                Attribute::Exponent1(int(rsa.exponent1)),
                Attribute::Exponent2(int(rsa.exponent2)),
                Attribute::Coefficient(int(rsa.coefficient)),
            ],
            public: pair.public_key().as_ref().to_vec(),
        })
    } else {
        Err(ImportError::UnsupportedKey)
    }
}

fn read_certificate(pem: &str) -> Result<Vec<u8>, ImportError> {
    use x509_cert::der::Encode;
    Certificate::from_pem(pem)
        .and_then(|c| c.to_der())
        .map_err(|e| ImportError::Certificate(e.to_string()))
}

fn find_token(ctx: &Pkcs11, label: &str) -> Result<Option<Slot>, TokenError> {
    for slot in ctx.get_slots_with_initialized_token()? {
        if ctx.get_token_info(slot)?.label().trim_end() == label {
            return Ok(Some(slot));
        }
    }
    Ok(None)
}

/// Initialises the first uninitialised token (SoftHSM always offers one) and sets its user PIN.
fn initialise_token(ctx: &Pkcs11, request: &Import<'_>) -> Result<Slot, ImportError> {
    let free = ctx
        .get_slots_with_token()
        .map_err(TokenError::from)?
        .into_iter()
        .find(|slot| {
            ctx.get_token_info(*slot)
                .is_ok_and(|info| !info.token_initialized())
        })
        .ok_or_else(|| ImportError::NoFreeSlot(request.token_label.to_owned()))?;
    ctx.init_token(free, request.so_pin, request.token_label)
        .map_err(TokenError::from)?;
    // SoftHSM moves a token it has just initialised to a new slot: look it up again.
    let slot = find_token(ctx, request.token_label)?
        .ok_or_else(|| ImportError::NoFreeSlot(request.token_label.to_owned()))?;
    let session = ctx.open_rw_session(slot).map_err(TokenError::from)?;
    session
        .login(UserType::So, Some(request.so_pin))
        .map_err(TokenError::from)?;
    let set = session.init_pin(request.pin).map_err(TokenError::from);
    let _ = session.logout();
    set?;
    Ok(slot)
}

fn login(session: &Session, pin: &AuthPin) -> Result<(), TokenError> {
    session
        .login(UserType::User, Some(pin))
        .map_err(|e| TokenError::from_login(e, token::PinTries::Unknown))
}

fn write_objects(
    session: &Session,
    key: &PrivateKey,
    cert_der: &[u8],
    fields: &CertificateFields,
    label: &str,
    id: &[u8],
) -> Result<(), ImportError> {
    let taken = session
        .find_objects(&[Attribute::Id(id.to_vec())])
        .map_err(TokenError::from)?;
    if !taken.is_empty() {
        return Err(ImportError::IdTaken(hex(id)));
    }
    let mut key_template = vec![
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    match key {
        PrivateKey::EcP256 { scalar, .. } => key_template.extend([
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(PRIME256V1_DER.to_vec()),
            Attribute::Value(scalar.clone()),
        ]),
        PrivateKey::Rsa { parts, .. } => {
            key_template.push(Attribute::KeyType(KeyType::RSA));
            key_template.extend(parts.iter().cloned());
        }
    }
    session
        .create_object(&key_template)
        .map_err(TokenError::from)?;
    session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(fields.subject.clone()),
            Attribute::Issuer(fields.issuer.clone()),
            Attribute::SerialNumber(fields.serial.clone()),
            Attribute::Value(cert_der.to_vec()),
        ])
        .map_err(TokenError::from)?;
    Ok(())
}
