//! Error pages: a translated page (status, title, message, a link home) for browsers, and
//! `{"error": code, "message": text}` for clients that asked for JSON. Later handlers map
//! their crates' errors to an `ErrorKind` here, in one place.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::i18n::Tr;
use crate::page::{self, Format};

/// The refusals and faults every part of the site may answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    /// No session, or it ended.
    Unauthorized,
    Forbidden,
    NotFound,
    /// A state-changing request another site started (see `csrf`).
    Csrf,
    /// A flow or session that timed out.
    Expired,
    TooManyRequests,
    Internal,
    /// An outside system (registry, SMS gateway) or the store does not answer.
    Unavailable,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::BadRequest,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Csrf,
        ErrorKind::Expired,
        ErrorKind::TooManyRequests,
        ErrorKind::Internal,
        ErrorKind::Unavailable,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden | ErrorKind::Csrf => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Expired => StatusCode::GONE,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The machine-readable `error` of the JSON body.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Csrf => "csrf",
            ErrorKind::Expired => "expired",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::Internal => "internal",
            ErrorKind::Unavailable => "unavailable",
        }
    }

    /// Translation keys of the title and the message.
    pub fn keys(self) -> (&'static str, &'static str) {
        match self {
            ErrorKind::BadRequest => ("error-bad-request-title", "error-bad-request-message"),
            ErrorKind::Unauthorized => ("error-unauthorized-title", "error-unauthorized-message"),
            ErrorKind::Forbidden => ("error-forbidden-title", "error-forbidden-message"),
            ErrorKind::NotFound => ("error-not-found-title", "error-not-found-message"),
            ErrorKind::Csrf => ("error-csrf-title", "error-csrf-message"),
            ErrorKind::Expired => ("error-expired-title", "error-expired-message"),
            ErrorKind::TooManyRequests => (
                "error-too-many-requests-title",
                "error-too-many-requests-message",
            ),
            ErrorKind::Internal => ("error-internal-title", "error-internal-message"),
            ErrorKind::Unavailable => ("error-unavailable-title", "error-unavailable-message"),
        }
    }
}

/// An error shown to a person (or a JSON client): already translated.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: String,
    pub message: String,
    /// A refusal for load: a waiting page.
    pub waiting: Option<Waiting>,
}

/// A waiting page: the seconds to wait, sent as `Retry-After`, after which the page goes back
/// by itself to where the person was.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub seconds: u64,
    pub back_to: String,
}

impl ErrorPage {
    pub fn new(kind: ErrorKind, tr: &Tr) -> ErrorPage {
        let (title, message) = kind.keys();
        ErrorPage {
            status: kind.status(),
            code: kind.code(),
            title: tr.t(title),
            message: tr.t(message),
            waiting: None,
        }
    }

    /// The node refused for load (admission control): a waiting page that goes back to
    /// `back_to` (the page with the form) by itself, or JSON with `Retry-After`.
    pub fn busy(tr: &Tr, seconds: u64, back_to: &str) -> ErrorPage {
        ErrorPage {
            title: tr.t("error-busy-title"),
            message: tr.t_args("error-busy-message", &[("seconds", seconds.to_string())]),
            waiting: Some(Waiting {
                seconds,
                back_to: back_to.to_owned(),
            }),
            ..ErrorPage::new(ErrorKind::Unavailable, tr)
        }
    }

    /// A message more precise than the kind's own (e.g. a flow's refusal).
    pub fn with_message(mut self, message: String) -> ErrorPage {
        self.message = message;
        self
    }

    pub fn respond(self, tr: &Tr, format: Format) -> Response {
        let retry_after = self.waiting.as_ref().map(|waiting| waiting.seconds);
        let mut response = match format {
            Format::Json => (
                self.status,
                axum::Json(json!({ "error": self.code, "message": self.message })),
            )
                .into_response(),
            Format::Html => page::render(self.status, tr, &ErrorView { tr, error: &self }),
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView<'a> {
    tr: &'a Tr,
    error: &'a ErrorPage,
}

/// The router's fallback: any address nothing else answers.
pub(crate) async fn not_found(tr: Tr, format: Format) -> Response {
    ErrorPage::new(ErrorKind::NotFound, &tr).respond(&tr, format)
}
