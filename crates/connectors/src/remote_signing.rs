//! Remote signing services (ký số từ xa, e.g. VNPT SmartCA): the key is held by the service,
//! and the person approves each signature in the service's app. The person first signs in at
//! the service (OAuth2 authorisation code with PKCE), which tells us their certificate; we
//! then ask for a signature over a hash and poll until they approve, refuse or let it expire.
//! The first client speaks the SmartCA gateway's API; a CSC API v2 client can follow behind
//! the same trait.

use async_trait::async_trait;
use domain::Secret;
use url::Url;

use crate::error::ConnectorError;

mod smartca;

pub use smartca::SmartCaGateway;

/// The person's sign-in at the service, for the calls that act on their behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSession {
    pub access_token: Secret<String>,
}

/// A signing credential: its id at the service and its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCredential {
    pub id: String,
    /// The end-entity certificate, DER.
    pub certificate: Vec<u8>,
    /// The intermediates the service returned, DER.
    pub chain: Vec<Vec<u8>>,
}

/// What the person is asked to approve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSignatureRequest {
    pub credential_id: String,
    /// The SHA-256 hash to sign.
    pub hash: [u8; 32],
    /// Shown in the app (Vietnamese, with the verification code).
    pub description: String,
    /// Ours, fresh for every attempt.
    pub reference: String,
}

/// Where a signature request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteSignatureStatus {
    /// Waiting for the person to approve in the app.
    Waiting,
    /// Approved: the signature over the hash (PKCS#1 v1.5 over its DigestInfo for RSA keys, a
    /// DER ECDSA-Sig-Value for EC keys).
    Signed { signature: Vec<u8> },
    /// The person refused in the app.
    Refused,
    /// The person did not answer in time.
    Expired,
    /// The service could not sign (key authorisation or signing failed), by its code.
    Failed(u32),
}

#[async_trait]
pub trait RemoteSigningService: Send + Sync {
    /// Where to send the person to sign in at the service: `state` and the PKCE S256
    /// `code_challenge` go along, and the service sends them back to `redirect_uri`.
    fn authorization_url(&self, state: &str, code_challenge: &str, redirect_uri: &str) -> Url;

    /// The authorisation code exchanged for the person's session (with the PKCE verifier).
    async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<RemoteSession, ConnectorError>;

    /// The person's signing credential; [`ConnectorError::NotFound`] when they have none.
    async fn credential(&self, session: &RemoteSession)
    -> Result<RemoteCredential, ConnectorError>;

    /// Asks for a signature (pushed to the person's app); the service's transaction id.
    async fn request_signature(
        &self,
        session: &RemoteSession,
        request: &RemoteSignatureRequest,
    ) -> Result<String, ConnectorError>;

    /// Where the transaction stands now.
    async fn signature_status(
        &self,
        session: &RemoteSession,
        transaction: &str,
    ) -> Result<RemoteSignatureStatus, ConnectorError>;
}
