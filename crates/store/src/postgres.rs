//! The scale-out backend: PostgreSQL (or a PostgreSQL-compatible distributed SQL database),
//! one pool shared by reads and writes.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

use crate::SqlStore;
use crate::error::Result;

/// The shared SQL, compiled for this backend.
mod queries {
    type Db = sqlx::Postgres;
    const BACKEND: &str = "postgres";
    include!("sql_impl.rs");
    include!("sql_oidc.rs");
    include!("sql_grants.rs");
    include!("sql_eid.rs");
    include!("sql_audit.rs");
    include!("sql_operators.rs");
    include!("sql_org.rs");
    include!("sql_post.rs");
}

pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore<sqlx::Postgres>> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    Ok(SqlStore {
        reader: pool.clone(),
        writer: pool,
    })
}
