//! The client calling the token, introspection or revocation endpoint, authenticated; a
//! refusal is that endpoint's `invalid_client` answer.

use store::OidcClient;

use crate::clients::{ClientAuthError, PresentedClient};
use crate::core::Core;
use crate::discovery::TOKEN_PATH;
use crate::error::{TokenError, TokenErrorCode};

/// Authenticates the caller of the token, introspection or revocation endpoint. A
/// `private_key_jwt` assertion may name the issuer, the token endpoint or the endpoint called.
pub(crate) async fn authenticate(
    core: &Core,
    presented: &PresentedClient,
    endpoint_path: &str,
) -> Result<OidcClient, TokenError> {
    let token_endpoint = core.endpoint(TOKEN_PATH);
    let endpoint = core.endpoint(endpoint_path);
    let audiences = [
        core.issuer.as_str(),
        token_endpoint.as_str(),
        endpoint.as_str(),
    ];
    core.clients
        .authenticate(presented, &audiences, core.now())
        .await
        .map_err(|error| match error {
            ClientAuthError::Store(fault) => TokenError::Fault(fault.into()),
            refusal => TokenError::Refused {
                code: TokenErrorCode::InvalidClient,
                description: refusal.description(),
                basic: presented.basic.is_some(),
            },
        })
}
