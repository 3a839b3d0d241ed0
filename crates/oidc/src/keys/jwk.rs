//! Public JWKs (RFC 7517/7518/8037): the ones this provider publishes, their RFC 7638
//! thumbprints (our `kid`s), and reading the JWK Sets clients register for `private_key_jwt`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use store::SigningAlg;

use crate::jwt::{self, VerifyingKey};

/// Members that only a private JWK has; a registered or published key must not carry them.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Why a JWK or JWK Set was refused; each message names the member at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwkError {
    #[error("a JWK Set is a JSON object with a \"keys\" array")]
    NotAKeySet,
    #[error("key {index}: {reason}")]
    InKey { index: usize, reason: Box<JwkError> },
    #[error("a JWK is a JSON object")]
    NotAnObject,
    #[error("the member \"{0}\" is missing or not a string")]
    Missing(&'static str),
    #[error("the member \"{0}\" is not base64url")]
    NotBase64(&'static str),
    #[error("the key type {0} is not supported (RSA, EC with crv P-256, OKP with crv Ed25519)")]
    Unsupported(String),
    #[error("the JWK holds the private member \"{0}\"; register only the public key")]
    PrivateMember(&'static str),
    #[error("the member \"alg\" is {found}, but this key is for {expected}")]
    AlgMismatch {
        expected: &'static str,
        found: String,
    },
    #[error("the RSA modulus is {0} bits; at least 2048 are required")]
    RsaTooShort(usize),
    #[error("the member \"use\" is {0}; a signing key has \"sig\"")]
    NotForSigning(String),
    #[error("{0}")]
    Rejected(#[from] jwt::KeyRejected),
    #[error("the JWK Set holds no RS256, ES256 or EdDSA signing key")]
    NoSigningKey,
}

/// The base64url of big-endian bytes, for JWK members.
pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The RFC 7638 thumbprint of a public JWK: base64url(SHA-256) of its required members, in
/// lexicographic order, without whitespace.
pub fn thumbprint(jwk: &Value) -> Result<String, JwkError> {
    let member = |name: &'static str| -> Result<&str, JwkError> {
        jwk.get(name)
            .and_then(Value::as_str)
            .ok_or(JwkError::Missing(name))
    };
    // Members are base64url or fixed names, so no JSON escaping is needed — but checked anyway
    // so that a hostile JWK cannot make two keys share a thumbprint.
    let plain = |value: &str| {
        value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    };
    let canonical = match member("kty")? {
        "RSA" => format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            member("e")?,
            member("n")?
        ),
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            member("crv")?,
            member("x")?,
            member("y")?
        ),
        "OKP" => format!(
            r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
            member("crv")?,
            member("x")?
        ),
        other => return Err(JwkError::Unsupported(other.to_owned())),
    };
    let parts = ["e", "n", "x", "y", "crv"];
    if parts
        .iter()
        .filter_map(|name| jwk.get(*name).and_then(Value::as_str))
        .any(|value| !plain(value))
    {
        return Err(JwkError::Unsupported("with escaped characters".to_owned()));
    }
    Ok(b64(&domain::digest::sha256(canonical.as_bytes())))
}

/// The published form of a key: its public members plus `kid`, `use` and `alg`.
pub(crate) fn published(
    mut members: Map<String, Value>,
    alg: SigningAlg,
) -> Result<Value, JwkError> {
    let kid = thumbprint(&Value::Object(members.clone()))?;
    members.insert("kid".to_owned(), json!(kid));
    members.insert("use".to_owned(), json!("sig"));
    members.insert("alg".to_owned(), json!(jwt::alg_name(alg)));
    Ok(Value::Object(members))
}

/// A key read from a JWK, with the `kid` it declared (if any).
#[derive(Debug, Clone)]
pub struct PublicJwk {
    pub kid: Option<String>,
    pub key: VerifyingKey,
}

/// Reads one public JWK: RSA (≥ 2048 bits), EC P-256 or OKP Ed25519; refuses private members,
/// an `alg` that does not fit the key, and a `use` other than `sig`.
pub fn read_jwk(jwk: &Value) -> Result<PublicJwk, JwkError> {
    let object = jwk.as_object().ok_or(JwkError::NotAnObject)?;
    if let Some(name) = PRIVATE_MEMBERS
        .into_iter()
        .find(|name| object.contains_key(*name))
    {
        return Err(JwkError::PrivateMember(name));
    }
    let text = |name: &'static str| -> Result<&str, JwkError> {
        object
            .get(name)
            .and_then(Value::as_str)
            .ok_or(JwkError::Missing(name))
    };
    let bytes = |name: &'static str| -> Result<Vec<u8>, JwkError> {
        URL_SAFE_NO_PAD
            .decode(text(name)?)
            .map_err(|_| JwkError::NotBase64(name))
    };
    let kty = text("kty")?;
    let key = match kty {
        "RSA" => {
            let n = bytes("n")?;
            let significant = n.iter().skip_while(|byte| **byte == 0).count();
            if significant * 8 < 2048 {
                return Err(JwkError::RsaTooShort(significant * 8));
            }
            VerifyingKey::rsa(&n, &bytes("e")?)?
        }
        "EC" => match text("crv")? {
            "P-256" => VerifyingKey::p256(&bytes("x")?, &bytes("y")?)?,
            other => return Err(JwkError::Unsupported(format!("EC with crv {other}"))),
        },
        "OKP" => match text("crv")? {
            "Ed25519" => VerifyingKey::ed25519(&bytes("x")?)?,
            other => return Err(JwkError::Unsupported(format!("OKP with crv {other}"))),
        },
        other => return Err(JwkError::Unsupported(other.to_owned())),
    };
    if let Some(alg) = object.get("alg") {
        let expected = jwt::alg_name(key.alg());
        if alg.as_str() != Some(expected) {
            return Err(JwkError::AlgMismatch {
                expected,
                found: alg.to_string(),
            });
        }
    }
    if let Some(usage) = object.get("use")
        && usage.as_str() != Some("sig")
    {
        return Err(JwkError::NotForSigning(usage.to_string()));
    }
    let kid = object.get("kid").and_then(Value::as_str).map(str::to_owned);
    Ok(PublicJwk { kid, key })
}

/// Reads a JWK Set; every key in it must be a valid public signing key of ours, and there must
/// be at least one.
pub fn read_jwks(jwks: &Value) -> Result<Vec<PublicJwk>, JwkError> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(JwkError::NotAKeySet)?;
    let keys = keys
        .iter()
        .enumerate()
        .map(|(index, jwk)| {
            read_jwk(jwk).map_err(|reason| JwkError::InKey {
                index,
                reason: Box::new(reason),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(JwkError::NoSigningKey);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1.
    #[test]
    fn thumbprint_matches_the_rfc_example() {
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let read = read_jwk(&jwk).unwrap();
        assert_eq!(read.kid.as_deref(), Some("2011-04-29"));
        assert_eq!(read.key.alg(), SigningAlg::RS256);
    }

    /// RFC 8037 appendix A.2 (an Ed25519 public key).
    #[test]
    fn okp_keys_are_read_and_private_members_refused() {
        let public = json!({"kty": "OKP", "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        assert_eq!(read_jwk(&public).unwrap().key.alg(), SigningAlg::EdDSA);
        assert_eq!(
            thumbprint(&public).unwrap(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        let mut private = public.clone();
        private["d"] = json!("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
        assert_eq!(
            read_jwk(&private).unwrap_err(),
            JwkError::PrivateMember("d")
        );
        let mut wrong_alg = public.clone();
        wrong_alg["alg"] = json!("ES256");
        assert!(matches!(
            read_jwk(&wrong_alg).unwrap_err(),
            JwkError::AlgMismatch { .. }
        ));
        let mut encryption = public;
        encryption["use"] = json!("enc");
        assert!(matches!(
            read_jwk(&encryption).unwrap_err(),
            JwkError::NotForSigning(_)
        ));
    }

    #[test]
    fn key_sets_name_the_bad_key_and_need_one_key() {
        assert_eq!(read_jwks(&json!({})).unwrap_err(), JwkError::NotAKeySet);
        assert_eq!(
            read_jwks(&json!({"keys": []})).unwrap_err(),
            JwkError::NoSigningKey
        );
        let error = read_jwks(&json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "key 0: the JWK holds the private member \"k\"; register only the public key"
        );
        let error =
            read_jwks(&json!({"keys": [{"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}]}))
                .unwrap_err();
        assert!(error.to_string().contains("P-384"), "{error}");
        let short = json!({"keys": [{"kty": "RSA", "n": b64(&[0xff; 128]), "e": "AQAB"}]});
        assert!(
            read_jwks(&short)
                .unwrap_err()
                .to_string()
                .contains("1024 bits")
        );
    }
}
