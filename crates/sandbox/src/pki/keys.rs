//! Keys and serial numbers derived from the sandbox seed and a label, so that a restart with
//! the same seed makes the same keys: a SoftHSM token loaded once, and accounts bound to a
//! certificate's key, keep working after the demo restarts. Sandbox only — anyone who knows
//! the seed knows every private key, which the pages publish anyway.

use aws_lc_rs::agreement::{ECDH_P256, PrivateKey};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use rcgen::{KeyPair, SerialNumber};

use super::PkiError;

/// Rejected scalars (zero or not below the group order) are one in 2^32; a few counters
/// more always find one.
const ATTEMPTS: u32 = 16;

/// 32 bytes of SHA-256 over the seed, the label and a counter.
fn derive(seed: u64, label: &str, purpose: &str, counter: u32) -> [u8; 32] {
    let mut input = Vec::with_capacity(64 + label.len());
    input.extend_from_slice(b"dvcid sandbox pki\0");
    input.extend_from_slice(purpose.as_bytes());
    input.push(0);
    input.extend_from_slice(&seed.to_be_bytes());
    input.extend_from_slice(label.as_bytes());
    input.extend_from_slice(&counter.to_be_bytes());
    // SHA-256 always gives 32 bytes; the fallback is never taken.
    <[u8; 32]>::try_from(digest(&SHA256, &input).as_ref()).unwrap_or_default()
}

/// The ECDSA P-256 key of `label`.
pub(crate) fn key_pair(seed: u64, label: &str) -> Result<KeyPair, PkiError> {
    for counter in 0..ATTEMPTS {
        let scalar = derive(seed, label, "key", counter);
        let Ok(private) = PrivateKey::from_private_key(&ECDH_P256, &scalar) else {
            continue;
        };
        let public = private
            .compute_public_key()
            .map_err(|_| PkiError::Key(label.to_owned()))?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            &scalar,
            public.as_ref(),
        )
        .map_err(|_| PkiError::Key(label.to_owned()))?;
        let pkcs8 = pair
            .to_pkcs8v1()
            .map_err(|_| PkiError::Key(label.to_owned()))?;
        return KeyPair::try_from(pkcs8.as_ref()).map_err(PkiError::from);
    }
    Err(PkiError::Key(label.to_owned()))
}

/// A positive 16-byte serial number for `label`, as CAs draw them (at least 64 random bits).
pub(crate) fn serial(seed: u64, label: &str) -> SerialNumber {
    let mut serial: Vec<u8> = derive(seed, label, "serial", 0)
        .into_iter()
        .take(16)
        .collect();
    // Positive, and without a leading zero octet, so the hex form has 32 digits.
    if let Some(first) = serial.first_mut() {
        *first = (*first & 0x7f) | 0x10;
    }
    SerialNumber::from(serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_label_give_the_same_key_and_serial() {
        let a = key_pair(1, "root").unwrap();
        let b = key_pair(1, "root").unwrap();
        assert_eq!(a.serialize_der(), b.serialize_der());
        assert_ne!(
            a.public_key_raw(),
            key_pair(2, "root").unwrap().public_key_raw()
        );
        assert_ne!(
            a.public_key_raw(),
            key_pair(1, "other").unwrap().public_key_raw()
        );
        assert_eq!(serial(1, "x"), serial(1, "x"));
        assert_ne!(serial(1, "x"), serial(1, "y"));
        assert_eq!(serial(1, "x").as_ref().len(), 16);
    }
}
