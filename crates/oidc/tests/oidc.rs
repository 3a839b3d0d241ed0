//! The `oidc` crate against a real store, each suite on SQLite and on PostgreSQL (one test
//! binary, to link once): signing keys and their rotation, client registration and
//! authentication, and the protocol core driven through `Provider` — the authorization code
//! flow with its refusals, refresh rotation, client credentials, userinfo, introspection and
//! revocation across clients, RP-initiated logout and back-channel delivery to a real HTTP
//! server.

#[path = "oidc/clients.rs"]
mod clients;
#[path = "oidc/keys.rs"]
mod keys;

#[path = "protocol/harness.rs"]
mod harness;

#[path = "protocol/authorize_requests.rs"]
mod authorize_requests;
#[path = "protocol/code_flow.rs"]
mod code_flow;
#[path = "protocol/logout.rs"]
mod logout;
#[path = "protocol/organisations.rs"]
mod organisations;
#[path = "protocol/refresh.rs"]
mod refresh;
#[path = "protocol/token_state.rs"]
mod token_state;
