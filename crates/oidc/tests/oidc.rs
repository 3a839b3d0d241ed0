//! The `oidc` crate against a real store: signing keys and their rotation, client
//! registration and authentication — each suite on SQLite and on PostgreSQL.

#[path = "oidc/clients.rs"]
mod clients;
#[path = "oidc/keys.rs"]
mod keys;
