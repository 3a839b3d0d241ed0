//! Compact JWS (RFC 7515) as this provider uses it: signatures made with keys held in memory
//! and checked with parsed public keys, both over aws-lc-rs. Only RS256, ES256 and EdDSA exist
//! here; `none`, HMAC and anything else are refused before a key is looked at.
//!
//! A token goes through [`Unverified::parse`] → [`Unverified::verify`] → [`Verified`], so claims
//! are only readable once the signature has been checked (or through the one explicitly named
//! [`Unverified::unverified_claims`], for finding which client's keys to check an assertion with).

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ED25519, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256,
    RsaPublicKeyComponents,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::SigningAlg;
use time::OffsetDateTime;

/// Longer tokens are refused unread (ours are a few hundred bytes; client assertions ~1 KiB).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Every algorithm the provider signs and accepts, in the order keys are made.
pub const ALGORITHMS: [SigningAlg; 3] = [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::EdDSA];

/// The JOSE name of the algorithm (`alg`).
pub const fn alg_name(alg: SigningAlg) -> &'static str {
    match alg {
        SigningAlg::RS256 => "RS256",
        SigningAlg::ES256 => "ES256",
        SigningAlg::EdDSA => "EdDSA",
    }
}

/// The algorithm a JOSE `alg` names, if it is one of ours (exact, case-sensitive).
pub fn alg_from_name(name: &str) -> Option<SigningAlg> {
    ALGORITHMS.into_iter().find(|alg| alg_name(*alg) == name)
}

/// Why a token was refused. Every variant is a refusal of the token, never a server fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("the token's algorithm {0:?} is not accepted (only RS256, ES256 and EdDSA)")]
    AlgorithmNotAllowed(String),
    #[error("the token has critical header parameters this server does not understand")]
    CriticalHeader,
    #[error("the token names no key (kid) this server knows")]
    UnknownKey,
    #[error("the token's algorithm is not the one of its key")]
    AlgorithmMismatch,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token's type is {found:?}, expected {expected:?}")]
    WrongType {
        expected: String,
        found: Option<String>,
    },
    #[error("the token has expired")]
    Expired,
    #[error("the token has no expiry (exp)")]
    MissingExpiry,
    #[error("the token's claims are not as expected: {0}")]
    Claims(String),
}

/// The protected header as read from a token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Header {
    pub alg: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub typ: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct OutHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    typ: &'a str,
}

/// `BASE64URL(header) "." BASE64URL(claims)`: what gets signed.
pub(crate) fn signing_input<T: Serialize + ?Sized>(
    alg: SigningAlg,
    kid: &str,
    typ: &str,
    claims: &T,
) -> Result<String, serde_json::Error> {
    let header = serde_json::to_vec(&OutHeader {
        alg: alg_name(alg),
        kid,
        typ,
    })?;
    let claims = serde_json::to_vec(claims)?;
    let mut out = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 96);
    URL_SAFE_NO_PAD.encode_string(header, &mut out);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut out);
    Ok(out)
}

/// The compact serialisation: the signing input, a dot, the signature.
pub(crate) fn finish(mut signing_input: String, signature: &[u8]) -> String {
    signing_input.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut signing_input);
    signing_input
}

/// A public key a token may be checked with, bound to one algorithm.
#[derive(Clone)]
pub struct VerifyingKey {
    alg: SigningAlg,
    key: ParsedPublicKey,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The public key material was refused by aws-lc-rs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the public key is not valid: {0}")]
pub struct KeyRejected(pub String);

impl VerifyingKey {
    /// An RS256 key from its modulus and exponent (big-endian, as in a JWK).
    pub fn rsa(n: &[u8], e: &[u8]) -> Result<Self, KeyRejected> {
        let components = RsaPublicKeyComponents { n, e };
        let key = components
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|error| KeyRejected(error.to_string()))?;
        Ok(Self {
            alg: SigningAlg::RS256,
            key,
        })
    }

    /// An ES256 key from its P-256 coordinates (32 bytes each).
    pub fn p256(x: &[u8], y: &[u8]) -> Result<Self, KeyRejected> {
        if x.len() != 32 || y.len() != 32 {
            return Err(KeyRejected(
                "P-256 coordinates are 32 bytes each".to_owned(),
            ));
        }
        let mut point = Vec::with_capacity(65);
        point.push(4);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        let key = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .map_err(|error| KeyRejected(error.to_string()))?;
        Ok(Self {
            alg: SigningAlg::ES256,
            key,
        })
    }

    /// An EdDSA key from its 32-byte Ed25519 public key.
    pub fn ed25519(x: &[u8]) -> Result<Self, KeyRejected> {
        if x.len() != 32 {
            return Err(KeyRejected("an Ed25519 public key is 32 bytes".to_owned()));
        }
        let key =
            ParsedPublicKey::new(&ED25519, x).map_err(|error| KeyRejected(error.to_string()))?;
        Ok(Self {
            alg: SigningAlg::EdDSA,
            key,
        })
    }

    pub fn alg(&self) -> SigningAlg {
        self.alg
    }
}

/// A token split and decoded, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Unverified<'a> {
    header: Header,
    alg: SigningAlg,
    signing_input: &'a str,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Unverified<'a> {
    /// Splits and decodes the token; refuses any algorithm but ours and any `crit` header.
    pub fn parse(token: &'a str) -> Result<Self, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed("too long"));
        }
        let (signing_input, signature) = token
            .rsplit_once('.')
            .ok_or(JwtError::Malformed("expected three dot-separated parts"))?;
        let (header, payload) = signing_input
            .split_once('.')
            .ok_or(JwtError::Malformed("expected three dot-separated parts"))?;
        if payload.contains('.') {
            return Err(JwtError::Malformed("expected three dot-separated parts"));
        }
        let decode = |part: &str, what: &'static str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| JwtError::Malformed(what))
        };
        let header: Header = serde_json::from_slice(&decode(header, "header is not base64url")?)
            .map_err(|_| JwtError::Malformed("header is not a JSON object with alg"))?;
        let alg =
            alg_from_name(&header.alg).ok_or(JwtError::AlgorithmNotAllowed(header.alg.clone()))?;
        if header.crit.is_some() {
            return Err(JwtError::CriticalHeader);
        }
        Ok(Self {
            alg,
            signing_input,
            payload: decode(payload, "payload is not base64url")?,
            signature: decode(signature, "signature is not base64url")?,
            header,
        })
    }

    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.kid.as_deref()
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The claims, read before the signature is checked: only to learn which keys to check it
    /// with (the `iss` of a client assertion). Never trust what this returns.
    pub fn unverified_claims<T: DeserializeOwned>(&self) -> Result<T, JwtError> {
        claims(&self.payload)
    }

    /// Checks the signature with `key`, whose algorithm must be the token's.
    pub fn verify(&self, key: &VerifyingKey) -> Result<Verified, JwtError> {
        if key.alg != self.alg {
            return Err(JwtError::AlgorithmMismatch);
        }
        key.key
            .verify_sig(self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| JwtError::BadSignature)?;
        Ok(Verified {
            header: self.header.clone(),
            payload: self.payload.clone(),
        })
    }
}

/// A token whose signature has been checked.
#[derive(Debug, Clone)]
pub struct Verified {
    header: Header,
    payload: Vec<u8>,
}

#[derive(Deserialize)]
struct Expiry {
    #[serde(default)]
    exp: Option<f64>,
}

impl Verified {
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Refuses a token whose `typ` is not `expected` (RFC 8725 §3.11: explicit typing, so an
    /// ID token cannot pass for an access token). `application/` may be left out either side.
    pub fn check_type(&self, expected: &str) -> Result<(), JwtError> {
        let found = self.header.typ.as_deref();
        if found.is_some_and(|found| same_media_type(found, expected)) {
            Ok(())
        } else {
            Err(JwtError::WrongType {
                expected: expected.to_owned(),
                found: found.map(str::to_owned),
            })
        }
    }

    /// Refuses a token without `exp` or whose `exp` is not after `now`.
    pub fn check_expiry(&self, now: OffsetDateTime) -> Result<(), JwtError> {
        let Expiry { exp } = claims(&self.payload)?;
        let exp = exp.ok_or(JwtError::MissingExpiry)?;
        if exp <= now.unix_timestamp() as f64 {
            return Err(JwtError::Expired);
        }
        Ok(())
    }

    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, JwtError> {
        claims(&self.payload)
    }
}

fn claims<T: DeserializeOwned>(payload: &[u8]) -> Result<T, JwtError> {
    serde_json::from_slice(payload).map_err(|error| JwtError::Claims(error.to_string()))
}

fn same_media_type(a: &str, b: &str) -> bool {
    fn bare(value: &str) -> &str {
        match value.get(..12) {
            Some(prefix) if prefix.eq_ignore_ascii_case("application/") => {
                value.get(12..).unwrap_or(value)
            }
            _ => value,
        }
    }
    bare(a).eq_ignore_ascii_case(bare(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_compare_without_application_prefix_and_case() {
        assert!(same_media_type("at+jwt", "application/at+JWT"));
        assert!(same_media_type("JWT", "jwt"));
        assert!(!same_media_type("JWT", "at+jwt"));
        assert!(!same_media_type("logout+jwt", "application/jwt"));
    }

    #[test]
    fn parse_refuses_none_hmac_and_garbage() {
        let b64 = |value: &str| URL_SAFE_NO_PAD.encode(value);
        let claims = b64(r#"{"sub":"x"}"#);
        for (alg, wanted) in [("none", "none"), ("HS256", "HS256"), ("rs256", "rs256")] {
            let token = format!("{}.{claims}.", b64(&format!(r#"{{"alg":"{alg}"}}"#)));
            assert_eq!(
                Unverified::parse(&token).unwrap_err(),
                JwtError::AlgorithmNotAllowed(wanted.to_owned())
            );
        }
        for garbage in ["", ".", "a.b", "a.b.c.d", "%%%.e30.e30", "e30.e30.e30"] {
            assert!(
                matches!(Unverified::parse(garbage), Err(JwtError::Malformed(_))),
                "{garbage:?}"
            );
        }
        let crit = format!("{}.{claims}.", b64(r#"{"alg":"ES256","crit":["exp"]}"#));
        assert_eq!(
            Unverified::parse(&crit).unwrap_err(),
            JwtError::CriticalHeader
        );
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(
            Unverified::parse(&long),
            Err(JwtError::Malformed(_))
        ));
    }

    #[test]
    fn algorithm_names_round_trip() {
        for alg in ALGORITHMS {
            assert_eq!(alg_from_name(alg_name(alg)), Some(alg));
        }
        assert_eq!(alg_from_name("ES384"), None);
    }
}
