//! "Hủy đổi số điện thoại" (`/phone-change/cancel`): whoever holds the phone a lost-phone change
//! would replace types the ID and the code that phone received, and the change is undone.
//! Nobody needs to be signed in: the code is the proof.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form as Posted, Router};
use serde::Deserialize;

use crate::client::RequestClient;
use crate::failure::Failure;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::{AppState, problems};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/phone-change/cancel", get(show).post(cancel))
}

#[derive(Template)]
#[template(path = "phone_change_cancel.html")]
struct CancelPage<'a> {
    tr: &'a Tr,
    form: Form,
    cancelled: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelForm {
    identifier: String,
    code: String,
}

async fn show(tr: Tr) -> Response {
    let page = CancelPage {
        tr: &tr,
        form: Form::new(),
        cancelled: false,
    };
    page::render(StatusCode::OK, &tr, &page)
}

async fn cancel(
    State(state): State<AppState>,
    tr: Tr,
    RequestClient(client): RequestClient,
    Posted(posted): Posted<CancelForm>,
) -> Response {
    let answer = state
        .engine
        .cancel_phone_change(&posted.identifier, &posted.code, &client)
        .await;
    let mut form = Form::new()
        .with_value("identifier", posted.identifier.trim())
        .with_value("code", posted.code.trim());
    let cancelled = match answer {
        Ok(Ok(())) => true,
        Ok(Err(problem)) => {
            let message = problems::message(&problem, &tr);
            match problem.field {
                Some(field) => form.add_error(field, message),
                None => form.add_problem(message),
            }
            false
        }
        Err(error) => return Failure::from(error).respond(&tr, Format::Html),
    };
    let page = CancelPage {
        tr: &tr,
        form,
        cancelled,
    };
    page::render(StatusCode::OK, &tr, &page)
}
