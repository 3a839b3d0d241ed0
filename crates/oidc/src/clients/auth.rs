//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! RFC 7523, OpenID Connect Core §9): the registered method must be the one used, secrets are
//! compared in constant time on their digests, and a `private_key_jwt` assertion is checked
//! against the client's registered keys and spent once.

use std::sync::Arc;

use domain::digest::{equal, sha256};
use serde::Deserialize;
use store::{ClientAuthMethod, OidcClient, Store, StoreError};
use time::{Duration, OffsetDateTime};

use super::names::auth_method_name;
use crate::config::OidcConfig;
use crate::jwt::{JwtError, Unverified};
use crate::keys::read_jwks;

/// `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Tolerated clock difference for an assertion's `iat` and `nbf` being in the future.
const SKEW: Duration = Duration::seconds(60);
const MAX_JTI_LEN: usize = 256;
/// Compared against when the client is unknown or has no secret, so that the work done is the
/// same as for a wrong secret.
const NO_SECRET: [u8; 32] = [0; 32];

/// What a request presented to authenticate its client, as the web layer gathered it. `basic`
/// is the Basic credentials after base64 and the split at ':' — still form-urlencoded, which
/// [`ClientAuthenticator::authenticate`] undoes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PresentedClient {
    pub basic: Option<(String, String)>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

impl std::fmt::Debug for PresentedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |present: bool| if present { "[redacted]" } else { "none" };
        f.debug_struct("PresentedClient")
            .field("basic_id", &self.basic.as_ref().map(|(id, _)| id))
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(self.client_secret.is_some()))
            .field("client_assertion_type", &self.client_assertion_type)
            .field(
                "client_assertion",
                &redacted(self.client_assertion.is_some()),
            )
            .finish()
    }
}

/// Why a client was not authenticated. `Display` is a short English text safe to return as
/// `error_description`; it never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    /// Unknown client or wrong secret: deliberately the same answer.
    #[error("client authentication failed")]
    InvalidClient,
    #[error("no client authentication was presented")]
    Missing,
    #[error("more than one client authentication method was used")]
    MultipleMethods,
    #[error("this client must authenticate with {0}")]
    WrongMethod(&'static str),
    #[error("client_id does not match the authenticated client")]
    ClientIdMismatch,
    #[error("{0}")]
    Malformed(&'static str),
    #[error("client_assertion_type must be {JWT_BEARER}")]
    AssertionType,
    #[error("the client assertion {0}")]
    Assertion(String),
    #[error("the client assertion was used before")]
    Replayed,
    /// A fault, not a refusal: answer `server_error`.
    #[error("the client could not be checked")]
    Store(#[source] StoreError),
}

impl From<StoreError> for ClientAuthError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl ClientAuthError {
    /// The OAuth `error` code: `invalid_client`, or `server_error` for a store fault.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::Store(_) => "server_error",
            _ => "invalid_client",
        }
    }

    /// Text safe to return as `error_description`.
    pub fn description(&self) -> String {
        self.to_string()
    }
}

fn assertion(reason: impl Into<String>) -> ClientAuthError {
    ClientAuthError::Assertion(reason.into())
}

/// How the request authenticated its client.
enum Method {
    Secret {
        id: String,
        secret: String,
        how: ClientAuthMethod,
    },
    Assertion(String),
    Public(String),
}

/// Authenticates clients. Cheap to share.
pub struct ClientAuthenticator {
    store: Arc<dyn Store>,
    assertion_max_age: Duration,
}

impl std::fmt::Debug for ClientAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuthenticator")
            .field("assertion_max_age", &self.assertion_max_age)
            .finish_non_exhaustive()
    }
}

impl ClientAuthenticator {
    pub fn new(store: Arc<dyn Store>, config: &OidcConfig) -> Self {
        Self {
            store,
            assertion_max_age: Duration::seconds(config.assertion_max_age_secs.max(0)),
        }
    }

    /// The client the request authenticated as. `audiences` are the values an assertion's `aud`
    /// may hold (the endpoint's URL and the issuer).
    pub async fn authenticate(
        &self,
        presented: &PresentedClient,
        audiences: &[&str],
        now: OffsetDateTime,
    ) -> Result<OidcClient, ClientAuthError> {
        let form_id = non_empty(&presented.client_id);
        match method(presented)? {
            Method::Secret { id, secret, how } => {
                if form_id.is_some_and(|form_id| form_id != id) {
                    return Err(ClientAuthError::ClientIdMismatch);
                }
                self.with_secret(&id, &secret, how).await
            }
            Method::Assertion(token) => self.with_assertion(&token, form_id, audiences, now).await,
            Method::Public(id) => {
                let client = self
                    .store
                    .client(&id)
                    .await?
                    .ok_or(ClientAuthError::InvalidClient)?;
                require_method(&client, ClientAuthMethod::None)?;
                Ok(client)
            }
        }
    }

    async fn with_secret(
        &self,
        id: &str,
        secret: &str,
        how: ClientAuthMethod,
    ) -> Result<OidcClient, ClientAuthError> {
        let client = self.store.client(id).await?;
        let presented = sha256(secret.as_bytes());
        let stored = client.as_ref().and_then(|client| client.secret_hash);
        let matches = equal(&presented, stored.as_ref().unwrap_or(&NO_SECRET)) && stored.is_some();
        let client = client.ok_or(ClientAuthError::InvalidClient)?;
        require_method(&client, how)?;
        if !matches {
            return Err(ClientAuthError::InvalidClient);
        }
        Ok(client)
    }

    async fn with_assertion(
        &self,
        token: &str,
        form_id: Option<&str>,
        audiences: &[&str],
        now: OffsetDateTime,
    ) -> Result<OidcClient, ClientAuthError> {
        let parsed = Unverified::parse(token).map_err(|error| match error {
            JwtError::AlgorithmNotAllowed(_) => {
                assertion("must be signed with RS256, ES256 or EdDSA")
            }
            _ => assertion("is not a signed JWT"),
        })?;
        // Only to find whose keys to check the signature with; trusted after the check.
        let claimed: AssertionClaims = parsed
            .unverified_claims()
            .map_err(|_| assertion("has malformed claims"))?;
        let id = claimed.iss.ok_or_else(|| assertion("has no iss"))?;
        if form_id.is_some_and(|form_id| form_id != id) {
            return Err(ClientAuthError::ClientIdMismatch);
        }
        let client = self
            .store
            .client(&id)
            .await?
            .ok_or(ClientAuthError::InvalidClient)?;
        require_method(&client, ClientAuthMethod::PrivateKeyJwt)?;
        let keys = client
            .settings
            .jwks
            .as_ref()
            .and_then(|jwks| read_jwks(jwks).ok())
            .ok_or(ClientAuthError::InvalidClient)?;
        let same_alg = || keys.iter().filter(|key| key.key.alg() == parsed.alg());
        let by_kid: Vec<_> = match parsed.kid() {
            Some(kid) if same_alg().any(|key| key.kid.as_deref() == Some(kid)) => same_alg()
                .filter(|key| key.kid.as_deref() == Some(kid))
                .collect(),
            Some(_) => same_alg().filter(|key| key.kid.is_none()).collect(),
            None => same_alg().collect(),
        };
        let verified = by_kid
            .iter()
            .find_map(|key| parsed.verify(&key.key).ok())
            .ok_or_else(|| assertion("is not signed by a key the client registered"))?;
        let claims: AssertionClaims = verified
            .claims()
            .map_err(|_| assertion("has malformed claims"))?;
        let expires_at = self.check_claims(&claims, &client.id, audiences, now)?;
        let jti = claims
            .jti
            .as_deref()
            .filter(|jti| !jti.is_empty())
            .ok_or_else(|| assertion("has no jti"))?;
        if jti.len() > MAX_JTI_LEN {
            return Err(assertion("has a jti longer than 256 characters"));
        }
        if !self
            .store
            .use_assertion_jti(&client.id, jti, expires_at)
            .await?
        {
            return Err(ClientAuthError::Replayed);
        }
        Ok(client)
    }

    /// RFC 7523 §3: iss = sub = client_id, aud names this server, exp in the future and not
    /// too far; returns `exp`.
    fn check_claims(
        &self,
        claims: &AssertionClaims,
        client_id: &str,
        audiences: &[&str],
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, ClientAuthError> {
        if claims.iss.as_deref() != Some(client_id) || claims.sub.as_deref() != Some(client_id) {
            return Err(assertion("must have iss and sub equal to the client_id"));
        }
        let addressed = match &claims.aud {
            Some(Audience::One(aud)) => audiences.contains(&aud.as_str()),
            Some(Audience::Many(auds)) => auds.iter().any(|aud| audiences.contains(&aud.as_str())),
            None => false,
        };
        if !addressed {
            return Err(assertion("is not addressed to this server (aud)"));
        }
        let exp = instant(claims.exp)?.ok_or_else(|| assertion("has no exp"))?;
        if exp <= now {
            return Err(assertion("has expired"));
        }
        let max = self.assertion_max_age.whole_seconds();
        let too_long = || assertion(format!("may live at most {max} seconds (exp − iat)"));
        match instant(claims.iat)? {
            Some(iat) if iat > now + SKEW => {
                return Err(assertion("was issued in the future (iat)"));
            }
            Some(iat) if exp - iat > self.assertion_max_age => return Err(too_long()),
            Some(_) => {}
            None if exp - now > self.assertion_max_age => return Err(too_long()),
            None => {}
        }
        if instant(claims.nbf)?.is_some_and(|nbf| nbf > now + SKEW) {
            return Err(assertion("is not valid yet (nbf)"));
        }
        Ok(exp)
    }
}

#[derive(Deserialize)]
struct AssertionClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    iat: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    jti: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// A NumericDate claim as an instant (fractions of a second dropped).
fn instant(value: Option<f64>) -> Result<Option<OffsetDateTime>, ClientAuthError> {
    value
        .map(|seconds| {
            OffsetDateTime::from_unix_timestamp(seconds.floor() as i64)
                .map_err(|_| assertion("has a time claim out of range"))
        })
        .transpose()
}

fn require_method(client: &OidcClient, used: ClientAuthMethod) -> Result<(), ClientAuthError> {
    if client.settings.auth_method == used {
        Ok(())
    } else {
        Err(ClientAuthError::WrongMethod(auth_method_name(
            client.settings.auth_method,
        )))
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|value| !value.is_empty())
}

/// Which one method the request used; more than one is refused (RFC 6749 §2.3).
fn method(presented: &PresentedClient) -> Result<Method, ClientAuthError> {
    let secret = non_empty(&presented.client_secret);
    let assertion_type = non_empty(&presented.client_assertion_type);
    let assertion = non_empty(&presented.client_assertion);
    let used = [
        presented.basic.is_some(),
        secret.is_some(),
        assertion_type.is_some() || assertion.is_some(),
    ];
    if used.iter().filter(|used| **used).count() > 1 {
        return Err(ClientAuthError::MultipleMethods);
    }
    if let Some((id, secret)) = &presented.basic {
        let malformed =
            || ClientAuthError::Malformed("the Basic credentials are not form-urlencoded");
        let id = form_decode(id).ok_or_else(malformed)?;
        let secret = form_decode(secret).ok_or_else(malformed)?;
        if id.is_empty() {
            return Err(ClientAuthError::InvalidClient);
        }
        return Ok(Method::Secret {
            id,
            secret,
            how: ClientAuthMethod::ClientSecretBasic,
        });
    }
    if let Some(secret) = secret {
        let id = non_empty(&presented.client_id).ok_or(ClientAuthError::Malformed(
            "client_secret was sent without client_id",
        ))?;
        return Ok(Method::Secret {
            id: id.to_owned(),
            secret: secret.to_owned(),
            how: ClientAuthMethod::ClientSecretPost,
        });
    }
    if assertion_type.is_some() || assertion.is_some() {
        if assertion_type != Some(JWT_BEARER) {
            return Err(ClientAuthError::AssertionType);
        }
        let token = assertion.ok_or(ClientAuthError::Malformed("client_assertion is missing"))?;
        return Ok(Method::Assertion(token.to_owned()));
    }
    non_empty(&presented.client_id)
        .map(|id| Method::Public(id.to_owned()))
        .ok_or(ClientAuthError::Missing)
}

/// Undoes `application/x-www-form-urlencoded` (RFC 6749 §2.3.1, Appendix B): `+` is a space,
/// `%XX` a byte; the result must be UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = (input.next()? as char).to_digit(16)?;
                let low = (input.next()? as char).to_digit(16)?;
                bytes.push(u8::try_from(high * 16 + low).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_follows_rfc_6749_appendix_b() {
        assert_eq!(form_decode("a%2Bb+c%3A%25").as_deref(), Some("a+b c:%"));
        assert_eq!(form_decode("plain-id_01").as_deref(), Some("plain-id_01"));
        assert_eq!(form_decode("%C3%A9").as_deref(), Some("é"));
        for bad in ["%", "%4", "%zz", "%FF"] {
            assert_eq!(form_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn debug_hides_secrets_and_assertions() {
        let presented = PresentedClient {
            basic: Some(("rp".to_owned(), "basic-secret".to_owned())),
            client_secret: Some("post-secret".to_owned()),
            client_assertion: Some("eyJassertion".to_owned()),
            ..PresentedClient::default()
        };
        let printed = format!("{presented:?}");
        for secret in ["basic-secret", "post-secret", "eyJassertion"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }

    #[test]
    fn one_method_per_request() {
        let both = PresentedClient {
            basic: Some(("rp".to_owned(), "s".to_owned())),
            client_id: Some("rp".to_owned()),
            client_secret: Some("s".to_owned()),
            ..PresentedClient::default()
        };
        assert!(matches!(
            method(&both),
            Err(ClientAuthError::MultipleMethods)
        ));
        let none = PresentedClient::default();
        assert!(matches!(method(&none), Err(ClientAuthError::Missing)));
        let wrong_type = PresentedClient {
            client_assertion_type: Some("urn:other".to_owned()),
            client_assertion: Some("x.y.z".to_owned()),
            ..PresentedClient::default()
        };
        assert!(matches!(
            method(&wrong_type),
            Err(ClientAuthError::AssertionType)
        ));
    }
}
