//! Turning an askama page into a response, and telling whether a request wants a page at all
//! or JSON (the same handlers serve browsers and the JSON API).
//!
//! A page is a struct with a `tr: Tr` field (the layout in `base.html` needs it) rendered with
//! `render`; its template extends `base.html` and draws forms with the macros of `ui.html`:
//!
//! ```text
//! #[derive(Template)]
//! #[template(path = "login.html")]
//! struct LoginPage { tr: Tr, form: Form, tabs: Vec<Tab> }
//!
//! async fn login(tr: Tr) -> Response {
//!     let page = LoginPage { form: Form::new(), tabs: login_tabs(&tr), tr };
//!     page::render(StatusCode::OK, &page.tr, &page)
//! }
//!
//! {% extends "base.html" %}
//! {% import "ui.html" as ui %}
//! {% block title %}{{ tr.t("action-sign-in") }}{% endblock %}
//! {% block content %}
//! <h1>{{ tr.t("action-sign-in") }}</h1>
//! {% call ui::tabs(tr.t("login-methods"), tabs) %}{% endcall %}
//! {% call ui::error_summary(tr, form) %}{% endcall %}
//! <form method="post" novalidate>
//!   {% call ui::input(tr, form, "username", tr.t("field-username"), autocomplete="username") %}{% endcall %}
//!   {% call ui::password(tr, form, "password", tr.t("field-password")) %}{% endcall %}
//!   {% call ui::button(tr.t("action-sign-in")) %}{% endcall %}
//! </form>
//! {% endblock %}
//! ```

use std::convert::Infallible;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::Tr;

/// What kind of answer the client asked for with `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Html,
    Json,
}

impl Format {
    /// JSON when `Accept` names `application/json` and not `text/html`; browsers always
    /// list `text/html` for navigations, API clients name JSON alone.
    pub fn of(headers: &HeaderMap) -> Format {
        let accept: Vec<&str> = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let names = |media: &str| accept.iter().any(|value| value.contains(media));
        if names("application/json") && !names("text/html") {
            Format::Json
        } else {
            Format::Html
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Format {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Format::of(&parts.headers))
    }
}

/// Renders `page` in `tr`'s language with `status`. A template that fails to render (a bug:
/// askama checks templates at compile time, so only a failing `Display` can do it) gives a
/// bare 500 rather than half a page.
pub fn render(status: StatusCode, tr: &Tr, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(tr.lang().code()),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
    }
}
