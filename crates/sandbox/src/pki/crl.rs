//! Each CA's certificate revocation list at its distribution point,
//! `GET /sandbox/pki/crl/{ca}.crl` (DER): signed by the CA on request, listing what it revoked
//! up to the sandbox clock's now, valid for an hour.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
use time::{Duration, OffsetDateTime};

use super::authorities::{CaId, IssuingCa};
use super::{PkiError, SandboxPki};
use crate::error::ApiError;
use crate::state::Sandbox;

/// Relying parties fetch again after this; OCSP is the fresher source.
const VALIDITY: Duration = Duration::hours(1);

pub(super) async fn get(State(sandbox): State<Arc<Sandbox>>, Path(file): Path<String>) -> Response {
    let Some(pki) = sandbox.pki() else {
        return ApiError::not_found("this sandbox runs no certificate authorities").into_response();
    };
    let issuing = file
        .strip_suffix(".crl")
        .and_then(CaId::from_slug)
        .and_then(|id| pki.authorities().get(id));
    let Some(issuing) = issuing else {
        return ApiError::not_found("no such certificate revocation list").into_response();
    };
    match list(pki, issuing, sandbox.now()) {
        Ok(der) => ([(CONTENT_TYPE, "application/pkix-crl")], der).into_response(),
        Err(error) => ApiError::internal(format!("cannot sign the CRL: {error}")).into_response(),
    }
}

/// The DER CRL of `issuing` at `now`.
pub(super) fn list(
    pki: &SandboxPki,
    issuing: &IssuingCa,
    now: OffsetDateTime,
) -> Result<Vec<u8>, PkiError> {
    let revoked_certs = pki
        .issued()
        .iter()
        .filter(|issued| issued.ca == issuing.id)
        .filter_map(|issued| {
            let revocation = issued.revocation.filter(|r| r.at <= now)?;
            Some(RevokedCertParams {
                serial_number: SerialNumber::from(issued.serial.clone()),
                revocation_time: revocation.at,
                reason_code: Some(revocation.reason.for_crl()),
                invalidity_date: None,
            })
        })
        .collect();
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update: now + VALIDITY,
        // The clock's seconds: later lists get higher numbers, as RFC 5280 §5.2.3 wants.
        crl_number: SerialNumber::from(u64::try_from(now.unix_timestamp()).unwrap_or(0)),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(&issuing.ca.issuer())?.der().to_vec())
}
