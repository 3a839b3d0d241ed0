//! Lifetimes and limits of the OpenID provider, from `[oidc]` in the configuration file.

use serde::Deserialize;
use store::SigningAlg;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcConfig {
    /// Authorization codes live at most this long (the issue asks ≤ 60 s).
    pub code_ttl_secs: i64,
    /// JWT access tokens (RFC 9068): short, since a resource server may not ask introspection.
    pub access_token_ttl_secs: i64,
    pub id_token_ttl_secs: i64,
    /// A refresh-token family's absolute lifetime; it also ends with the session it came from.
    pub refresh_token_ttl_secs: i64,
    /// A refresh token presented again within this many seconds of its exchange, while the
    /// token it was exchanged for is still unused, is a client retrying after a lost answer
    /// (a node or the database primary died after the commit): it is exchanged again instead
    /// of revoking the family as reuse. 0 turns this off; at most 60.
    pub refresh_token_retry_grace_secs: u32,
    /// A new signing key is published this long before it signs, so that relying services
    /// have refreshed their JWKS cache first. Also the JWKS `Cache-Control: max-age`.
    pub key_publish_ahead_secs: i64,
    /// RSA modulus size for new RS256 keys.
    pub rsa_bits: u32,
    /// A `private_key_jwt` assertion may be at most this old (its `exp` − `iat`).
    pub assertion_max_age_secs: i64,
    /// Back-channel logout: request timeout and how many deliveries are tried before giving up.
    pub backchannel_timeout_ms: u64,
    pub backchannel_max_attempts: i32,
    /// The algorithm of JWT access tokens (RFC 9068); ES256 signs fastest of the three.
    pub access_token_alg: SigningAlg,
    /// How long an authorization request may wait for the person to sign in or consent.
    pub authorization_request_ttl_secs: i64,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            code_ttl_secs: 60,
            access_token_ttl_secs: 300,
            id_token_ttl_secs: 600,
            refresh_token_ttl_secs: 8 * 3600,
            refresh_token_retry_grace_secs: 30,
            key_publish_ahead_secs: 3600,
            rsa_bits: 2048,
            assertion_max_age_secs: 300,
            backchannel_timeout_ms: 3000,
            backchannel_max_attempts: 5,
            access_token_alg: SigningAlg::ES256,
            authorization_request_ttl_secs: 1800,
        }
    }
}
