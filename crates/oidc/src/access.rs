//! Access tokens (JWTs, RFC 9068) as minted by the token endpoint and presented back to
//! userinfo, introspection and revocation: their claims, and whether one is still live.

use serde::{Deserialize, Serialize};
use store::Grant;
use uuid::Uuid;

use crate::core::Core;
use crate::error::OidcError;

pub(crate) const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// The claims of a JWT access token (RFC 9068 §2.2). `aud` is the issuer: dvcid itself is the
/// resource server these tokens are for (userinfo); other resource servers ask introspection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The grant (token family) a person's token belongs to; absent for `client_credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<Uuid>,
}

impl AccessClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }
}

/// A live access token: signed by us, unexpired, not revoked, of a live grant of an active
/// account (or of a still registered client, for its own tokens).
pub(crate) struct LiveAccess {
    pub claims: AccessClaims,
    /// `None` for a client's own (`client_credentials`) token.
    pub grant: Option<Grant>,
}

pub(crate) async fn live_access_token(
    core: &Core,
    token: &str,
) -> Result<Option<LiveAccess>, OidcError> {
    let Some(claims) = core
        .verified::<AccessClaims>(token, ACCESS_TOKEN_TYP, true)
        .await?
    else {
        return Ok(None);
    };
    if claims.iss != core.issuer || claims.aud != core.issuer {
        return Ok(None);
    }
    if core.store.access_token_revoked(&claims.jti).await? {
        return Ok(None);
    }
    let now = core.now();
    let grant = match claims.gid {
        Some(id) => {
            let Some(grant) = core.store.grant(id).await? else {
                return Ok(None);
            };
            let live = grant.revoked_at.is_none()
                && grant.expires_at > now
                && grant.client_id == claims.client_id;
            if !live || core.active_account(grant.account_id).await?.is_none() {
                return Ok(None);
            }
            Some(grant)
        }
        None => {
            if core.store.client(&claims.client_id).await?.is_none() {
                return Ok(None);
            }
            None
        }
    };
    Ok(Some(LiveAccess { claims, grant }))
}

pub(crate) fn looks_like_jwt(token: &str) -> bool {
    token.matches('.').count() == 2
}
