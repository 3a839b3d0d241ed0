//! [`RemoteSigningService`] over the VNPT SmartCA gateway API, as its integration specification
//! (v1.1, 2024) publishes it: OAuth 2.0 authorisation code with PKCE at `auth/authorize` and
//! `auth/token`, then `csc/credentials/list|info`, `csc/signature/signhash` and
//! `csc/credentials/gettraninfo`, each answer in the `{code, codeDesc, message, content}`
//! envelope. The wire format is written down in `crates/sandbox/PROTOCOL.md`.

mod envelope;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::Secret;
use serde::{Deserialize, Serialize};
use tracing::Instrument;
use url::Url;

use super::{
    RemoteCredential, RemoteSession, RemoteSignatureRequest, RemoteSignatureStatus,
    RemoteSigningService,
};
use crate::config::{ConfigError, RemoteSigningConfig};
use crate::error::{ConnectorError, System};
use crate::http::{HttpClient, Repeat};
use envelope::{Envelope, invalid};

/// What the portal asks the person to allow: signing, and staying signed in for the polls.
const SCOPE: &str = "sign offline_access";
/// Longer than any token or id a service hands out; a longer one is a broken answer.
const MAX_TOKEN_LEN: usize = 4096;
const MAX_ID_LEN: usize = 256;
/// A certificate chain longer than this is not a signing credential.
const MAX_CERTIFICATES: usize = 10;

/// The SmartCA gateway client.
pub struct SmartCaGateway {
    client: HttpClient,
    authorize: Url,
    client_id: String,
    client_secret: Secret<String>,
}

impl SmartCaGateway {
    pub fn new(config: &RemoteSigningConfig) -> Result<Self, ConfigError> {
        config.validate("remote_signing")?;
        let mut authorize = config.base_url.clone();
        authorize
            .path_segments_mut()
            .map_err(|()| ConfigError::new("remote_signing.base_url", "cannot take a path"))?
            .pop_if_empty()
            .extend(["auth", "authorize"]);
        Ok(Self {
            client: HttpClient::new(System::RemoteSigning, &config.endpoint(), "remote_signing")?,
            authorize,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
        })
    }

    /// A `csc/...` call on the person's behalf, its envelope opened into `T`.
    async fn csc<B: Serialize + Sync, T: serde::de::DeserializeOwned>(
        &self,
        session: &RemoteSession,
        segments: &[&str],
        body: &B,
        repeat: Repeat,
    ) -> Result<T, ConnectorError> {
        let token = session.access_token.expose();
        let answer: Envelope = self
            .client
            .post_with(segments, repeat, |request| {
                request.bearer_auth(token).json(body)
            })
            .await?;
        answer.into_content()
    }
}

#[derive(Serialize)]
struct TokenRequest<'a> {
    grant_type: &'static str,
    code: &'a str,
    redirect_uri: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
    code_verifier: &'a str,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InfoRequest<'a> {
    credential_id: &'a str,
    certificates: &'static str,
    cert_info: bool,
    auth_info: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialInfo {
    credential_id: String,
    cert: CertInfo,
}

#[derive(Deserialize)]
struct CertInfo {
    /// Base64 DER, the end-entity certificate first, then its issuers.
    certificates: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignHashRequest<'a> {
    credential_id: &'a str,
    ref_tran_id: &'a str,
    description: &'a str,
    datas: [HashToSign<'a>; 1],
}

#[derive(Serialize)]
struct HashToSign<'a> {
    name: &'a str,
    hash: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignHashResponse {
    tran_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TranInfoRequest<'a> {
    tran_id: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TranInfo {
    tran_id: String,
    tran_status: i64,
    #[serde(default)]
    documents: Vec<SignedDocument>,
}

#[derive(Deserialize)]
struct SignedDocument {
    /// Base64 of the signature over the document's hash.
    #[serde(default)]
    sig: Option<String>,
}

/// Where a transaction stands, by the published `tranStatus` codes.
fn status_of(info: TranInfo) -> Result<RemoteSignatureStatus, ConnectorError> {
    match info.tran_status {
        1 => {
            let signature = info
                .documents
                .into_iter()
                .next()
                .and_then(|document| document.sig)
                .ok_or_else(|| invalid("a signed transaction without documents[0].sig"))?;
            let signature = STANDARD
                .decode(signature.trim())
                .map_err(|_| invalid("documents[0].sig is not base64"))?;
            if signature.is_empty() {
                return Err(invalid("documents[0].sig is empty"));
            }
            Ok(RemoteSignatureStatus::Signed { signature })
        }
        4000 => Ok(RemoteSignatureStatus::Waiting),
        4001 => Ok(RemoteSignatureStatus::Expired),
        4002 => Ok(RemoteSignatureStatus::Refused),
        4003 => Ok(RemoteSignatureStatus::Failed(4003)),
        4004 => Ok(RemoteSignatureStatus::Failed(4004)),
        other => Err(invalid(format!("unknown tranStatus {other}"))),
    }
}

/// A non-empty id of reasonable length without control characters.
fn checked_id(value: &str, what: &str) -> Result<(), ConnectorError> {
    if value.is_empty() || value.len() > MAX_ID_LEN || value.chars().any(char::is_control) {
        return Err(invalid(format!("{what} missing, too long or malformed")));
    }
    Ok(())
}

#[async_trait]
impl RemoteSigningService for SmartCaGateway {
    fn authorization_url(&self, state: &str, code_challenge: &str, redirect_uri: &str) -> Url {
        let mut url = self.authorize.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", SCOPE)
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        url
    }

    async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<RemoteSession, ConnectorError> {
        let span = tracing::info_span!("connector", system = "remote_signing", op = "token");
        async {
            let form = TokenRequest {
                grant_type: "authorization_code",
                code,
                redirect_uri,
                client_id: &self.client_id,
                client_secret: self.client_secret.expose(),
                code_verifier,
            };
            // A code is spent by its first use: a retry after a lost answer would only be
            // refused, so none is made.
            let answer: TokenResponse = self
                .client
                .post_with(&["auth", "token"], Repeat::Never, |request| {
                    request.form(&form)
                })
                .await?;
            if !answer.token_type.eq_ignore_ascii_case("bearer") {
                return Err(invalid(format!(
                    "token_type {:?}, not Bearer",
                    answer.token_type.chars().take(20).collect::<String>()
                )));
            }
            let token = answer.access_token;
            if token.is_empty()
                || token.len() > MAX_TOKEN_LEN
                || !token.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(invalid("access_token missing, too long or malformed"));
            }
            tracing::info!("signed in at the remote signing service");
            Ok(RemoteSession {
                access_token: Secret::new(token),
            })
        }
        .instrument(span)
        .await
    }

    async fn credential(
        &self,
        session: &RemoteSession,
    ) -> Result<RemoteCredential, ConnectorError> {
        let span = tracing::info_span!("connector", system = "remote_signing", op = "credential");
        async {
            let ids: Vec<String> = self
                .csc(
                    session,
                    &["csc", "credentials", "list"],
                    &Empty {},
                    Repeat::Safe,
                )
                .await?;
            // A person holds one personal signing credential at SmartCA; the first is theirs.
            let Some(id) = ids.into_iter().next() else {
                return Err(ConnectorError::NotFound);
            };
            checked_id(&id, "credentialId")?;
            let request = InfoRequest {
                credential_id: &id,
                certificates: "chain",
                cert_info: true,
                auth_info: true,
            };
            let info: CredentialInfo = self
                .csc(
                    session,
                    &["csc", "credentials", "info"],
                    &request,
                    Repeat::Safe,
                )
                .await?;
            if info.credential_id != id {
                return Err(invalid(
                    "credentials/info answered about another credential",
                ));
            }
            if info.cert.certificates.len() > MAX_CERTIFICATES {
                return Err(invalid("too many certificates"));
            }
            let mut certificates = info
                .cert
                .certificates
                .iter()
                .map(|text| STANDARD.decode(text.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| invalid("a certificate is not base64"))?
                .into_iter();
            let certificate = certificates
                .next()
                .filter(|der| !der.is_empty())
                .ok_or_else(|| invalid("credentials/info without a certificate"))?;
            tracing::info!(credential_id = %id, "remote signing credential found");
            Ok(RemoteCredential {
                id,
                certificate,
                chain: certificates.collect(),
            })
        }
        .instrument(span)
        .await
    }

    async fn request_signature(
        &self,
        session: &RemoteSession,
        request: &RemoteSignatureRequest,
    ) -> Result<String, ConnectorError> {
        let span = tracing::info_span!(
            "connector",
            system = "remote_signing",
            op = "signhash",
            reference = %request.reference
        );
        async {
            let body = SignHashRequest {
                credential_id: &request.credential_id,
                ref_tran_id: &request.reference,
                description: &request.description,
                datas: [HashToSign {
                    name: &request.reference,
                    hash: STANDARD.encode(request.hash),
                }],
            };
            // Each request is pushed to the person's phone: never sent twice.
            let answer: SignHashResponse = self
                .csc(
                    session,
                    &["csc", "signature", "signhash"],
                    &body,
                    Repeat::Never,
                )
                .await?;
            checked_id(&answer.tran_id, "tranId")?;
            tracing::info!(tran_id = %answer.tran_id, "signature requested");
            Ok(answer.tran_id)
        }
        .instrument(span)
        .await
    }

    async fn signature_status(
        &self,
        session: &RemoteSession,
        transaction: &str,
    ) -> Result<RemoteSignatureStatus, ConnectorError> {
        let span = tracing::debug_span!(
            "connector",
            system = "remote_signing",
            op = "gettraninfo",
            tran_id = %transaction
        );
        async {
            let info: TranInfo = self
                .csc(
                    session,
                    &["csc", "credentials", "gettraninfo"],
                    &TranInfoRequest {
                        tran_id: transaction,
                    },
                    Repeat::Safe,
                )
                .await?;
            if info.tran_id != transaction {
                return Err(invalid("gettraninfo answered about another transaction"));
            }
            status_of(info)
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests;
