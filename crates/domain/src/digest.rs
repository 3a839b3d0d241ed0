//! Keyed digests: OTP codes are kept as HMAC-SHA-256 under a server key (a stolen database
//! does not reveal them, and 10^6 codes cannot be brute-forced offline without the key), and
//! generated tokens as plain SHA-256 (they already carry 256 bits of entropy).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Clone)]
pub struct MacKey(Vec<u8>);

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey([redacted])")
    }
}

impl MacKey {
    pub fn new(key: &[u8]) -> Self {
        Self(key.to_vec())
    }

    /// The MAC of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ.
    pub fn sign(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length; this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => return [0; 32],
        };
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn equal(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

pub fn encode_token(token: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(token)
}

/// The 32 bytes of a token as handed out, or `None` for anything else.
pub fn decode_token(text: &str) -> Option<[u8; 32]> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    bytes.try_into().ok()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The 4-digit verification code a phone shows beside a signing request, so the person can
/// check it is the one on the page (Mobile-ID's rule): the first 6 bits and the last 7 bits of
/// the hash to be signed, as a number below 8192.
pub fn verification_code(hash: &[u8; 32]) -> String {
    let first = u16::from(hash[0] >> 2);
    let last = u16::from(hash[31] & 0x7f);
    format!("{:04}", (first << 7) | last)
}

#[cfg(test)]
mod verification_code_tests {
    use super::verification_code;

    #[test]
    fn matches_the_published_mobile_id_example() {
        // SK's Mobile-ID documentation: a hash 2f66…b6 shows 1462.
        let mut hash = [0u8; 32];
        hash[0] = 0x2f;
        hash[31] = 0xb6;
        assert_eq!(verification_code(&hash), "1462");
        assert_eq!(verification_code(&[0; 32]), "0000");
        assert_eq!(verification_code(&[0xff; 32]), "8191");
    }
}
