//! Identity providers people sign in with (VNeID, Tài khoản định danh điện tử): OpenID Connect
//! authorisation code with PKCE, `state` and `nonce`. The client checks the authorisation
//! response's `iss` (RFC 9207, against mix-up), then redeems the code and verifies the ID token
//! (signature by the issuer's published key, never `alg=none`; `iss`, `aud`, `exp`, `nonce`)
//! before anything in it is believed.

use async_trait::async_trait;
pub use domain::EidLevel;
use domain::{AssuranceLevel, Gender, PersonalId};
use time::{Date, OffsetDateTime};
use url::Url;

use crate::error::ConnectorError;

mod claims;
mod oidc;
mod transport;

pub use oidc::OidcFederation;

/// One trip out to the provider, as the flow stored it. `state` and `nonce` are ours, fresh
/// for every trip; the verifier never leaves this site before the code is redeemed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedAuthorization {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    /// This site's callback, registered at the provider.
    pub redirect_uri: Url,
    /// The least level the sign-in must reach (`acr_values`), when more than the default.
    pub min_acr: Option<AssuranceLevel>,
}

/// What the provider sent the browser back with (the `state` was matched by the flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedCallback {
    pub code: String,
    /// The authorisation response's `iss` (RFC 9207); a provider that announces the parameter
    /// must send it, and it must be the configured issuer.
    pub iss: Option<String>,
}

/// The person the provider vouches for, from a verified ID token only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedIdentity {
    /// `iss`, exactly as configured.
    pub issuer: String,
    /// `sub`: with `issuer`, what the federated credential is keyed by.
    pub subject: String,
    /// `citizenPid`: the provider is authoritative for it.
    pub personal_id: PersonalId,
    /// `fullName`.
    pub full_name: String,
    /// `birthDate`.
    pub birth_date: Option<Date>,
    /// `gender`, when released.
    pub gender: Option<Gender>,
    /// `accountLevel`.
    pub level: EidLevel,
    /// `acr` as the provider asserted it (never above what `level` allows), or the level's own
    /// assurance when the token has none. It may be less than the trip's `min_acr` asked for
    /// (`acr_values` is a request, not a guarantee): the flow compares.
    pub acr: AssuranceLevel,
    /// `amr` as the provider sent it (empty when absent).
    pub amr: Vec<String>,
    /// `auth_time`, when sent.
    pub auth_time: Option<OffsetDateTime>,
}

/// An OpenID provider people sign in with.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// The configured issuer (`iss`), exactly as its tokens carry it.
    fn issuer(&self) -> &str;

    /// Where to send the browser (the provider's `authorization_endpoint` with `response_type=
    /// code`, `client_id`, `redirect_uri`, `scope`, `state`, `nonce`, `code_challenge` (S256)
    /// and `acr_values` when asked). Reads the provider's discovery document, hence async.
    async fn authorization_url(&self, trip: &FederatedAuthorization)
    -> Result<Url, ConnectorError>;

    /// Checks the callback's `iss`, redeems the code (with the PKCE verifier and the client's
    /// credentials) and verifies the ID token against `trip`. Never retried: a code is single
    /// use.
    async fn redeem(
        &self,
        trip: &FederatedAuthorization,
        callback: &FederatedCallback,
    ) -> Result<FederatedIdentity, ConnectorError>;
}
