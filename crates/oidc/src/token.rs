//! The token endpoint and the tokens it mints: `authorization_code`, `refresh_token` and
//! `client_credentials` grants; JWT access tokens (RFC 9068), ID tokens, refresh tokens.
//!
//! Access tokens name their grant (`gid`) so that userinfo and introspection can refuse a
//! token whose grant was revoked (code replay, refresh reuse, logout, revocation) before it
//! expires. `client_credentials` tokens have no grant and nothing is written for them: they
//! are short, stateless, revocable one by one (`jti`), and the token endpoint's throughput for
//! machine clients is then bounded by signing, not by the database.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::AssuranceLevel;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::{
    ClientAuthMethod, CodeRedemption, Grant, GrantType, NewRefreshToken, OidcClient,
    RefreshRotation, SigningAlg, StoreError,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::claims::{amr_values, is_personal_scope};
use crate::clients::{ClientAuthError, PresentedClient};
use crate::core::{Core, secret_hash};
use crate::discovery::TOKEN_PATH;
use crate::error::{OidcError, TokenError, TokenErrorCode};
use crate::keys::KeyError;
use crate::params::{Params, Repeated};
use crate::pkce;

pub(crate) const ID_TOKEN_TYP: &str = "JWT";
pub(crate) const ACCESS_TOKEN_TYP: &str = "at+jwt";

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

/// The claims of an ID token (OpenID Connect Core §2). No personal claims: they are released
/// by userinfo only, so that an ID token passed around (as `id_token_hint`, in logs of a
/// relying service) carries nothing but the `sub`.
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
}

pub(crate) async fn exchange(
    core: &Core,
    presented: &PresentedClient,
    form: &[(String, String)],
) -> Result<TokenResponse, TokenError> {
    let params = Params::new(form);
    let grant_type = params
        .get("grant_type")
        .map_err(repeated)?
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

pub(crate) fn repeated(Repeated(name): Repeated) -> TokenError {
    TokenError::invalid_request(format!("{name} was sent more than once"))
}

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
        .map_err(repeated)?
        .ok_or_else(|| TokenError::invalid_request("code is required"))?;
    // Checked before the code is spent, so that a malformed request does not burn it.
    let redirect_uri = params
        .get("redirect_uri")
        .map_err(repeated)?
        .ok_or_else(|| TokenError::invalid_request("redirect_uri is required"))?;
    let verifier = params.get("code_verifier").map_err(repeated)?;
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
        .map_err(repeated)?
        .ok_or_else(|| TokenError::invalid_request("refresh_token is required"))?;
    let requested_scope = params.get("scope").map_err(repeated)?;
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
        .rotate_refresh_token(&hash, &client.id, &next.hash, now)
        .await
        .map_err(OidcError::from)?;
    let grant = match rotation {
        RefreshRotation::Rotated(grant) => grant,
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
    let scopes = match params.get("scope").map_err(repeated)? {
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

fn acr_value(level: AssuranceLevel) -> String {
    level.as_str().to_owned()
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

/// The claims of a token this provider signed, `None` when it is refused (bad signature,
/// unknown key, wrong `typ`, expired, claims of another shape).
pub(crate) async fn verified<T: DeserializeOwned>(
    core: &Core,
    token: &str,
    typ: &str,
    validate_exp: bool,
) -> Result<Option<T>, OidcError> {
    match core
        .keys
        .verify::<T>(token, Some(typ), validate_exp, core.now())
        .await
    {
        Ok(claims) => Ok(Some(claims)),
        Err(KeyError::Token(_)) => Ok(None),
        Err(fault) => Err(fault.into()),
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
    let Some(claims) = verified::<AccessClaims>(core, token, ACCESS_TOKEN_TYP, true).await? else {
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

/// Seconds since the epoch, for JSON answers.
pub(crate) fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

pub(crate) fn looks_like_jwt(token: &str) -> bool {
    token.matches('.').count() == 2
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
