//! `POST /sandbox/mssp/soap/services/MSS_SignaturePort`: MSS_Signature (asynchronous
//! client–server mode only) and MSS_StatusQuery. Refusals are SOAP 1.1 faults (`mss:_<code>`,
//! HTTP 500), as the Kiuru-based MSSPs send them.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::PhoneNumber;

use super::codes;
use super::ledger::{self, Outcome, Request};
use super::wire::{self, Envelope, Operation, RequestEnvelope};
use super::{AP_ID, AP_PASSWORD, MSSP_ID};
use crate::state::Sandbox;

/// DER of `DigestInfo { sha256, NULL }` up to the 32 hash bytes (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
/// When the AP gives no TimeOut.
const DEFAULT_TIME_OUT_SECS: u32 = 120;
const MAX_TIME_OUT_SECS: u32 = 600;

/// A refusal, answered as a SOAP fault.
struct Refusal {
    code: u16,
    detail: String,
}

fn refuse(code: u16, detail: impl Into<String>) -> Refusal {
    Refusal {
        code,
        detail: detail.into(),
    }
}

pub(super) async fn endpoint(State(sandbox): State<Arc<Sandbox>>, body: String) -> Response {
    let answer = match quick_xml::de::from_str::<RequestEnvelope>(&body) {
        Err(error) => Err(refuse(
            codes::WRONG_PARAM,
            format!("not an MSS_Signature or MSS_StatusQuery envelope: {error}"),
        )),
        Ok(envelope) => match (envelope.body.signature, envelope.body.status) {
            (Some(operation), None) => signature(&sandbox, operation.request),
            (None, Some(operation)) => status(&sandbox, operation.request),
            _ => Err(refuse(
                codes::MISSING_PARAM,
                "the body holds neither MSS_Signature nor MSS_StatusQuery",
            )),
        },
    };
    match answer {
        Ok(xml) => xml_response(StatusCode::OK, xml),
        Err(refusal) => fault(&refusal),
    }
}

fn check_ap(ap: &wire::ApInfoIn) -> Result<(), Refusal> {
    if ap.ap_id == AP_ID && ap.ap_pwd == AP_PASSWORD {
        Ok(())
    } else {
        Err(refuse(
            codes::UNAUTHORIZED_ACCESS,
            "unknown AP_ID or wrong AP_PWD",
        ))
    }
}

fn signature(sandbox: &Sandbox, request: wire::SignatureReq) -> Result<String, Refusal> {
    check_ap(&request.ap_info)?;
    if request.messaging_mode.as_deref() != Some("asynchClientServer") {
        return Err(refuse(
            codes::WRONG_PARAM,
            "the sandbox MSSP answers MessagingMode asynchClientServer only",
        ));
    }
    let time_out = match request.time_out.as_deref().map(str::trim) {
        None => DEFAULT_TIME_OUT_SECS,
        Some(text) => text
            .parse()
            .ok()
            .filter(|secs| (1..=MAX_TIME_OUT_SECS).contains(secs))
            .ok_or_else(|| {
                refuse(
                    codes::WRONG_PARAM,
                    format!("TimeOut must be 1 to {MAX_TIME_OUT_SECS} seconds"),
                )
            })?,
    };
    if request
        .mss_format
        .as_ref()
        .is_some_and(|format| format.uri.trim() != wire::PKCS1_FORMAT)
    {
        return Err(refuse(
            codes::WRONG_PARAM,
            "the sandbox MSSP signs in MSS_Format #PKCS1 only",
        ));
    }
    let msisdn = PhoneNumber::parse(request.mobile_user.msisdn.trim()).map_err(|_| {
        refuse(
            codes::WRONG_PARAM,
            "MSISDN is not a Vietnamese mobile number",
        )
    })?;
    let hash = digest_info_hash(&request.data_to_be_signed.text).ok_or_else(|| {
        refuse(
            codes::WRONG_PARAM,
            "DataToBeSigned must be the base64 DER DigestInfo of a SHA-256 hash",
        )
    })?;
    let mssp = sandbox.mssp();
    let sim = mssp
        .sim(&msisdn)
        .ok_or_else(|| refuse(codes::UNKNOWN_CLIENT, "no PKI SIM has this number"))?;
    let mut ledger = mssp.ledger();
    if ledger.pin_blocked(&msisdn) {
        return Err(refuse(codes::PIN_BLOCKED, "the SIM's PIN is blocked"));
    }
    let now = sandbox.now();
    let mssp_trans_id = format!("mssp{:06}", sandbox.next_id());
    let wants_certificate = request.additional_services.is_some_and(|services| {
        services.services.iter().any(|service| {
            service
                .description
                .as_ref()
                .is_some_and(|uri| uri.uri.trim().ends_with("#signingCertificate"))
        })
    });
    let ap_trans_id = request.ap_info.ap_trans_id;
    tracing::info!(
        msisdn = msisdn.masked(),
        transaction = %mssp_trans_id,
        "sandbox MSSP received a signature request"
    );
    ledger.add(
        Request {
            mssp_trans_id: mssp_trans_id.clone(),
            ap_trans_id: ap_trans_id.clone(),
            msisdn: msisdn.clone(),
            display_text: request
                .data_to_be_displayed
                .map(|data| data.text)
                .unwrap_or_default(),
            hash,
            verification_code: domain::digest::verification_code(&hash),
            received_at: now,
            expires_at: ledger::expiry(now, time_out),
            wants_certificate,
            outcome: Outcome::Pending,
            holds: 0,
        },
        |hash| sim.sign(hash),
    );
    let instant = crate::wire::rfc3339(now);
    let msisdn_digits = digits(&msisdn);
    Envelope::new(wire::SignatureResponseBody {
        operation: Operation::new(wire::SignatureResp {
            major_version: 1,
            minor_version: 1,
            mssp_trans_id: &mssp_trans_id,
            ap_info: ap_info_out(&ap_trans_id, &instant),
            mssp_info: mssp_info_out(&instant),
            mobile_user: wire::MobileUserOut {
                msisdn: &msisdn_digits,
            },
            status: status_of(codes::REQUEST_OK, None),
        }),
    })
    .to_xml()
    .map_err(|error| refuse(codes::INTERNAL_ERROR, error.to_string()))
}

fn status(sandbox: &Sandbox, request: wire::StatusReq) -> Result<String, Refusal> {
    check_ap(&request.ap_info)?;
    let mssp = sandbox.mssp();
    let found = mssp
        .ledger()
        .query(request.mssp_trans_id.trim(), sandbox.now())
        .ok_or_else(|| refuse(codes::WRONG_PARAM, "unknown MSSP_TransID"))?;
    let (code, signature) = match &found.outcome {
        Outcome::Pending => (codes::OUTSTANDING_TRANSACTION, None),
        Outcome::Signed { signature } => (codes::SIGNATURE, Some(signature)),
        Outcome::Refused(code) => {
            return Err(refuse(*code, "the request was not signed"));
        }
    };
    let certificates: Option<Vec<String>> = match (signature, found.wants_certificate) {
        (Some(_), true) => mssp.sim(&found.msisdn).map(|sim| {
            std::iter::once(&sim.certificate)
                .chain(&sim.chain)
                .map(|der| STANDARD.encode(der))
                .collect()
        }),
        _ => None,
    };
    let detail = certificates.map(|certificates| wire::StatusDetail {
        service_responses: wire::ServiceResponses {
            responses: vec![wire::ServiceResponse {
                description: wire::MssUriOut {
                    uri: "http://mobile-id.vn/MSSP/v1.0.0#signingCertificate",
                },
                x509_data: wire::X509Data { certificates },
            }],
        },
    });
    let instant = crate::wire::rfc3339(sandbox.now());
    let msisdn_digits = digits(&found.msisdn);
    Envelope::new(wire::StatusResponseBody {
        operation: Operation::new(wire::StatusResp {
            major_version: 1,
            minor_version: 1,
            ap_info: ap_info_out(request.ap_info.ap_trans_id.as_str(), &instant),
            mssp_info: mssp_info_out(&instant),
            mobile_user: wire::MobileUserOut {
                msisdn: &msisdn_digits,
            },
            signature: signature.map(|signature| wire::MssSignature {
                base64: STANDARD.encode(signature),
            }),
            status: status_of(code, detail),
        }),
    })
    .to_xml()
    .map_err(|error| refuse(codes::INTERNAL_ERROR, error.to_string()))
}

/// The 32-byte hash inside a base64 DER DigestInfo(SHA-256).
fn digest_info_hash(text: &str) -> Option<[u8; 32]> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(compact).ok()?;
    let hash = der.strip_prefix(&SHA256_DIGEST_INFO_PREFIX)?;
    hash.try_into().ok()
}

/// The MSISDN as MSSPs write it: E.164 digits without `+`.
fn digits(msisdn: &PhoneNumber) -> String {
    msisdn.e164().trim_start_matches('+').to_owned()
}

fn ap_info_out<'a>(ap_trans_id: &'a str, instant: &'a str) -> wire::ApInfoOut<'a> {
    wire::ApInfoOut {
        ap_id: AP_ID,
        ap_trans_id,
        ap_pwd: "",
        instant,
    }
}

fn mssp_info_out(instant: &str) -> wire::MsspInfoOut<'_> {
    wire::MsspInfoOut {
        instant,
        mssp_id: wire::MsspIdOut { uri: MSSP_ID },
    }
}

fn status_of(code: u16, detail: Option<wire::StatusDetail<'_>>) -> wire::Status<'_> {
    wire::Status {
        code: wire::StatusCode { value: code },
        message: codes::name(code),
        detail,
    }
}

fn fault(refusal: &Refusal) -> Response {
    let body = wire::FaultBody {
        fault: wire::Fault {
            faultcode: format!("mss:_{}", refusal.code),
            faultstring: codes::name(refusal.code),
            detail: wire::FaultDetail {
                text: &refusal.detail,
            },
        },
    };
    match Envelope::new(body).to_xml() {
        Ok(xml) => xml_response(StatusCode::INTERNAL_SERVER_ERROR, xml),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

fn xml_response(status: StatusCode, xml: String) -> Response {
    (status, [(CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response()
}
