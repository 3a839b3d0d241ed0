//! The phone simulator: `GET /sandbox/phone/{msisdn}` shows what the SIM's phone would show
//! (the request's text, its verification code, a PIN field), and its forms answer the request
//! as the person would. Also the JSON controls tests use: the phone's mode and its requests.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use domain::PhoneNumber;
use serde::{Deserialize, Serialize};

use super::ledger::{Answered, PhoneAnswer, PhoneMode, PhoneRequest};
use super::{SIM_PIN, Sim};
use crate::error::ApiError;
use crate::state::Sandbox;

pub(super) fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/sandbox/phone/{msisdn}", get(page))
        .route("/sandbox/phone/{msisdn}/answer", post(answer))
        .route("/sandbox/phone/{msisdn}/mode", post(set_mode))
        .route("/sandbox/phone/{msisdn}/reset", post(reset))
        .route("/sandbox/phone/{msisdn}/requests", get(requests))
}

/// The SIM of a number written any way (`09…`, `849…`, `+849…`).
fn sim<'a>(sandbox: &'a Sandbox, msisdn: &str) -> Result<&'a Sim, ApiError> {
    let phone = PhoneNumber::parse(msisdn).map_err(|error| ApiError::invalid("msisdn", &error))?;
    sandbox
        .mssp()
        .sim(&phone)
        .ok_or_else(|| ApiError::not_found("no sandbox PKI SIM has this number"))
}

fn page_url(phone: &PhoneNumber, outcome: &str) -> String {
    format!("/sandbox/phone/{}?outcome={outcome}", phone.national())
}

struct Waiting {
    transaction: String,
    display_text: String,
    verification_code: String,
    expires_at: String,
}

struct Notice {
    vi: String,
    en: String,
    error: bool,
}

#[derive(Template)]
#[template(path = "phone.html")]
struct PhonePage {
    national: String,
    holder: String,
    role: &'static str,
    mode: &'static str,
    pin: &'static str,
    blocked: bool,
    waiting: Option<Waiting>,
    notice: Option<Notice>,
}

#[derive(Deserialize)]
struct PageQuery {
    outcome: Option<String>,
}

fn notice(outcome: &str, pins_left: u8) -> Option<Notice> {
    let (vi, en, error) = match outcome {
        "signed" => ("Đã ký.".to_owned(), "Signed.".to_owned(), false),
        "cancelled" => (
            "Đã hủy yêu cầu.".to_owned(),
            "Request cancelled.".to_owned(),
            false,
        ),
        "wrong_pin" => (
            format!("Sai mã PIN — còn {pins_left} lần thử."),
            format!("Wrong PIN — {pins_left} attempts left."),
            true,
        ),
        "blocked" => (
            "Mã PIN đã bị khóa.".to_owned(),
            "The PIN is blocked.".to_owned(),
            true,
        ),
        "gone" => (
            "Yêu cầu không còn chờ ký (đã trả lời hoặc hết hạn).".to_owned(),
            "The request is no longer waiting (answered or expired).".to_owned(),
            true,
        ),
        "reset" => (
            "Đã mở khóa mã PIN.".to_owned(),
            "The PIN is unblocked.".to_owned(),
            false,
        ),
        _ => return None,
    };
    Some(Notice { vi, en, error })
}

fn mode_label(mode: PhoneMode) -> &'static str {
    match mode {
        PhoneMode::Manual => "manual",
        PhoneMode::Approve => "approve",
        PhoneMode::Cancel => "cancel",
        PhoneMode::Expire => "expire",
        PhoneMode::WrongPin => "wrong_pin",
        PhoneMode::Unreachable => "unreachable",
    }
}

async fn page(
    State(sandbox): State<Arc<Sandbox>>,
    Path(msisdn): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let sim = match sim(&sandbox, &msisdn) {
        Ok(sim) => sim,
        Err(error) => return error.into_response(),
    };
    let phone = &sim.card.msisdn;
    let mut ledger = sandbox.mssp().ledger();
    let waiting = ledger.pending(phone, sandbox.now()).map(|request| Waiting {
        transaction: request.mssp_trans_id.clone(),
        display_text: request.display_text.clone(),
        verification_code: request.verification_code.clone(),
        expires_at: crate::wire::for_people(request.expires_at),
    });
    let page = PhonePage {
        national: phone.national(),
        holder: sim.card.holder.clone(),
        role: sim.card.role.id(),
        mode: mode_label(ledger.mode(phone)),
        pin: SIM_PIN,
        blocked: ledger.pin_blocked(phone),
        waiting,
        notice: query
            .outcome
            .as_deref()
            .and_then(|outcome| notice(outcome, ledger.pins_left(phone))),
    };
    drop(ledger);
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            ApiError::internal(format!("cannot render the page: {error}")).into_response()
        }
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    transaction: String,
    #[serde(default)]
    pin: String,
    /// `sign` or `cancel`.
    action: String,
}

async fn answer(
    State(sandbox): State<Arc<Sandbox>>,
    Path(msisdn): Path<String>,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Response {
    let sim = match sim(&sandbox, &msisdn) {
        Ok(sim) => sim,
        Err(error) => return error.into_response(),
    };
    let Ok(Form(form)) = form else {
        return ApiError::bad_request("the form needs transaction and action").into_response();
    };
    let answer = match form.action.as_str() {
        "sign" => PhoneAnswer::Sign {
            right_pin: domain::digest::equal(form.pin.trim().as_bytes(), SIM_PIN.as_bytes()),
        },
        "cancel" => PhoneAnswer::Cancel,
        _ => return ApiError::bad_request("action must be sign or cancel").into_response(),
    };
    let phone = &sim.card.msisdn;
    let answered =
        sandbox
            .mssp()
            .ledger()
            .answer(phone, &form.transaction, sandbox.now(), answer, |hash| {
                sim.sign(hash)
            });
    let outcome = match answered {
        Answered::Signed => "signed",
        Answered::Cancelled => "cancelled",
        Answered::WrongPin(_) => "wrong_pin",
        Answered::Blocked => "blocked",
        Answered::Gone => "gone",
    };
    tracing::info!(msisdn = phone.masked(), outcome, "sandbox phone answered");
    Redirect::to(&page_url(phone, outcome)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeRequest {
    mode: PhoneMode,
}

#[derive(Serialize)]
struct ModeState {
    msisdn: PhoneNumber,
    mode: PhoneMode,
}

async fn set_mode(
    State(sandbox): State<Arc<Sandbox>>,
    Path(msisdn): Path<String>,
    body: Result<Json<ModeRequest>, JsonRejection>,
) -> Result<Json<ModeState>, ApiError> {
    let phone = sim(&sandbox, &msisdn)?.card.msisdn.clone();
    let Json(request) = body.map_err(ApiError::from_json)?;
    sandbox
        .mssp()
        .set_mode(&phone, request.mode)
        .map_err(|error| ApiError::not_found(error.to_string()))?;
    Ok(Json(ModeState {
        msisdn: phone,
        mode: request.mode,
    }))
}

async fn reset(State(sandbox): State<Arc<Sandbox>>, Path(msisdn): Path<String>) -> Response {
    let phone = match sim(&sandbox, &msisdn) {
        Ok(sim) => sim.card.msisdn.clone(),
        Err(error) => return error.into_response(),
    };
    match sandbox.mssp().reset(&phone) {
        Ok(()) => Redirect::to(&page_url(&phone, "reset")).into_response(),
        Err(error) => ApiError::not_found(error.to_string()).into_response(),
    }
}

#[derive(Serialize)]
struct RequestList {
    requests: Vec<PhoneRequest>,
}

async fn requests(
    State(sandbox): State<Arc<Sandbox>>,
    Path(msisdn): Path<String>,
) -> Result<Json<RequestList>, ApiError> {
    let phone = sim(&sandbox, &msisdn)?.card.msisdn.clone();
    Ok(Json(RequestList {
        requests: sandbox.mssp().requests(&phone),
    }))
}
