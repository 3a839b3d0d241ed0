//! The one place where faults of the flows become HTTP answers: a status, a stable code and a
//! translated message, as a page or as JSON.

use axum::response::Response;
use flows::FlowError;

use crate::errors::{ErrorKind, ErrorPage};
use crate::i18n::Tr;
use crate::page::Format;

#[derive(Debug)]
pub struct Failure {
    kind: ErrorKind,
    /// A translation key more precise than the kind's own message.
    message_key: Option<&'static str>,
    /// Refused for load: answered with a waiting page and `Retry-After`.
    busy_for: Option<u64>,
    /// The page a waiting page returns to, when it is not the one asked for (a form posted to
    /// an address that has no page of its own).
    back_to: Option<&'static str>,
}

impl Failure {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            message_key: None,
            busy_for: None,
            back_to: None,
        }
    }

    pub fn with_message(kind: ErrorKind, message_key: &'static str) -> Self {
        Self {
            kind,
            message_key: Some(message_key),
            busy_for: None,
            back_to: None,
        }
    }

    /// A waiting page returns to `path` instead of the address asked for.
    pub fn returning_to(mut self, path: &'static str) -> Self {
        self.back_to = Some(path);
        self
    }

    pub fn respond(self, tr: &Tr, format: Format) -> Response {
        if let Some(seconds) = self.busy_for {
            let back_to = self.back_to.unwrap_or_else(|| tr.here());
            return ErrorPage::busy(tr, seconds, back_to).respond(tr, format);
        }
        let mut page = ErrorPage::new(self.kind, tr);
        if let Some(key) = self.message_key {
            page = page.with_message(tr.t(key));
        }
        page.respond(tr, format)
    }
}

impl From<FlowError> for Failure {
    fn from(error: FlowError) -> Self {
        match error {
            FlowError::NotFound => Self::with_message(ErrorKind::Expired, "flow-expired"),
            FlowError::Conflict => Self::with_message(ErrorKind::BadRequest, "flow-conflict"),
            FlowError::NeedsAccount => Self::new(ErrorKind::Forbidden),
            FlowError::Busy { retry_after_secs } => Self {
                busy_for: Some(retry_after_secs),
                ..Self::new(ErrorKind::Unavailable)
            },
            FlowError::Store(store::StoreError::Database(sqlx_error)) => {
                tracing::error!(error = %sqlx_error, "store unavailable");
                Self::new(ErrorKind::Unavailable)
            }
            FlowError::Outside(connector_error) => {
                tracing::warn!(error = %connector_error, "outside system unavailable");
                Self::new(ErrorKind::Unavailable)
            }
            other => {
                tracing::error!(error = %other, "flow fault");
                Self::new(ErrorKind::Internal)
            }
        }
    }
}
