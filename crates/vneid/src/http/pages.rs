//! The person's pages: the intro, and the routes of activation (`activate`, V2–V3) and
//! sign-in with the signed-in home screen (`login`, V4), with what they share.

use std::collections::HashMap;

use axum::Form;
use axum::response::Response;
use axum::routing::{get, post};
use uuid::Uuid;

use super::templates;
use super::{SESSION_COOKIE, State, Transport, page, see_other};

use super::{activate, login};

pub(super) type Fields = Form<HashMap<String, String>>;

pub(super) fn routes() -> axum::Router<std::sync::Arc<super::AppState>> {
    axum::Router::new()
        .route("/", get(intro))
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/vneid.css", get(|| async { super::stylesheet() }))
        .route("/activate", get(activate::form).post(activate::start))
        .route("/activate/step", get(activate::step))
        .route("/activate/otp", post(activate::otp))
        .route("/activate/resend", post(activate::resend))
        .route("/activate/password", post(activate::password))
        .route("/activate/passcode", post(activate::passcode))
        .route("/activate/questions", post(activate::questions))
        .route("/activate/done", get(activate::done))
        .route("/login", get(login::form).post(login::login))
        .route("/login/verify", get(login::step))
        .route("/login/passcode", post(login::passcode))
        .route("/login/otp/send", post(login::send_otp))
        .route("/login/otp", post(login::otp))
        .route("/home", get(login::home))
        .route("/logout", post(login::logout))
}

pub(super) fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or("", String::as_str)
}

pub(super) fn flow_cookie(transport: &Transport, name: &str) -> Option<Uuid> {
    transport
        .cookie(name)
        .and_then(|value| Uuid::parse_str(&value).ok())
}

/// The page of a flow that is gone (expired, finished, or never this browser's).
pub(super) fn gone(transport: &Transport, restart: &str) -> Response {
    let tr = transport.tr();
    page(
        transport,
        &templates::Message {
            tr: &tr,
            title: tr.t("flow-gone-title"),
            text: tr.t("refused-flow-gone"),
            link: Some(restart.to_owned()),
            link_text: tr.t("action-start-again"),
        },
    )
}

async fn intro(state: State, transport: Transport) -> Response {
    if let Some(token) = transport.cookie(SESSION_COOKIE)
        && let Ok(Some(_)) = state.vneid.session(&token).await
    {
        return see_other("/home");
    }
    let tr = transport.tr();
    page(&transport, &templates::Intro { tr: &tr })
}
