//! The SMS gateway (tổng đài tin nhắn): accepts texts, honours idempotency keys, and keeps an
//! outbox that people trying the demo, browser tests and benchmarks read OTPs from.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use domain::PhoneNumber;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::control::{System, gate};
use crate::error::ApiError;
use crate::outbox::Outbox;
use crate::state::Sandbox;

const MAX_TEXT_CHARS: usize = 1_000;
const MAX_KEY_LEN: usize = 128;

/// A text the gateway accepted, exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsMessage {
    pub message_id: String,
    pub to: PhoneNumber,
    /// The body, byte for byte as the sender sent it (OTP readers rely on this).
    pub text: String,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(skip)]
    idempotency_key: Option<String>,
}

fn serialize_rfc3339<S: serde::Serializer>(
    at: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::wire::rfc3339(*at))
}

/// The outbox and the idempotency keys of the messages still in it, under one lock so that
/// two concurrent retries of one message cannot both be accepted.
#[derive(Debug)]
pub(crate) struct SmsBox {
    outbox: Outbox<SmsMessage>,
    keys: HashMap<String, String>,
}

/// What happened to a send.
enum Accepted {
    New(SmsMessage),
    Repeat(SmsMessage),
}

impl SmsBox {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            outbox: Outbox::new(capacity),
            keys: HashMap::new(),
        }
    }

    pub(crate) fn list(&self, to: Option<&PhoneNumber>, limit: usize) -> Vec<SmsMessage> {
        self.outbox
            .newest_first(limit, |message| to.is_none_or(|to| &message.to == to))
    }

    fn accept(&mut self, message: SmsMessage) -> Result<Accepted, ApiError> {
        if let Some(key) = &message.idempotency_key
            && let Some(id) = self.keys.get(key)
        {
            let first = self
                .outbox
                .find(|m| &m.message_id == id)
                .cloned()
                .ok_or_else(|| ApiError::internal("idempotency key without its message"))?;
            return if first.to == message.to && first.text == message.text {
                Ok(Accepted::Repeat(first))
            } else {
                Err(ApiError::bad_request(
                    "Idempotency-Key already used for a different message",
                ))
            };
        }
        if let Some(key) = &message.idempotency_key {
            self.keys.insert(key.clone(), message.message_id.clone());
        }
        if let Some(dropped) = self.outbox.push(message.clone())
            && let Some(key) = dropped.idempotency_key
        {
            self.keys.remove(&key);
        }
        Ok(Accepted::New(message))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendRequest {
    to: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct SendResponse {
    message_id: String,
    to: String,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|key| {
            !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1-128 visible ASCII characters")
        })?;
    Ok(Some(key.to_owned()))
}

async fn send(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Json<SendRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SendResponse>), ApiError> {
    let key = idempotency_key(&headers)?;
    let Json(request) = body.map_err(ApiError::from_json)?;
    let to = PhoneNumber::parse(&request.to).map_err(|error| ApiError::invalid("to", &error))?;
    let length = request.text.chars().count();
    if length == 0 || length > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(format!(
            "text must be 1-{MAX_TEXT_CHARS} characters"
        )));
    }
    let message = SmsMessage {
        message_id: format!("sms-{:06}", sandbox.next_id()),
        to,
        text: request.text,
        received_at: sandbox.now(),
        idempotency_key: key,
    };
    let accepted = sandbox.sms_box().accept(message)?;
    let message = match accepted {
        Accepted::New(message) => {
            // Never the text: it carries OTPs.
            tracing::info!(message_id = %message.message_id, to = %message.to.masked(), "sandbox SMS accepted");
            message
        }
        Accepted::Repeat(message) => {
            tracing::info!(message_id = %message.message_id, "sandbox SMS repeated, not sent again");
            message
        }
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(SendResponse {
            message_id: message.message_id,
            to: message.to.e164().to_string(),
        }),
    ))
}

#[derive(Debug, Deserialize)]
struct OutboxQuery {
    to: Option<String>,
    limit: Option<usize>,
}

#[derive(Debug, Serialize)]
struct OutboxResponse {
    messages: Vec<SmsMessage>,
}

fn messages(sandbox: &Sandbox, query: &OutboxQuery) -> Result<Vec<SmsMessage>, ApiError> {
    let to = match query.to.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            Some(PhoneNumber::parse(raw).map_err(|error| ApiError::invalid("to", &error))?)
        }
    };
    Ok(sandbox
        .sms_box()
        .list(to.as_ref(), query.limit.unwrap_or(usize::MAX)))
}

async fn outbox(
    State(sandbox): State<Arc<Sandbox>>,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> Result<Json<OutboxResponse>, ApiError> {
    let Query(query) = query.map_err(ApiError::from_query)?;
    Ok(Json(OutboxResponse {
        messages: messages(&sandbox, &query)?,
    }))
}

struct Row {
    message_id: String,
    to: String,
    text: String,
    received_at: String,
}

#[derive(Template)]
#[template(path = "sms.html")]
struct Page {
    to: String,
    error: Option<String>,
    rows: Vec<Row>,
}

async fn page(
    State(sandbox): State<Arc<Sandbox>>,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> Response {
    let (status, to, result) = match query {
        Ok(Query(query)) => {
            let to = query.to.clone().unwrap_or_default();
            match messages(&sandbox, &query) {
                Ok(found) => (StatusCode::OK, to, Ok(found)),
                Err(error) => (error.status(), to, Err(error.message().to_owned())),
            }
        }
        Err(rejection) => (
            StatusCode::BAD_REQUEST,
            String::new(),
            Err(rejection.body_text()),
        ),
    };
    let (rows, error) = match result {
        Ok(found) => (
            found
                .into_iter()
                .map(|m| Row {
                    message_id: m.message_id,
                    to: m.to.national().to_string(),
                    text: m.text,
                    received_at: crate::wire::for_people(m.received_at),
                })
                .collect(),
            None,
        ),
        Err(message) => (Vec::new(), Some(message)),
    };
    match (Page { to, error, rows }).render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => ApiError::internal(error.to_string()).into_response(),
    }
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    let protocol = axum::Router::new()
        .route("/sandbox/sms/v1/messages", post(send))
        .route_layer(from_fn_with_state((Arc::clone(sandbox), System::Sms), gate));
    axum::Router::new()
        .route("/sandbox/sms", get(outbox))
        .route("/sandbox/sms/page", get(page))
        .merge(protocol)
}
