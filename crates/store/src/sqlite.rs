//! The embedded backend: one SQLite file in WAL mode. Readers share a pool; writes go through
//! a single connection, so writers queue in the pool instead of failing with SQLITE_BUSY.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor, Row, SqliteConnection};

use crate::SqlStore;
use crate::error::{Result, StoreError};

/// The shared SQL, compiled for this backend.
mod queries {
    type Db = sqlx::Sqlite;
    const BACKEND: &str = "sqlite";
    include!("sql_impl.rs");
    include!("sql_oidc.rs");
    include!("sql_grants.rs");
    include!("sql_eid.rs");
    include!("sql_audit.rs");
    include!("sql_operators.rs");
    include!("sql_org.rs");
    include!("sql_post.rs");
}

const READERS: u32 = 8;

/// Opens (creating if needed) the database at `url` (`sqlite://PATH` or `sqlite:PATH`).
pub async fn connect(url: &str) -> Result<SqlStore<sqlx::Sqlite>> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| StoreError::Url(error.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    // Read back what was asked for, once, before any pool opens: an SQLite that silently
    // ignored a pragma (a memory database, a medium without WAL) must not run.
    let mut probe = SqliteConnection::connect_with(&options).await?;
    verify_pragmas(&mut probe).await?;
    probe.close().await?;
    // A connection to a local file cannot go away: the pool's check before each use (a round
    // trip to the connection's thread) buys nothing.
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options.clone())
        .await?;
    let reader = SqlitePoolOptions::new()
        .max_connections(READERS)
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    Ok(SqlStore { reader, writer })
}

/// `sqlite://` URL of a database file at `path`.
pub fn url_for_path(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn verify_pragmas(conn: &mut SqliteConnection) -> Result<()> {
    let journal: String = conn.fetch_one("PRAGMA journal_mode").await?.try_get(0)?;
    let synchronous: i64 = conn.fetch_one("PRAGMA synchronous").await?.try_get(0)?;
    let foreign_keys: i64 = conn.fetch_one("PRAGMA foreign_keys").await?.try_get(0)?;
    let mut refused = Vec::new();
    if !journal.eq_ignore_ascii_case("wal") {
        refused.push(format!("journal_mode is {journal}, not wal"));
    }
    // 2 is FULL, 3 is EXTRA; both sync the WAL on every commit.
    if synchronous < 2 {
        refused.push(format!("synchronous is {synchronous}, not FULL (2)"));
    }
    if foreign_keys != 1 {
        refused.push("foreign_keys is off".to_owned());
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Configuration(refused.join("; ")))
    }
}
