//! The userinfo endpoint (OpenID Connect Core §5.3): the claims the access token's scopes
//! release, under the client's `sub` and claim names. Refused with `invalid_token` when the
//! token is expired or revoked, its grant was revoked, the account is locked, or the token is
//! a client's own (`client_credentials`: there is no person to describe).

use serde_json::{Map, Value};

use crate::access::live_access_token;
use crate::acting::acting_claims;
use crate::claims::{Person, proofing_claims, user_claims};
use crate::core::Core;
use crate::error::{BearerError, OidcError};

const NOT_ACTIVE: &str = "the access token is expired, revoked or not issued here";

/// The claims released to a token, and the web origins its client registered.
#[derive(Debug, Clone)]
pub struct UserInfo {
    pub claims: Value,
    pub web_origins: Vec<String>,
}

pub(crate) async fn claims(core: &Core, access_token: &str) -> Result<UserInfo, BearerError> {
    let Some(live) = live_access_token(core, access_token).await? else {
        return Err(BearerError::InvalidToken(NOT_ACTIVE));
    };
    let Some(grant) = live.grant else {
        return Err(BearerError::InvalidToken(
            "a client's own access token carries no person",
        ));
    };
    let scopes: Vec<&str> = live.claims.scopes().collect();
    if !scopes.contains(&"openid") {
        return Err(BearerError::InsufficientScope(
            "userinfo needs an access token with the openid scope",
        ));
    }
    let (Some(client), Some(account)) = (
        core.store
            .client(&grant.client_id)
            .await
            .map_err(OidcError::from)?,
        core.active_account(grant.account_id).await?,
    ) else {
        return Err(BearerError::InvalidToken(NOT_ACTIVE));
    };
    let sub = core.subject(&client, account.id);
    if sub != live.claims.sub {
        return Err(BearerError::InvalidToken(NOT_ACTIVE));
    }
    let phone = if scopes.contains(&"phone") {
        core.store
            .phones(account.id)
            .await
            .map_err(OidcError::from)?
            .into_iter()
            .find(|phone| phone.is_default)
            .map(|phone| phone.phone)
    } else {
        None
    };
    let released = user_claims(
        Person {
            account: &account,
            phone: phone.as_ref(),
        },
        &scopes,
        client.settings.claim_mapping,
    );
    let mut answer = Map::new();
    answer.insert("sub".to_owned(), Value::String(sub));
    answer.extend(released);
    let acting = acting_claims(
        core,
        grant.session_id,
        &account,
        &scopes,
        client.settings.claim_mapping,
    )
    .await?;
    answer.extend(acting);
    if scopes.contains(&"dvc")
        && let Some(proofing) = core
            .store
            .identity_proofing(account.id)
            .await
            .map_err(OidcError::from)?
    {
        answer.extend(proofing_claims(&proofing));
    }
    // A phone registration took without a code (Vietnam Post by e-mail link) is verified
    // only by its first accepted OTP.
    if let Some(phone) = &phone
        && answer.contains_key("phone_number_verified")
        && core
            .store
            .unconfirmed_phones(account.id)
            .await
            .map_err(OidcError::from)?
            .contains(phone)
    {
        answer.insert("phone_number_verified".to_owned(), Value::Bool(false));
    }
    if client.settings.claim_mapping == store::ClaimMapping::Vneid {
        answer.extend(crate::claims::vneid_claims(&account, grant.acr));
    }
    Ok(UserInfo {
        claims: Value::Object(answer),
        web_origins: client.settings.web_origins,
    })
}
