//! OCSP (RFC 6960) with `x509-ocsp`: the request for one certificate with a nonce, and the
//! checks of the answer. A response is believed only when signed by the issuing CA or by a
//! responder the CA delegated (id-kp-OCSPSigning, issued by that CA), about exactly the CertID
//! asked, fresh, and echoing our nonce.

use der::asn1::{Null, OctetString};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::AsExtension;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_ocsp::ext::Nonce;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    ResponderId, TbsRequest, Version,
};

use crate::refusal::{RevocationReason, UnavailableReason};
use crate::revocation::{RevocationConfig, after, before};
use crate::signature::{self, SignatureError};
use crate::{cert, oid};

/// What the responder said, once its answer is believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Good {
        next_update: Option<OffsetDateTime>,
    },
    Revoked {
        on: OffsetDateTime,
        reason: Option<RevocationReason>,
    },
}

/// An answer, or a sign that the responder is up but cannot answer now (tryLater,
/// internalError): like an unreachable responder, that allows the CRL fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    Status(Status),
    Unavailable,
}

/// The CertID of `subject`, issued by `issuer`, with SHA-1 hashes: RFC 6960
/// responders must accept SHA-1 and not all accept anything else.
pub(crate) fn cert_id(
    issuer: &Certificate,
    subject: &Certificate,
) -> Result<CertId, UnavailableReason> {
    let name = issuer
        .tbs_certificate
        .subject
        .to_der()
        .map_err(|_| UnavailableReason::MalformedResponse)?;
    let name_hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &name);
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: oid::SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: octets(name_hash.as_ref().to_vec())?,
        issuer_key_hash: octets(cert::key_sha1(issuer))?,
        serial_number: subject.tbs_certificate.serial_number.clone(),
    })
}

/// The DER of a whole OCSPRequest (not only its tbsRequest) for `cert_id`, with `nonce`.
pub(crate) fn request(cert_id: &CertId, nonce: &[u8]) -> Result<Vec<u8>, UnavailableReason> {
    let malformed = |_| UnavailableReason::MalformedResponse;
    let nonce = Nonce::new(nonce.to_vec())
        .and_then(|nonce| nonce.to_extension(&Name::default(), &[]))
        .map_err(malformed)?;
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id.clone(),
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![nonce]),
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(malformed)
}

/// Reads and checks a response to the request for `asked` with `nonce`, made at `at`.
pub(crate) fn read(
    der: &[u8],
    issuer: &Certificate,
    asked: &CertId,
    nonce: &[u8],
    config: &RevocationConfig,
    at: OffsetDateTime,
) -> Result<Answer, UnavailableReason> {
    use UnavailableReason as Why;

    let response = OcspResponse::from_der(der).map_err(|_| Why::MalformedResponse)?;
    match response.response_status {
        OcspResponseStatus::Successful => {}
        OcspResponseStatus::TryLater | OcspResponseStatus::InternalError => {
            return Ok(Answer::Unavailable);
        }
        _ => return Err(Why::ResponderError),
    }
    let bytes = response.response_bytes.ok_or(Why::MalformedResponse)?;
    if bytes.response_type != oid::OCSP_BASIC {
        return Err(Why::MalformedResponse);
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|_| Why::MalformedResponse)?;

    let signer = authorised_signer(&basic, issuer, at)?;
    let signed = basic
        .tbs_response_data
        .to_der()
        .map_err(|_| Why::MalformedResponse)?;
    signature::verify_signed(
        signer,
        &basic.signature_algorithm,
        &signed,
        &basic.signature,
    )
    .map_err(|e| match e {
        SignatureError::Unsupported => Why::UnsupportedAlgorithm,
        SignatureError::Invalid => Why::BadSignature,
    })?;

    let [single] = basic.tbs_response_data.responses.as_slice() else {
        return Err(Why::CertIdMismatch);
    };
    if !same_cert_id(&single.cert_id, asked) {
        return Err(Why::CertIdMismatch);
    }

    let this_update = time_of(single.this_update)?;
    if after(this_update, at, config.clock_skew) {
        return Err(Why::FromTheFuture);
    }
    if before(this_update, at, config.max_response_age) {
        return Err(Why::Stale);
    }
    let next_update = single.next_update.map(time_of).transpose()?;
    if next_update.is_some_and(|next| before(next, at, config.clock_skew)) {
        return Err(Why::Outdated);
    }

    match basic.nonce() {
        Some(echoed) if echoed.0.as_bytes() != nonce => return Err(Why::NonceMismatch),
        None if config.require_nonce => return Err(Why::NonceMissing),
        _ => {}
    }

    match single.cert_status {
        CertStatus::Good(_) => Ok(Answer::Status(Status::Good { next_update })),
        CertStatus::Revoked(info) => Ok(Answer::Status(Status::Revoked {
            on: time_of(info.revocation_time)?,
            reason: info.revocation_reason.map(RevocationReason::from),
        })),
        CertStatus::Unknown(_) => Err(Why::UnknownStatus),
    }
}

/// The key that may sign this response: the issuing CA's own, or that of a delegated
/// responder certificate carried in `certs`, issued and signed by the same CA, with
/// id-kp-OCSPSigning, valid at `at`.
fn authorised_signer<'a>(
    basic: &'a BasicOcspResponse,
    issuer: &'a Certificate,
    at: OffsetDateTime,
) -> Result<&'a SubjectPublicKeyInfoOwned, UnavailableReason> {
    let responder = &basic.tbs_response_data.responder_id;
    if names(responder, issuer) {
        return Ok(&issuer.tbs_certificate.subject_public_key_info);
    }
    let delegated = basic
        .certs
        .iter()
        .flatten()
        .find(|candidate| names(responder, candidate))
        .ok_or(UnavailableReason::UnauthorisedResponder)?;
    if delegated_by(delegated, issuer, at) {
        Ok(&delegated.tbs_certificate.subject_public_key_info)
    } else {
        Err(UnavailableReason::UnauthorisedResponder)
    }
}

fn delegated_by(responder: &Certificate, issuer: &Certificate, at: OffsetDateTime) -> bool {
    let tbs = &responder.tbs_certificate;
    let issued_by_ca = tbs.issuer == issuer.tbs_certificate.subject
        && tbs.to_der().is_ok_and(|signed| {
            signature::verify_signed(
                &issuer.tbs_certificate.subject_public_key_info,
                &responder.signature_algorithm,
                &signed,
                &responder.signature,
            )
            .is_ok()
        });
    let ocsp_signing = matches!(
        cert::extension::<ExtendedKeyUsage>(responder),
        Ok(Some(usage)) if usage.0.contains(&oid::KP_OCSP_SIGNING)
    );
    issued_by_ca && ocsp_signing && cert::valid_at(responder, at)
}

/// Whether the ResponderID (byName or byKey) designates `cert`.
fn names(responder: &ResponderId, cert: &Certificate) -> bool {
    match responder {
        ResponderId::ByName(name) => *name == cert.tbs_certificate.subject,
        ResponderId::ByKey(hash) => hash.as_bytes() == cert::key_sha1(cert).as_slice(),
    }
}

// The hash algorithm's parameters may come back absent instead of NULL; both mean SHA-1.
fn same_cert_id(answered: &CertId, asked: &CertId) -> bool {
    answered.hash_algorithm.oid == asked.hash_algorithm.oid
        && answered.issuer_name_hash == asked.issuer_name_hash
        && answered.issuer_key_hash == asked.issuer_key_hash
        && answered.serial_number == asked.serial_number
}

fn time_of(time: x509_ocsp::OcspGeneralizedTime) -> Result<OffsetDateTime, UnavailableReason> {
    cert::datetime(time.0.to_unix_duration()).ok_or(UnavailableReason::MalformedResponse)
}

fn octets(bytes: Vec<u8>) -> Result<OctetString, UnavailableReason> {
    OctetString::new(bytes).map_err(|_| UnavailableReason::MalformedResponse)
}
