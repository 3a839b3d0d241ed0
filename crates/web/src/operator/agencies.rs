//! Tạo tài khoản cơ quan nhà nước (`/operator/agencies`): agency accounts are created only by
//! operators (SPEC A1) with the role that manages them, from the configured list of state
//! agencies, with a citizen account as the agency's first administrator.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use flows::Capability;
use serde::Deserialize;

use super::guard::{CsrfField, OperatorPost, OperatorSession};
use crate::AppState;
use crate::failure::Failure;
use crate::forms::{Form as FormState, Notice};
use crate::page::{self, Format};
use crate::problems;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operator/agencies", get(home))
        .route("/operator/agencies/create", post(create))
}

#[derive(Template)]
#[template(path = "operator_agencies.html")]
struct AgenciesPage<'a> {
    tr: &'a crate::i18n::Tr,
    csrf: &'a str,
    notice: Option<Notice>,
    form: FormState,
    /// The configured agencies, as (code, "name (code)").
    agencies: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AgencyForm {
    csrf: String,
    code: String,
    personal_id: String,
}

impl CsrfField for AgencyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn home(State(state): State<AppState>, session: OperatorSession) -> Response {
    if let Err(refused) = session
        .require(&state, Capability::ManageAgencies, None)
        .await
    {
        return refused;
    }
    render(&state, &session, None, FormState::new())
}

async fn create(State(state): State<AppState>, post: OperatorPost<AgencyForm>) -> Response {
    let OperatorPost { session, form } = post;
    let created = state
        .engine
        .operators()
        .create_agency(&session.operator, &form.code, &form.personal_id)
        .await;
    let mut page_form = FormState::new()
        .with_value("code", form.code.trim())
        .with_value("personal_id", form.personal_id.trim());
    let notice = match created {
        Ok(Ok(account)) => {
            page_form = FormState::new();
            Some(Notice::success(session.tr.t_args(
                "operator-agency-created",
                &[("name", account.identity.full_name.as_str())],
            )))
        }
        Ok(Err(problem)) if problem.code == "operator.forbidden" => {
            return session.refused(&problem);
        }
        Ok(Err(problem)) => {
            let message = problems::message(&problem, &session.tr);
            match problem.field {
                Some(field) => page_form.add_error(field, message),
                None => page_form.add_problem(message),
            }
            None
        }
        Err(error) => return Failure::from(error).respond(&session.tr, Format::Html),
    };
    render(&state, &session, notice, page_form)
}

fn render(
    state: &AppState,
    session: &OperatorSession,
    notice: Option<Notice>,
    form: FormState,
) -> Response {
    let agencies = state
        .engine
        .config()
        .organisations
        .agencies
        .iter()
        .map(|agency| {
            let label = format!("{} ({})", agency.name, agency.code);
            (agency.code.clone(), label)
        })
        .collect();
    let page = AgenciesPage {
        tr: &session.tr,
        csrf: &session.csrf,
        notice,
        form,
        agencies,
    };
    page::render(StatusCode::OK, &session.tr, &page)
}
