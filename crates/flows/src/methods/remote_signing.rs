//! Ký số từ xa, VNPT SmartCA (S8): the person signs in at the remote signing service (OAuth2
//! authorisation code with PKCE; the service says which certificate is theirs), approves the
//! request pushed to its app, and the portal checks the signature over its own hash, the
//! certificate's chain and revocation, and signs in the account the certificate is bound to.
//!
//! ```text
//! Out(url) ──callback{code,state}──▶ Waiting(code) ──poll──▶ Proven (LoA3, swk + pin)
//!   ▲                                   │ cancel, refused in the app, timed out, certificate
//!   └───────────────────────────────────┘ refused or not bound: out again, with why
//! ```

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use connectors::{ConnectorError, RemoteCredential, RemoteSession};
use domain::digest::{equal, sha256};
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};
use serde::{Deserialize, Serialize};
use store::AccountId;
use uuid::Uuid;

use super::certificate_account::act_on_wait;
use super::kind::MethodKind;
use super::method::{Begin, Descriptor, Method, Progress};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::services::Services;
use crate::signing::{PhoneSigning, SigningPurpose};
use crate::view::{Action, Step};

/// Where the remote signing service sends the person back, on this site.
pub const REMOTE_SIGNING_CALLBACK: &str = "/login/remote-signing/callback";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RemoteSigning {
    /// Step-up: the signed-in account the certificate must belong to.
    expected: Option<AccountId>,
    authorization: Authorization,
    waiting: Option<PhoneSigning>,
}

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
        let trip = std::mem::replace(self, Self::new(services, flow));
        let failed = || Problem::form("signing.authorization_failed");
        if !equal(trip.state.as_bytes(), state.as_bytes()) {
            return Err(failed());
        }
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

#[async_trait]
impl Method for RemoteSigning {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::RemoteSigning,
        account_kinds: &[AccountKind::Citizen],
        needs: &[CredentialKind::Certificate],
        level: AssuranceLevel::LoA3,
        // The person proves the app on their phone (a software key) and its PIN; the signing
        // key itself stays in the service's HSM (RFC 8176).
        amr: &[AuthMethod::Swk, AuthMethod::Pin],
    };

    fn begin(begin: &Begin, services: &Services) -> Self {
        Self {
            expected: begin.account,
            authorization: Authorization::new(services, begin.flow),
            waiting: None,
        }
    }

    fn step(&self, services: &Services) -> Step {
        match &self.waiting {
            Some(signing) => signing.step(services),
            None => self.authorization.step(services),
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        let services = ctx.services;
        match (&self.waiting, action) {
            (Some(_), action) => act_on_wait(ctx, &mut self.waiting, action, self.expected).await,
            (None, Action::Callback { code, state, error }) => {
                let called = self
                    .authorization
                    .callback(services, ctx.flow, code, &state, error)
                    .await;
                let (session, credential) = match called {
                    Ok(found) => found,
                    Err(problem) => return Ok(Progress::refused(problem)),
                };
                let purpose = SigningPurpose::SignIn;
                match PhoneSigning::remote(services, &session, &credential, purpose).await? {
                    Ok(signing) => {
                        self.waiting = Some(signing);
                        Ok(Progress::Continue(Acted::default()))
                    }
                    Err(problem) => Ok(Progress::refused(problem)),
                }
            }
            _ => Ok(Progress::refused(Problem::form("action.unexpected"))),
        }
    }
}
