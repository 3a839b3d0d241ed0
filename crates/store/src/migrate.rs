//! Schema migrations, one folder per dialect, embedded in the binary and applied in order.
//! Applying twice is a no-op: sqlx records each applied version and its checksum.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "oidc",
        include_str!("../migrations/sqlite/0002_oidc.sql"),
    ),
    (
        3,
        "credentials",
        include_str!("../migrations/sqlite/0003_credentials.sql"),
    ),
    (
        4,
        "client web origins",
        include_str!("../migrations/sqlite/0004_client_web_origins.sql"),
    ),
    (5, "eid", include_str!("../migrations/sqlite/0005_eid.sql")),
    (
        6,
        "audit chain",
        include_str!("../migrations/sqlite/0006_audit_chain.sql"),
    ),
    (
        7,
        "organisations",
        include_str!("../migrations/sqlite/0007_organisations.sql"),
    ),
    (
        8,
        "vietnam post",
        include_str!("../migrations/sqlite/0008_vietnam_post.sql"),
    ),
    (
        9,
        "operators",
        include_str!("../migrations/sqlite/0009_operators.sql"),
    ),
    (
        10,
        "refresh successor",
        include_str!("../migrations/sqlite/0010_refresh_successor.sql"),
    ),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "oidc",
        include_str!("../migrations/postgres/0002_oidc.sql"),
    ),
    (
        3,
        "credentials",
        include_str!("../migrations/postgres/0003_credentials.sql"),
    ),
    (
        4,
        "client web origins",
        include_str!("../migrations/postgres/0004_client_web_origins.sql"),
    ),
    (
        5,
        "eid",
        include_str!("../migrations/postgres/0005_eid.sql"),
    ),
    (
        6,
        "audit chain",
        include_str!("../migrations/postgres/0006_audit_chain.sql"),
    ),
    (
        7,
        "organisations",
        include_str!("../migrations/postgres/0007_organisations.sql"),
    ),
    (
        8,
        "vietnam post",
        include_str!("../migrations/postgres/0008_vietnam_post.sql"),
    ),
    (
        9,
        "operators",
        include_str!("../migrations/postgres/0009_operators.sql"),
    ),
    (
        10,
        "refresh successor",
        include_str!("../migrations/postgres/0010_refresh_successor.sql"),
    ),
];

fn migrator(migrations: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = migrations
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    // sqlx would take a PostgreSQL advisory lock, which distributed SQL databases lack; run
    // `dvcid migrate` once per deployment instead of from every node at once.
    migrator.set_locking(false);
    migrator
}

pub(crate) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

pub(crate) fn postgres() -> Migrator {
    migrator(POSTGRES)
}
