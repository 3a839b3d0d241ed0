//! Private signing keys in memory: made with aws-lc-rs (never the `rsa` crate, RUSTSEC-2023-0071),
//! kept as PKCS#8 DER when sealed, parsed once and then used for every signature.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
    RsaKeyPair, RsaPublicKeyComponents,
};
use serde_json::{Map, Value, json};
use store::SigningAlg;

use super::error::KeyError;
use super::jwk::{b64, read_jwk};
use crate::jwt::{self, VerifyingKey};

/// A private key of one of our algorithms.
pub(crate) enum PrivateKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({}, [redacted])", jwt::alg_name(self.alg()))
    }
}

fn rsa_size(bits: u32) -> Result<KeySize, KeyError> {
    match bits {
        2048 => Ok(KeySize::Rsa2048),
        3072 => Ok(KeySize::Rsa3072),
        4096 => Ok(KeySize::Rsa4096),
        other => Err(KeyError::RsaBits(other)),
    }
}

impl PrivateKey {
    /// A fresh key from aws-lc-rs's CSPRNG. RSA generation takes a noticeable fraction of a
    /// second: call it off the async workers.
    pub(crate) fn generate(alg: SigningAlg, rsa_bits: u32) -> Result<Self, KeyError> {
        let failed = |_| KeyError::Generate(jwt::alg_name(alg));
        Ok(match alg {
            SigningAlg::RS256 => {
                Self::Rsa(RsaKeyPair::generate(rsa_size(rsa_bits)?).map_err(failed)?)
            }
            SigningAlg::ES256 => {
                Self::Ec(EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(failed)?)
            }
            SigningAlg::EdDSA => Self::Ed(Ed25519KeyPair::generate().map_err(failed)?),
        })
    }

    /// Parses the PKCS#8 DER of a key of `alg`.
    pub(crate) fn from_pkcs8(alg: SigningAlg, der: &[u8]) -> Result<Self, String> {
        let rejected = |error: aws_lc_rs::error::KeyRejected| error.to_string();
        Ok(match alg {
            SigningAlg::RS256 => Self::Rsa(RsaKeyPair::from_pkcs8(der).map_err(rejected)?),
            SigningAlg::ES256 => Self::Ec(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map_err(rejected)?,
            ),
            SigningAlg::EdDSA => Self::Ed(Ed25519KeyPair::from_pkcs8(der).map_err(rejected)?),
        })
    }

    pub(crate) fn alg(&self) -> SigningAlg {
        match self {
            Self::Rsa(_) => SigningAlg::RS256,
            Self::Ec(_) => SigningAlg::ES256,
            Self::Ed(_) => SigningAlg::EdDSA,
        }
    }

    /// PKCS#8 (v1) DER of the private key, for sealing.
    pub(crate) fn to_pkcs8(&self) -> Result<Vec<u8>, KeyError> {
        let failed = |_| KeyError::Generate(jwt::alg_name(self.alg()));
        Ok(match self {
            Self::Rsa(key) => {
                let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> = key.as_der().map_err(failed)?;
                der.as_ref().to_vec()
            }
            Self::Ec(key) => key.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
            Self::Ed(key) => key.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
        })
    }

    /// The public members of the key's JWK (without `kid`, `use`, `alg`).
    pub(crate) fn public_members(&self) -> Result<Map<String, Value>, KeyError> {
        let value = match self {
            Self::Rsa(key) => {
                let public = RsaPublicKeyComponents::<Vec<u8>>::from(key.public_key());
                json!({ "kty": "RSA", "n": b64(&public.n), "e": b64(&public.e) })
            }
            Self::Ec(key) => {
                // An uncompressed P-256 point: 0x04 ‖ x ‖ y.
                let point = key.public_key().as_ref();
                let (x, y) = point
                    .get(1..33)
                    .zip(point.get(33..65))
                    .ok_or(KeyError::Generate("ES256"))?;
                json!({ "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y) })
            }
            Self::Ed(key) => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(key.public_key().as_ref()) })
            }
        };
        match value {
            Value::Object(members) => Ok(members),
            _ => Err(KeyError::Generate(jwt::alg_name(self.alg()))),
        }
    }

    /// The public half, ready to verify.
    pub(crate) fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        let members = Value::Object(self.public_members()?);
        read_jwk(&members)
            .map(|jwk| jwk.key)
            .map_err(|_| KeyError::Generate(jwt::alg_name(self.alg())))
    }

    /// The JWS signature of `message` (RSASSA-PKCS1-v1_5, fixed-size r ‖ s, or Ed25519).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = |_| KeyError::Sign(jwt::alg_name(self.alg()));
        match self {
            Self::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(failed)?;
                Ok(signature)
            }
            Self::Ec(key) => Ok(key
                .sign(&SystemRandom::new(), message)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
            Self::Ed(key) => Ok(key.sign(message).as_ref().to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_survive_pkcs8_and_sign_what_their_public_half_verifies() {
        for alg in jwt::ALGORITHMS {
            let key = PrivateKey::generate(alg, 2048).unwrap();
            let again = PrivateKey::from_pkcs8(alg, &key.to_pkcs8().unwrap()).unwrap();
            assert_eq!(
                again.public_members().unwrap(),
                key.public_members().unwrap()
            );
            let input = jwt::signing_input(alg, "k", "JWT", &json!({"a": 1})).unwrap();
            let token = jwt::finish(input.clone(), &again.sign(input.as_bytes()).unwrap());
            let parsed = jwt::Unverified::parse(&token).unwrap();
            parsed.verify(&key.verifying_key().unwrap()).unwrap();
        }
        assert!(matches!(
            PrivateKey::generate(SigningAlg::RS256, 1024),
            Err(KeyError::RsaBits(1024))
        ));
        assert!(PrivateKey::from_pkcs8(SigningAlg::ES256, b"not a key").is_err());
    }
}
