//! Token introspection (RFC 7662), bound to the calling client: a client learns about its own
//! tokens only. Anything else — another client's token, an unknown, expired or revoked one —
//! is the same `{"active": false}`, so the answer never tells whether a token exists.
//!
//! Access tokens are JWTs (three dot-separated parts) and refresh tokens are 43 base64url
//! characters, so the token's form decides how it is looked up; `token_type_hint` is not
//! needed and is ignored (RFC 7662 §2.1 allows that).

use serde_json::{Map, Value, json};
use store::ClientAuthMethod;
use time::OffsetDateTime;

use crate::access::{live_access_token, looks_like_jwt};
use crate::caller::authenticate;
use crate::clients::PresentedClient;
use crate::core::{Core, secret_hash};
use crate::discovery::INTROSPECT_PATH;
use crate::error::{OidcError, TokenError, TokenErrorCode};
use crate::params::Params;

pub(crate) async fn introspect(
    core: &Core,
    presented: &PresentedClient,
    form: &[(String, String)],
) -> Result<Value, TokenError> {
    let client = authenticate(core, presented, INTROSPECT_PATH).await?;
    if client.settings.auth_method == ClientAuthMethod::None {
        // Without a secret, "authenticating" as a public client proves nothing.
        return Err(TokenError::Refused {
            code: TokenErrorCode::InvalidClient,
            description: "public clients cannot use introspection".to_owned(),
            basic: presented.basic.is_some(),
        });
    }
    let params = Params::new(form);
    let token = params
        .get("token")
        .map_err(TokenError::repeated)?
        .ok_or_else(|| TokenError::invalid_request("token is required"))?;
    params
        .get("token_type_hint")
        .map_err(TokenError::repeated)?;
    let answer = if looks_like_jwt(token) {
        access_token(core, &client.id, token).await?
    } else {
        refresh_token(core, &client, token).await?
    };
    Ok(answer.map_or_else(|| json!({ "active": false }), Value::Object))
}

async fn access_token(
    core: &Core,
    client_id: &str,
    token: &str,
) -> Result<Option<Map<String, Value>>, OidcError> {
    let Some(live) = live_access_token(core, token).await? else {
        return Ok(None);
    };
    let claims = live.claims;
    if claims.client_id != client_id {
        return Ok(None);
    }
    let mut answer = json!({
        "active": true,
        "token_type": "Bearer",
        "client_id": claims.client_id,
        "sub": claims.sub,
        "iss": claims.iss,
        "aud": claims.aud,
        "exp": claims.exp,
        "iat": claims.iat,
        "jti": claims.jti,
    });
    if let Value::Object(map) = &mut answer {
        if !claims.scope.is_empty() {
            map.insert("scope".to_owned(), json!(claims.scope));
        }
        if let Some(auth_time) = claims.auth_time {
            map.insert("auth_time".to_owned(), json!(auth_time));
        }
        if let Some(acr) = claims.acr {
            map.insert("acr".to_owned(), json!(acr));
        }
    }
    Ok(as_map(answer))
}

async fn refresh_token(
    core: &Core,
    client: &store::OidcClient,
    token: &str,
) -> Result<Option<Map<String, Value>>, OidcError> {
    let Some(hash) = secret_hash(token) else {
        return Ok(None);
    };
    let Some((refresh, grant)) = core.store.refresh_token(&hash).await? else {
        return Ok(None);
    };
    let now = core.now();
    let live = grant.client_id == client.id
        && refresh.used_at.is_none()
        && refresh.expires_at > now
        && grant.revoked_at.is_none()
        && grant.expires_at > now;
    if !live || core.active_account(grant.account_id).await?.is_none() {
        return Ok(None);
    }
    Ok(as_map(json!({
        "active": true,
        "client_id": grant.client_id,
        "sub": core.subject(client, grant.account_id),
        "iss": core.issuer,
        "scope": grant.scope,
        "exp": unix(refresh.expires_at),
        "iat": unix(refresh.created_at),
        "auth_time": unix(grant.auth_time),
        "acr": grant.acr.as_str(),
    })))
}

/// Seconds since the epoch, for JSON answers.
fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

fn as_map(value: Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}
