//! Why registering or managing a client failed.

use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A registration rule was broken; `field` is the `ClientSettings` field (or `client_id`,
    /// `name`) at fault, so that a form or the CLI can point at it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("a client with client_id {0:?} already exists")]
    Exists(String),
    #[error("there is no client with client_id {0:?}")]
    NotFound(String),
    #[error("client {id:?} authenticates with {method}, which has no client secret")]
    NoSecret { id: String, method: &'static str },
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}
