//! dvcid-agent: lets the portal's page sign the person in with their USB token.
//!
//! The agent runs on the person's computer, listens on 127.0.0.1, and answers the portal with a
//! Web eID authentication token (`web-eid:1.0`) signed by the token through its PKCS#11 module.
//! The PIN is typed only into the agent's own page, never into the portal's.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod certificate;
pub mod import;
pub mod pages;
pub mod requests;
pub mod server;
pub mod token;
pub mod web_eid;
