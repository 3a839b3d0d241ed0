//! What can go wrong with signing keys.

use store::StoreError;

use crate::jwt::JwtError;

/// What went wrong with signing keys. `Token` is a refused token (the caller's answer is
/// "invalid token"); every other variant is a fault of the server or its configuration.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key-encryption key does not match the one the signing keys were sealed with")]
    WrongSealingKey,
    #[error("the sealed private key of signing key {kid} is damaged or belongs to another key row")]
    Damaged { kid: String },
    #[error("the signing key {kid} cannot be used: {reason}")]
    Unreadable { kid: String, reason: String },
    #[error("sealing or opening a signing key failed")]
    Seal,
    #[error("an RSA key of {0} bits cannot be made (oidc.rsa_bits: 2048, 3072 or 4096)")]
    RsaBits(u32),
    #[error("making a new {0} key failed")]
    Generate(&'static str),
    #[error("signing with the {0} key failed")]
    Sign(&'static str),
    #[error("no {0} key is active for signing (keys are made at start-up by ensure_keys)")]
    NoActiveKey(&'static str),
    #[error("the claims cannot be serialised: {0}")]
    Claims(#[source] serde_json::Error),
    #[error("the token is refused: {0}")]
    Token(#[from] JwtError),
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}
