//! A page standing in for the person's SmartCA app: the signing requests waiting for them, each
//! with its description and verification code, to approve or refuse; and, for tests, the
//! automatic mode in which the app answers by itself.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Form, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::PersonalId;
use serde::{Deserialize, Serialize};

use super::RemoteSigningMode;
use crate::error::ApiError;
use crate::state::Sandbox;

/// How often the empty page looks again for a request.
const REFRESH_SECONDS: u32 = 3;

fn app_user(sandbox: &Sandbox, user_id: &str) -> Result<PersonalId, ApiError> {
    let id = PersonalId::parse(user_id).map_err(|error| ApiError::invalid("user id", &error))?;
    super::user(sandbox, &id)
        .map(|user| user.personal_id.clone())
        .ok_or_else(|| ApiError::not_found("no such SmartCA user"))
}

struct PendingRow {
    tran_id: String,
    description: String,
    verification_code: String,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "smartca_app.html")]
struct AppPage {
    user_id: String,
    full_name: String,
    has_credential: bool,
    mode: RemoteSigningMode,
    pending: Vec<PendingRow>,
    refresh_seconds: u32,
}

async fn page(State(sandbox): State<Arc<Sandbox>>, Path(user_id): Path<String>) -> Response {
    let id = match app_user(&sandbox, &user_id) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let Some(user) = super::user(&sandbox, &id) else {
        return ApiError::not_found("no such SmartCA user").into_response();
    };
    let now = sandbox.now();
    let pending = sandbox
        .smartca()
        .for_user(&id, |transaction| {
            transaction.is_pending(now).then(|| transaction.view())
        })
        .into_iter()
        .map(|request| PendingRow {
            tran_id: request.tran_id,
            description: request.description,
            verification_code: request.verification_code,
            expires_at: crate::wire::for_people(request.expires_at),
        })
        .collect();
    let page = AppPage {
        user_id: id.as_str().to_owned(),
        full_name: user.full_name.to_owned(),
        has_credential: user.certificate.is_some(),
        mode: sandbox.smartca().mode(&id),
        pending,
        refresh_seconds: REFRESH_SECONDS,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            ApiError::internal(format!("cannot render the page: {error}")).into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    Approve,
    Refuse,
}

#[derive(Debug, Deserialize)]
struct AnswerForm {
    answer: Answer,
}

/// The person pressed "Xác nhận" or "Từ chối" on a request.
async fn answer(
    State(sandbox): State<Arc<Sandbox>>,
    Path((user_id, tran_id)): Path<(String, String)>,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Response {
    let id = match app_user(&sandbox, &user_id) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let Ok(Form(form)) = form else {
        return ApiError::bad_request("answer must be approve or refuse").into_response();
    };
    let now = sandbox.now();
    let done = sandbox.smartca().with_transaction(&tran_id, |transaction| {
        if transaction.user != id {
            return false;
        }
        match form.answer {
            Answer::Approve => {
                let key = super::certificate(&sandbox, transaction.credential);
                transaction.approve(key, now);
            }
            Answer::Refuse => transaction.refuse(now),
        }
        tracing::info!(%tran_id, status = ?transaction.status(), "sandbox SmartCA app answered");
        true
    });
    match done {
        Some(true) => {
            Redirect::to(&format!("/sandbox/smartca/app/{}", id.as_str())).into_response()
        }
        _ => ApiError::not_found("no such transaction for this user").into_response(),
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ModeRequest {
    mode: RemoteSigningMode,
}

#[derive(Debug, Serialize)]
struct ModeState {
    user_id: String,
    mode: RemoteSigningMode,
}

async fn set_mode(
    State(sandbox): State<Arc<Sandbox>>,
    Path(user_id): Path<String>,
    body: Result<Json<ModeRequest>, JsonRejection>,
) -> Result<Json<ModeState>, ApiError> {
    let id = app_user(&sandbox, &user_id)?;
    let Json(request) = body.map_err(ApiError::from_json)?;
    sandbox.smartca().set_mode(&id, request.mode);
    tracing::info!(mode = ?request.mode, "sandbox SmartCA app mode changed");
    Ok(Json(ModeState {
        user_id: id.as_str().to_owned(),
        mode: request.mode,
    }))
}

pub(super) fn routes() -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/smartca/app/{user_id}", get(page))
        .route(
            "/sandbox/smartca/app/{user_id}/transactions/{tran_id}",
            post(answer),
        )
        .route("/sandbox/smartca/app/{user_id}/mode", post(set_mode))
}
