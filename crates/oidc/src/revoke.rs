//! Token revocation (RFC 7009), bound to the calling client. Revoking a refresh token revokes
//! its grant (the whole family, and the grant's access tokens with it); revoking an access
//! token records its `jti` until it would have expired. A token that is unknown, expired or
//! another client's is answered the same way, 200 and nothing done (§2.2), so revocation
//! cannot be used to probe for tokens or to revoke someone else's.

use crate::access::{ACCESS_TOKEN_TYP, AccessClaims, looks_like_jwt};
use crate::caller::authenticate;
use crate::clients::PresentedClient;
use crate::core::{Core, secret_hash};
use crate::discovery::REVOKE_PATH;
use crate::error::{OidcError, TokenError};
use crate::params::Params;

pub(crate) async fn revoke(
    core: &Core,
    presented: &PresentedClient,
    form: &[(String, String)],
) -> Result<(), TokenError> {
    let client = authenticate(core, presented, REVOKE_PATH).await?;
    let params = Params::new(form);
    let token = params
        .get("token")
        .map_err(TokenError::repeated)?
        .ok_or_else(|| TokenError::invalid_request("token is required"))?;
    params
        .get("token_type_hint")
        .map_err(TokenError::repeated)?;
    let now = core.now();
    if looks_like_jwt(token) {
        let claims = core
            .verified::<AccessClaims>(token, ACCESS_TOKEN_TYP, true)
            .await?;
        if let Some(claims) = claims.filter(|c| c.iss == core.issuer && c.client_id == client.id) {
            let expires_at = time::OffsetDateTime::from_unix_timestamp(claims.exp)
                .map_err(|_| OidcError::Internal("access token exp out of range".to_owned()))?;
            core.store
                .revoke_access_token(&claims.jti, expires_at)
                .await
                .map_err(OidcError::from)?;
        }
    } else if let Some(hash) = secret_hash(token)
        && let Some((_, grant)) = core
            .store
            .refresh_token(&hash)
            .await
            .map_err(OidcError::from)?
        && grant.client_id == client.id
    {
        core.store
            .revoke_grant(grant.id, now)
            .await
            .map_err(OidcError::from)?;
    }
    Ok(())
}
