//! `/api/flows`: create a flow, read it, act on it. The flow token returned at creation binds
//! the flow to the app; it goes back in the `X-Flow-Token` header.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use flows::{Action, FlowKind, FlowView};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::auth::SignedIn;
use crate::client::RequestClient;
use crate::device::Device;
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::Format;
use crate::problems;

pub(crate) const FLOW_TOKEN: &str = "x-flow-token";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/flows", post(create))
        .route("/api/flows/{id}", post(act).get(show))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateFlow {
    kind: FlowKind,
    #[serde(default)]
    return_to: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    tr: Tr,
    signed_in: Result<SignedIn, crate::auth::NotSignedIn>,
    device: Option<Extension<Device>>,
    RequestClient(client): RequestClient,
    body: Result<Json<CreateFlow>, JsonRejection>,
) -> Response {
    let Ok(Json(request)) = body else {
        return Failure::with_message(ErrorKind::BadRequest, "api-bad-flow-request")
            .respond(&tr, Format::Json);
    };
    let account = signed_in.ok().map(|signed_in| signed_in.account.id);
    match state
        .engine
        .start(request.kind, request.return_to.as_deref(), account, &client)
        .await
    {
        Ok(started) => {
            let mut body =
                json!({ "flow": flow_json(&started.view, &tr), "flow_token": started.binding });
            // An app without a device token gets one, to send as `X-Device-Token` from now on.
            if let (Some(Extension(device)), Some(object)) = (device, body.as_object_mut())
                && device.minted
            {
                object.insert("device_token".to_owned(), json!(device.token));
            }
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = match flow_id(id) {
        Ok(id) => id,
        Err(failure) => return failure.respond(&tr, Format::Json),
    };
    let token = flow_token(&headers);
    match state.engine.view(id, &token).await {
        Ok(view) => Json(json!({ "flow": flow_json(&view, &tr) })).into_response(),
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn act(
    State(state): State<AppState>,
    tr: Tr,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    RequestClient(client): RequestClient,
    body: Result<Json<Action>, JsonRejection>,
) -> Response {
    let id = match flow_id(id) {
        Ok(id) => id,
        Err(failure) => return failure.respond(&tr, Format::Json),
    };
    let Ok(Json(action)) = body else {
        return Failure::with_message(ErrorKind::BadRequest, "api-bad-action")
            .respond(&tr, Format::Json);
    };
    let token = flow_token(&headers);
    match state.engine.act(id, &token, &client, action).await {
        Ok(outcome) => {
            let session = outcome.session.map(|session| {
                json!({
                    "token": session.token,
                    "acr": session.session.acr.as_str(),
                    "amr": session.session.amr,
                    "expires_at": session.session.absolute_expires_at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                })
            });
            let mut body = json!({ "flow": flow_json(&outcome.view, &tr) });
            if let (Some(session), Some(object)) = (session, body.as_object_mut()) {
                object.insert("session".to_owned(), session);
            }
            Json(body).into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

/// The flow the path names. An id that is not a UUID names no flow: answered as an unknown
/// one is (JSON), not with the router's plain-text rejection.
fn flow_id(path: Result<Path<Uuid>, PathRejection>) -> Result<Uuid, Failure> {
    path.map(|Path(id)| id)
        .map_err(|_| Failure::from(flows::FlowError::NotFound))
}

fn flow_token(headers: &HeaderMap) -> String {
    headers
        .get(FLOW_TOKEN)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The flow document with each problem's message in the requested language.
pub(crate) fn flow_json(view: &FlowView, tr: &Tr) -> Value {
    let mut value = serde_json::to_value(view).unwrap_or(Value::Null);
    if let Some(list) = value.get_mut("problems").and_then(Value::as_array_mut) {
        for (json, problem) in list.iter_mut().zip(&view.problems) {
            if let Some(object) = json.as_object_mut() {
                object.insert(
                    "message".to_owned(),
                    Value::String(problems::message(problem, tr)),
                );
            }
        }
    }
    value
}
