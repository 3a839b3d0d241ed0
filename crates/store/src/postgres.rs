//! The scale-out backend: PostgreSQL (or a PostgreSQL-compatible distributed SQL database),
//! one pool shared by reads and writes.

use std::time::Duration;

use sqlx::Connection;
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

/// A connection idle this long is checked (a round trip) before a request gets it. A failover
/// (primary killed, replica promoted, the proxy switched over) takes longer than this, so every
/// connection left from before it is checked and, dead, replaced by one to the new primary; a
/// connection in use through the failover fails its request (a 503) and is dropped by the pool.
/// Checking every connection instead would add a round trip to every statement outside a
/// transaction.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore<sqlx::Postgres>> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect(url)
        .await?;
    Ok(SqlStore {
        reader: pool.clone(),
        writer: pool,
    })
}
