//! The flows' faults: what stops a flow from being shown or moved on at all.

use thiserror::Error;

/// Faults: the flow cannot be shown or moved on at all. Everything a person can correct is a
/// `Problem` in the view instead.
#[derive(Debug, Error)]
pub enum FlowError {
    /// Unknown, expired, or not this browser's (the binding token does not match).
    #[error("the flow does not exist or has expired")]
    NotFound,
    /// Another request moved the flow on first (two tabs, a double click).
    #[error("the flow was changed by another request")]
    Conflict,
    /// A flow that needs a signed-in account was started without one.
    #[error("this flow needs a signed-in account")]
    NeedsAccount,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// More password hashes are waiting than the node admits: try again after a moment.
    #[error("too many password hashes are waiting; retry after {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("stored flow state is unreadable: {0}")]
    State(#[from] serde_json::Error),
    #[error(transparent)]
    Store(store::StoreError),
    /// An outside system the step cannot go without (VNeID's discovery document) did not
    /// answer as it must.
    #[error(transparent)]
    Outside(connectors::ConnectorError),
}

impl From<store::StoreError> for FlowError {
    fn from(error: store::StoreError) -> Self {
        match error {
            store::StoreError::Conflict => Self::Conflict,
            other => Self::Store(other),
        }
    }
}
