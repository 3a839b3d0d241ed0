//! The e-mail outbox (hộp thư): what the SMTP receiver accepted, decoded for reading, as JSON
//! and as a page with clickable links (activation links are what people come here for).

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use mail_parser::{MessageParser, PartType};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::outbox::Outbox;
use crate::state::Sandbox;

/// An e-mail the SMTP receiver accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailMessage {
    pub message_id: String,
    /// The SMTP envelope sender (`MAIL FROM`).
    pub from: String,
    /// The SMTP envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The decoded `Subject` header.
    pub subject: String,
    /// The text/plain body with its transfer encoding undone.
    pub text: String,
    pub html: Option<String>,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub received_at: OffsetDateTime,
}

fn serialize_rfc3339<S: serde::Serializer>(
    at: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::wire::rfc3339(*at))
}

/// Decodes a message as received in `DATA` and files it.
pub(crate) fn store(sandbox: &Sandbox, from: String, to: Vec<String>, data: &[u8]) -> String {
    let parsed = MessageParser::default().parse(data);
    let (subject, text, html) = match &parsed {
        Some(message) => (
            message.subject().unwrap_or_default().to_owned(),
            message
                .body_text(0)
                .map(|text| text.into_owned())
                .unwrap_or_default(),
            // Only a real text/html part: the parser would otherwise render the text as HTML.
            message.parts.iter().find_map(|part| match &part.body {
                PartType::Html(html) => Some(html.to_string()),
                _ => None,
            }),
        ),
        // Unparseable: keep the raw text so that nothing is silently lost.
        None => (
            String::new(),
            String::from_utf8_lossy(data).into_owned(),
            None,
        ),
    };
    let message = EmailMessage {
        message_id: format!("mail-{:06}", sandbox.next_id()),
        from,
        to,
        subject,
        text,
        html,
        received_at: sandbox.now(),
    };
    let id = message.message_id.clone();
    sandbox.email_box().push(message);
    id
}

pub(crate) fn list(
    outbox: &Outbox<EmailMessage>,
    to: Option<&str>,
    limit: usize,
) -> Vec<EmailMessage> {
    let to = to.map(str::trim).filter(|to| !to.is_empty());
    outbox.newest_first(limit, |message| {
        to.is_none_or(|to| message.to.iter().any(|rcpt| rcpt.eq_ignore_ascii_case(to)))
    })
}

#[derive(Debug, Deserialize)]
struct OutboxQuery {
    to: Option<String>,
    limit: Option<usize>,
}

#[derive(Debug, Serialize)]
struct OutboxResponse {
    messages: Vec<EmailMessage>,
}

fn messages(sandbox: &Sandbox, query: &OutboxQuery) -> Vec<EmailMessage> {
    list(
        &sandbox.email_box(),
        query.to.as_deref(),
        query.limit.unwrap_or(usize::MAX),
    )
}

async fn outbox(
    State(sandbox): State<Arc<Sandbox>>,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> Result<Json<OutboxResponse>, ApiError> {
    let Query(query) = query.map_err(ApiError::from_query)?;
    Ok(Json(OutboxResponse {
        messages: messages(&sandbox, &query),
    }))
}

/// A run of body text, or a web link in it.
struct Segment {
    text: String,
    link: bool,
}

/// Splits text so that `http://` and `https://` links can be rendered as anchors; any other
/// scheme stays text, so a message cannot smuggle a `javascript:` link into the page.
fn segments(text: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut plain = String::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if word.starts_with("https://") || word.starts_with("http://") {
            if !plain.is_empty() {
                out.push(Segment {
                    text: std::mem::take(&mut plain),
                    link: false,
                });
            }
            out.push(Segment {
                text: word.to_owned(),
                link: true,
            });
            plain.push_str(piece.get(word.len()..).unwrap_or_default());
        } else {
            plain.push_str(piece);
        }
    }
    if !plain.is_empty() {
        out.push(Segment {
            text: plain,
            link: false,
        });
    }
    out
}

struct Row {
    message_id: String,
    from: String,
    to: String,
    subject: String,
    body: Vec<Segment>,
    received_at: String,
}

#[derive(Template)]
#[template(path = "email.html")]
struct Page {
    to: String,
    error: Option<String>,
    rows: Vec<Row>,
}

async fn page(
    State(sandbox): State<Arc<Sandbox>>,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> Response {
    let (status, page) = match query {
        Ok(Query(query)) => (
            StatusCode::OK,
            Page {
                to: query.to.clone().unwrap_or_default(),
                error: None,
                rows: messages(&sandbox, &query)
                    .into_iter()
                    .map(|m| Row {
                        body: segments(&m.text),
                        message_id: m.message_id,
                        from: m.from,
                        to: m.to.join(", "),
                        subject: m.subject,
                        received_at: crate::wire::for_people(m.received_at),
                    })
                    .collect(),
            },
        ),
        Err(rejection) => (
            StatusCode::BAD_REQUEST,
            Page {
                to: String::new(),
                error: Some(rejection.body_text()),
                rows: Vec::new(),
            },
        ),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => ApiError::internal(error.to_string()).into_response(),
    }
}

pub(crate) fn routes() -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/email", get(outbox))
        .route("/sandbox/email/page", get(page))
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn only_web_links_become_links() {
        let parts =
            segments("Mở https://dvcid.example/a?b=1&c=2 để kích hoạt.\njavascript:alert(1)");
        let links: Vec<_> = parts
            .iter()
            .filter(|s| s.link)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(links, ["https://dvcid.example/a?b=1&c=2"]);
        let all: String = parts.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            all,
            "Mở https://dvcid.example/a?b=1&c=2 để kích hoạt.\njavascript:alert(1)"
        );
    }
}
