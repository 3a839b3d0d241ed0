//! The OpenID Provider that relying services (ministries, provinces) sign their users in
//! through: clients, signing keys and their rotation, authorization codes, tokens, claims,
//! introspection, revocation and logout. HTTP is `web`'s business; this crate receives typed
//! requests and returns typed answers, with time and randomness injected.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod clients;
pub mod config;
pub mod jwt;
pub mod keys;

mod access;
mod acting;
pub mod authorize;
mod caller;
pub mod claims;
mod core;
pub mod discovery;
pub mod error;
mod id_token;
mod introspect;
mod locale;
pub mod logout;
mod params;
pub mod parked;
pub mod pkce;
pub mod provider;
pub mod redirect_uri;
mod revoke;
pub mod token;
mod userinfo;

pub use userinfo::UserInfo;

pub use clients::{
    ClientAuthError, ClientAuthenticator, ClientError, ClientRegistry, NewClient, PresentedClient,
};
pub use config::OidcConfig;
pub use keys::{KeyError, KeyRing, SealingKey};

pub use authorize::{AuthorizationRequest, Decision, Prompt};
pub use error::{
    AuthorizeError, BearerError, EndSessionError, EndSessionRefusal, FatalReason, OidcError,
    TokenError, TokenErrorCode,
};
pub use logout::EndSession;
pub use parked::Parked;
pub use provider::{Provider, ProviderParts};
pub use token::TokenResponse;
