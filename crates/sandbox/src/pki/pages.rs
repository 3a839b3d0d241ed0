//! `GET /sandbox/pki` (a page) and `GET /sandbox/pki.json`: which certificate is which, with
//! the CA certificates, each end-entity certificate and — sandbox only — its private key to
//! download, and the OCSP and CRL addresses of each CA.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::{CaId, CertificateRole, Holder, IssuedCertificate, KeyHolder, SandboxPki};
use crate::error::ApiError;
use crate::mssp::SimCard;
use crate::state::Sandbox;

const WARNING: &str =
    "Sandbox only: these private keys are published and must never protect anything real.";

pub(super) fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/sandbox/pki", get(page))
        .route("/sandbox/pki.json", get(listing))
        .route("/sandbox/pki/trust-anchors.pem", get(trust_anchors))
        .route("/sandbox/pki/ca/{file}", get(ca_certificate))
        .route("/sandbox/pki/certificates/{file}", get(certificate))
        .route("/sandbox/pki/keys/{file}", get(private_key))
}

fn pki(sandbox: &Sandbox) -> Result<&SandboxPki, ApiError> {
    sandbox
        .pki()
        .ok_or_else(|| ApiError::not_found("this sandbox runs no certificate authorities"))
}

#[derive(Serialize)]
struct Authority {
    id: CaId,
    name: &'static str,
    trusted: bool,
    certificate: String,
    ocsp: String,
    crl: String,
    policy: &'static str,
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    issued: &'a IssuedCertificate,
    description_vi: &'static str,
    description_en: &'static str,
    certificate: String,
    private_key: String,
    key_holder: KeyHolder,
    /// The PKI SIM's number (E.164), for certificates on a SIM.
    msisdn: Option<String>,
    /// The SIM's phone simulator page.
    phone_page: Option<String>,
}

#[derive(Serialize)]
struct Listing<'a> {
    warning: &'static str,
    trust_anchors: String,
    authorities: Vec<Authority>,
    certificates: Vec<Entry<'a>>,
}

/// The SIM that holds `role`'s key, if any.
fn sim_of(sims: &[SimCard], role: CertificateRole) -> Option<&SimCard> {
    sims.iter().find(|sim| sim.role == role)
}

fn describe<'a>(pki: &'a SandboxPki, sims: &[SimCard]) -> Listing<'a> {
    let base = pki.base();
    let authorities = CaId::ALL
        .into_iter()
        .map(|id| Authority {
            id,
            name: id.common_name(),
            trusted: id != CaId::Untrusted,
            certificate: format!("{base}sandbox/pki/ca/{}.pem", id.slug()),
            ocsp: format!("{base}sandbox/pki/ocsp/{}", id.slug()),
            crl: format!("{base}sandbox/pki/crl/{}.crl", id.slug()),
            policy: id.policy_oid(),
        })
        .collect();
    let certificates = pki
        .issued()
        .iter()
        .map(|issued| Entry {
            issued,
            description_vi: issued.role.description_vi(),
            description_en: issued.role.description_en(),
            certificate: format!("{base}sandbox/pki/certificates/{}.pem", issued.role.id()),
            private_key: format!("{base}sandbox/pki/keys/{}.key.pem", issued.role.id()),
            key_holder: issued.role.key_holder(),
            msisdn: sim_of(sims, issued.role).map(|sim| sim.msisdn.e164().to_owned()),
            phone_page: sim_of(sims, issued.role)
                .map(|sim| format!("{base}sandbox/phone/{}", sim.msisdn.national())),
        })
        .collect();
    Listing {
        warning: WARNING,
        trust_anchors: format!("{base}sandbox/pki/trust-anchors.pem"),
        authorities,
        certificates,
    }
}

async fn listing(State(sandbox): State<Arc<Sandbox>>) -> Response {
    // Serialised inside the handler because the entries borrow from the sandbox.
    match pki(&sandbox) {
        Ok(pki) => Json(describe(pki, &sandbox.sims())).into_response(),
        Err(error) => error.into_response(),
    }
}

struct Row {
    id: &'static str,
    holder: String,
    identifier: String,
    ca: &'static str,
    serial: String,
    validity: String,
    status_vi: &'static str,
    status_en: &'static str,
    revoked: String,
    /// The SIM's number (national form), for certificates on a PKI SIM.
    sim: Option<String>,
}

/// A remote signing (SmartCA) user, linked to their simulated app.
struct SmartCaRow {
    id: String,
    name: String,
    has_credential: bool,
}

#[derive(Template)]
#[template(path = "pki.html")]
struct Page {
    authorities: Vec<Authority>,
    rows: Vec<Row>,
    smartca_users: Vec<SmartCaRow>,
}

fn row(issued: &IssuedCertificate, sims: &[SimCard]) -> Row {
    let (holder, identifier) = match &issued.holder {
        Holder::Citizen { full_name, .. } => (full_name.clone(), issued.uid.clone()),
        Holder::Organisation { name, .. } => (name.clone(), issued.uid.clone()),
    };
    let day = |at: time::OffsetDateTime| at.date().to_string();
    Row {
        id: issued.role.id(),
        holder,
        identifier,
        ca: issued.ca.common_name(),
        serial: issued.serial_hex.clone(),
        validity: format!("{} → {}", day(issued.not_before), day(issued.not_after)),
        status_vi: issued.role.description_vi(),
        status_en: issued.role.description_en(),
        revoked: issued
            .revocation
            .map(|r| {
                let at = crate::wire::for_people(r.at);
                format!("{at} — {} / {}", r.reason.label_vi(), r.reason.label_en())
            })
            .unwrap_or_default(),
        sim: sim_of(sims, issued.role).map(|sim| sim.msisdn.national()),
    }
}

async fn page(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let pki = match pki(&sandbox) {
        Ok(pki) => pki,
        Err(error) => return error.into_response(),
    };
    let sims = sandbox.sims();
    let page = Page {
        authorities: describe(pki, &sims).authorities,
        rows: pki
            .issued()
            .iter()
            .map(|issued| row(issued, &sims))
            .collect(),
        smartca_users: sandbox
            .smartca_users()
            .into_iter()
            .map(|user| SmartCaRow {
                id: user.personal_id.as_str().to_owned(),
                name: user.full_name.to_owned(),
                has_credential: user.certificate.is_some(),
            })
            .collect(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            ApiError::internal(format!("cannot render the page: {error}")).into_response()
        }
    }
}

fn pem(file_name: &str, pem: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "application/x-pem-file".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        pem.to_owned(),
    )
        .into_response()
}

async fn trust_anchors(State(sandbox): State<Arc<Sandbox>>) -> Response {
    match pki(&sandbox) {
        Ok(pki) => pem("sandbox-root.pem", pki.trust_anchors_pem()),
        Err(error) => error.into_response(),
    }
}

async fn ca_certificate(State(sandbox): State<Arc<Sandbox>>, Path(file): Path<String>) -> Response {
    let pki = match pki(&sandbox) {
        Ok(pki) => pki,
        Err(error) => return error.into_response(),
    };
    let found = match file.strip_suffix(".pem") {
        Some("root") => Some(pki.trust_anchors_pem()),
        Some("untrusted-root") => Some(pki.authorities().untrusted_root.pem.as_str()),
        Some(slug) => CaId::from_slug(slug).and_then(|id| pki.ca_pem(id)),
        None => None,
    };
    match found {
        Some(text) => pem(&file, text),
        None => ApiError::not_found("no such CA certificate").into_response(),
    }
}

fn issued_by_file<'a>(
    sandbox: &'a Sandbox,
    file: &str,
    suffix: &str,
) -> Result<&'a IssuedCertificate, ApiError> {
    let pki = pki(sandbox)?;
    file.strip_suffix(suffix)
        .and_then(CertificateRole::from_id)
        .and_then(|role| pki.certificate(role))
        .ok_or_else(|| ApiError::not_found("no such certificate"))
}

async fn certificate(State(sandbox): State<Arc<Sandbox>>, Path(file): Path<String>) -> Response {
    match issued_by_file(&sandbox, &file, ".pem") {
        Ok(issued) => pem(&file, &issued.pem),
        Err(error) => error.into_response(),
    }
}

async fn private_key(State(sandbox): State<Arc<Sandbox>>, Path(file): Path<String>) -> Response {
    match issued_by_file(&sandbox, &file, ".key.pem") {
        Ok(issued) => pem(&file, &issued.key_pkcs8_pem),
        Err(error) => error.into_response(),
    }
}
