//! Quầy Bưu điện Việt Nam (`/operator/counter`): postal staff (operator role "post") look an
//! applicant up by personal ID, check the card in the person's hand, and record it — the
//! account's identity proofing rises to LoA3 (`flows::PostCounter`). The console's guard lets
//! only operators in; each request here also needs the counter proofing capability.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use flows::{Capability, CounterRecord, Problem};
use serde::Deserialize;

use super::guard::{CsrfField, OperatorPost, OperatorSession};
use crate::AppState;
use crate::failure::Failure;
use crate::forms::{Form as FormState, Notice};
use crate::page::{self, Format};
use crate::problems;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operator/counter", get(home))
        .route("/operator/counter/look-up", post(look_up))
        .route("/operator/counter/prove", post(prove))
}

#[derive(Template)]
#[template(path = "operator_counter.html")]
struct CounterPage<'a> {
    tr: &'a crate::i18n::Tr,
    csrf: &'a str,
    notice: Option<Notice>,
    form: FormState,
    /// The applicant found, as facts, with whether the card is still to be checked.
    applicant: Option<Applicant>,
}

struct Applicant {
    personal_id: String,
    facts: Vec<(String, String)>,
    to_prove: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CounterForm {
    csrf: String,
    personal_id: String,
    document_number: String,
    note: String,
}

impl CsrfField for CounterForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn home(State(state): State<AppState>, session: OperatorSession) -> Response {
    if let Err(refused) = session
        .require(&state, Capability::CounterProofing, None)
        .await
    {
        return refused;
    }
    render(&session, None, FormState::new(), None)
}

async fn look_up(State(state): State<AppState>, post: OperatorPost<CounterForm>) -> Response {
    let OperatorPost { session, form } = post;
    if let Err(refused) = session
        .require(&state, Capability::CounterProofing, None)
        .await
    {
        return refused;
    }
    let page_form = FormState::new().with_value("personal_id", form.personal_id.trim());
    let found = state.engine.post_counter().look_up(&form.personal_id).await;
    shown(&session, found, page_form, None)
}

async fn prove(State(state): State<AppState>, post: OperatorPost<CounterForm>) -> Response {
    let OperatorPost { session, form } = post;
    let counter = state.engine.post_counter();
    let page_form = FormState::new()
        .with_value("personal_id", form.personal_id.trim())
        .with_value("document_number", form.document_number.clone())
        .with_value("note", form.note.clone());
    let target = match counter.look_up(&form.personal_id).await {
        Ok(Ok(found)) => found.account,
        other => return shown(&session, other, page_form, None),
    };
    if let Err(refused) = session
        .require(&state, Capability::CounterProofing, Some(target))
        .await
    {
        return refused;
    }
    let proven = counter
        .prove(
            &session.operator.name(),
            &form.personal_id,
            &form.document_number,
            &form.note,
            &session.client,
        )
        .await;
    match proven {
        Ok(Ok(record)) => {
            let notice = Notice::success(session.tr.t("counter-proven"));
            shown(&session, Ok(Ok(record)), FormState::new(), Some(notice))
        }
        // A refusal of the record itself (already proven, not Vietnam Post) is said above the
        // applicant; a field's goes on the field, with what was typed kept.
        Ok(Err(problem)) => {
            let found = counter.look_up(&form.personal_id).await;
            let mut page_form = page_form;
            let notice = match problem.field {
                Some(field) => {
                    page_form.add_error(field, problems::message(&problem, &session.tr));
                    None
                }
                None => Some(Notice::error(problems::message(&problem, &session.tr))),
            };
            shown(&session, found, page_form, notice)
        }
        Err(error) => Failure::from(error).respond(&session.tr, Format::Html),
    }
}

/// The page after a look-up: the applicant, or why there is none.
fn shown(
    session: &OperatorSession,
    found: Result<Result<CounterRecord, Problem>, flows::FlowError>,
    mut form: FormState,
    notice: Option<Notice>,
) -> Response {
    let tr = &session.tr;
    match found {
        Ok(Ok(record)) => {
            let applicant = applicant(tr, &record);
            render(session, notice, form, Some(applicant))
        }
        Ok(Err(problem)) => {
            let message = problems::message(&problem, tr);
            match problem.field {
                Some(field) => form.add_error(field, message),
                None => form.add_problem(message),
            }
            render(session, notice, form, None)
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

fn applicant(tr: &crate::i18n::Tr, record: &CounterRecord) -> Applicant {
    let dmy = |date: time::Date| {
        format!(
            "{:02}/{:02}/{}",
            date.day(),
            u8::from(date.month()),
            date.year()
        )
    };
    let local = |at: time::OffsetDateTime| dmy(at.to_offset(time::macros::offset!(+7)).date());
    let dash = || "—".to_owned();
    let mut facts = vec![
        (tr.t("field-full-name"), record.full_name.clone()),
        (tr.t("field-personal-id"), record.personal_id.to_string()),
        (
            tr.t("field-birth-date"),
            record.birth_date.map_or_else(dash, dmy),
        ),
        (
            tr.t("field-gender"),
            record
                .gender
                .map_or_else(dash, |gender| tr.t(&format!("gender-{}", gender.as_str()))),
        ),
        (tr.t("counter-registered"), local(record.registered_at)),
        (tr.t("account-proofing"), record.level.as_str().to_owned()),
    ];
    if let Some(at) = record.proven_at {
        facts.push((tr.t("counter-proven-at"), local(at)));
    }
    Applicant {
        personal_id: record.personal_id.to_string(),
        facts,
        to_prove: record.proven_at.is_none(),
    }
}

fn render(
    session: &OperatorSession,
    notice: Option<Notice>,
    form: FormState,
    applicant: Option<Applicant>,
) -> Response {
    let page = CounterPage {
        tr: &session.tr,
        csrf: &session.csrf,
        notice,
        form,
        applicant,
    };
    page::render(StatusCode::OK, &session.tr, &page)
}
