//! Logout: RP-initiated (OpenID Connect RP-Initiated Logout 1.0) and back-channel delivery
//! (OpenID Connect Back-Channel Logout 1.0).
//!
//! `end_session` only decides; the web layer ends the session through the flows engine, which
//! revokes the session's grants and queues one back-channel logout per client that shared it
//! (store outbox, same transaction). `deliver` then POSTs a signed logout token to each.
//! A session ends without asking only when a valid `id_token_hint` names it; a redirect back
//! happens only to a `post_logout_redirect_uri` registered for the client, never elsewhere.

use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::{OidcClient, PendingLogout, Session};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::core::Core;
use crate::error::{EndSessionError, EndSessionRefusal, OidcError};
use crate::id_token::ID_TOKEN_TYP;
use crate::locale::first_supported_locale;
use crate::params::Params;

pub(crate) const LOGOUT_TOKEN_TYP: &str = "logout+jwt";
const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// Logout tokens are used at once; two minutes absorb clock skew.
const LOGOUT_TOKEN_TTL: Duration = Duration::seconds(120);
/// Deliveries per call, and how many are in flight at once.
const BATCH: u32 = 64;
const CONCURRENCY: usize = 8;

/// What the web layer does with an end-session request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSession {
    /// The session to end (the browser's current one), if any.
    pub end_session: Option<Uuid>,
    /// No valid `id_token_hint` for that session: ask the person first (a page with a
    /// CSRF-protected form), so that another site cannot sign them out behind their back.
    pub confirm: bool,
    /// Where to send the browser afterwards: the registered `post_logout_redirect_uri` with
    /// `state`, or `None` (show dvcid's signed-out page).
    pub redirect: Option<url::Url>,
    /// The relying service, when known (for the confirmation page).
    pub client_name: Option<String>,
    /// The first of the requested `ui_locales` dvcid speaks.
    pub ui_locales: Option<String>,
}

/// What is read from an `id_token_hint` (an ID token of ours, possibly expired).
#[derive(Debug, Deserialize)]
struct Hint {
    iss: String,
    sub: String,
    aud: Value,
    #[serde(default)]
    sid: Option<String>,
}

impl Hint {
    /// The client the ID token was issued to (ours carry a single audience).
    fn client_id(&self) -> Option<&str> {
        match &self.aud {
            Value::String(aud) => Some(aud),
            Value::Array(list) if list.len() == 1 => list.first().and_then(Value::as_str),
            _ => None,
        }
    }
}

pub(crate) async fn end_session(
    core: &Core,
    pairs: &[(String, String)],
    current: Option<&Session>,
) -> Result<EndSession, EndSessionError> {
    let params = Params::new(pairs);
    let get = |name| {
        params
            .get(name)
            .map_err(|_| EndSessionError::Refused(EndSessionRefusal::RepeatedParameter))
    };
    let hint_text = get("id_token_hint")?;
    let client_param = get("client_id")?;
    let redirect_param = get("post_logout_redirect_uri")?;
    let state = get("state")?;
    let ui_locales = get("ui_locales")?.and_then(first_supported_locale);

    // An invalid hint (forged, of another issuer) counts as no hint; an expired one is fine.
    let hint = match hint_text {
        Some(text) => core
            .verified::<Hint>(text, ID_TOKEN_TYP, false)
            .await?
            .filter(|hint| hint.iss == core.issuer),
        None => None,
    };
    let hint_client = hint.as_ref().and_then(Hint::client_id);
    if let (Some(param), Some(from_hint)) = (client_param, hint_client)
        && param != from_hint
    {
        return Err(EndSessionError::Refused(EndSessionRefusal::ClientMismatch));
    }
    let client = match hint_client.or(client_param) {
        Some(id) => core.store.client(id).await.map_err(OidcError::from)?,
        None => None,
    };
    let redirect = match (redirect_param, &client) {
        (Some(uri), Some(client)) => registered_redirect(client, uri, state)?,
        _ => None,
    };
    let (end_session, confirm) = match current {
        None => (None, false),
        Some(session) => {
            let names_session = match (&hint, &client) {
                (Some(hint), Some(client)) => {
                    hint.sid.as_deref() == Some(session.id.to_string().as_str())
                        && hint.sub == core.subject(client, session.account_id)
                }
                _ => false,
            };
            (Some(session.id), !names_session)
        }
    };
    Ok(EndSession {
        end_session,
        confirm,
        redirect,
        client_name: client.map(|client| client.name),
        ui_locales: ui_locales.map(str::to_owned),
    })
}

/// The post-logout redirect, if `uri` is registered for the client (exact string match).
fn registered_redirect(
    client: &OidcClient,
    uri: &str,
    state: Option<&str>,
) -> Result<Option<url::Url>, OidcError> {
    if !client
        .settings
        .post_logout_redirect_uris
        .iter()
        .any(|registered| registered == uri)
    {
        return Ok(None);
    }
    let mut url = url::Url::parse(uri)
        .map_err(|_| OidcError::Url("a registered post_logout_redirect_uri does not parse"))?;
    if let Some(state) = state {
        url.query_pairs_mut().append_pair("state", state);
    }
    Ok(Some(url))
}

/// The claims of a logout token (Back-Channel Logout §2.4): never a `nonce`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LogoutClaims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: Value,
}

/// Delivers the due back-channel logouts; returns how many were delivered.
pub(crate) async fn deliver(core: &Core) -> Result<usize, OidcError> {
    let now = core.now();
    let due = core.store.due_logouts(now, BATCH).await?;
    let outcomes: Vec<Result<bool, OidcError>> = futures_util::stream::iter(due)
        .map(|pending| deliver_one(core, pending, now))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut delivered = 0;
    for outcome in outcomes {
        if outcome? {
            delivered += 1;
        }
    }
    Ok(delivered)
}

async fn deliver_one(
    core: &Core,
    pending: PendingLogout,
    now: OffsetDateTime,
) -> Result<bool, OidcError> {
    let client = core.store.client(&pending.client_id).await?;
    let Some((client, uri)) = client.and_then(|client| {
        let uri = client.settings.backchannel_logout_uri.clone()?;
        Some((client, uri))
    }) else {
        // Removed, or no back-channel URI (any more): nobody to tell.
        core.store.logout_delivered(pending.id).await?;
        return Ok(false);
    };
    let claims = LogoutClaims {
        iss: core.issuer.clone(),
        aud: client.id.clone(),
        iat: now.unix_timestamp(),
        exp: (now + LOGOUT_TOKEN_TTL).unix_timestamp(),
        jti: core.uuid().to_string(),
        sub: core.subject(&client, pending.account_id),
        sid: pending.session_id.to_string(),
        events: json!({ BACKCHANNEL_EVENT: {} }),
    };
    let token = core
        .keys
        .sign(client.settings.id_token_alg, LOGOUT_TOKEN_TYP, &claims, now)
        .await?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", &token)
        .finish();
    let timeout = std::time::Duration::from_millis(core.config.backchannel_timeout_ms.max(1));
    let outcome = core
        .http
        .post(&uri)
        .timeout(timeout)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let status = match &outcome {
        Ok(response) => Some(response.status()),
        Err(_) => None,
    };
    if status.is_some_and(|status| status.is_success()) {
        core.store.logout_delivered(pending.id).await?;
        return Ok(true);
    }
    let attempts = pending.attempts.saturating_add(1);
    if attempts >= core.config.backchannel_max_attempts {
        tracing::warn!(
            client = %client.id,
            session = %pending.session_id,
            attempts,
            status = status.map(|s| s.as_u16()),
            "back-channel logout abandoned"
        );
        // The outbox has no "abandoned" state: the entry is closed like a delivered one.
        core.store.logout_delivered(pending.id).await?;
    } else {
        tracing::info!(
            client = %client.id,
            attempts,
            status = status.map(|s| s.as_u16()),
            "back-channel logout failed; will retry"
        );
        core.store
            .logout_failed(pending.id, now + backoff(attempts))
            .await?;
    }
    Ok(false)
}

/// 30 s after the first failure, doubling, at most an hour.
pub(crate) fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(7);
    Duration::seconds((30_i64 << exponent).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(4), Duration::seconds(240));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(100), Duration::seconds(3600));
        assert_eq!(backoff(0), Duration::seconds(30));
    }

    #[test]
    fn a_hint_names_one_client() {
        let hint = |aud: Value| Hint {
            iss: String::new(),
            sub: String::new(),
            aud,
            sid: None,
        };
        assert_eq!(hint(json!("a")).client_id(), Some("a"));
        assert_eq!(hint(json!(["a"])).client_id(), Some("a"));
        assert_eq!(hint(json!(["a", "b"])).client_id(), None);
        assert_eq!(hint(json!(7)).client_id(), None);
    }
}
