//! The SmartCA gateway's `csc/...` API, on the person's behalf (`Authorization: Bearer` with
//! the access token from `auth/token`): their credential, a signature request pushed to their
//! app, and the request's status. Answers use SmartCA's envelope
//! `{code, codeDesc, message, content}`, HTTP 200 whatever the code.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::{Decode, Encode};
use domain::PersonalId;
use domain::digest::sha256;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::transactions::{Document, SignRequest, Transaction};
use crate::pki::{CertificateStatus, IssuedCertificate};
use crate::state::Sandbox;

/// The published limit of hashes per request.
const MAX_DOCUMENTS: usize = 50;
const MAX_DESCRIPTION_CHARS: usize = 500;
const MAX_ID_CHARS: usize = 128;

/// The published result codes the sandbox answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Success,
    InputError,
    NoCredential,
    NotOwner,
}

impl Code {
    fn number(self) -> u32 {
        match self {
            Code::Success => 0,
            Code::InputError => 30000,
            Code::NoCredential => 60000,
            Code::NotOwner => 60001,
        }
    }

    fn description(self) -> &'static str {
        match self {
            Code::Success => "SUCCESS",
            Code::InputError => "INPUT_INVALID",
            Code::NoCredential => "CREDENTIAL_NOT_FOUND",
            Code::NotOwner => "NOT_OWNER",
        }
    }
}

#[derive(Serialize)]
struct Envelope<T> {
    code: u32,
    #[serde(rename = "codeDesc")]
    code_desc: &'static str,
    message: String,
    content: Option<T>,
}

fn success<T: Serialize>(content: T) -> Response {
    Json(Envelope {
        code: Code::Success.number(),
        code_desc: Code::Success.description(),
        message: String::new(),
        content: Some(content),
    })
    .into_response()
}

/// Why a request got no content: a missing or stale token (RFC 6750's 401), or a result code.
enum Refused {
    Token,
    Code(Code, String),
}

impl Refused {
    fn code(code: Code, message: impl Into<String>) -> Self {
        Refused::Code(code, message.into())
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Token => (
                StatusCode::UNAUTHORIZED,
                [(WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
                Json(serde_json::json!({
                    "error": "invalid_token",
                    "error_description": "missing, unknown or expired access token",
                })),
            )
                .into_response(),
            Refused::Code(code, message) => Json(Envelope::<()> {
                code: code.number(),
                code_desc: code.description(),
                message,
                content: None,
            })
            .into_response(),
        }
    }
}

/// The user the request's access token acts for.
fn bearer_user(sandbox: &Sandbox, headers: &HeaderMap) -> Result<PersonalId, Refused> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| {
            sandbox
                .smartca()
                .token_user(&sha256(token.trim().as_bytes()), sandbox.now())
        })
        .ok_or(Refused::Token)
}

/// The authenticated user and their parsed request body.
fn open<T: DeserializeOwned>(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    body: Result<Json<T>, JsonRejection>,
) -> Result<(PersonalId, T), Refused> {
    let user = bearer_user(sandbox, headers)?;
    let Json(body) =
        body.map_err(|rejection| Refused::code(Code::InputError, rejection.body_text()))?;
    Ok((user, body))
}

/// The credential `id`, if it is `user`'s.
fn own_credential<'a>(
    sandbox: &'a Sandbox,
    user: &PersonalId,
    id: &str,
) -> Result<&'a IssuedCertificate, Refused> {
    let found = super::users(sandbox).into_iter().find_map(|holder| {
        let issued = holder.certificate?;
        (super::credential_id(issued) == id).then_some((holder.personal_id, issued))
    });
    match found {
        Some((owner, issued)) if owner == user => Ok(issued),
        Some(_) => Err(Refused::code(
            Code::NotOwner,
            "the credential belongs to someone else",
        )),
        None => Err(Refused::code(Code::NoCredential, "no such credential")),
    }
}

async fn list(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
) -> Result<Response, Refused> {
    let user = bearer_user(&sandbox, &headers)?;
    let ids = super::user(&sandbox, &user)
        .and_then(|user| user.credential_id())
        .into_iter()
        .collect::<Vec<_>>();
    if ids.is_empty() {
        return Err(Refused::code(
            Code::NoCredential,
            "the user holds no signing credential",
        ));
    }
    Ok(success(ids))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InfoRequest {
    credential_id: String,
    /// `none`, `single` or `chain` (CSC's default: `single`).
    #[serde(default)]
    certificates: Option<String>,
    #[serde(default)]
    cert_info: bool,
    #[serde(default)]
    auth_info: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialInfo {
    credential_id: String,
    key: KeyInfo,
    cert: CertInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scal: Option<&'static str>,
    multisign: usize,
}

#[derive(Serialize)]
struct KeyInfo {
    status: &'static str,
    /// ecdsa-with-SHA256.
    algo: [&'static str; 1],
    len: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CertInfo {
    status: &'static str,
    /// Base64 DER, the end-entity certificate first.
    certificates: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "serialNumber")]
    serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "subjectDN")]
    subject_dn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "issuerDN")]
    issuer_dn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_to: Option<String>,
}

fn cert_status(status: CertificateStatus) -> &'static str {
    match status {
        CertificateStatus::Good
        | CertificateStatus::Untrusted
        | CertificateStatus::WrongKeyUsage => "valid",
        CertificateStatus::Expired => "expired",
        CertificateStatus::Revoked => "revoked",
        CertificateStatus::NotYetValid => "not_yet_valid",
    }
}

fn cert_info(sandbox: &Sandbox, issued: &IssuedCertificate, request: &InfoRequest) -> CertInfo {
    let issuer_der = sandbox
        .pki()
        .and_then(|pki| pki.authorities().get(issued.ca))
        .and_then(|ca| ca.ca.cert.to_der().ok());
    let certificates = match request.certificates.as_deref() {
        Some("none") => vec![],
        Some("chain") => std::iter::once(issued.der.clone())
            .chain(issuer_der)
            .collect(),
        _ => vec![issued.der.clone()],
    };
    let names = request
        .cert_info
        .then(|| x509_cert::Certificate::from_der(&issued.der).ok())
        .flatten()
        .map(|cert| {
            let tbs = cert.tbs_certificate;
            (tbs.subject.to_string(), tbs.issuer.to_string())
        });
    let (subject_dn, issuer_dn) = names.unzip();
    let when = |at| request.cert_info.then(|| crate::wire::rfc3339(at));
    CertInfo {
        status: cert_status(issued.status),
        certificates: certificates
            .iter()
            .map(|der| STANDARD.encode(der))
            .collect(),
        serial_number: request.cert_info.then(|| issued.serial_hex.clone()),
        subject_dn,
        issuer_dn,
        valid_from: when(issued.not_before),
        valid_to: when(issued.not_after),
    }
}

async fn info(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Json<InfoRequest>, JsonRejection>,
) -> Result<Response, Refused> {
    let (user, request) = open(&sandbox, &headers, body)?;
    let issued = own_credential(&sandbox, &user, &request.credential_id)?;
    Ok(success(CredentialInfo {
        credential_id: request.credential_id.clone(),
        key: KeyInfo {
            status: "enabled",
            algo: ["1.2.840.10045.4.3.2"],
            len: 256,
        },
        cert: cert_info(&sandbox, issued, &request),
        auth_mode: request.auth_info.then_some("oauth2code"),
        scal: request.auth_info.then_some("SCAL2"),
        multisign: MAX_DOCUMENTS,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignHashRequest {
    credential_id: String,
    ref_tran_id: String,
    description: String,
    datas: Vec<HashData>,
}

#[derive(Deserialize)]
struct HashData {
    name: String,
    /// Base64 of the SHA-256 hash.
    hash: String,
}

fn bounded(value: &str, max: usize) -> bool {
    !value.trim().is_empty() && value.chars().count() <= max && !value.chars().any(char::is_control)
}

/// The request in the sandbox's terms, or what is wrong with it.
fn sign_request(request: SignHashRequest) -> Result<SignRequest, String> {
    if !bounded(&request.ref_tran_id, MAX_ID_CHARS) {
        return Err(format!("refTranId must be 1 to {MAX_ID_CHARS} characters"));
    }
    if !bounded(&request.description, MAX_DESCRIPTION_CHARS) {
        return Err(format!(
            "description must be 1 to {MAX_DESCRIPTION_CHARS} characters"
        ));
    }
    if request.datas.is_empty() || request.datas.len() > MAX_DOCUMENTS {
        return Err(format!("datas must hold 1 to {MAX_DOCUMENTS} hashes"));
    }
    let documents = request
        .datas
        .into_iter()
        .map(|data| {
            let hash = STANDARD
                .decode(data.hash.trim())
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or("each hash must be the base64 of a SHA-256 hash (32 bytes)")?;
            if !bounded(&data.name, MAX_ID_CHARS) {
                return Err(format!("each name must be 1 to {MAX_ID_CHARS} characters"));
            }
            Ok(Document {
                name: data.name,
                hash,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(SignRequest {
        ref_tran_id: request.ref_tran_id,
        description: request.description,
        documents,
    })
}

async fn sign_hash(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Json<SignHashRequest>, JsonRejection>,
) -> Result<Response, Refused> {
    let (user, request) = open(&sandbox, &headers, body)?;
    let issued = own_credential(&sandbox, &user, &request.credential_id)?;
    let request =
        sign_request(request).map_err(|message| Refused::code(Code::InputError, message))?;
    let tran_id = format!("sca-tran-{:06}", sandbox.next_id());
    let mode = sandbox.smartca().mode(&user);
    let transaction = Transaction::new(tran_id.clone(), user, issued, request, mode, sandbox.now());
    sandbox.smartca().add_transaction(transaction);
    tracing::info!(%tran_id, ?mode, "sandbox SmartCA signature requested");
    Ok(success(serde_json::json!({ "tranId": tran_id })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TranInfoRequest {
    tran_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TranInfo {
    ref_tran_id: String,
    tran_id: String,
    /// The signer's user id.
    sub: String,
    credential_id: String,
    tran_status: u32,
    req_time: String,
    documents: Vec<SignedDocument>,
}

#[derive(Serialize)]
struct SignedDocument {
    name: String,
    hash: String,
    /// Base64 DER ECDSA-Sig-Value over `hash`, once signed.
    sig: Option<String>,
}

async fn tran_info(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Json<TranInfoRequest>, JsonRejection>,
) -> Result<Response, Refused> {
    let (user, request) = open(&sandbox, &headers, body)?;
    let now = sandbox.now();
    let answer = sandbox
        .smartca()
        .with_transaction(&request.tran_id, |transaction| {
            if transaction.user != user {
                return Err(());
            }
            let key = super::certificate(&sandbox, transaction.credential);
            let status = transaction.poll(key, now);
            let signatures = transaction
                .signatures()
                .filter(|_| status == super::TransactionStatus::Signed);
            let documents = transaction
                .documents
                .iter()
                .enumerate()
                .map(|(index, document)| SignedDocument {
                    name: document.name.clone(),
                    hash: STANDARD.encode(document.hash),
                    sig: signatures
                        .and_then(|all| all.get(index))
                        .map(|sig| STANDARD.encode(sig)),
                })
                .collect();
            Ok(TranInfo {
                ref_tran_id: transaction.ref_tran_id.clone(),
                tran_id: transaction.id.clone(),
                sub: transaction.user.as_str().to_owned(),
                credential_id: transaction.credential_id.clone(),
                tran_status: status.code(),
                req_time: crate::wire::rfc3339(transaction.created),
                documents,
            })
        });
    match answer {
        Some(Ok(info)) => Ok(success(info)),
        Some(Err(())) => Err(Refused::code(
            Code::NotOwner,
            "the transaction belongs to someone else",
        )),
        None => Err(Refused::code(Code::InputError, "unknown tranId")),
    }
}

pub(super) fn routes() -> axum::Router<Arc<Sandbox>> {
    axum::Router::new()
        .route("/sandbox/smartca/csc/credentials/list", post(list))
        .route("/sandbox/smartca/csc/credentials/info", post(info))
        .route("/sandbox/smartca/csc/signature/signhash", post(sign_hash))
        .route(
            "/sandbox/smartca/csc/credentials/gettraninfo",
            post(tran_info),
        )
}
