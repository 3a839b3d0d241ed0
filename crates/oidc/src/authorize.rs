//! The authorization endpoint: parsing a request into an [`AuthorizationRequest`] (or refusing
//! it, by page or by redirect), deciding what the browser's session allows ([`Decision`]), the
//! consent answer, and issuing the code. Only `response_type=code`; PKCE S256.
//!
//! ```text
//! request ──parse──▶ AuthorizationRequest ──decide(session, fresh_since)──▶ Issue(code)
//!                                               │            ▲             ├▶ Error(redirect)
//!                                               ├▶ SignIn ───┘ (fresh)     └▶ Consent ─▶ consent()
//! ```

use domain::{AccountStatus, AssuranceLevel};
use serde::{Deserialize, Serialize};
use store::{Account, AuthorizationCode, GrantType, OidcClient, Session};
use time::OffsetDateTime;

use crate::core::Core;
use crate::error::{AuthorizeError, FatalReason, OidcError};
use crate::locale::first_supported_locale;
use crate::params::{Params, Repeated};
use crate::pkce;
use crate::redirect_uri;

/// Longest `state` and `nonce` kept (they travel back in URLs and tokens).
const MAX_ECHOED_LEN: usize = 1024;
const MAX_LOGIN_HINT_LEN: usize = 256;

/// A validated authorization request. The web layer keeps it (serialised) while the person
/// signs in; `decide` checks the client and redirect URI again when it comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    client_id: String,
    client_name: String,
    redirect_uri: String,
    /// The requested scopes the client is registered for (others are dropped), `openid` first.
    scopes: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    prompt: Prompt,
    max_age: Option<i64>,
    login_hint: Option<String>,
    ui_locales: Option<String>,
    /// The client's registered minimum (LoA1 when it has none).
    min_acr: AssuranceLevel,
    /// The known `acr_values` in the order asked, each raised to the minimum: a preference
    /// list (OpenID Connect Core 3.1.2.1), of which the first the person can reach applies.
    #[serde(default)]
    acr_preference: Vec<AssuranceLevel>,
    #[serde(with = "time::serde::rfc3339")]
    received_at: OffsetDateTime,
}

/// The `prompt` values understood (unknown ones are ignored, OpenID Connect Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

impl AuthorizationRequest {
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client's registered display name, for the sign-in and consent pages.
    pub fn client_name(&self) -> &str {
        &self.client_name
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// Pre-fills the identifier on the sign-in page.
    pub fn login_hint(&self) -> Option<&str> {
        self.login_hint.as_deref()
    }

    /// The first of the requested `ui_locales` that dvcid speaks: `vi` or `en`.
    pub fn ui_locales(&self) -> Option<&str> {
        self.ui_locales.as_deref()
    }

    pub fn prompt(&self) -> Prompt {
        self.prompt
    }

    /// A new sign-in is required, whatever the session (`prompt=login`, `max_age=0`).
    pub fn prompt_login(&self) -> bool {
        self.prompt.login || self.max_age == Some(0)
    }

    pub fn max_age(&self) -> Option<i64> {
        self.max_age
    }

    /// The lowest assurance level the sign-in must have.
    pub fn min_acr(&self) -> AssuranceLevel {
        self.min_acr
    }

    /// The levels asked for, in order of preference; empty when `acr_values` named none.
    pub fn acr_preference(&self) -> &[AssuranceLevel] {
        &self.acr_preference
    }

    /// The level this request needs of a person who can reach `reachable`: the first
    /// preferred level within reach, or the minimum when no `acr_values` were given; `None`
    /// when none of the preferred levels is within reach.
    pub fn required_level(&self, reachable: AssuranceLevel) -> Option<AssuranceLevel> {
        if self.acr_preference.is_empty() {
            return Some(self.min_acr);
        }
        self.acr_preference
            .iter()
            .copied()
            .find(|level| *level <= reachable)
    }

    /// When the provider first saw the request.
    pub fn received_at(&self) -> OffsetDateTime {
        self.received_at
    }
}

/// What the web layer does next with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Redirect here: a code was issued.
    Issue(url::Url),
    /// Redirect here: an error for the relying service (`login_required`, `consent_required`,
    /// `access_denied`, `unmet_authentication_requirements` …).
    Error(url::Url),
    /// Run the sign-in flow (reaching at least `min_acr`), then call `decide` again with
    /// `fresh_since`.
    SignIn {
        login_hint: Option<String>,
        min_acr: AssuranceLevel,
    },
    /// Ask the person; then call `Provider::consent` with the answer.
    Consent {
        client_name: String,
        scopes: Vec<String>,
    },
}

// ---- parsing ----------------------------------------------------------------------------

pub(crate) async fn parse(
    core: &Core,
    pairs: &[(String, String)],
) -> Result<AuthorizationRequest, AuthorizeError> {
    let params = Params::new(pairs);
    let client_id = match params.get("client_id") {
        Ok(Some(id)) => id,
        Ok(None) => return Err(AuthorizeError::Fatal(FatalReason::MissingClientId)),
        Err(_) => return Err(AuthorizeError::Fatal(FatalReason::RepeatedClientId)),
    };
    let Some(client) = core
        .store
        .client(client_id)
        .await
        .map_err(OidcError::from)?
    else {
        return Err(AuthorizeError::Fatal(FatalReason::UnknownClient));
    };
    let redirect_uri = match params.get("redirect_uri") {
        Ok(Some(uri)) => uri,
        Ok(None) => return Err(AuthorizeError::Fatal(FatalReason::MissingRedirectUri)),
        Err(_) => return Err(AuthorizeError::Fatal(FatalReason::RepeatedRedirectUri)),
    };
    if !redirect_uri::is_registered(&client.settings.redirect_uris, redirect_uri) {
        return Err(AuthorizeError::Fatal(FatalReason::UnregisteredRedirectUri));
    }
    // From here on every refusal goes back to the (now trusted) redirect URI.
    let reply = Reply {
        redirect_uri,
        issuer: &core.issuer,
        state: params.get("state").ok().flatten(),
    };
    match validate(core, &client, redirect_uri, &params) {
        Ok(request) => Ok(request),
        Err(Refusal { error, description }) => {
            Err(AuthorizeError::Redirect(reply.error(error, description)?))
        }
    }
}

/// An OAuth error code and its description, for the error redirect.
pub(crate) struct Refusal {
    pub error: &'static str,
    pub description: &'static str,
}

fn refuse<T>(error: &'static str, description: &'static str) -> Result<T, Refusal> {
    Err(Refusal { error, description })
}

fn repeated(Repeated(_): Repeated) -> Refusal {
    Refusal {
        error: "invalid_request",
        description: "a parameter was sent more than once",
    }
}

fn validate(
    core: &Core,
    client: &OidcClient,
    redirect_uri: &str,
    params: &Params<'_>,
) -> Result<AuthorizationRequest, Refusal> {
    let state = params.get("state").map_err(repeated)?;
    if params.get("request").map_err(repeated)?.is_some() {
        return refuse("request_not_supported", "request objects are not supported");
    }
    if params.get("request_uri").map_err(repeated)?.is_some() {
        return refuse("request_uri_not_supported", "request_uri is not supported");
    }
    match params.get("response_type").map_err(repeated)? {
        None => return refuse("invalid_request", "response_type is required"),
        Some("code") => {}
        Some(_) => {
            return refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
    }
    match params.get("response_mode").map_err(repeated)? {
        None | Some("query") => {}
        Some(_) => return refuse("invalid_request", "only response_mode=query is supported"),
    }
    if !client
        .settings
        .grant_types
        .contains(&GrantType::AuthorizationCode)
    {
        return refuse(
            "unauthorized_client",
            "the client is not registered for the authorization code flow",
        );
    }
    let scopes = match params.get("scope").map_err(repeated)? {
        Some(scope) => requested_scopes(scope, &client.settings.scopes)?,
        None => return refuse("invalid_scope", "scope is required and must include openid"),
    };
    let prompt = parse_prompt(params.get("prompt").map_err(repeated)?)?;
    let max_age = match params.get("max_age").map_err(repeated)? {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seconds) if seconds >= 0 && text.bytes().all(|b| b.is_ascii_digit()) => {
                Some(seconds)
            }
            _ => return refuse("invalid_request", "max_age must be a number of seconds"),
        },
    };
    let nonce = params.get("nonce").map_err(repeated)?;
    if state.is_some_and(|s| s.len() > MAX_ECHOED_LEN)
        || nonce.is_some_and(|n| n.len() > MAX_ECHOED_LEN)
    {
        return refuse(
            "invalid_request",
            "state and nonce are limited to 1024 characters",
        );
    }
    let login_hint = params.get("login_hint").map_err(repeated)?;
    if login_hint.is_some_and(|hint| hint.len() > MAX_LOGIN_HINT_LEN) {
        return refuse("invalid_request", "login_hint is too long");
    }
    let code_challenge = pkce::parse_challenge(
        params.get("code_challenge").map_err(repeated)?,
        params.get("code_challenge_method").map_err(repeated)?,
    )
    .map_err(|description| Refusal {
        error: "invalid_request",
        description,
    })?;
    if code_challenge.is_none() && pkce_required(client) {
        return refuse(
            "invalid_request",
            "code_challenge (PKCE, S256) is required for this client",
        );
    }
    let min_acr = client.settings.min_acr.unwrap_or(AssuranceLevel::LoA1);
    let acr_preference = acr_preference(min_acr, params.get("acr_values").map_err(repeated)?);
    let ui_locales = params
        .get("ui_locales")
        .map_err(repeated)?
        .and_then(first_supported_locale);
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.map(str::to_owned),
        nonce: nonce.map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        login_hint: login_hint.map(str::to_owned),
        ui_locales: ui_locales.map(str::to_owned),
        min_acr,
        acr_preference,
        received_at: core.now(),
    })
}

/// Public clients always; confidential ones unless registered without it.
fn pkce_required(client: &OidcClient) -> bool {
    client.settings.auth_method == store::ClientAuthMethod::None || client.settings.require_pkce
}

/// The scopes to grant: `openid` is required (this provider only speaks OpenID Connect), and
/// scopes the client is not registered for are dropped rather than refused (RFC 6749 §3.3
/// lets the server grant less; the token response says what was granted). Order kept,
/// duplicates removed.
pub(crate) fn requested_scopes(scope: &str, registered: &[String]) -> Result<Vec<String>, Refusal> {
    let mut granted: Vec<String> = Vec::new();
    let mut has_openid = false;
    for wanted in scope.split(' ').filter(|s| !s.is_empty()) {
        has_openid |= wanted == "openid";
        if registered.iter().any(|r| r == wanted) && !granted.iter().any(|g| g == wanted) {
            granted.push(wanted.to_owned());
        }
    }
    if !has_openid {
        return refuse("invalid_scope", "scope must include openid");
    }
    if !granted.iter().any(|g| g == "openid") {
        return refuse("invalid_scope", "the client is not registered for openid");
    }
    Ok(granted)
}

fn parse_prompt(prompt: Option<&str>) -> Result<Prompt, Refusal> {
    let mut parsed = Prompt::default();
    let mut count = 0;
    for value in prompt
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
    {
        count += 1;
        match value {
            "none" => parsed.none = true,
            "login" => parsed.login = true,
            "consent" => parsed.consent = true,
            "select_account" => parsed.select_account = true,
            _ => count -= 1,
        }
    }
    if parsed.none && count > 1 {
        return refuse(
            "invalid_request",
            "prompt=none cannot be combined with other values",
        );
    }
    Ok(parsed)
}

/// The known `acr_values` in the order given, each raised to the client's minimum (which a
/// request cannot lower); unknown values are ignored.
pub fn acr_preference(minimum: AssuranceLevel, acr_values: Option<&str>) -> Vec<AssuranceLevel> {
    let mut preference: Vec<AssuranceLevel> = Vec::new();
    let known = acr_values
        .unwrap_or_default()
        .split(' ')
        .filter_map(|value| value.parse::<AssuranceLevel>().ok());
    for level in known.map(|level| level.max(minimum)) {
        if !preference.contains(&level) {
            preference.push(level);
        }
    }
    preference
}

// ---- assurance ----------------------------------------------------------------------------

/// What a session below the required level leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUp {
    /// The session is strong enough.
    Met,
    /// A sign-in with a stronger method is possible.
    SignIn,
    /// No method this account has reaches the level.
    Unreachable,
}

pub fn step_up(
    session: AssuranceLevel,
    required: AssuranceLevel,
    reachable: AssuranceLevel,
) -> StepUp {
    if session >= required {
        StepUp::Met
    } else if reachable >= required {
        StepUp::SignIn
    } else {
        StepUp::Unreachable
    }
}

// ---- deciding -----------------------------------------------------------------------------

pub(crate) async fn decide(
    core: &Core,
    request: &AuthorizationRequest,
    signed_in: Option<(&Session, &Account)>,
    reachable: AssuranceLevel,
    fresh_since: Option<OffsetDateTime>,
) -> Result<Decision, OidcError> {
    let client = current_client(core, request).await?;
    let reply = Reply::to(request, &core.issuer);
    let sign_in = || Decision::SignIn {
        login_hint: request.login_hint.clone(),
        min_acr: request
            .acr_preference
            .first()
            .copied()
            .unwrap_or(request.min_acr),
    };
    let usable = signed_in.filter(|(session, account)| {
        session.account_id == account.id && account.status == AccountStatus::Active
    });
    let Some((session, account)) = usable else {
        return Ok(if request.prompt.none {
            Decision::Error(reply.error("login_required", "the person is not signed in")?)
        } else {
            sign_in()
        });
    };
    // A sign-in after the request was first seen satisfies prompt=login and max_age.
    let fresh = fresh_since.is_some_and(|since| session.auth_time >= since);
    let now = core.now();
    let too_old = match request.max_age {
        Some(0) => true,
        Some(max_age) => (now - session.auth_time).whole_seconds() > max_age,
        None => false,
    };
    if !fresh && (request.prompt.login || request.prompt.select_account || too_old) {
        return Ok(if request.prompt.none {
            Decision::Error(reply.error("login_required", "a new sign-in is required")?)
        } else {
            sign_in()
        });
    }
    // The person can reach what the session has, or what the account's methods reach.
    let reachable = reachable.max(session.acr);
    let Some(required) = request.required_level(reachable) else {
        return Ok(Decision::Error(reply.error(
            "unmet_authentication_requirements",
            "no sign-in method available to this account reaches a requested level",
        )?));
    };
    match step_up(session.acr, required, reachable) {
        StepUp::Met => {}
        StepUp::SignIn if request.prompt.none => {
            return Ok(Decision::Error(reply.error(
                "login_required",
                "a sign-in at a higher assurance level is required",
            )?));
        }
        // A fresh sign-in that still falls short would only loop.
        StepUp::SignIn if !fresh => return Ok(sign_in()),
        StepUp::SignIn | StepUp::Unreachable => {
            return Ok(Decision::Error(reply.error(
                "unmet_authentication_requirements",
                "no sign-in method available to this account reaches the requested level",
            )?));
        }
    }
    if needs_consent(core, &client, account, request).await? {
        return Ok(if request.prompt.none {
            Decision::Error(reply.error("consent_required", "the person has not agreed yet")?)
        } else {
            Decision::Consent {
                client_name: client.name.clone(),
                scopes: request.scopes.clone(),
            }
        });
    }
    Ok(Decision::Issue(issue(core, request, session).await?))
}

pub(crate) async fn consent(
    core: &Core,
    request: &AuthorizationRequest,
    session: &Session,
    account: &Account,
    approved: bool,
) -> Result<url::Url, OidcError> {
    let client = current_client(core, request).await?;
    let reply = Reply::to(request, &core.issuer);
    if !approved {
        return reply.error("access_denied", "the person declined");
    }
    if session.account_id != account.id || account.status != AccountStatus::Active {
        return reply.error("login_required", "the person is not signed in");
    }
    if session.acr < request.min_acr {
        return reply.error(
            "unmet_authentication_requirements",
            "the sign-in does not reach the requested level",
        );
    }
    let now = core.now();
    let mut agreed: Vec<String> = core
        .store
        .consent(account.id, &client.id)
        .await?
        .map(|scopes| scopes.split(' ').map(str::to_owned).collect())
        .unwrap_or_default();
    for scope in &request.scopes {
        if !agreed.contains(scope) {
            agreed.push(scope.clone());
        }
    }
    core.store
        .record_consent(account.id, &client.id, &agreed.join(" "), now)
        .await?;
    issue(core, request, session).await
}

/// The client as registered now, which must still accept the request's redirect URI.
async fn current_client(
    core: &Core,
    request: &AuthorizationRequest,
) -> Result<OidcClient, OidcError> {
    match core.store.client(&request.client_id).await? {
        Some(client)
            if redirect_uri::is_registered(
                &client.settings.redirect_uris,
                &request.redirect_uri,
            ) =>
        {
            Ok(client)
        }
        _ => Err(OidcError::ClientGone),
    }
}

async fn needs_consent(
    core: &Core,
    client: &OidcClient,
    account: &Account,
    request: &AuthorizationRequest,
) -> Result<bool, OidcError> {
    if request.prompt.consent {
        return Ok(true);
    }
    if !client.settings.consent {
        return Ok(false);
    }
    let agreed = core.store.consent(account.id, &client.id).await?;
    let agreed: Vec<&str> = agreed.as_deref().unwrap_or_default().split(' ').collect();
    Ok(!request
        .scopes
        .iter()
        .all(|scope| agreed.contains(&scope.as_str())))
}

/// Stores a code for the session and returns the success redirect.
async fn issue(
    core: &Core,
    request: &AuthorizationRequest,
    session: &Session,
) -> Result<url::Url, OidcError> {
    let now = core.now();
    let code = core.secret();
    let lifetime = core.config.code_ttl_secs.clamp(1, 60);
    core.store
        .create_code(&AuthorizationCode {
            code_hash: code.hash,
            client_id: request.client_id.clone(),
            grant_id: core.uuid(),
            account_id: session.account_id,
            session_id: session.id,
            redirect_uri: request.redirect_uri.clone(),
            scope: request.scopes.join(" "),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            acr: session.acr,
            amr: session.amr.clone(),
            auth_time: session.auth_time,
            created_at: now,
            expires_at: now + time::Duration::seconds(lifetime),
        })
        .await?;
    Reply::to(request, &core.issuer).with(&[("code", &code.text)])
}

/// Builds the redirects back to the relying service: its parameters, `state`, and `iss`
/// (RFC 9207, so a client talking to several providers can tell who answered).
struct Reply<'a> {
    redirect_uri: &'a str,
    issuer: &'a str,
    state: Option<&'a str>,
}

impl<'a> Reply<'a> {
    fn to(request: &'a AuthorizationRequest, issuer: &'a str) -> Self {
        Self {
            redirect_uri: &request.redirect_uri,
            issuer,
            state: request.state.as_deref(),
        }
    }

    fn error(&self, error: &str, description: &str) -> Result<url::Url, OidcError> {
        self.with(&[("error", error), ("error_description", description)])
    }

    fn with(&self, pairs: &[(&str, &str)]) -> Result<url::Url, OidcError> {
        let mut url = url::Url::parse(self.redirect_uri)
            .map_err(|_| OidcError::Url("a registered redirect_uri does not parse"))?;
        {
            let mut query = url.query_pairs_mut();
            query.extend_pairs(pairs);
            if let Some(state) = self.state {
                query.append_pair("state", state);
            }
            query.append_pair("iss", self.issuer);
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests;
