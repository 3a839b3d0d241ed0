//! The HTML pages of the self-service flows and the account, for browsers (with or without
//! JavaScript). Each flow page is rendered from the flow's own document; forms post back to
//! the same address.

pub(crate) mod account;
pub(crate) mod flow;
mod organisations;
mod phone_change;
mod post_activation;
mod render;

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(flow::routes())
        .merge(account::routes())
        .merge(phone_change::routes())
        .merge(organisations::routes())
        .merge(post_activation::routes())
}
