//! The OCSP responder of each sandbox CA (RFC 6960): `POST /sandbox/pki/ocsp/{ca}` with a DER
//! OCSPRequest, or the GET form with the request base64 in the path. Answers good, revoked
//! (time and reason) or unknown for each CertID, echoes the nonce, and signs with the CA's
//! delegated responder certificate, which it includes. thisUpdate is the sandbox clock's now.

use std::sync::Arc;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, SHA256, digest};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier};
use der::{Decode, Encode};
use time::{Duration, OffsetDateTime};
use x509_cert::ext::AsExtension;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    ResponderId, ResponseData, RevokedInfo, SingleResponse, Version,
};

use super::authorities::{CaId, IssuingCa};
use super::{PkiError, SandboxPki};
use crate::error::ApiError;
use crate::state::Sandbox;

/// How long an answer may be relied on: short, like the responders that sign on request.
const VALIDITY: Duration = Duration::minutes(5);

const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

pub(super) async fn post(
    State(sandbox): State<Arc<Sandbox>>,
    Path(ca): Path<String>,
    body: Bytes,
) -> Response {
    respond(&sandbox, &ca, &body)
}

/// RFC 6960 appendix A.1: `GET {url}/{url-encoding of base64 of the DER OCSPRequest}`; the
/// path arrives percent-decoded.
pub(super) async fn get(
    State(sandbox): State<Arc<Sandbox>>,
    Path((ca, request)): Path<(String, String)>,
) -> Response {
    match base64::engine::general_purpose::STANDARD.decode(request.trim()) {
        Ok(der) => respond(&sandbox, &ca, &der),
        Err(_) => ocsp_body(&OcspResponse::malformed_request()),
    }
}

fn respond(sandbox: &Sandbox, ca: &str, der: &[u8]) -> Response {
    let Some(pki) = sandbox.pki() else {
        return ApiError::not_found("this sandbox runs no certificate authorities").into_response();
    };
    let Some(issuing) = CaId::from_slug(ca).and_then(|id| pki.authorities().get(id)) else {
        return ApiError::not_found("no such certificate authority").into_response();
    };
    ocsp_body(&answer(pki, issuing, der, sandbox.now()))
}

fn ocsp_body(response: &OcspResponse) -> Response {
    match response.to_der() {
        Ok(der) => (
            [
                (CONTENT_TYPE, "application/ocsp-response"),
                // Every answer echoes its request's nonce: nothing to cache.
                (CACHE_CONTROL, "no-store"),
            ],
            der,
        )
            .into_response(),
        Err(error) => {
            ApiError::internal(format!("cannot encode the OCSP response: {error}")).into_response()
        }
    }
}

/// The response to the DER request `der`, made at `now`.
pub(super) fn answer(
    pki: &SandboxPki,
    issuing: &IssuingCa,
    der: &[u8],
    now: OffsetDateTime,
) -> OcspResponse {
    let Ok(request) = OcspRequest::from_der(der) else {
        return OcspResponse::malformed_request();
    };
    let asked = &request.tbs_request.request_list;
    if asked.is_empty() {
        return OcspResponse::malformed_request();
    }
    // A CertID naming another issuer is not this responder's to answer (RFC 6960 §2.3).
    if !asked.iter().all(|one| names_issuer(&one.req_cert, issuing)) {
        return OcspResponse::unauthorized();
    }
    let statuses: Vec<(CertId, CertStatus)> = asked
        .iter()
        .map(|one| {
            (
                one.req_cert.clone(),
                status(pki, issuing.id, &one.req_cert, now),
            )
        })
        .collect();
    sign(issuing, &request, statuses, now).unwrap_or_else(|error| {
        tracing::error!(%error, "sandbox OCSP responder cannot sign");
        OcspResponse::internal_error()
    })
}

/// Whether `cert_id` names `issuing` (by the hashes of its name and key, SHA-1 or SHA-256).
fn names_issuer(cert_id: &CertId, issuing: &IssuingCa) -> bool {
    let algorithm = match cert_id.hash_algorithm.oid {
        SHA1 => &SHA1_FOR_LEGACY_USE_ONLY,
        SHA256_OID => &SHA256,
        _ => return false,
    };
    let tbs = &issuing.ca.cert.tbs_certificate;
    let Ok(name) = tbs.subject.to_der() else {
        return false;
    };
    let key = tbs.subject_public_key_info.subject_public_key.raw_bytes();
    cert_id.issuer_name_hash.as_bytes() == digest(algorithm, &name).as_ref()
        && cert_id.issuer_key_hash.as_bytes() == digest(algorithm, key).as_ref()
}

fn status(pki: &SandboxPki, ca: CaId, cert_id: &CertId, now: OffsetDateTime) -> CertStatus {
    let Some(issued) = pki.find(ca, cert_id.serial_number.as_bytes()) else {
        return CertStatus::unknown();
    };
    match issued.revocation {
        Some(revocation) if revocation.at <= now => match ocsp_time(revocation.at) {
            Ok(revocation_time) => CertStatus::Revoked(RevokedInfo {
                revocation_time,
                revocation_reason: Some(revocation.reason.for_ocsp()),
            }),
            Err(_) => CertStatus::unknown(),
        },
        _ => CertStatus::good(),
    }
}

fn sign(
    issuing: &IssuingCa,
    request: &OcspRequest,
    statuses: Vec<(CertId, CertStatus)>,
    now: OffsetDateTime,
) -> Result<OcspResponse, PkiError> {
    let this_update = ocsp_time(now)?;
    let next_update = ocsp_time(now + VALIDITY)?;
    let nonce = request
        .nonce()
        .map(|nonce| nonce.to_extension(&Default::default(), &[]))
        .transpose()?;
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByName(issuing.responder.cert.tbs_certificate.subject.clone()),
        produced_at: this_update,
        responses: statuses
            .into_iter()
            .map(|(cert_id, cert_status)| SingleResponse {
                cert_id,
                cert_status,
                this_update,
                next_update: Some(next_update),
                single_extensions: None,
            })
            .collect(),
        response_extensions: nonce.map(|nonce| vec![nonce]),
    };
    let signature = rcgen::SigningKey::sign(issuing.responder.key(), &data.to_der()?)?;
    let basic = BasicOcspResponse {
        tbs_response_data: data,
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: ECDSA_WITH_SHA256,
            parameters: None,
        },
        signature: BitString::from_bytes(&signature)?,
        certs: Some(vec![issuing.responder.cert.clone()]),
    };
    Ok(OcspResponse::successful(basic)?)
}

fn ocsp_time(at: OffsetDateTime) -> Result<OcspGeneralizedTime, der::Error> {
    let seconds = u64::try_from(at.unix_timestamp()).map_err(|_| der::ErrorKind::DateTime)?;
    let time = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))?;
    Ok(OcspGeneralizedTime(time))
}

#[cfg(test)]
mod tests;
