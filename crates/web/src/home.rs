//! The landing page: what this server is, where to sign in or register, and in the demo the
//! sandbox outboxes.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::forms::Notice;
use crate::i18n::Tr;
use crate::page;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    tr: Tr,
    sandbox_links: bool,
    sandbox_notice: Notice,
}

async fn home(State(state): State<AppState>, tr: Tr) -> Response {
    let page = HomePage {
        sandbox_links: state.settings.sandbox_links,
        sandbox_notice: Notice::info(tr.t("home-sandbox-note")),
        tr,
    };
    page::render(StatusCode::OK, &page.tr, &page)
}
