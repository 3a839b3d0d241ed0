//! Logs: readable lines for the demo, one JSON object per line for production collectors.
//! The filter comes from `RUST_LOG` when set, else from configuration.

use serde::Deserialize;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Human,
    Json,
}

const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

pub fn init(format: Format, filter: Option<&str>) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(from_env) => EnvFilter::try_new(from_env)?,
        Err(_) => EnvFilter::try_new(filter.unwrap_or(DEFAULT_FILTER))?,
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = match format {
        Format::Human => builder.compact().try_init(),
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))
}
