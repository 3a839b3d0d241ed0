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
}

impl Failure {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            message_key: None,
            busy_for: None,
        }
    }

    pub fn with_message(kind: ErrorKind, message_key: &'static str) -> Self {
        Self {
            kind,
            message_key: Some(message_key),
            busy_for: None,
        }
    }

    pub fn respond(self, tr: &Tr, format: Format) -> Response {
        if let Some(seconds) = self.busy_for {
            return ErrorPage::busy(tr, seconds).respond(tr, format);
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
