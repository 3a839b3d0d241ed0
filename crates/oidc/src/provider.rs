//! The facade the web layer calls: one [`Provider`] per process, behind an `Arc`. Each method
//! hands the typed request to the module that owns that part of the protocol (`authorize`,
//! `token`, `userinfo`, `introspect`, `revoke`, `logout`); what they share lives in
//! [`Core`](crate::core::Core).

use std::sync::Arc;

use domain::Clock;
use domain::digest::MacKey;
use domain::random::Randomness;
use serde_json::Value;
use store::{Account, Session, Store};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::authorize::{self, AuthorizationRequest, Decision};
use crate::clients::{ClientAuthenticator, PresentedClient};
use crate::config::OidcConfig;
use crate::core::Core;
use crate::error::{AuthorizeError, BearerError, EndSessionError, OidcError, TokenError};
use crate::keys::KeyRing;
use crate::logout::{self, EndSession};
use crate::parked::{Parked, ParkedRequests};
use crate::token::{self, TokenResponse};
use crate::userinfo::UserInfo;
use crate::{discovery, introspect, revoke, userinfo};

/// Everything the provider is built from.
pub struct ProviderParts {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub config: OidcConfig,
    /// The public base URL; `iss` is its text without a trailing slash.
    pub issuer: url::Url,
    pub keys: Arc<KeyRing>,
    /// Keys the pairwise `sub` of clients that ask for one.
    pub pairwise_key: MacKey,
    /// For back-channel logout deliveries (each request also gets the configured timeout).
    pub http: reqwest::Client,
}

/// The OpenID provider. `Send + Sync`; share it behind an `Arc`.
pub struct Provider {
    core: Core,
    parked: ParkedRequests,
}

impl Provider {
    pub fn new(parts: ProviderParts) -> Self {
        let issuer = parts.issuer.as_str().trim_end_matches('/').to_owned();
        let clients = ClientAuthenticator::new(Arc::clone(&parts.store), &parts.config);
        let parked = ParkedRequests::new(
            Arc::clone(&parts.store),
            Arc::clone(&parts.clock),
            Duration::seconds(parts.config.authorization_request_ttl_secs.max(60)),
        );
        Self {
            core: Core {
                store: parts.store,
                clock: parts.clock,
                random: parts.random,
                config: parts.config,
                issuer,
                keys: parts.keys,
                pairwise_key: parts.pairwise_key,
                http: parts.http,
                clients,
            },
            parked,
        }
    }

    /// The `iss` of every token and response: the public base URL without a trailing slash.
    pub fn issuer(&self) -> &str {
        &self.core.issuer
    }

    /// `/.well-known/openid-configuration`.
    pub fn discovery(&self) -> Value {
        discovery::document(&self.core.issuer)
    }

    /// The published signing keys (including the ones about to sign, and the ones whose
    /// tokens may still be live).
    pub async fn jwks(&self) -> Result<Value, OidcError> {
        Ok(self.core.keys.jwks(self.core.now()).await?)
    }

    /// Parses and validates an authorization request (the GET query or the POST form, as
    /// pairs, repeats kept).
    pub async fn authorization_request(
        &self,
        params: &[(String, String)],
    ) -> Result<AuthorizationRequest, AuthorizeError> {
        authorize::parse(&self.core, params).await
    }

    /// What to do with a validated request, given the browser's session (`None` when signed
    /// out) and, when the person has just signed in for this very request, the instant the
    /// request was first seen (`fresh_since`: a sign-in after it satisfies `prompt=login` and
    /// `max_age`). `reachable` is the highest level the signed-in account's sign-in methods
    /// reach (the flows know the methods; the provider only compares levels).
    pub async fn decide(
        &self,
        request: &AuthorizationRequest,
        signed_in: Option<(&Session, &Account)>,
        reachable: domain::AssuranceLevel,
        fresh_since: Option<OffsetDateTime>,
    ) -> Result<Decision, OidcError> {
        authorize::decide(&self.core, request, signed_in, reachable, fresh_since).await
    }

    /// The person's answer on the consent page: a code on approval, `access_denied` otherwise.
    pub async fn consent(
        &self,
        request: &AuthorizationRequest,
        session: &Session,
        account: &Account,
        approved: bool,
    ) -> Result<url::Url, OidcError> {
        authorize::consent(&self.core, request, session, account, approved).await
    }

    /// Keeps a request while the person signs in or answers the consent page.
    pub async fn park(&self, request: &AuthorizationRequest) -> Result<Uuid, OidcError> {
        self.parked.park(request).await
    }

    pub async fn parked(&self, id: Uuid) -> Result<Option<Parked>, OidcError> {
        self.parked.get(id).await
    }

    pub async fn unpark(&self, id: Uuid) -> Result<(), OidcError> {
        self.parked.remove(id).await
    }

    /// The token endpoint. The web layer sends the answer with `Cache-Control: no-store`.
    pub async fn token(
        &self,
        client: &PresentedClient,
        form: &[(String, String)],
    ) -> Result<TokenResponse, TokenError> {
        token::exchange(&self.core, client, form).await
    }

    /// The userinfo endpoint, for the bearer token of the request.
    pub async fn userinfo(&self, access_token: &str) -> Result<Value, BearerError> {
        Ok(userinfo::claims(&self.core, access_token).await?.claims)
    }

    /// The userinfo endpoint, with the web origins of the token's client (for CORS).
    pub async fn userinfo_with_origins(&self, access_token: &str) -> Result<UserInfo, BearerError> {
        userinfo::claims(&self.core, access_token).await
    }

    /// Whether any registered client lists `origin` (as browsers write `Origin`) among its web
    /// origins: enough to answer a CORS preflight, which carries no client or token.
    pub async fn web_origin_registered(&self, origin: &str) -> Result<bool, OidcError> {
        Ok(self.core.store.web_origin_registered(origin).await?)
    }

    /// Whether the client `client_id` registered `origin` among its web origins.
    pub async fn client_web_origin(
        &self,
        client_id: &str,
        origin: &str,
    ) -> Result<bool, OidcError> {
        let client = self.core.store.client(client_id).await?;
        Ok(client.is_some_and(|client| client.settings.web_origins.iter().any(|o| o == origin)))
    }

    /// Token introspection (RFC 7662), bound to the calling client.
    pub async fn introspect(
        &self,
        client: &PresentedClient,
        form: &[(String, String)],
    ) -> Result<Value, TokenError> {
        introspect::introspect(&self.core, client, form).await
    }

    /// Token revocation (RFC 7009), bound to the calling client.
    pub async fn revoke(
        &self,
        client: &PresentedClient,
        form: &[(String, String)],
    ) -> Result<(), TokenError> {
        revoke::revoke(&self.core, client, form).await
    }

    /// RP-initiated logout: what the web layer must do with the browser's session.
    pub async fn end_session(
        &self,
        params: &[(String, String)],
        current: Option<&Session>,
    ) -> Result<EndSession, EndSessionError> {
        logout::end_session(&self.core, params, current).await
    }

    /// Delivers the back-channel logouts that are due; returns how many were delivered.
    pub async fn deliver_logouts(&self) -> Result<usize, OidcError> {
        logout::deliver(&self.core).await
    }

    /// Deletes expired codes, tokens, grants and replay records.
    pub async fn purge(&self) -> Result<u64, OidcError> {
        Ok(self
            .core
            .store
            .purge_expired_grants(self.core.now())
            .await?)
    }
}

/// The web layer's handlers need every future of the facade to be `Send`.
#[cfg(test)]
#[allow(dead_code, clippy::let_underscore_future)]
fn futures_are_send(
    provider: &Provider,
    request: &AuthorizationRequest,
    session: &Session,
    account: &Account,
    client: &PresentedClient,
) {
    fn send<T: Send>(_: T) {}
    send(provider.jwks());
    send(provider.authorization_request(&[]));
    send(provider.decide(
        request,
        Some((session, account)),
        domain::AssuranceLevel::LoA2,
        None,
    ));
    send(provider.consent(request, session, account, true));
    send(provider.park(request));
    send(provider.parked(Uuid::nil()));
    send(provider.unpark(Uuid::nil()));
    send(provider.token(client, &[]));
    send(provider.userinfo(""));
    send(provider.userinfo_with_origins(""));
    send(provider.web_origin_registered(""));
    send(provider.client_web_origin("", ""));
    send(provider.introspect(client, &[]));
    send(provider.revoke(client, &[]));
    send(provider.end_session(&[], Some(session)));
    send(provider.deliver_logouts());
    send(provider.purge());
}
