//! `dvcid serve`: production mode, from a configuration file and the environment.

use std::path::Path;

use anyhow::Context;
use axum::Router;
use connectors::Connectors;
use tokio::net::TcpListener;

use crate::app::{self, Parts};
use crate::{config, logging};

pub async fn run(path: &Path) -> anyhow::Result<()> {
    // Variables that are not valid Unicode cannot be settings; skip them rather than panic.
    let env = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    let config = config::load(path, env)?;
    logging::init(config.log.format, config.log.filter.as_deref())?;
    let options = store::ConnectOptions {
        postgres_max_connections: config.database.max_connections,
        migrate: true,
    };
    let store = store::connect(config.database_url.expose(), options)
        .await
        .context("cannot open the database named by `database_url`")?;
    let connectors = Connectors::from_config(&config.connectors)
        .context("cannot set up the connectors named in `connectors`")?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (setting `listen`)", config.listen))?;
    tracing::info!(
        listen = %listener.local_addr()?,
        public_base_url = %config.public_base_url,
        store = store.backend(),
        "dvcid serving"
    );
    let parts = Parts {
        store,
        connectors,
        flows: config.flows,
        password_policy: config.password,
        secret: config.secrets.otp_key,
        oidc: config.oidc,
        key_encryption_key: config.secrets.key_encryption_key,
        hsts: config.public_base_url.scheme() == "https",
        public_base_url: config.public_base_url.to_string(),
        sandbox_links: false,
        trusted_proxies: web::TrustedProxies::new(config.http.trusted_proxies),
        extra_routes: Router::new(),
        certificates: config.certificates,
        audit_checkpoint_every: config.audit.checkpoint_every(),
    };
    app::serve(parts, listener).await
}
