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

pub mod config;

pub use config::OidcConfig;
