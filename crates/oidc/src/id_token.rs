//! ID tokens (OpenID Connect Core §2): their claims and `at_hash`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use store::SigningAlg;

pub(crate) const ID_TOKEN_TYP: &str = "JWT";

/// The claims of an ID token (OpenID Connect Core §2). No personal claims: they are released
/// by userinfo only, so that an ID token passed around (as `id_token_hint`, in logs of a
/// relying service) carries nothing but the `sub` — except for clients registered with
/// `ClaimMapping::Vneid`, whose protocol puts the person's claims in the ID token (`person`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IdClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub acr: String,
    pub amr: Vec<String>,
    pub azp: String,
    pub sid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(flatten, default)]
    pub person: serde_json::Map<String, serde_json::Value>,
}

/// `at_hash` (OpenID Connect Core §3.1.3.6): the left half of the token's hash, with the hash
/// of the ID token's algorithm — SHA-256 for RS256 and ES256, SHA-512 for EdDSA (Ed25519).
pub(crate) fn token_hash(alg: SigningAlg, token: &str) -> String {
    use aws_lc_rs::digest;
    let algorithm = match alg {
        SigningAlg::RS256 | SigningAlg::ES256 => &digest::SHA256,
        SigningAlg::EdDSA => &digest::SHA512,
    };
    let hash = digest::digest(algorithm, token.as_bytes());
    let bytes = hash.as_ref();
    let half = bytes.get(..bytes.len() / 2).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_follows_the_id_token_algorithm() {
        // OpenID Connect Core appendix A.3's access token and at_hash (RS256).
        let token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(
            token_hash(SigningAlg::RS256, token),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(
            token_hash(SigningAlg::ES256, token),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(token_hash(SigningAlg::EdDSA, token).len(), 43);
    }
}
