//! What `serve` and `demo` share: build the application state and serve it until stopped.

use std::sync::Arc;

use axum::Router;
use connectors::Connectors;
use domain::SystemClock;
use store::Store;
use tokio::net::TcpListener;

use crate::shutdown;

pub struct Parts {
    pub store: Arc<dyn Store>,
    pub connectors: Connectors,
    pub settings: web::Settings,
    /// Routes served beside the application (the demo's sandbox).
    pub extra_routes: Router,
}

pub async fn serve(parts: Parts, listener: TcpListener) -> anyhow::Result<()> {
    let metrics = web::install_metrics_recorder().map_err(anyhow::Error::msg)?;
    let state = web::AppState {
        store: parts.store,
        clock: Arc::new(SystemClock),
        connectors: parts.connectors,
        metrics: Some(metrics),
        settings: Arc::new(parts.settings),
    };
    let app = web::router(state, parts.extra_routes);
    web::serve(listener, app, shutdown::signal()).await?;
    Ok(())
}
