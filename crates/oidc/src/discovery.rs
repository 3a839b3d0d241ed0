//! The provider's metadata (OpenID Connect Discovery 1.0, RFC 8414): what a standard client
//! library reads to configure itself. Every endpoint hangs under the issuer.

use serde_json::{Value, json};

use crate::claims::{
    ORGANISATION_CLAIMS, PERSONAL_SCOPES, PORTAL_CLAIMS, PORTAL_ORGANISATION_CLAIMS,
    STANDARD_CLAIMS, VNEID_CLAIMS,
};

/// The endpoint paths, relative to the issuer.
pub const AUTHORIZE_PATH: &str = "/authorize";
pub const TOKEN_PATH: &str = "/token";
pub const USERINFO_PATH: &str = "/userinfo";
pub const JWKS_PATH: &str = "/jwks.json";
pub const INTROSPECT_PATH: &str = "/introspect";
pub const REVOKE_PATH: &str = "/revoke";
pub const END_SESSION_PATH: &str = "/logout";

const SIGNING_ALGS: [&str; 3] = ["RS256", "ES256", "EdDSA"];
const CLIENT_AUTH_METHODS: [&str; 4] = [
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
];
const TOKEN_CLAIMS: [&str; 8] = ["iss", "aud", "exp", "iat", "auth_time", "acr", "amr", "sid"];

/// The discovery document for `issuer` (no trailing slash).
pub fn document(issuer: &str) -> Value {
    let endpoint = |path: &str| format!("{issuer}{path}");
    let claims: Vec<&str> = TOKEN_CLAIMS
        .iter()
        .chain(STANDARD_CLAIMS.iter())
        .chain(PORTAL_CLAIMS.iter())
        .chain(ORGANISATION_CLAIMS.iter())
        .chain(PORTAL_ORGANISATION_CLAIMS.iter())
        .chain(VNEID_CLAIMS.iter())
        .copied()
        .collect();
    // Introspection and revocation need the caller to be a client that can authenticate.
    let confidential_auth = CLIENT_AUTH_METHODS
        .get(..3)
        .map(<[&str]>::to_vec)
        .unwrap_or_default();
    json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint(AUTHORIZE_PATH),
        "token_endpoint": endpoint(TOKEN_PATH),
        "userinfo_endpoint": endpoint(USERINFO_PATH),
        "jwks_uri": endpoint(JWKS_PATH),
        "introspection_endpoint": endpoint(INTROSPECT_PATH),
        "revocation_endpoint": endpoint(REVOKE_PATH),
        "end_session_endpoint": endpoint(END_SESSION_PATH),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": SIGNING_ALGS,
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "introspection_endpoint_auth_methods_supported": confidential_auth,
        "introspection_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "scopes_supported": PERSONAL_SCOPES,
        "claims_supported": claims,
        "claim_types_supported": ["normal"],
        "acr_values_supported": ["LoA1", "LoA2", "LoA3"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["vi", "en"],
        "claims_locales_supported": ["vi"],
        "display_values_supported": ["page"],
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "claims_parameter_supported": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_hang_under_the_issuer() {
        let document = document("https://id.dichvucong.gov.vn");
        assert_eq!(document["issuer"], "https://id.dichvucong.gov.vn");
        assert_eq!(
            document["end_session_endpoint"],
            "https://id.dichvucong.gov.vn/logout"
        );
        assert_eq!(
            document["jwks_uri"],
            "https://id.dichvucong.gov.vn/jwks.json"
        );
        assert_eq!(document["response_types_supported"], json!(["code"]));
        assert_eq!(
            document["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(
            document["introspection_endpoint_auth_methods_supported"],
            json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt"
            ])
        );
        assert_eq!(document["request_parameter_supported"], false);
        let claims = document["claims_supported"].as_array().unwrap();
        assert!(claims.contains(&json!("SoDinhDanh")));
        assert!(claims.contains(&json!("auth_time")));
    }
}
