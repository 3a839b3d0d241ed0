//! The registration names of client authentication methods and grant types, and which methods
//! authenticate with a client secret.

use store::{ClientAuthMethod, GrantType};

/// The registration name of an authentication method (`token_endpoint_auth_method`).
pub const fn auth_method_name(method: ClientAuthMethod) -> &'static str {
    match method {
        ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
        ClientAuthMethod::ClientSecretPost => "client_secret_post",
        ClientAuthMethod::PrivateKeyJwt => "private_key_jwt",
        ClientAuthMethod::None => "none",
    }
}

/// The OAuth name of a grant type.
pub const fn grant_type_name(grant: GrantType) -> &'static str {
    match grant {
        GrantType::AuthorizationCode => "authorization_code",
        GrantType::RefreshToken => "refresh_token",
        GrantType::ClientCredentials => "client_credentials",
    }
}

/// Whether the method authenticates with a client secret.
pub const fn uses_secret(method: ClientAuthMethod) -> bool {
    matches!(
        method,
        ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost
    )
}
