//! Sealing private signing keys before they reach the store: AES-256-GCM under a key derived
//! (HKDF-SHA256) from the configured key-encryption key, bound to the key row's `kid` and `alg`
//! so that a sealed blob cannot be moved to another row.
//!
//! Layout: `version (1) ‖ fingerprint of the sealing key (8) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.
//! The fingerprint (another HKDF output, revealing nothing of the key) lets a wrong
//! key-encryption key be told apart from a damaged blob.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use store::SigningAlg;

use super::error::KeyError;
use crate::jwt;

const VERSION: u8 = 1;
const FINGERPRINT_LEN: usize = 8;
const HEADER_LEN: usize = 1 + FINGERPRINT_LEN + NONCE_LEN;
const SALT: &[u8] = b"dvcid";
const INFO_KEY: &[u8] = b"dvcid signing-key seal v1";
const INFO_FINGERPRINT: &[u8] = b"dvcid signing-key seal v1 fingerprint";

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// The key that seals signing keys. `Debug` shows only its fingerprint.
pub struct SealingKey {
    /// `None` only if HKDF failed, which it cannot for these lengths; sealing then fails.
    key: Option<[u8; 32]>,
    fingerprint: [u8; FINGERPRINT_LEN],
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SealingKey(fingerprint {})",
            domain::digest::to_hex(&self.fingerprint)
        )
    }
}

impl SealingKey {
    /// Derives the sealing key from the configured key-encryption key (`secrets.key_encryption_key`).
    pub fn derive(secret: &[u8]) -> SealingKey {
        let prk = Salt::new(HKDF_SHA256, SALT).extract(secret);
        let mut key = [0u8; 32];
        let mut fingerprint = [0u8; FINGERPRINT_LEN];
        let derived = prk
            .expand(&[INFO_KEY], Len(key.len()))
            .and_then(|okm| okm.fill(&mut key))
            .and_then(|()| prk.expand(&[INFO_FINGERPRINT], Len(FINGERPRINT_LEN)))
            .and_then(|okm| okm.fill(&mut fingerprint));
        SealingKey {
            key: derived.ok().map(|()| key),
            fingerprint,
        }
    }

    fn cipher(&self) -> Result<LessSafeKey, KeyError> {
        let key = self.key.as_ref().ok_or(KeyError::Seal)?;
        let unbound = UnboundKey::new(&AES_256_GCM, key).map_err(|_| KeyError::Seal)?;
        Ok(LessSafeKey::new(unbound))
    }

    /// Encrypts the private key's DER for the row `kid` / `alg`.
    pub fn seal(&self, kid: &str, alg: SigningAlg, der: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        // A random 96-bit nonce: a handful of keys per rotation is far from GCM's 2^32 bound.
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| KeyError::Seal)?;
        let mut blob = Vec::with_capacity(HEADER_LEN + der.len() + AES_256_GCM.tag_len());
        blob.push(VERSION);
        blob.extend_from_slice(&self.fingerprint);
        blob.extend_from_slice(&nonce);
        let mut sealed = der.to_vec();
        self.cipher()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(kid, alg)),
                &mut sealed,
            )
            .map_err(|_| KeyError::Seal)?;
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    /// Decrypts what [`SealingKey::seal`] made for the same `kid` and `alg`.
    pub fn open(&self, kid: &str, alg: SigningAlg, blob: &[u8]) -> Result<Vec<u8>, KeyError> {
        let damaged = || KeyError::Damaged {
            kid: kid.to_owned(),
        };
        let (header, ciphertext) = blob.split_at_checked(HEADER_LEN).ok_or_else(damaged)?;
        let (version, rest) = header.split_first().ok_or_else(damaged)?;
        let (fingerprint, nonce) = rest.split_at_checked(FINGERPRINT_LEN).ok_or_else(damaged)?;
        if *version != VERSION {
            return Err(damaged());
        }
        if fingerprint != self.fingerprint {
            return Err(KeyError::WrongSealingKey);
        }
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| damaged())?;
        let mut plain = ciphertext.to_vec();
        let opened = self
            .cipher()?
            .open_in_place(nonce, Aad::from(aad(kid, alg)), &mut plain)
            .map_err(|_| damaged())?
            .len();
        plain.truncate(opened);
        Ok(plain)
    }
}

/// What the ciphertext is bound to: the row's `kid` and `alg`, length-prefixed.
fn aad(kid: &str, alg: SigningAlg) -> Vec<u8> {
    let alg = jwt::alg_name(alg);
    let mut aad = Vec::with_capacity(kid.len() + alg.len() + 24);
    aad.extend_from_slice(b"dvcid signing key\0");
    aad.extend_from_slice(&(kid.len() as u32).to_be_bytes());
    aad.extend_from_slice(kid.as_bytes());
    aad.extend_from_slice(alg.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_key_row_and_intact() {
        let key = SealingKey::derive(b"key-encryption-key-of-at-least-32-bytes");
        let blob = key
            .seal("kid-1", SigningAlg::ES256, b"private der")
            .unwrap();
        assert_eq!(
            key.open("kid-1", SigningAlg::ES256, &blob).unwrap(),
            b"private der"
        );
        // Two seals of the same key differ (fresh nonce).
        assert_ne!(
            blob,
            key.seal("kid-1", SigningAlg::ES256, b"private der")
                .unwrap()
        );

        let other = SealingKey::derive(b"another-key-encryption-key-0123456789");
        let error = other.open("kid-1", SigningAlg::ES256, &blob).unwrap_err();
        assert!(matches!(error, KeyError::WrongSealingKey));
        assert_eq!(
            error.to_string(),
            "the key-encryption key does not match the one the signing keys were sealed with"
        );

        for (kid, alg) in [("kid-2", SigningAlg::ES256), ("kid-1", SigningAlg::EdDSA)] {
            assert!(matches!(
                key.open(kid, alg, &blob),
                Err(KeyError::Damaged { .. })
            ));
        }
        for index in [0, 5, HEADER_LEN, blob.len() - 1] {
            let mut tampered = blob.clone();
            tampered[index] ^= 1;
            let error = key.open("kid-1", SigningAlg::ES256, &tampered).unwrap_err();
            assert!(
                matches!(error, KeyError::Damaged { .. } | KeyError::WrongSealingKey),
                "{index}: {error}"
            );
        }
        assert!(matches!(
            key.open("kid-1", SigningAlg::ES256, &blob[..10]),
            Err(KeyError::Damaged { .. })
        ));
    }

    #[test]
    fn debug_shows_no_key() {
        let key = SealingKey::derive(b"key-encryption-key-of-at-least-32-bytes");
        let printed = format!("{key:?}");
        assert!(printed.starts_with("SealingKey(fingerprint "), "{printed}");
        assert!(!printed.contains("key-encryption"));
        assert_eq!(printed.len(), "SealingKey(fingerprint )".len() + 16);
    }
}
