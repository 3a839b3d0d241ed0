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

/// How long a request waits for a connection before it fails (a 503). A failover (the
/// primary killed, a replica promoted, HAProxy switched) takes a few seconds: requests in it
/// fail fast and are retried by their clients rather than pile up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore<sqlx::Postgres>> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // An idle connection is checked before it is handed out: after a failover the pool's
        // connections to the old primary are dead, and each is replaced by one through the
        // proxy to the new primary instead of failing the request that drew it.
        .test_before_acquire(true)
        .connect(url)
        .await?;
    Ok(SqlStore {
        reader: pool.clone(),
        writer: pool,
    })
}
