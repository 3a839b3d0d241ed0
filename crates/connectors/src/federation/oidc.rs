//! [`IdentityProvider`] over OpenID Connect (the `openidconnect` crate), for VNeID.
//!
//! ```text
//!  authorization_url ── discovery (cached) ──▶ authorization endpoint URL
//!  redeem ── callback iss ≠ issuer? ─────────▶ refused (mix-up)
//!         ── discovery (cached), iss missing though announced? ─▶ refused
//!         ── code + verifier, client_secret_basic ─▶ token endpoint (once, never retried)
//!         ── ID token: signature (cached keys) ── kid unknown? ─▶ discovery again (≤ 1/min)
//!         ── iss, aud, azp, exp, iat, nonce ─▶ VNeID's claims ─▶ FederatedIdentity
//! ```
//!
//! The discovery document (with the provider's keys) is read on first use and kept in the
//! process: a stale one is harmless except for the keys, and an ID token signed by a key it
//! does not know makes it be read again, at most once a minute.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use domain::{Clock, SystemClock};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthType, AuthenticationContextClass, AuthenticationFlow,
    AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken,
    DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken,
    IdTokenFields, IdTokenVerifier, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadata, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::Mutex;
use url::Url;

use super::claims::{self, VneidClaims, VneidIdTokenClaims};
use super::transport::{Transport, TransportError};
use super::{FederatedAuthorization, FederatedCallback, FederatedIdentity, IdentityProvider};
use crate::config::{ConfigError, VneidConfig, is_this_host};
use crate::error::{ConnectorError, System};

/// The configuration section, for errors naming a key.
const KEY: &str = "vneid";
/// The ID token signature algorithms accepted, when the provider announces them. Never
/// `none`, never a MAC keyed with the client secret.
const ACCEPTED_ALGS: [CoreJwsSigningAlgorithm; 3] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EdDsa,
];
/// How far the provider's clock may be from ours (`exp`, `iat`).
const CLOCK_SKEW: time::Duration = time::Duration::seconds(60);
/// The discovery document is read again for an unknown key at most this often.
const REFETCH_INTERVAL: time::Duration = time::Duration::minutes(1);

/// RFC 9207 §3: whether the provider puts `iss` in its authorisation responses.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct IssParameter {
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for IssParameter {}

type Metadata = ProviderMetadata<
    IssParameter,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type VneidIdToken = IdToken<
    VneidClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type VneidTokenResponse = StandardTokenResponse<
    IdTokenFields<
        VneidClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type TokenError = StandardErrorResponse<CoreErrorResponseType>;

type VneidClient = Client<
    VneidClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    TokenError,
    VneidTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as its discovery document describes it, and when it was read.
struct Provider {
    metadata: Metadata,
    /// [`ACCEPTED_ALGS`] that the provider announces.
    algs: Vec<CoreJwsSigningAlgorithm>,
    fetched_at: OffsetDateTime,
}

/// Signing in with an OpenID provider (VNeID): authorisation code flow with PKCE (S256),
/// `state`, `nonce`, RFC 9207 `iss` checks, `client_secret_basic` at the token endpoint, and an
/// ID token verified before any claim in it is read.
pub struct OidcFederation {
    issuer: String,
    issuer_url: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    /// The configured scopes but `openid`, which the library always sends first.
    scopes: Vec<Scope>,
    transport: Transport,
    clock: Arc<dyn Clock>,
    cache: Mutex<Option<Arc<Provider>>>,
}

impl OidcFederation {
    /// A client of the provider `config` names; nothing is fetched until the first sign-in.
    pub fn new(config: &VneidConfig) -> Result<Self, ConfigError> {
        config.validate(KEY)?;
        let issuer_url = IssuerUrl::new(config.issuer.clone())
            .map_err(|error| ConfigError::new(format!("{KEY}.issuer"), error.to_string()))?;
        Ok(Self {
            issuer: config.issuer.clone(),
            issuer_url,
            client_id: ClientId::new(config.client_id.clone()),
            client_secret: ClientSecret::new(config.client_secret.expose().clone()),
            scopes: config
                .scopes
                .iter()
                .filter(|scope| *scope != "openid")
                .map(|scope| Scope::new(scope.clone()))
                .collect(),
            transport: Transport::new(
                Duration::from_millis(config.timeout_ms),
                Duration::from_millis(config.connect_timeout_ms),
                KEY,
            )?,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(None),
        })
    }

    /// The same client reading time from `clock` (token lifetimes, how often the discovery
    /// document may be read again).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The cached provider, read on first use.
    async fn provider(&self) -> Result<Arc<Provider>, ConnectorError> {
        let mut cache = self.cache.lock().await;
        if let Some(provider) = cache.as_ref() {
            return Ok(Arc::clone(provider));
        }
        let provider = self.fetch().await?;
        *cache = Some(Arc::clone(&provider));
        Ok(provider)
    }

    /// The provider read again because `stale` lacks a key; `None` when `stale` is less than
    /// [`REFETCH_INTERVAL`] old (so a token naming unknown keys cannot make us hammer the
    /// provider).
    async fn refreshed(
        &self,
        stale: &Arc<Provider>,
    ) -> Result<Option<Arc<Provider>>, ConnectorError> {
        let mut cache = self.cache.lock().await;
        if let Some(current) = cache.as_ref()
            && !Arc::ptr_eq(current, stale)
        {
            // Another sign-in read it meanwhile.
            return Ok(Some(Arc::clone(current)));
        }
        if self.clock.now() - stale.fetched_at < REFETCH_INTERVAL {
            return Ok(None);
        }
        tracing::info!(
            issuer = %self.issuer,
            "an ID token names a key the provider did not publish; reading its keys again"
        );
        let provider = self.fetch().await?;
        *cache = Some(Arc::clone(&provider));
        Ok(Some(provider))
    }

    /// Reads the discovery document and the keys it points to, and checks that they can work.
    async fn fetch(&self) -> Result<Arc<Provider>, ConnectorError> {
        let metadata = Metadata::discover_async(self.issuer_url.clone(), &self.transport)
            .await
            .map_err(discovery_error)?;
        // The library compared `issuer` with the configured issuer, character for character.
        let token_endpoint = metadata
            .token_endpoint()
            .ok_or_else(|| invalid("discovery document: no token_endpoint"))?;
        check_endpoint("token_endpoint", token_endpoint.url())?;
        check_endpoint(
            "authorization_endpoint",
            metadata.authorization_endpoint().url(),
        )?;
        if let Some(methods) = metadata.token_endpoint_auth_methods_supported()
            && !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
        {
            return Err(invalid(
                "discovery document: the token endpoint does not take client_secret_basic",
            ));
        }
        let announced = metadata.id_token_signing_alg_values_supported();
        let algs: Vec<_> = ACCEPTED_ALGS
            .into_iter()
            .filter(|alg| announced.contains(alg))
            .collect();
        if algs.is_empty() {
            return Err(invalid(
                "discovery document: no ID token signature algorithm this portal accepts \
                 (RS256, ES256, EdDSA)",
            ));
        }
        tracing::debug!(issuer = %self.issuer, keys = metadata.jwks().keys().len(), "provider discovered");
        Ok(Arc::new(Provider {
            metadata,
            algs,
            fetched_at: self.clock.now(),
        }))
    }

    fn client(&self, provider: &Provider, redirect_uri: &Url) -> VneidClient {
        VneidClient::from_provider_metadata(
            provider.metadata.clone(),
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_auth_type(AuthType::BasicAuth)
        .set_redirect_uri(RedirectUrl::from_url(redirect_uri.clone()))
    }

    /// Checks the ID token against `provider`'s keys and the trip's nonce (`now` with
    /// [`CLOCK_SKEW`] for `exp` and `iat`).
    fn verify<'t>(
        &self,
        provider: &Provider,
        id_token: &'t VneidIdToken,
        nonce: &Nonce,
        now: OffsetDateTime,
    ) -> Result<&'t VneidIdTokenClaims, ClaimsVerificationError> {
        let lenient_now = SystemTime::from(now - CLOCK_SKEW);
        let latest_iat = (now + CLOCK_SKEW).unix_timestamp();
        // A public-client verifier: it has no secret, so a MAC-signed token cannot pass.
        let verifier = IdTokenVerifier::new_public_client(
            self.client_id.clone(),
            self.issuer_url.clone(),
            provider.metadata.jwks().clone(),
        )
        .set_allowed_algs(provider.algs.iter().cloned())
        .set_time_fn(move || lenient_now.into())
        .set_issue_time_verifier_fn(move |iat| {
            if iat.timestamp() > latest_iat {
                Err("iat: issued in the future".to_owned())
            } else {
                Ok(())
            }
        });
        id_token.claims(&verifier, nonce)
    }

    /// `azp` (OpenID Connect Core §3.1.3.7, 4–5): ours when present, present when the token
    /// has several audiences (the verifier already refused audiences we do not trust).
    fn check_authorized_party(&self, claims: &VneidIdTokenClaims) -> Result<(), ConnectorError> {
        match claims.authorized_party() {
            Some(azp) if azp.as_str() != self.client_id.as_str() => {
                Err(invalid("ID token azp: not this client"))
            }
            None if claims.audiences().len() > 1 => Err(invalid(
                "ID token azp: missing though the token has several audiences",
            )),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl IdentityProvider for OidcFederation {
    fn issuer(&self) -> &str {
        &self.issuer
    }

    async fn authorization_url(
        &self,
        trip: &FederatedAuthorization,
    ) -> Result<Url, ConnectorError> {
        let provider = self.provider().await?;
        let client = self.client(&provider, &trip.redirect_uri);
        let state = CsrfToken::new(trip.state.clone());
        let nonce = Nonce::new(trip.nonce.clone());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            trip.code_verifier.clone(),
        ));
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                move || state,
                move || nonce,
            )
            .add_scopes(self.scopes.iter().cloned())
            .set_pkce_challenge(challenge);
        if let Some(level) = trip.min_acr {
            request =
                request.add_auth_context_value(AuthenticationContextClass::new(level.to_string()));
        }
        let (url, _, _) = request.url();
        Ok(url)
    }

    async fn redeem(
        &self,
        trip: &FederatedAuthorization,
        callback: &FederatedCallback,
    ) -> Result<FederatedIdentity, ConnectorError> {
        // RFC 9207: the code came from the configured provider, or it is not sent anywhere.
        if callback.iss.as_ref().is_some_and(|iss| *iss != self.issuer) {
            return Err(refused(
                "authorisation response iss: not the configured issuer (mix-up)",
            ));
        }
        let provider = self.provider().await?;
        if callback.iss.is_none()
            && provider
                .metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported
        {
            return Err(refused(
                "authorisation response iss: missing, though the provider announces it (RFC 9207)",
            ));
        }
        let client = self.client(&provider, &trip.redirect_uri);
        // A code is single use: whatever happens, this request is not repeated.
        let answer = client
            .exchange_code(AuthorizationCode::new(callback.code.clone()))
            .map_err(|_| invalid("discovery document: no token_endpoint"))?
            .set_pkce_verifier(PkceCodeVerifier::new(trip.code_verifier.clone()))
            .request_async(&self.transport)
            .await
            .map_err(token_error)
            .inspect_err(log_refusal)?;
        let id_token = answer
            .id_token()
            .ok_or_else(|| refused("token response: no id_token"))?;
        let nonce = Nonce::new(trip.nonce.clone());
        let now = self.clock.now();
        let claims = match self.verify(&provider, id_token, &nonce, now) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => match self.refreshed(&provider).await? {
                Some(fresh) => self.verify(&fresh, id_token, &nonce, now),
                None => Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )),
            },
            verified => verified,
        }
        .map_err(|error| refused(claims_error(&error)))?;
        self.check_authorized_party(claims)
            .inspect_err(log_refusal)?;
        let identity = claims::identity(&self.issuer, claims)
            .map_err(|reason| refused(format!("ID token claim {reason}")))?;
        tracing::info!(
            issuer = %self.issuer,
            level = identity.level.number(),
            acr = %identity.acr,
            "ID token verified"
        );
        Ok(identity)
    }
}

fn invalid(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::InvalidResponse {
        system: System::Vneid,
        reason: reason.into(),
    }
}

/// An answer that cannot be believed, logged as the security event it is.
fn refused(reason: impl Into<String>) -> ConnectorError {
    let error = invalid(reason);
    log_refusal(&error);
    error
}

fn log_refusal(error: &ConnectorError) {
    tracing::warn!(
        error.kind = error.kind(),
        error = %error,
        "VNeID sign-in failed"
    );
}

/// Where the browser or the secret goes: https, or plain http on this host only.
fn check_endpoint(name: &str, url: &Url) -> Result<(), ConnectorError> {
    if url.scheme() == "https" || (url.scheme() == "http" && is_this_host(url)) {
        Ok(())
    } else {
        Err(invalid(format!("discovery document: {name} must be https")))
    }
}

fn transport_error(error: TransportError) -> ConnectorError {
    match error {
        TransportError::Unavailable(reason) => ConnectorError::Unavailable {
            system: System::Vneid,
            reason,
        },
        TransportError::Invalid(reason) => invalid(reason),
    }
}

fn discovery_error(error: DiscoveryError<TransportError>) -> ConnectorError {
    match error {
        DiscoveryError::Request(error) => transport_error(error),
        DiscoveryError::Response(status, _, reason) => {
            invalid(format!("discovery: HTTP {}: {reason}", status.as_u16()))
        }
        // The path only: serde's message may quote a value.
        DiscoveryError::Parse(error) => invalid(format!(
            "discovery document or key set unreadable at `{}`",
            error.path()
        )),
        DiscoveryError::Validation(reason) => {
            invalid(format!("discovery document issuer: {reason}"))
        }
        other => invalid(format!("discovery: {other}")),
    }
}

fn token_error(error: RequestTokenError<TransportError, TokenError>) -> ConnectorError {
    match error {
        // invalid_grant (a spent, expired or foreign code, a wrong verifier), invalid_client…
        RequestTokenError::ServerResponse(answer) => ConnectorError::Rejected {
            system: System::Vneid,
            reason: format!("token endpoint: {}", answer.error()),
        },
        RequestTokenError::Request(error) => transport_error(error),
        RequestTokenError::Parse(error, _) => {
            invalid(format!("token response unreadable at `{}`", error.path()))
        }
        RequestTokenError::Other(reason) => invalid(format!("token response: {reason}")),
    }
}

/// The failed check, without the token.
fn claims_error(error: &ClaimsVerificationError) -> String {
    match error {
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => "ID token signature: signed by a key the provider does not publish (kid unknown)"
            .to_owned(),
        ClaimsVerificationError::SignatureVerification(inner) => {
            format!("ID token signature: {inner}")
        }
        ClaimsVerificationError::Expired(reason) => format!("ID token exp/iat: {reason}"),
        ClaimsVerificationError::InvalidAudience(reason) => format!("ID token aud: {reason}"),
        ClaimsVerificationError::InvalidIssuer(reason) => format!("ID token iss: {reason}"),
        ClaimsVerificationError::InvalidNonce(reason) => format!("ID token nonce: {reason}"),
        other => format!("ID token: {other}"),
    }
}
