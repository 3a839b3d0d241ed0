//! `/demo/components` (demo only): every form component on one page, in the shape of the
//! sign-in and OTP screens, so that they can be looked at on a phone-sized screen and so that
//! every macro of `ui.html` is compiled and rendered by the tests. `?errors=1` shows the
//! error states.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::errors::{ErrorKind, ErrorPage};
use crate::forms::{Form, Notice, Tab};
use crate::i18n::Tr;
use crate::page::{self, Format};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/demo/components", get(show))
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    tab: Option<String>,
    errors: Option<String>,
}

#[derive(Template)]
#[template(path = "showcase.html")]
struct ShowcasePage {
    tr: Tr,
    tabs: Vec<Tab>,
    notice: Notice,
    success: Notice,
    form: Form,
    otp_hint: String,
    resend_seconds: u32,
}

async fn show(
    State(state): State<AppState>,
    Query(query): Query<ShowQuery>,
    tr: Tr,
    format: Format,
) -> Response {
    if !state.settings.sandbox_links {
        return ErrorPage::new(ErrorKind::NotFound, &tr).respond(&tr, format);
    }
    let current = query.tab.as_deref().unwrap_or("password-sms");
    // The sign-in page's tabs, the first one the default.
    let tabs = [
        ("password-sms", tr.t("login-tab-password-sms")),
        ("usb-token", tr.t("login-tab-usb-token")),
        ("sim-pki", tr.t("login-tab-sim-pki")),
        ("vneid", tr.t("login-tab-vneid")),
    ]
    .into_iter()
    .map(|(id, label)| Tab::new(format!("/demo/components?tab={id}"), label, id == current))
    .collect();
    let mut form = Form::new().with_value("username", "001090012345");
    if query.errors.is_some() {
        form.set_value("phone", "0912");
        let required = |label: &str| tr.t_args("error-field-required", &[("field", label)]);
        form.add_problem(tr.t("error-too-many-requests-message"));
        form.add_error("password", required(&tr.t("field-password")));
        form.add_error(
            "phone",
            tr.t_args("error-field-invalid", &[("field", &tr.t("field-phone"))]),
        );
        form.add_error("gender", required(&tr.t("field-gender")));
    }
    let page = ShowcasePage {
        notice: Notice::info(tr.t("home-sandbox-note")),
        success: Notice::success(tr.t("footer-privacy")).with_title(tr.t("notice-success")),
        otp_hint: tr.t_args("field-otp-hint", &[("phone", "09******78")]),
        resend_seconds: 45,
        tabs,
        form,
        tr,
    };
    page::render(StatusCode::OK, &page.tr, &page)
}
