//! The OAuth side of a provider, as any relying service sees it: discovery, the token endpoint
//! with `client_secret_basic`, and an authorization code obtained by following the
//! authorization endpoint's redirects (with the cookies they set) to the redirect URI.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderValue, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::api::UnexpectedStatus;

/// The endpoints the benchmark uses, from `/.well-known/openid-configuration`.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
}

/// A token response; only what the load needs.
#[derive(Debug, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

/// Reads the discovery document; fails clearly when the server has none or lacks a grant.
pub async fn discover(http: &Client, origin: &str, grants: &[&str]) -> Result<Discovery> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        origin.trim_end_matches('/')
    );
    let response = http
        .get(&url)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = response.status();
    if status != StatusCode::OK {
        bail!(
            "{url} answered HTTP {status}: this server has no OpenID provider (is the token \
             endpoint in this build of dvcid?)"
        );
    }
    let discovery: Discovery = response
        .json()
        .await
        .with_context(|| format!("{url} is not a discovery document"))?;
    // The grant types default to authorization_code and implicit when the field is absent.
    for grant in grants {
        if !discovery.grant_types_supported.is_empty()
            && !discovery.grant_types_supported.iter().any(|g| g == grant)
        {
            bail!(
                "{url}: grant_types_supported {:?} lacks {grant}",
                discovery.grant_types_supported
            );
        }
    }
    Ok(discovery)
}

/// A registered confidential client and what a token request needs of it.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub id: String,
    pub redirect_uri: String,
    /// `Basic base64(id:secret)` (RFC 6749 2.3.1; the benchmark's ids and secrets need no
    /// form-encoding).
    authorization: HeaderValue,
}

impl ClientCredentials {
    pub fn new(id: &str, secret: &str, redirect_uri: &str) -> Result<Self> {
        let basic = STANDARD.encode(format!("{id}:{secret}"));
        Ok(Self {
            id: id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            authorization: HeaderValue::from_str(&format!("Basic {basic}"))?,
        })
    }
}

/// The token endpoint of one provider for one client.
#[derive(Clone)]
pub struct TokenEndpoint {
    http: Client,
    url: String,
    client: ClientCredentials,
}

impl TokenEndpoint {
    pub fn new(http: Client, discovery: &Discovery, client: ClientCredentials) -> Self {
        Self {
            http,
            url: discovery.token_endpoint.clone(),
            client,
        }
    }

    pub fn client(&self) -> &ClientCredentials {
        &self.client
    }

    /// `POST token_endpoint` with the form `body`; the tokens, or why not.
    pub async fn request(&self, body: String) -> Result<Tokens> {
        let response = self
            .http
            .post(&self.url)
            .header(AUTHORIZATION, self.client.authorization.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if status != StatusCode::OK {
            return Err(UnexpectedStatus::new(status, &String::from_utf8_lossy(&bytes)).into());
        }
        serde_json::from_slice(&bytes).context("the token response is not JSON")
    }

    pub async fn client_credentials(&self) -> Result<Tokens> {
        self.request("grant_type=client_credentials".to_owned())
            .await
    }

    /// Uses `refresh_token`; the answer must carry the next one (rotation).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens> {
        let tokens = self
            .request(format!(
                "grant_type=refresh_token&refresh_token={}",
                encode(refresh_token)
            ))
            .await?;
        if tokens.refresh_token.is_none() {
            bail!("the refresh answer has no refresh_token: tokens are not rotated");
        }
        Ok(tokens)
    }

    /// Exchanges an authorization code (with its PKCE verifier).
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<Tokens> {
        self.request(format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={}",
            encode(code),
            encode(&self.client.redirect_uri),
            encode(verifier)
        ))
        .await
    }
}

/// How the provider learns who signs in: dvcid from its session cookie, node-oidc-provider's
/// benchmark interaction from `login_hint`.
#[derive(Debug, Clone)]
pub enum Signer {
    Cookie { name: String, value: String },
    LoginHint(String),
}

/// Opens a refresh-token family: authorization request (code, PKCE S256, openid profile),
/// redirects followed to the redirect URI, code exchanged. Returns the first refresh token.
pub async fn open_family(
    http: &Client,
    discovery: &Discovery,
    token: &TokenEndpoint,
    signer: &Signer,
) -> Result<String> {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = uuid::Uuid::new_v4().simple().to_string();
    let client = token.client();
    let mut url = Url::parse(&discovery.authorization_endpoint)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", &client.redirect_uri)
        .append_pair("scope", "openid profile")
        .append_pair("state", &state)
        .append_pair("nonce", &uuid::Uuid::new_v4().simple().to_string())
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let mut jar = BTreeMap::new();
    match signer {
        Signer::Cookie { name, value } => {
            jar.insert(name.clone(), value.clone());
        }
        Signer::LoginHint(hint) => {
            url.query_pairs_mut().append_pair("login_hint", hint);
        }
    }
    let mut next = url.to_string();
    for _ in 0..8 {
        let mut request = http.get(&next);
        if !jar.is_empty() {
            let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(COOKIE, cookies.join("; "));
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("GET {next}"))?;
        let status = response.status();
        for set in response.headers().get_all(SET_COOKIE) {
            let pair = set.to_str()?.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                jar.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        let location = response
            .headers()
            .get(LOCATION)
            .map(|value| value.to_str().map(str::to_owned))
            .transpose()?;
        let Some(location) = location.filter(|_| status.is_redirection()) else {
            let text = response.text().await.unwrap_or_default();
            bail!(
                "GET {next}: HTTP {status} without a redirect: {}",
                text.chars().take(300).collect::<String>()
            );
        };
        let target = Url::parse(&next)?.join(&location)?;
        if target.as_str().starts_with(&client.redirect_uri) {
            let pairs: BTreeMap<String, String> = target.query_pairs().into_owned().collect();
            if let Some(error) = pairs.get("error") {
                bail!(
                    "authorization refused: {error} {:?}",
                    pairs.get("error_description")
                );
            }
            if pairs.get("state") != Some(&state) {
                bail!("the redirect lost the state: {target}");
            }
            let code = pairs.get("code").context("no code in the redirect")?;
            let tokens = token
                .exchange(code, &verifier)
                .await
                .context("code exchange")?;
            return tokens
                .refresh_token
                .context("the code exchange issued no refresh token");
        }
        next = target.to_string();
    }
    bail!("more than 8 redirects from the authorization endpoint")
}

/// What a token is, for the report: `JWT <alg> <typ>` or `opaque`, with its length.
pub fn describe(token: &str) -> String {
    let header = token
        .split('.')
        .next()
        .filter(|_| token.split('.').count() == 3)
        .and_then(|part| URL_SAFE_NO_PAD.decode(part).ok())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match header {
        Some(header) => format!(
            "JWT {} typ={} ({} chars)",
            header["alg"].as_str().unwrap_or("?"),
            header["typ"].as_str().unwrap_or("-"),
            token.len()
        ),
        None => format!("opaque ({} chars)", token.len()),
    }
}

/// The JWS algorithm of a JWT, if it is one.
pub fn jwt_alg(token: &str) -> Option<String> {
    let part = token.split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    let header: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    header["alg"].as_str().map(str::to_owned)
}

/// Form-encodes a value (tokens are base64url or similar; this keeps anything else safe).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_tokens() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"at+jwt"}"#);
        let jwt = format!("{header}.e30.sig");
        assert!(describe(&jwt).starts_with("JWT ES256 typ=at+jwt"));
        assert_eq!(jwt_alg(&jwt).as_deref(), Some("ES256"));
        assert!(describe("abc").starts_with("opaque (3"));
        assert_eq!(jwt_alg("not a jwt"), None);
    }
}
