//! Persistence for dvcid behind one set of traits, with an embedded SQLite implementation and a
//! PostgreSQL one for deployments that outgrow a machine. Both run the same SQL text
//! (`sql_impl.rs`); only the migrations differ by dialect.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod api;
pub mod audit_chain;
pub mod bulk;
mod convert;
mod eid_api;
mod eid_model;
mod error;
mod migrate;
mod model;
mod oidc_api;
mod oidc_model;
mod operator_api;
mod operator_model;
mod org_api;
mod org_model;
mod post_api;
mod post_model;
pub mod postgres;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

pub use api::{
    AccountStore, AuditChainStore, AuditLog, CredentialStore, FlowStore, Health, OtpStore,
    PhoneStore, SessionStore, Store, ThrottleStore,
};
pub use eid_api::EidStore;
pub use eid_model::*;
pub use error::{Result, StoreError, UniqueField};
pub use model::*;
pub use oidc_api::{ClientStore, GrantStore, LogoutOutbox, SigningKeyStore};
pub use oidc_model::*;
pub use operator_api::{OperatorStore, PhoneReset};
pub use operator_model::RoleGrant;
pub use org_api::OrganisationStore;
pub use org_model::*;
pub use post_api::PostStore;
pub use post_model::*;

/// A store on one sqlx database. SQLite writes through a one-connection pool; PostgreSQL uses
/// the same pool for both.
#[derive(Debug, Clone)]
pub struct SqlStore<DB: sqlx::Database> {
    reader: sqlx::Pool<DB>,
    writer: sqlx::Pool<DB>,
}

impl<DB: sqlx::Database> SqlStore<DB> {
    /// Closes both pools; later calls fail. For graceful shutdown.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

impl SqlStore<sqlx::Sqlite> {
    pub async fn migrate(&self) -> Result<()> {
        migrate::sqlite().run(&self.writer).await?;
        self.seal_unchained_audit_events().await?;
        Ok(())
    }
}

impl SqlStore<sqlx::Postgres> {
    pub async fn migrate(&self) -> Result<()> {
        migrate::postgres().run(&self.writer).await?;
        self.seal_unchained_audit_events().await?;
        Ok(())
    }
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::Url(
                "expected sqlite://PATH, postgres://… or postgresql://…".to_owned(),
            ))
        }
    }
}

/// Options that only matter for some backends.
#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    pub postgres_max_connections: u32,
    /// Apply pending migrations before returning.
    pub migrate: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            postgres_max_connections: 16,
            migrate: true,
        }
    }
}

/// Connects to the database the URL names, applies migrations if asked, and returns the store.
pub async fn connect(url: &str, options: ConnectOptions) -> Result<Arc<dyn Store>> {
    match Backend::of_url(url)? {
        Backend::Sqlite => {
            let store = sqlite::connect(url).await?;
            if options.migrate {
                store.migrate().await?;
            }
            Ok(Arc::new(store))
        }
        Backend::Postgres => {
            let store = postgres::connect(url, options.postgres_max_connections).await?;
            if options.migrate {
                store.migrate().await?;
            }
            Ok(Arc::new(store))
        }
    }
}
