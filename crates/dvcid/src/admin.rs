//! Operators' commands on the OpenID provider: `dvcid client …` registers relying services and
//! `dvcid keys …` lists or rotates the signing keys. They act on the database of a `serve`
//! configuration file (`--config`) or of a `dvcid demo` data folder (`--data`).

mod audit;
mod client;
mod keys;
mod operator;
mod seed;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use domain::Secret;
use oidc::OidcConfig;
use store::Store;

use crate::{config, demo};

pub use audit::{AuditArgs, run as audit};
pub use client::{ClientArgs, run as client};
pub use keys::{KeysArgs, run as keys};
pub use operator::{OperatorArgs, run as operator};
pub use seed::{SeedArgs, run as seed};

/// Which database a command acts on, and how it prints.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["config", "data"])))]
pub struct Target {
    /// The `serve` configuration file (database and secrets come from it; `DVCID_…`
    /// variables apply as for `serve`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// A `dvcid demo` data folder instead.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The store a command acts on, with what the keys commands need beside it.
struct Opened {
    store: Arc<dyn Store>,
    source: Source,
}

enum Source {
    Config(Box<config::Config>),
    Demo(PathBuf),
}

impl Opened {
    async fn open(target: &Target) -> anyhow::Result<Self> {
        match (&target.config, &target.data) {
            (Some(path), _) => {
                let env = std::env::vars_os().filter_map(|(name, value)| {
                    Some((name.into_string().ok()?, value.into_string().ok()?))
                });
                let config = config::load(path, env)?;
                let options = store::ConnectOptions {
                    postgres_max_connections: 2,
                    migrate: true,
                };
                let store = store::connect(config.database_url.expose(), options)
                    .await
                    .context("cannot open the database named by `database_url`")?;
                Ok(Self {
                    store,
                    source: Source::Config(Box::new(config)),
                })
            }
            (None, Some(data)) => {
                std::fs::create_dir_all(data)
                    .with_context(|| format!("cannot create the data folder {}", data.display()))?;
                let url = store::sqlite::url_for_path(&data.join(demo::DATABASE_FILE));
                let store = store::connect(&url, store::ConnectOptions::default())
                    .await
                    .with_context(|| {
                        format!("cannot open the demo database in {}", data.display())
                    })?;
                Ok(Self {
                    store,
                    source: Source::Demo(data.clone()),
                })
            }
            (None, None) => anyhow::bail!("give --config FILE or --data DIR"),
        }
    }

    fn oidc_config(&self) -> OidcConfig {
        match &self.source {
            Source::Config(config) => config.oidc.clone(),
            Source::Demo(_) => OidcConfig::default(),
        }
    }

    /// `secrets.key_encryption_key`, or the demo's (made on first use, kept in its folder).
    fn key_encryption_key(&self) -> anyhow::Result<Secret<String>> {
        match &self.source {
            Source::Config(config) => Ok(config.secrets.key_encryption_key.clone()),
            Source::Demo(data) => Ok(Secret::new(demo_key_encryption_key(data)?)),
        }
    }
}

/// The demo's key-encryption key, beside its OTP key in the data folder.
pub fn demo_key_encryption_key(data: &Path) -> anyhow::Result<String> {
    demo::demo_secret(data, "key_encryption_key")
}

/// Prints `value` as indented JSON.
fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// An instant as operators read it: RFC 3339 in UTC, to the second.
fn instant(at: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.to_string())
}
