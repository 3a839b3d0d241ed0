//! The database read directly while the server is down: SQLite's own integrity check (on a
//! read-only connection), refresh-token families with more than one live token, and the
//! counters that must never go backwards (audit chain heads, throttle and SMS counters).

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use sqlx::Connection as _;
use sqlx::Row as _;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// Where the server's data is: the `database_url` of its configuration.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

/// What one look at the database found.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// When it was taken, in the store's unit (milliseconds since the Unix epoch).
    pub taken_at: i64,
    /// `PRAGMA integrity_check` (SQLite only): `ok`, or what it found.
    pub integrity: Option<String>,
    /// Refresh-token families (grants) holding more than one unspent, unrevoked token.
    pub families_with_two_live_tokens: i64,
    /// Each audit shard's head sequence number.
    pub audit_heads: BTreeMap<i64, i64>,
    pub audit_events: i64,
    /// Throttle and SMS counters not yet expired: (key, window start) → (hits, expires at).
    pub counters: BTreeMap<(String, i64), (i64, i64)>,
    /// The personal IDs of every account.
    pub personal_ids: HashSet<String>,
}

enum Connection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Runs `query` (the same text and binds for either dialect: both accept `$1`, and the
/// queries below use nothing else that differs) and `each` on every row it returns.
macro_rules! for_each_row {
    ($connection:expr, $query:expr, |$row:ident| $each:block) => {
        match $connection {
            Connection::Sqlite(c) => {
                for $row in $query.fetch_all(&mut *c).await? $each
            }
            Connection::Postgres(c) => {
                for $row in $query.fetch_all(&mut *c).await? $each
            }
        }
    };
}

impl Database {
    /// `sqlite://PATH[?…]` or `postgres://…`.
    pub fn parse(url: &str) -> Result<Self> {
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                bail!("the SQLite URL {url} names no file");
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        bail!("unsupported database URL {url}: sqlite://… or postgres://…")
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Looks at the database as of `now_ms` (milliseconds since the Unix epoch, the store's
    /// unit): nothing is written.
    pub async fn inspect(&self, now_ms: i64) -> Result<Snapshot> {
        let mut connection = self.connect().await?;
        let mut snapshot = Snapshot {
            taken_at: now_ms,
            ..Snapshot::default()
        };
        if let Connection::Sqlite(c) = &mut connection {
            let rows = sqlx::query("PRAGMA integrity_check")
                .fetch_all(&mut *c)
                .await?;
            let lines: Vec<String> = rows
                .iter()
                .map(|row| row.try_get::<String, _>(0))
                .collect::<Result<_, _>>()?;
            snapshot.integrity = Some(lines.join("; "));
        }
        for_each_row!(
            &mut connection,
            sqlx::query(
                "SELECT COUNT(*) FROM (SELECT t.grant_id FROM oidc_refresh_tokens t \
                 JOIN oidc_grants g ON g.id = t.grant_id \
                 WHERE t.used_at IS NULL AND g.revoked_at IS NULL AND t.expires_at > $1 \
                 AND g.expires_at > $1 GROUP BY t.grant_id HAVING COUNT(*) > 1) AS doubled"
            )
            .bind(now_ms),
            |row| {
                snapshot.families_with_two_live_tokens = row.try_get(0)?;
            }
        );
        for_each_row!(
            &mut connection,
            sqlx::query("SELECT CAST(shard AS BIGINT), seq FROM audit_chain_heads"),
            |row| {
                snapshot
                    .audit_heads
                    .insert(row.try_get(0)?, row.try_get(1)?);
            }
        );
        for_each_row!(
            &mut connection,
            sqlx::query("SELECT COUNT(*) FROM audit_events"),
            |row| {
                snapshot.audit_events = row.try_get(0)?;
            }
        );
        for_each_row!(
            &mut connection,
            sqlx::query(
                "SELECT key, window_start, hits, expires_at FROM throttle_counters \
                 WHERE expires_at > $1"
            )
            .bind(now_ms),
            |row| {
                snapshot.counters.insert(
                    (row.try_get(0)?, row.try_get(1)?),
                    (row.try_get(2)?, row.try_get(3)?),
                );
            }
        );
        for_each_row!(
            &mut connection,
            sqlx::query("SELECT personal_id FROM accounts WHERE personal_id IS NOT NULL"),
            |row| {
                snapshot.personal_ids.insert(row.try_get(0)?);
            }
        );
        match connection {
            Connection::Sqlite(c) => c.close().await?,
            Connection::Postgres(c) => c.close().await?,
        }
        Ok(snapshot)
    }

    async fn connect(&self) -> Result<Connection> {
        Ok(match self {
            Self::Sqlite(path) => {
                let options = SqliteConnectOptions::new().filename(path).read_only(true);
                Connection::Sqlite(
                    SqliteConnection::connect_with(&options)
                        .await
                        .with_context(|| format!("opening {} read-only", path.display()))?,
                )
            }
            Self::Postgres(url) => Connection::Postgres(
                PgConnection::connect(url)
                    .await
                    .with_context(|| format!("connecting to {url}"))?,
            ),
        })
    }
}
