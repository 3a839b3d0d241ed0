//! The audit key: Ed25519, derived (HKDF-SHA256) from the configured key-encryption key
//! (`secrets.key_encryption_key`, the secret that already protects the OpenID signing keys).
//! Deriving rather than storing it keeps it out of the database it vouches for — whoever
//! could rewrite the trail there cannot re-sign checkpoints — and gives every node the same
//! key with nothing more to configure or distribute. The public key (`dvcid audit
//! public-key`) verifies checkpoints anywhere, without the secret.

use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const SALT: &[u8] = b"dvcid";
const INFO: &[u8] = b"dvcid audit checkpoint key v1";
const PUBLIC_KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the audit key cannot be derived from the key-encryption key")]
    Derive,
    #[error(
        "an audit public key is 32 bytes in unpadded base64url (as `dvcid audit public-key` prints it)"
    )]
    PublicKey,
}

struct SeedLen;

impl KeyType for SeedLen {
    fn len(&self) -> usize {
        32
    }
}

/// The private audit key. `Debug` shows only its id.
pub struct AuditKey {
    pair: Ed25519KeyPair,
    public: AuditPublicKey,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.public.id())
    }
}

impl AuditKey {
    pub fn derive(key_encryption_key: &[u8]) -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        Salt::new(HKDF_SHA256, SALT)
            .extract(key_encryption_key)
            .expand(&[INFO], SeedLen)
            .and_then(|okm| okm.fill(&mut seed))
            .map_err(|_| KeyError::Derive)?;
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|_| KeyError::Derive)?;
        let public = AuditPublicKey::from_bytes(pair.public_key().as_ref())?;
        Ok(Self { pair, public })
    }

    pub fn public(&self) -> &AuditPublicKey {
        &self.public
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// The public half, which is all verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPublicKey {
    bytes: [u8; PUBLIC_KEY_LEN],
    id: String,
}

impl AuditPublicKey {
    fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let bytes = <[u8; PUBLIC_KEY_LEN]>::try_from(bytes).map_err(|_| KeyError::PublicKey)?;
        let digest = domain::digest::sha256(&bytes);
        let id = format!(
            "ed25519:{}",
            domain::digest::to_hex(digest.get(..8).unwrap_or(&[]))
        );
        Ok(Self { bytes, id })
    }

    /// Reads the key as `dvcid audit public-key` prints it.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| KeyError::PublicKey)?;
        Self::from_bytes(&bytes)
    }

    /// Unpadded base64url of the raw 32-byte key (the `x` of its JWK).
    pub fn encoded(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.bytes)
    }

    /// `ed25519:` and the first 8 bytes of the key's SHA-256, in hex: recorded with each
    /// checkpoint so that a checkpoint of another key is told apart from a forged one.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.bytes)
            .verify(message, signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_secret_gives_one_key_on_every_node() {
        let a = AuditKey::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let b = AuditKey::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let other = AuditKey::derive(b"fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), other.public());
        assert!(a.public().id().starts_with("ed25519:"));
    }

    #[test]
    fn a_signature_verifies_under_its_key_only() {
        let key = AuditKey::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let other = AuditKey::derive(b"fedcba9876543210fedcba9876543210").unwrap();
        let signature = key.sign(b"heads");
        assert!(key.public().verifies(b"heads", &signature));
        assert!(!key.public().verifies(b"heads!", &signature));
        assert!(!other.public().verifies(b"heads", &signature));
    }

    #[test]
    fn the_public_key_round_trips_through_its_text() {
        let key = AuditKey::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let parsed = AuditPublicKey::parse(&key.public().encoded()).unwrap();
        assert_eq!(&parsed, key.public());
        assert!(matches!(
            AuditPublicKey::parse("not a key"),
            Err(KeyError::PublicKey)
        ));
        assert!(matches!(
            AuditPublicKey::parse("AAAA"),
            Err(KeyError::PublicKey)
        ));
    }
}
