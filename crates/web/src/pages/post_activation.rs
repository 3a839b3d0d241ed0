//! The Vietnam Post activation link's page (`/register/vietnam-post/activate/{id}?token=…`,
//! SPEC R4). Opening the link changes nothing — mail scanners fetch links before people do —
//! it shows whose account it activates and a button; the button's POST (the token in the form,
//! not the address) creates the account. It works in any browser: the link is the proof.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form as Posted, Router};
use serde::Deserialize;
use uuid::Uuid;

use crate::client::RequestClient;
use crate::failure::Failure;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::{AppState, problems};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        &format!("{}/{{id}}", flows::POST_ACTIVATION_PATH),
        get(show).post(activate),
    )
}

#[derive(Template)]
#[template(path = "post_activation.html")]
struct ActivationPage<'a> {
    tr: &'a Tr,
    form: Form,
    /// The confirmation's text, while the link can be used.
    lead: Option<String>,
    token: String,
    activated: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenParam {
    token: String,
}

/// Where the link stands, as the page shows it.
enum Shown {
    /// Usable: whose account it activates, and the button.
    Confirm {
        lead: String,
        token: String,
    },
    Refused(flows::Problem),
    Activated,
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    Path(id): Path<Uuid>,
    Query(query): Query<TokenParam>,
) -> Response {
    let shown = match state.engine.post_activation_link(id, &query.token).await {
        Ok(Ok(link)) => Shown::Confirm {
            lead: tr.t_args(
                "post-activate-lead",
                &[
                    ("name", link.full_name.as_str()),
                    ("email", link.email.as_str()),
                    ("at", &vietnam_time(link.expires_at)),
                ],
            ),
            token: query.token,
        },
        Ok(Err(problem)) => Shown::Refused(problem),
        Err(error) => return Failure::from(error).respond(&tr, Format::Html),
    };
    render(&tr, shown)
}

async fn activate(
    State(state): State<AppState>,
    tr: Tr,
    RequestClient(client): RequestClient,
    Path(id): Path<Uuid>,
    Posted(posted): Posted<TokenParam>,
) -> Response {
    let answer = state
        .engine
        .activate_post_registration(id, &posted.token, &client)
        .await;
    match answer {
        Ok(Ok(_)) => render(&tr, Shown::Activated),
        Ok(Err(problem)) => render(&tr, Shown::Refused(problem)),
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

fn render(tr: &Tr, shown: Shown) -> Response {
    let mut form = Form::new();
    let (lead, token, activated) = match shown {
        Shown::Confirm { lead, token } => (Some(lead), token, false),
        Shown::Refused(problem) => {
            let message = problems::message(&problem, tr);
            form.add_problem_with_links(message, problems::links(&problem, tr));
            // A page that explains and leads on (200), like the other refusals' pages.
            (None, String::new(), false)
        }
        Shown::Activated => (None, String::new(), true),
    };
    let page = ActivationPage {
        tr,
        form,
        lead,
        token,
        activated,
    };
    page::render(StatusCode::OK, tr, &page)
}

/// `HH:MM DD/MM/YYYY` in Vietnam's time (UTC+7).
fn vietnam_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::macros::offset!(+7));
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        at.hour(),
        at.minute(),
        at.day(),
        u8::from(at.month()),
        at.year()
    )
}
