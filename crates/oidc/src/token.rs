//! The token endpoint and the tokens it mints: `authorization_code`, `refresh_token` and
//! `client_credentials` grants; JWT access tokens (RFC 9068), ID tokens, refresh tokens.
//!
//! Access tokens name their grant (`gid`) so that userinfo and introspection can refuse a
//! token whose grant was revoked (code replay, refresh reuse, logout, revocation) before it
//! expires. `client_credentials` tokens have no grant and nothing is written for them: they
//! are short, stateless, revocable one by one (`jti`), and the token endpoint's throughput for
//! machine clients is then bounded by signing, not by the database.

use domain::AssuranceLevel;
use serde::Serialize;
use store::{
    ClientAuthMethod, CodeRedemption, Grant, GrantType, NewRefreshToken, OidcClient,
    RefreshRotation, Rotation, StoreError,
};
use time::{Duration, OffsetDateTime};

use crate::access::{ACCESS_TOKEN_TYP, AccessClaims};
use crate::acting::{acting_claims, asks_acting};
use crate::caller::authenticate;
use crate::claims::{amr_values, is_personal_scope};
use crate::clients::PresentedClient;
use crate::core::{Core, secret_hash};
use crate::discovery::TOKEN_PATH;
use crate::error::{OidcError, TokenError, TokenErrorCode};
use crate::id_token::{ID_TOKEN_TYP, IdClaims, token_hash};
use crate::params::Params;
use crate::pkce;

/// A successful token response (RFC 6749 §5.1). The web layer sends it as JSON with
/// `Cache-Control: no-store`. `Debug` hides the tokens.
#[derive(Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The granted scope, space-separated.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

pub(crate) async fn exchange(
    core: &Core,
    presented: &PresentedClient,
    form: &[(String, String)],
) -> Result<TokenResponse, TokenError> {
    let params = Params::new(form);
    let grant_type = params
        .get("grant_type")
        .map_err(TokenError::repeated)?
        .ok_or_else(|| TokenError::invalid_request("grant_type is required"))?;
    let client = authenticate(core, presented, TOKEN_PATH).await?;
    let now = core.now();
    match grant_type {
        "authorization_code" => authorization_code(core, &client, &params, now).await,
        "refresh_token" => refresh(core, &client, &params, now).await,
        "client_credentials" => client_credentials(core, &client, &params, now).await,
        _ => Err(TokenError::refused(
            TokenErrorCode::UnsupportedGrantType,
            "supported: authorization_code, refresh_token, client_credentials",
        )),
    }
}

fn allows(client: &OidcClient, grant: GrantType) -> bool {
    client.settings.grant_types.contains(&grant)
}

fn unauthorized(grant: &str) -> TokenError {
    TokenError::refused(
        TokenErrorCode::UnauthorizedClient,
        format!("the client is not registered for the {grant} grant"),
    )
}

async fn authorization_code(
    core: &Core,
    client: &OidcClient,
    params: &Params<'_>,
    now: OffsetDateTime,
) -> Result<TokenResponse, TokenError> {
    if !allows(client, GrantType::AuthorizationCode) {
        return Err(unauthorized("authorization_code"));
    }
    let code = params
        .get("code")
        .map_err(TokenError::repeated)?
        .ok_or_else(|| TokenError::invalid_request("code is required"))?;
    // Checked before the code is spent, so that a malformed request does not burn it.
    let redirect_uri = params
        .get("redirect_uri")
        .map_err(TokenError::repeated)?
        .ok_or_else(|| TokenError::invalid_request("redirect_uri is required"))?;
    let verifier = params.get("code_verifier").map_err(TokenError::repeated)?;
    let Some(code_hash) = secret_hash(code) else {
        return Err(TokenError::invalid_grant("the code is unknown or expired"));
    };
    let code = match core
        .store
        .redeem_code(&code_hash, now)
        .await
        .map_err(OidcError::from)?
    {
        CodeRedemption::Redeemed(code) => code,
        CodeRedemption::Replayed { grant_id } => {
            tracing::warn!(client = %client.id, grant = %grant_id, "authorization code replayed; its grant is revoked");
            return Err(TokenError::invalid_grant(
                "the code was used before; the tokens issued with it are revoked",
            ));
        }
        CodeRedemption::Invalid => {
            return Err(TokenError::invalid_grant("the code is unknown or expired"));
        }
    };
    if code.client_id != client.id {
        return Err(TokenError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if redirect_uri != code.redirect_uri {
        return Err(TokenError::invalid_grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    pkce::verify(code.code_challenge.as_deref(), verifier).map_err(TokenError::invalid_grant)?;
    if core.active_account(code.account_id).await?.is_none() {
        return Err(TokenError::invalid_grant(
            "the account is locked or disabled",
        ));
    }
    let grant = Grant {
        id: code.grant_id,
        client_id: client.id.clone(),
        account_id: code.account_id,
        session_id: code.session_id,
        scope: code.scope.clone(),
        acr: code.acr,
        amr: code.amr.clone(),
        auth_time: code.auth_time,
        created_at: now,
        expires_at: now + Core::seconds(core.config.refresh_token_ttl_secs),
        revoked_at: None,
    };
    let refresh = allows(client, GrantType::RefreshToken).then(|| core.secret());
    let stored_refresh = refresh.as_ref().map(|secret| NewRefreshToken {
        token_hash: secret.hash,
        grant_id: grant.id,
        expires_at: grant.expires_at,
    });
    match core
        .store
        .create_grant(&grant, stored_refresh.as_ref())
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound { .. }) => {
            return Err(TokenError::invalid_grant("the sign-in session has ended"));
        }
        Err(error) => return Err(OidcError::from(error).into()),
    }
    let scopes: Vec<&str> = grant.scope.split(' ').filter(|s| !s.is_empty()).collect();
    let mut response = user_tokens(core, client, &grant, &scopes, code.nonce, now).await?;
    response.refresh_token = refresh.map(|secret| secret.text);
    Ok(response)
}

async fn refresh(
    core: &Core,
    client: &OidcClient,
    params: &Params<'_>,
    now: OffsetDateTime,
) -> Result<TokenResponse, TokenError> {
    if !allows(client, GrantType::RefreshToken) {
        return Err(unauthorized("refresh_token"));
    }
    let presented = params
        .get("refresh_token")
        .map_err(TokenError::repeated)?
        .ok_or_else(|| TokenError::invalid_request("refresh_token is required"))?;
    let requested_scope = params.get("scope").map_err(TokenError::repeated)?;
    let Some(hash) = secret_hash(presented) else {
        return Err(TokenError::invalid_grant("the refresh token is unknown"));
    };
    // Asking for less than was granted needs the grant's scope before the token is spent: a
    // refused narrowing must leave the family usable. The common refresh reads nothing first.
    let narrowing = match requested_scope {
        None => None,
        Some(requested) => {
            let Some((_, family)) = core
                .store
                .refresh_token(&hash)
                .await
                .map_err(OidcError::from)?
            else {
                return Err(TokenError::invalid_grant("the refresh token is unknown"));
            };
            let granted: Vec<&str> = family.scope.split(' ').filter(|s| !s.is_empty()).collect();
            Some(narrowed(requested, &granted)?.join(" "))
        }
    };
    let next = core.secret();
    let rotation = core
        .store
        .rotate_refresh_token(&Rotation {
            presented: &hash,
            client: &client.id,
            next: &next.hash,
            now,
            retry_grace: Duration::seconds(core.config.refresh_token_retry_grace_secs.into()),
        })
        .await
        .map_err(OidcError::from)?;
    let grant = match rotation {
        RefreshRotation::Rotated(grant) => grant,
        RefreshRotation::Exchanged(grant) => {
            tracing::info!(client = %client.id, grant = %grant.id, "refresh token presented again before its successor was used; exchanged again");
            grant
        }
        RefreshRotation::Reused { grant_id } => {
            tracing::warn!(client = %client.id, grant = %grant_id, "refresh token reused; its family is revoked");
            return Err(TokenError::invalid_grant(
                "the refresh token was used before; every token of its family is revoked",
            ));
        }
        RefreshRotation::OtherClient => {
            return Err(TokenError::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        RefreshRotation::Invalid => {
            return Err(TokenError::invalid_grant(
                "the refresh token has expired or was revoked",
            ));
        }
    };
    let scope = narrowing.unwrap_or_else(|| grant.scope.clone());
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    let mut response = user_tokens(core, client, &grant, &scopes, None, now).await?;
    response.refresh_token = Some(next.text);
    Ok(response)
}

/// A refresh may ask for less than was granted, never more (RFC 6749 §6).
fn narrowed<'a>(requested: &'a str, granted: &[&str]) -> Result<Vec<&'a str>, TokenError> {
    let mut scopes: Vec<&str> = Vec::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        if !granted.contains(&scope) {
            return Err(TokenError::refused(
                TokenErrorCode::InvalidScope,
                "a refresh cannot widen the granted scope",
            ));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

async fn client_credentials(
    core: &Core,
    client: &OidcClient,
    params: &Params<'_>,
    now: OffsetDateTime,
) -> Result<TokenResponse, TokenError> {
    if !allows(client, GrantType::ClientCredentials)
        || client.settings.auth_method == ClientAuthMethod::None
    {
        return Err(unauthorized("client_credentials"));
    }
    let allowed: Vec<&str> = client
        .settings
        .scopes
        .iter()
        .map(String::as_str)
        .filter(|scope| !is_personal_scope(scope))
        .collect();
    let scopes = match params.get("scope").map_err(TokenError::repeated)? {
        None => allowed,
        Some(requested) => {
            let mut scopes = Vec::new();
            for scope in requested.split(' ').filter(|s| !s.is_empty()) {
                if !allowed.contains(&scope) {
                    return Err(TokenError::refused(
                        TokenErrorCode::InvalidScope,
                        "a client acting for itself may only ask for its registered non-personal scopes",
                    ));
                }
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
            scopes
        }
    };
    let scope = scopes.join(" ");
    let ttl = Core::seconds(core.config.access_token_ttl_secs);
    let claims = AccessClaims {
        iss: core.issuer.clone(),
        sub: client.id.clone(),
        aud: core.issuer.clone(),
        client_id: client.id.clone(),
        scope: scope.clone(),
        exp: (now + ttl).unix_timestamp(),
        iat: now.unix_timestamp(),
        jti: core.uuid().to_string(),
        auth_time: None,
        acr: None,
        gid: None,
    };
    let access_token = core
        .keys
        .sign(core.config.access_token_alg, ACCESS_TOKEN_TYP, &claims, now)
        .await
        .map_err(OidcError::from)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ttl.whole_seconds(),
        refresh_token: None,
        id_token: None,
        scope,
    })
}

/// The access token and (with `openid`) the ID token of a person's grant.
async fn user_tokens(
    core: &Core,
    client: &OidcClient,
    grant: &Grant,
    scopes: &[&str],
    nonce: Option<String>,
    now: OffsetDateTime,
) -> Result<TokenResponse, OidcError> {
    let sub = core.subject(client, grant.account_id);
    let scope = scopes.join(" ");
    // Never past the family's absolute lifetime.
    let exp = (now + Core::seconds(core.config.access_token_ttl_secs)).min(grant.expires_at);
    let access = AccessClaims {
        iss: core.issuer.clone(),
        sub: sub.clone(),
        aud: core.issuer.clone(),
        client_id: client.id.clone(),
        scope: scope.clone(),
        exp: exp.unix_timestamp(),
        iat: now.unix_timestamp(),
        jti: core.uuid().to_string(),
        auth_time: Some(grant.auth_time.unix_timestamp()),
        acr: Some(grant.acr.as_str().to_owned()),
        gid: Some(grant.id),
    };
    let access_token = core
        .keys
        .sign(core.config.access_token_alg, ACCESS_TOKEN_TYP, &access, now)
        .await?;
    let id_token = if scopes.contains(&"openid") {
        let alg = client.settings.id_token_alg;
        let claims = IdClaims {
            iss: core.issuer.clone(),
            sub,
            aud: client.id.clone(),
            exp: (now + Core::seconds(core.config.id_token_ttl_secs)).unix_timestamp(),
            iat: now.unix_timestamp(),
            auth_time: grant.auth_time.unix_timestamp(),
            nonce,
            acr: acr_value(grant.acr),
            amr: amr_values(&grant.amr),
            azp: client.id.clone(),
            sid: grant.session_id.to_string(),
            at_hash: Some(token_hash(alg, &access_token)),
            person: person_claims(core, client, grant, scopes).await?,
        };
        Some(core.keys.sign(alg, ID_TOKEN_TYP, &claims, now).await?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: (exp - now).whole_seconds().max(0),
        refresh_token: None,
        id_token,
        scope,
    })
}

/// The claims in the ID token besides the sign-in facts: the organisation the person acts for
/// (not personal), and for eID-style clients (`ClaimMapping::Vneid`) the standard claims of
/// the scopes plus the eID ones.
async fn person_claims(
    core: &Core,
    client: &OidcClient,
    grant: &Grant,
    scopes: &[&str],
) -> Result<serde_json::Map<String, serde_json::Value>, OidcError> {
    let mapping = client.settings.claim_mapping;
    // The common refresh asks for neither: it reads no account (the rotation checked that it
    // is active).
    if mapping != store::ClaimMapping::Vneid && !asks_acting(scopes) {
        return Ok(serde_json::Map::new());
    }
    let Some(account) = core.active_account(grant.account_id).await? else {
        return Ok(serde_json::Map::new());
    };
    let acting = acting_claims(core, grant.session_id, &account, scopes, mapping).await?;
    if mapping != store::ClaimMapping::Vneid {
        return Ok(acting);
    }
    let phone = if scopes.contains(&"phone") {
        core.store
            .phones(account.id)
            .await?
            .into_iter()
            .find(|phone| phone.is_default)
            .map(|phone| phone.phone)
    } else {
        None
    };
    let mut claims = crate::claims::user_claims(
        crate::claims::Person {
            account: &account,
            phone: phone.as_ref(),
        },
        scopes,
        store::ClaimMapping::Vneid,
    );
    claims.extend(crate::claims::vneid_claims(&account, grant.acr));
    claims.extend(acting);
    Ok(claims)
}

fn acr_value(level: AssuranceLevel) -> String {
    level.as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_may_narrow_but_not_widen() {
        let granted = ["openid", "profile", "dvc"];
        assert_eq!(
            narrowed("profile openid", &granted).ok().unwrap(),
            ["profile", "openid"]
        );
        assert_eq!(narrowed("dvc dvc", &granted).ok().unwrap(), ["dvc"]);
        let wider = narrowed("openid email", &granted).err().unwrap();
        assert_eq!(wider.code(), Some(TokenErrorCode::InvalidScope));
    }

    #[test]
    fn token_responses_do_not_debug_their_tokens() {
        let response = TokenResponse {
            access_token: "secret-access".to_owned(),
            token_type: "Bearer",
            expires_in: 300,
            refresh_token: Some("secret-refresh".to_owned()),
            id_token: Some("secret-id".to_owned()),
            scope: "openid".to_owned(),
        };
        let shown = format!("{response:?}");
        assert!(!shown.contains("secret"));
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["token_type"], "Bearer");
        assert_eq!(json["refresh_token"], "secret-refresh");
    }
}
