//! [`MobileSignatureService`] over ETSI TS 102 204 v1.1.2 (SOAP 1.1, asynchronous
//! client–server mode): MSS_Signature to start, MSS_StatusQuery to poll.

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::Secret;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::Instrument;
use url::Url;

use super::soap::{Repeat, SoapAnswer, SoapClient, invalid, rejected, unavailable};
use super::status_codes::Meaning;
use super::wire::{self, AnswerEnvelope, Fault, Status};
use super::{
    MobileRefusal, MobileSignatureRequest, MobileSignatureService, MobileSignatureStarted,
    MobileSignatureStatus,
};
use crate::config::{ConfigError, MobileSignatureConfig, StatusCodeTable};
use crate::error::ConnectorError;

/// DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }` up to
/// the hash (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The DER DigestInfo of a SHA-256 hash: what the SIM signs.
pub fn sha256_digest_info(hash: &[u8; 32]) -> Vec<u8> {
    let mut info = Vec::with_capacity(SHA256_DIGEST_INFO_PREFIX.len() + hash.len());
    info.extend_from_slice(&SHA256_DIGEST_INFO_PREFIX);
    info.extend_from_slice(hash);
    info
}

/// The client of a carrier's MSSP (see `crates/sandbox/PROTOCOL.md`, "Mobile signature").
pub struct EtsiMobileSignature {
    soap: SoapClient,
    endpoint: Url,
    status_endpoint: Url,
    ap_id: String,
    ap_password: Secret<String>,
    mssp_id: String,
    signature_profile: String,
    signing_certificate_service: String,
    status_codes: StatusCodeTable,
    timeout_secs: u32,
}

impl EtsiMobileSignature {
    /// Checks `config` and reads its TLS files; errors name the key under `mobile_signature`.
    pub fn new(config: &MobileSignatureConfig) -> Result<Self, ConfigError> {
        config.validate("mobile_signature")?;
        Ok(Self {
            soap: SoapClient::new(config)?,
            endpoint: config.endpoint.clone(),
            status_endpoint: config.status_url().clone(),
            ap_id: config.ap_id.clone(),
            ap_password: config.ap_password.clone(),
            mssp_id: config.mssp_id.clone(),
            signature_profile: config.signature_profile.clone(),
            signing_certificate_service: config.signing_certificate_service.clone(),
            status_codes: config.status_codes,
            timeout_secs: config.timeout_secs,
        })
    }

    fn ap_info<'a>(&'a self, ap_trans_id: &'a str, instant: &'a str) -> wire::ApInfo<'a> {
        wire::ApInfo {
            ap_id: &self.ap_id,
            ap_trans_id,
            ap_pwd: self.ap_password.expose(),
            instant,
        }
    }

    fn mssp_info(&self) -> wire::MsspInfo<'_> {
        wire::MsspInfo {
            mssp_id: wire::MsspId { uri: &self.mssp_id },
        }
    }

    fn signature_request(
        &self,
        request: &MobileSignatureRequest,
    ) -> Result<String, ConnectorError> {
        let instant = now();
        let data = STANDARD.encode(sha256_digest_info(&request.hash));
        let msisdn = request.phone.e164().trim_start_matches('+');
        let message = wire::SignatureReq {
            major_version: 1,
            minor_version: 1,
            messaging_mode: "asynchClientServer",
            time_out: self.timeout_secs,
            ap_info: self.ap_info(&request.transaction_id, &instant),
            mssp_info: self.mssp_info(),
            mobile_user: wire::MobileUser { msisdn },
            data_to_be_signed: wire::Data {
                mime_type: "application/octet-stream",
                encoding: "base64",
                text: &data,
            },
            data_to_be_displayed: wire::Data {
                mime_type: "text/plain",
                encoding: "UTF-8",
                text: &request.display_text,
            },
            signature_profile: wire::MssUri {
                uri: &self.signature_profile,
            },
            additional_services: wire::AdditionalServices {
                services: vec![wire::Service {
                    description: wire::MssUri {
                        uri: &self.signing_certificate_service,
                    },
                }],
            },
            mss_format: wire::MssUri {
                uri: wire::PKCS1_FORMAT,
            },
        };
        write(&wire::Envelope::new(wire::SignatureBody {
            operation: wire::Operation {
                xmlns: wire::WSDL_NS,
                message,
            },
        }))
    }

    fn status_request(&self, transaction: &str) -> Result<String, ConnectorError> {
        let instant = now();
        // AP_TransID is required on every message; a status query gets a fresh one.
        let ap_trans_id = format!("q{}", uuid::Uuid::new_v4().simple());
        write(&wire::Envelope::new(wire::StatusBody {
            operation: wire::Operation {
                xmlns: wire::WSDL_NS,
                message: wire::StatusReq {
                    major_version: 1,
                    minor_version: 1,
                    mssp_trans_id: transaction,
                    ap_info: self.ap_info(&ap_trans_id, &instant),
                    mssp_info: self.mssp_info(),
                },
            },
        }))
    }

    /// The signing certificate and its issuers from the service response that answers
    /// `signing_certificate_service`.
    fn certificates(&self, status: &Status) -> Result<(Vec<u8>, Vec<Vec<u8>>), ConnectorError> {
        let responses = status
            .detail
            .as_ref()
            .and_then(|detail| detail.service_responses.as_ref())
            .map(|responses| responses.responses.as_slice())
            .unwrap_or_default();
        let data = responses
            .iter()
            .find(|response| {
                response
                    .description
                    .as_ref()
                    .and_then(|description| description.uri.as_deref())
                    .is_some_and(|uri| uri.trim() == self.signing_certificate_service)
            })
            .and_then(|response| response.x509_data.as_ref())
            .ok_or_else(|| invalid("the signature came without the signing certificate"))?;
        let mut certificates = data
            .certificates
            .iter()
            .map(|text| decode_certificate(text))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let certificate = certificates
            .next()
            .ok_or_else(|| invalid("the signing certificate response holds no certificate"))?;
        Ok((certificate, certificates.collect()))
    }

    fn read_started(&self, answer: SoapAnswer) -> Result<MobileSignatureStarted, ConnectorError> {
        let body = parse(answer)?;
        if let Some(fault) = body.fault {
            return self.fault(&fault).map(MobileSignatureStarted::Refused);
        }
        let resp = body
            .signature
            .ok_or_else(|| invalid("the answer is not an MSS_SignatureResp"))?
            .resp;
        match self.meaning(&resp.status)? {
            Meaning::Accepted | Meaning::Outstanding => {
                let transaction = resp
                    .mssp_trans_id
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| invalid("MSS_SignatureResp has no MSSP_TransID"))?;
                Ok(MobileSignatureStarted::Pending { transaction })
            }
            Meaning::Refused(refusal) => Ok(MobileSignatureStarted::Refused(refusal)),
            Meaning::Signed => Err(invalid(
                "a signature came back to an asynchronous request at once",
            )),
            other => Err(self.failure(other, &resp.status)),
        }
    }

    fn read_status(&self, answer: SoapAnswer) -> Result<MobileSignatureStatus, ConnectorError> {
        let body = parse(answer)?;
        if let Some(fault) = body.fault {
            return self.fault(&fault).map(MobileSignatureStatus::Refused);
        }
        let resp = body
            .status
            .ok_or_else(|| invalid("the answer is not an MSS_StatusResp"))?
            .resp;
        match self.meaning(&resp.status)? {
            // 100 to a status query: taken, not yet answered.
            Meaning::Accepted | Meaning::Outstanding => Ok(MobileSignatureStatus::Outstanding),
            Meaning::Refused(refusal) => Ok(MobileSignatureStatus::Refused(refusal)),
            Meaning::Signed => {
                let text = resp
                    .signature
                    .and_then(|signature| signature.base64)
                    .ok_or_else(|| invalid("a signed status without Base64Signature"))?;
                let signature = decode(&text)
                    .filter(|bytes| !bytes.is_empty())
                    .ok_or_else(|| invalid("Base64Signature is not base64"))?;
                let (certificate, chain) = self.certificates(&resp.status)?;
                Ok(MobileSignatureStatus::Signed {
                    signature,
                    certificate,
                    chain,
                })
            }
            other => Err(self.failure(other, &resp.status)),
        }
    }

    fn meaning(&self, status: &Status) -> Result<Meaning, ConnectorError> {
        let code = status.code.value.trim();
        let code: u16 = code
            .parse()
            .map_err(|_| invalid(format!("the status code {code:?} is not a number")))?;
        Ok(self.status_codes.meaning(code))
    }

    /// A refusal the fault stands for, or the error it is.
    fn fault(&self, fault: &Fault) -> Result<MobileRefusal, ConnectorError> {
        let summary = fault.summary();
        let described = |what: &str| match summary.code {
            Some(code) => format!("{what} (fault {code} {})", summary.message),
            None => format!("{what} (fault {})", summary.message),
        };
        let Some(code) = summary.code else {
            return Err(if summary.client_side {
                rejected(described("the MSSP refused the request"))
            } else {
                unavailable(described("the MSSP failed"))
            });
        };
        match self.status_codes.meaning(code) {
            Meaning::Refused(refusal) => Ok(refusal),
            Meaning::BadRequest => Err(rejected(described("the MSSP refused the request"))),
            Meaning::Unauthorized => Err(rejected(described(
                "the MSSP does not accept the AP's credentials (ap_id, ap_password, client certificate)",
            ))),
            Meaning::ServiceError => Err(unavailable(described("the MSSP failed"))),
            Meaning::Accepted | Meaning::Signed | Meaning::Outstanding => {
                Err(invalid(described("a fault with a success code")))
            }
        }
    }

    fn failure(&self, meaning: Meaning, status: &Status) -> ConnectorError {
        let code = status.code.value.trim();
        let message = status
            .message
            .as_ref()
            .map(|text| text.text.trim())
            .unwrap_or_default();
        match meaning {
            Meaning::Unauthorized => rejected(format!(
                "the MSSP does not accept the AP's credentials (status {code} {message})"
            )),
            Meaning::BadRequest => rejected(format!(
                "the MSSP refused the request (status {code} {message})"
            )),
            Meaning::ServiceError => {
                unavailable(format!("the MSSP failed (status {code} {message})"))
            }
            _ => invalid(format!("unexpected status {code} {message}")),
        }
    }
}

#[async_trait]
impl MobileSignatureService for EtsiMobileSignature {
    async fn start(
        &self,
        request: &MobileSignatureRequest,
    ) -> Result<MobileSignatureStarted, ConnectorError> {
        let span = tracing::info_span!("connector", system = "mobile_signature", op = "start");
        async {
            let body = self.signature_request(request)?;
            // Never repeated: when an attempt times out the MSSP may already have pushed the
            // request to the phone, and a second push would ask the person twice (and reuse
            // AP_TransID, which an MSSP refuses or, worse, answers from a cached PIN).
            self.soap
                .call(
                    &self.endpoint,
                    wire::SIGNATURE_ACTION,
                    &body,
                    Repeat::Never,
                    |answer| self.read_started(answer),
                )
                .await
        }
        .instrument(span)
        .await
    }

    async fn status(&self, transaction: &str) -> Result<MobileSignatureStatus, ConnectorError> {
        let span = tracing::info_span!("connector", system = "mobile_signature", op = "status");
        async {
            let body = self.status_request(transaction)?;
            self.soap
                .call(
                    &self.status_endpoint,
                    wire::STATUS_ACTION,
                    &body,
                    Repeat::Safe,
                    |answer| self.read_status(answer),
                )
                .await
        }
        .instrument(span)
        .await
    }
}

fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn write<T: serde::Serialize>(envelope: &T) -> Result<String, ConnectorError> {
    quick_xml::se::to_string_with_root("soapenv:Envelope", envelope)
        .map(|xml| format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{xml}"))
        // Only names could fail to write, and ours are constants.
        .map_err(|error| rejected(format!("cannot write the request: {error}")))
}

/// The envelope's body; a 500 that is not a SOAP fault is a server failure.
fn parse(answer: SoapAnswer) -> Result<wire::AnswerBody, ConnectorError> {
    let server_error = answer.status.is_server_error();
    match quick_xml::de::from_str::<AnswerEnvelope>(&answer.body) {
        Ok(envelope) if server_error && envelope.body.fault.is_none() => Err(unavailable(format!(
            "HTTP {} without a SOAP fault",
            answer.status.as_u16()
        ))),
        Ok(envelope) => Ok(envelope.body),
        Err(_) if server_error => Err(unavailable(format!(
            "HTTP {} without a SOAP fault",
            answer.status.as_u16()
        ))),
        Err(error) => Err(invalid(format!("not a SOAP envelope: {error}"))),
    }
}

/// Base64 as MSSPs write it: possibly wrapped over lines.
fn decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

fn decode_certificate(text: &str) -> Result<Vec<u8>, ConnectorError> {
    // A DER certificate is a SEQUENCE; anything else is not one (pki checks the rest).
    decode(text)
        .filter(|der| der.first() == Some(&0x30))
        .ok_or_else(|| invalid("X509Certificate is not a base64 DER certificate"))
}

#[cfg(test)]
mod tests;
