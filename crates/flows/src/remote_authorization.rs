//! The trip out to a remote signing service and back (VNPT SmartCA): OAuth 2.0 authorisation
//! code with PKCE, a `state` that names the flow (so the callback finds it) and is checked in
//! constant time, used once; then the person's session there and their signing credential.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use connectors::{ConnectorError, RemoteCredential, RemoteSession};
use domain::digest::{equal, sha256};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::Problem;
use crate::services::Services;
use crate::view::Step;

/// Where the remote signing service sends the person back, on this site.
pub const REMOTE_SIGNING_CALLBACK: &str = "/login/remote-signing/callback";

/// One trip out to the service: its `state` (the flow's id, so the callback finds the flow,
/// and 256 random bits) and PKCE verifier. Used once, then replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Authorization {
    state: String,
    code_verifier: String,
}

impl Authorization {
    pub(crate) fn new(services: &Services, flow: Uuid) -> Self {
        let mut bytes = [0u8; 32];
        services.random.fill(&mut bytes);
        let state = format!("{flow}.{}", URL_SAFE_NO_PAD.encode(bytes));
        services.random.fill(&mut bytes);
        Self {
            state,
            code_verifier: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// The flow a callback's `state` names, for the page that receives it.
    pub fn flow_of(state: &str) -> Option<Uuid> {
        state
            .split_once('.')
            .and_then(|(flow, _)| Uuid::parse_str(flow).ok())
    }

    pub(crate) fn state(&self) -> &str {
        &self.state
    }

    pub(crate) fn code_verifier(&self) -> &str {
        &self.code_verifier
    }

    /// Spends the trip: the one that was out, when `state` is its state (compared in constant
    /// time); a fresh trip takes its place either way, so a state works once.
    pub(crate) fn spend(&mut self, services: &Services, flow: Uuid, state: &str) -> Option<Self> {
        let trip = std::mem::replace(self, Self::new(services, flow));
        equal(trip.state.as_bytes(), state.as_bytes()).then_some(trip)
    }

    pub(crate) fn step(&self, services: &Services) -> Step {
        let url = match &services.connectors.remote_signing {
            Some(remote) => {
                let challenge = URL_SAFE_NO_PAD.encode(sha256(self.code_verifier.as_bytes()));
                remote
                    .authorization_url(&self.state, &challenge, &redirect_uri(services))
                    .to_string()
            }
            None => String::new(),
        };
        Step::Redirect { url }
    }

    /// Back from the service: the person's session there and their signing credential, or
    /// why not. The `state` must be this trip's; whatever the outcome, the trip is spent.
    pub(crate) async fn callback(
        &mut self,
        services: &Services,
        flow: Uuid,
        code: Option<String>,
        state: &str,
        error: Option<String>,
    ) -> Result<(RemoteSession, RemoteCredential), Problem> {
        let failed = || Problem::form("signing.authorization_failed");
        let Some(trip) = self.spend(services, flow, state) else {
            return Err(failed());
        };
        let Some(remote) = &services.connectors.remote_signing else {
            return Err(Problem::form("method.not_offered"));
        };
        let code = match (code, error) {
            (Some(code), None) => code,
            _ => return Err(failed()),
        };
        let uri = redirect_uri(services);
        let session = match remote.exchange_code(&code, &trip.code_verifier, &uri).await {
            Ok(session) => session,
            Err(error) => return Err(service_problem(&error, "signing.authorization_failed")),
        };
        match remote.credential(&session).await {
            Ok(credential) => Ok((session, credential)),
            Err(ConnectorError::NotFound) => Err(Problem::form("signing.no_credential")),
            Err(error) => Err(service_problem(&error, "signing.unavailable")),
        }
    }
}

/// A failing service as the person reads it: down, or (anything else) `refused`.
fn service_problem(error: &ConnectorError, refused: &'static str) -> Problem {
    tracing::warn!(%error, "remote signing service refused");
    match error {
        ConnectorError::Unavailable { .. } => Problem::form("signing.unavailable"),
        _ => Problem::form(refused),
    }
}

fn redirect_uri(services: &Services) -> String {
    let origin = services
        .certificates
        .as_ref()
        .map(|certificates| certificates.origin())
        .unwrap_or_default();
    format!("{origin}{REMOTE_SIGNING_CALLBACK}")
}
