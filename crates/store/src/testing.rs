//! A fresh store per test, on each backend: an SQLite file in a temporary folder, or a new
//! PostgreSQL database (dropped afterwards, even when the test fails) on the server at
//! `DVCID_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! When PostgreSQL cannot be reached, its tests say they were skipped — unless `CI=true`, where
//! an unreachable PostgreSQL fails the run.
#![allow(clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use uuid::Uuid;

use crate::{Backend, ConnectOptions, Store};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A store for one test, and what the test needs to reach the same database directly.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub url: String,
    pub backend: Backend,
    _folder: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Runs raw SQL on a connection of its own, for tests that tamper with rows.
    pub async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await?;
                Ok(conn.execute(sql).await?.rows_affected())
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await?;
                Ok(conn.execute(sql).await?.rows_affected())
            }
        }
    }
}

pub async fn sqlite() -> TestDb {
    let folder = tempfile::tempdir().expect("temporary folder");
    let url = crate::sqlite::url_for_path(&folder.path().join("test.sqlite3"));
    let store = crate::connect(&url, ConnectOptions::default())
        .await
        .expect("SQLite test store");
    TestDb {
        store,
        url,
        backend: Backend::Sqlite,
        _folder: Some(folder),
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("DVCID_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Runs `test` against a fresh PostgreSQL database, or reports it skipped.
pub async fn with_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let admin_url = postgres_admin_url();
    let mut admin = match PgConnection::connect(&admin_url).await {
        Ok(conn) => conn,
        Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("PostgreSQL is unreachable at {admin_url} and CI=true: {error}")
        }
        Err(error) => {
            eprintln!("SKIPPED {name} on PostgreSQL: unreachable at {admin_url}: {error}");
            return;
        }
    };
    let database = format!("dvcid_test_{}", Uuid::new_v4().simple());
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("DVCID_TEST_POSTGRES_URL is a URL");
    url.set_path(&database);
    let options = ConnectOptions {
        postgres_max_connections: 8,
        migrate: true,
    };
    let outcome = match crate::connect(url.as_str(), options).await {
        Ok(store) => {
            let db = TestDb {
                store,
                url: url.to_string(),
                backend: Backend::Postgres,
                _folder: None,
            };
            AssertUnwindSafe(test(db)).catch_unwind().await
        }
        Err(error) => Err(Box::new(format!("cannot open the test database: {error}")) as _),
    };
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
        )))
        .await
        .expect("drop test database");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares each listed `async fn name(db: TestDb)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::sqlite().await).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::with_postgres(stringify!($name), super::$name).await;
                }
            )*
        }
    };
}
