//! The person's USB token, reached through its vendor's PKCS#11 module.
//!
//! One PKCS#11 context per process: modules keep global state, and SoftHSM crashes when it is
//! initialised twice concurrently. Signing is serialised because the login state of a token is
//! shared by all sessions of the process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use aws_lc_rs::digest::{SHA256, digest};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as Pkcs11Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::certificate::{CertificateInfo, KeyKind};

/// DER of `DigestInfo { sha256, NULL }` without the digest: `CKM_RSA_PKCS` signs exactly the
/// bytes it is given, so the agent prefixes them itself.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A certificate found on a token, with the label of the token holding it.
#[derive(Clone, Debug)]
pub struct TokenCertificate {
    pub token_label: String,
    pub info: CertificateInfo,
}

/// What the agent needs from the tokens. The server sees only this, so its tests can run
/// without a PKCS#11 module.
pub trait Token: Send + Sync {
    /// The end-entity certificates on every token present.
    fn certificates(&self) -> Result<Vec<TokenCertificate>, TokenError>;

    /// Logs in with `pin` and signs `message` (SHA-256, then ECDSA or PKCS#1 v1.5) with the key
    /// beside `certificate`; the signature is in JWS form (`r ‖ s` for ECDSA).
    fn sign(
        &self,
        certificate: &CertificateInfo,
        pin: &AuthPin,
        message: &[u8],
    ) -> Result<Vec<u8>, TokenError>;
}

/// How many PIN tries the token says are left, when it says. (PKCS#11's "count low" flag
/// only means a wrong PIN was typed since the last login, so it says nothing here.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinTries {
    Unknown,
    LastOne,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the PKCS#11 module {path} cannot be loaded: {source}")]
    Module { path: PathBuf, source: Pkcs11Error },
    #[error("another PKCS#11 module ({0}) is already loaded in this process")]
    OtherModule(PathBuf),
    #[error("the certificate is not on any token present")]
    CertificateNotFound,
    #[error("the token holds no private key for this certificate")]
    NoKey,
    #[error("this certificate's key is neither EC P-256 nor RSA")]
    UnsupportedKey,
    #[error("wrong PIN")]
    PinIncorrect(PinTries),
    #[error("the PIN is locked")]
    PinLocked,
    #[error("the PIN is too short, too long or has characters the token refuses")]
    PinInvalid,
    #[error("the token was removed")]
    TokenRemoved,
    #[error("the token returned a signature of an unexpected length")]
    BadSignature,
    #[error("the token operation was interrupted")]
    Interrupted,
    #[error("the token failed: {0}")]
    Device(#[from] Pkcs11Error),
}

impl TokenError {
    pub(crate) fn from_login(error: Pkcs11Error, tries: PinTries) -> Self {
        match error {
            Pkcs11Error::Pkcs11(RvError::PinIncorrect, _) => Self::PinIncorrect(tries),
            Pkcs11Error::Pkcs11(RvError::PinLocked, _) => Self::PinLocked,
            Pkcs11Error::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => Self::PinInvalid,
            other => Self::from_device(other),
        }
    }

    fn from_device(error: Pkcs11Error) -> Self {
        match error {
            Pkcs11Error::Pkcs11(RvError::DeviceRemoved | RvError::TokenNotPresent, _) => {
                Self::TokenRemoved
            }
            other => Self::Device(other),
        }
    }
}

static CONTEXT: Mutex<Option<(PathBuf, Pkcs11)>> = Mutex::new(None);

/// The process's PKCS#11 context for `module`, loaded and initialised on first use.
pub(crate) fn context(module: &Path) -> Result<Pkcs11, TokenError> {
    let mut slot = CONTEXT.lock().unwrap_or_else(PoisonError::into_inner);
    match slot.as_ref() {
        Some((path, ctx)) if path == module => return Ok(ctx.clone()),
        Some((path, _)) => return Err(TokenError::OtherModule(path.clone())),
        None => {}
    }
    let module_error = |source| TokenError::Module {
        path: module.to_owned(),
        source,
    };
    let ctx = Pkcs11::new(module).map_err(module_error)?;
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(module_error)?;
    *slot = Some((module.to_owned(), ctx.clone()));
    Ok(ctx)
}

/// The tokens behind one PKCS#11 module.
pub struct Pkcs11Token {
    ctx: Pkcs11,
    signing: Mutex<()>,
}

impl Pkcs11Token {
    pub fn open(module: &Path) -> Result<Self, TokenError> {
        Ok(Self {
            ctx: context(module)?,
            signing: Mutex::new(()),
        })
    }

    /// The slot holding `der` and the CKA_ID that pairs it with its private key.
    fn locate(&self, der: &[u8]) -> Result<(Slot, Vec<u8>), TokenError> {
        for slot in self.ctx.get_slots_with_initialized_token()? {
            let Ok(session) = self.ctx.open_ro_session(slot) else {
                continue;
            };
            let template = [
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::Value(der.to_vec()),
            ];
            if let Some(handle) = session.find_objects(&template)?.into_iter().next() {
                let id = session
                    .get_attributes(handle, &[AttributeType::Id])?
                    .into_iter()
                    .find_map(|a| match a {
                        Attribute::Id(id) => Some(id),
                        _ => None,
                    })
                    .unwrap_or_default();
                return Ok((slot, id));
            }
        }
        Err(TokenError::CertificateNotFound)
    }

    fn pin_tries(&self, slot: Slot) -> PinTries {
        match self.ctx.get_token_info(slot) {
            Ok(info) if info.user_pin_final_try() => PinTries::LastOne,
            _ => PinTries::Unknown,
        }
    }
}

impl Token for Pkcs11Token {
    fn certificates(&self) -> Result<Vec<TokenCertificate>, TokenError> {
        let mut found = Vec::new();
        // Uninitialised tokens (SoftHSM's spare slot, a blank card) cannot open sessions.
        for slot in self.ctx.get_slots_with_initialized_token()? {
            let opened = self.ctx.get_token_info(slot).and_then(|info| {
                let session = self.ctx.open_ro_session(slot)?;
                Ok((info.label().trim().to_owned(), session))
            });
            let (label, session) = match opened {
                Ok(opened) => opened,
                Err(e) => {
                    tracing::warn!(error = %e, "a token could not be read; skipped");
                    continue;
                }
            };
            for der in certificate_values(&session)? {
                match CertificateInfo::from_der(&der) {
                    // CA certificates often sit on tokens beside the person's own.
                    Ok(info) if !info.is_ca => found.push(TokenCertificate {
                        token_label: label.clone(),
                        info,
                    }),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, token = %label, "certificate skipped"),
                }
            }
        }
        Ok(found)
    }

    fn sign(
        &self,
        certificate: &CertificateInfo,
        pin: &AuthPin,
        message: &[u8],
    ) -> Result<Vec<u8>, TokenError> {
        let kind = certificate.key.ok_or(TokenError::UnsupportedKey)?;
        let _one_login_at_a_time = self.signing.lock().unwrap_or_else(PoisonError::into_inner);
        let (slot, id) = self.locate(&certificate.der)?;
        let session = self
            .ctx
            .open_ro_session(slot)
            .map_err(TokenError::from_device)?;
        if let Err(e) = session.login(UserType::User, Some(pin)) {
            let tries = self.pin_tries(slot);
            return Err(TokenError::from_login(e, tries));
        }
        let signed = sign_with_key(&session, &id, kind, message);
        // The login belongs to the whole process; end it before anyone else signs.
        let _ = session.logout();
        signed
    }
}

fn certificate_values(session: &Session) -> Result<Vec<Vec<u8>>, TokenError> {
    let template = [
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ];
    let mut values = Vec::new();
    for handle in session.find_objects(&template)? {
        for attribute in session.get_attributes(handle, &[AttributeType::Value])? {
            if let Attribute::Value(der) = attribute {
                values.push(der);
            }
        }
    }
    Ok(values)
}

fn sign_with_key(
    session: &Session,
    id: &[u8],
    kind: KeyKind,
    message: &[u8],
) -> Result<Vec<u8>, TokenError> {
    // Private keys are only visible after login, so the pairing by CKA_ID happens here.
    let template = [
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Id(id.to_vec()),
    ];
    let key = session
        .find_objects(&template)
        .map_err(TokenError::from_device)?
        .into_iter()
        .next()
        .ok_or(TokenError::NoKey)?;
    let hash = digest(&SHA256, message);
    match kind {
        KeyKind::EcP256 => {
            let signature = session
                .sign(&Mechanism::Ecdsa, key, hash.as_ref())
                .map_err(TokenError::from_device)?;
            if signature.len() != 64 {
                return Err(TokenError::BadSignature);
            }
            Ok(signature)
        }
        KeyKind::Rsa => {
            let mut digest_info = SHA256_DIGEST_INFO.to_vec();
            digest_info.extend_from_slice(hash.as_ref());
            session
                .sign(&Mechanism::RsaPkcs, key, &digest_info)
                .map_err(TokenError::from_device)
        }
    }
}

#[cfg(test)]
mod tests {
    use cryptoki::context::Function;

    use super::*;

    fn login_error(rv: RvError) -> TokenError {
        TokenError::from_login(Pkcs11Error::Pkcs11(rv, Function::Login), PinTries::LastOne)
    }

    #[test]
    fn login_errors_are_mapped_to_what_the_person_can_act_on() {
        assert!(matches!(
            login_error(RvError::PinIncorrect),
            TokenError::PinIncorrect(PinTries::LastOne)
        ));
        assert!(matches!(
            login_error(RvError::PinLocked),
            TokenError::PinLocked
        ));
        assert!(matches!(
            login_error(RvError::PinLenRange),
            TokenError::PinInvalid
        ));
        assert!(matches!(
            login_error(RvError::PinInvalid),
            TokenError::PinInvalid
        ));
        assert!(matches!(
            login_error(RvError::DeviceRemoved),
            TokenError::TokenRemoved
        ));
        assert!(matches!(
            login_error(RvError::TokenNotPresent),
            TokenError::TokenRemoved
        ));
        assert!(matches!(
            login_error(RvError::GeneralError),
            TokenError::Device(_)
        ));
    }
}
