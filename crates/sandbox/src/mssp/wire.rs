//! The MSSP's side of the ETSI TS 102 204 v1.1.2 SOAP 1.1 messages: requests read by local
//! name (any prefix), answers written as the Kiuru-based MSSPs write them (`mss:` for ETSI,
//! `fi:` for the service responses, `ds:` for the certificates).

use serde::{Deserialize, Serialize};

const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const MSS_NS: &str = "http://uri.etsi.org/TS102204/v1.1.2#";
const FICOM_NS: &str = "http://mss.ficom.fi/TS102204/v1.0.0#";
const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const WSDL_NS: &str = "http://uri.etsi.org/TS102204/etsi204-kiuru.wsdl";
pub(super) const PKCS1_FORMAT: &str = "http://uri.etsi.org/TS102204/v1.1.2#PKCS1";

// ---- read ----

#[derive(Debug, Deserialize)]
pub(super) struct RequestEnvelope {
    #[serde(rename = "Body")]
    pub body: RequestBody,
}

#[derive(Debug, Deserialize)]
pub(super) struct RequestBody {
    #[serde(rename = "MSS_Signature")]
    pub signature: Option<SignatureOperation>,
    #[serde(rename = "MSS_StatusQuery")]
    pub status: Option<StatusOperation>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SignatureOperation {
    #[serde(rename = "MSS_SignatureReq")]
    pub request: SignatureReq,
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusOperation {
    #[serde(rename = "MSS_StatusReq")]
    pub request: StatusReq,
}

#[derive(Debug, Deserialize)]
pub(super) struct SignatureReq {
    #[serde(rename = "@MessagingMode")]
    pub messaging_mode: Option<String>,
    #[serde(rename = "@TimeOut")]
    pub time_out: Option<String>,
    #[serde(rename = "AP_Info")]
    pub ap_info: ApInfoIn,
    #[serde(rename = "MobileUser")]
    pub mobile_user: MobileUserIn,
    #[serde(rename = "DataToBeSigned")]
    pub data_to_be_signed: DataIn,
    #[serde(rename = "DataToBeDisplayed")]
    pub data_to_be_displayed: Option<DataIn>,
    #[serde(rename = "AdditionalServices")]
    pub additional_services: Option<AdditionalServicesIn>,
    #[serde(rename = "MSS_Format")]
    pub mss_format: Option<MssUriIn>,
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusReq {
    #[serde(rename = "@MSSP_TransID")]
    pub mssp_trans_id: String,
    #[serde(rename = "AP_Info")]
    pub ap_info: ApInfoIn,
}

#[derive(Debug, Deserialize)]
pub(super) struct ApInfoIn {
    #[serde(rename = "@AP_ID")]
    pub ap_id: String,
    #[serde(rename = "@AP_TransID")]
    pub ap_trans_id: String,
    #[serde(rename = "@AP_PWD", default)]
    pub ap_pwd: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct MobileUserIn {
    #[serde(rename = "MSISDN")]
    pub msisdn: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct DataIn {
    #[serde(rename = "$text", default)]
    pub text: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct AdditionalServicesIn {
    #[serde(rename = "Service", default)]
    pub services: Vec<ServiceIn>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ServiceIn {
    #[serde(rename = "Description")]
    pub description: Option<MssUriIn>,
}

#[derive(Debug, Deserialize)]
pub(super) struct MssUriIn {
    #[serde(rename = "mssURI", default)]
    pub uri: String,
}

// ---- written ----

#[derive(Serialize)]
pub(super) struct Envelope<B> {
    #[serde(rename = "@xmlns:soapenv")]
    soapenv: &'static str,
    #[serde(rename = "@xmlns:mss")]
    mss: &'static str,
    #[serde(rename = "@xmlns:fi")]
    fi: &'static str,
    #[serde(rename = "@xmlns:ds")]
    ds: &'static str,
    #[serde(rename = "soapenv:Body")]
    body: B,
}

impl<B: Serialize> Envelope<B> {
    pub(super) fn new(body: B) -> Self {
        Self {
            soapenv: SOAP_ENVELOPE_NS,
            mss: MSS_NS,
            fi: FICOM_NS,
            ds: DSIG_NS,
            body,
        }
    }

    pub(super) fn to_xml(&self) -> Result<String, quick_xml::SeError> {
        quick_xml::se::to_string_with_root("soapenv:Envelope", self)
            .map(|xml| format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{xml}"))
    }
}

#[derive(Serialize)]
pub(super) struct SignatureResponseBody<'a> {
    #[serde(rename = "MSS_SignatureResponse")]
    pub operation: Operation<SignatureResp<'a>>,
}

#[derive(Serialize)]
pub(super) struct StatusResponseBody<'a> {
    #[serde(rename = "MSS_StatusQueryResponse")]
    pub operation: Operation<StatusResp<'a>>,
}

#[derive(Serialize)]
pub(super) struct FaultBody<'a> {
    #[serde(rename = "soapenv:Fault")]
    pub fault: Fault<'a>,
}

/// The rpc wrapper around the one ETSI message.
#[derive(Serialize)]
pub(super) struct Operation<M> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "$value")]
    message: M,
}

impl<M> Operation<M> {
    pub(super) fn new(message: M) -> Self {
        Self {
            xmlns: WSDL_NS,
            message,
        }
    }
}

#[derive(Serialize)]
#[serde(rename = "mss:MSS_SignatureResp")]
pub(super) struct SignatureResp<'a> {
    #[serde(rename = "@MajorVersion")]
    pub major_version: u8,
    #[serde(rename = "@MinorVersion")]
    pub minor_version: u8,
    #[serde(rename = "@MSSP_TransID")]
    pub mssp_trans_id: &'a str,
    #[serde(rename = "mss:AP_Info")]
    pub ap_info: ApInfoOut<'a>,
    #[serde(rename = "mss:MSSP_Info")]
    pub mssp_info: MsspInfoOut<'a>,
    #[serde(rename = "mss:MobileUser")]
    pub mobile_user: MobileUserOut<'a>,
    #[serde(rename = "mss:Status")]
    pub status: Status<'a>,
}

#[derive(Serialize)]
#[serde(rename = "mss:MSS_StatusResp")]
pub(super) struct StatusResp<'a> {
    #[serde(rename = "@MajorVersion")]
    pub major_version: u8,
    #[serde(rename = "@MinorVersion")]
    pub minor_version: u8,
    #[serde(rename = "mss:AP_Info")]
    pub ap_info: ApInfoOut<'a>,
    #[serde(rename = "mss:MSSP_Info")]
    pub mssp_info: MsspInfoOut<'a>,
    #[serde(rename = "mss:MobileUser")]
    pub mobile_user: MobileUserOut<'a>,
    #[serde(rename = "mss:MSS_Signature", skip_serializing_if = "Option::is_none")]
    pub signature: Option<MssSignature>,
    #[serde(rename = "mss:Status")]
    pub status: Status<'a>,
}

#[derive(Serialize)]
pub(super) struct ApInfoOut<'a> {
    #[serde(rename = "@AP_ID")]
    pub ap_id: &'a str,
    #[serde(rename = "@AP_TransID")]
    pub ap_trans_id: &'a str,
    /// Never echoed.
    #[serde(rename = "@AP_PWD")]
    pub ap_pwd: &'static str,
    #[serde(rename = "@Instant")]
    pub instant: &'a str,
}

#[derive(Serialize)]
pub(super) struct MsspInfoOut<'a> {
    #[serde(rename = "@Instant")]
    pub instant: &'a str,
    #[serde(rename = "mss:MSSP_ID")]
    pub mssp_id: MsspIdOut<'a>,
}

#[derive(Serialize)]
pub(super) struct MsspIdOut<'a> {
    #[serde(rename = "mss:URI")]
    pub uri: &'a str,
}

#[derive(Serialize)]
pub(super) struct MobileUserOut<'a> {
    #[serde(rename = "mss:MSISDN")]
    pub msisdn: &'a str,
}

#[derive(Serialize)]
pub(super) struct MssSignature {
    #[serde(rename = "mss:Base64Signature")]
    pub base64: String,
}

#[derive(Serialize)]
pub(super) struct Status<'a> {
    #[serde(rename = "mss:StatusCode")]
    pub code: StatusCode,
    #[serde(rename = "mss:StatusMessage")]
    pub message: &'a str,
    #[serde(rename = "mss:StatusDetail", skip_serializing_if = "Option::is_none")]
    pub detail: Option<StatusDetail<'a>>,
}

#[derive(Serialize)]
pub(super) struct StatusCode {
    #[serde(rename = "@Value")]
    pub value: u16,
}

#[derive(Serialize)]
pub(super) struct StatusDetail<'a> {
    #[serde(rename = "fi:ServiceResponses")]
    pub service_responses: ServiceResponses<'a>,
}

#[derive(Serialize)]
pub(super) struct ServiceResponses<'a> {
    #[serde(rename = "fi:ServiceResponse")]
    pub responses: Vec<ServiceResponse<'a>>,
}

#[derive(Serialize)]
pub(super) struct ServiceResponse<'a> {
    #[serde(rename = "fi:Description")]
    pub description: MssUriOut<'a>,
    #[serde(rename = "ds:X509Data")]
    pub x509_data: X509Data,
}

#[derive(Serialize)]
pub(super) struct MssUriOut<'a> {
    #[serde(rename = "mss:mssURI")]
    pub uri: &'a str,
}

#[derive(Serialize)]
pub(super) struct X509Data {
    #[serde(rename = "ds:X509Certificate")]
    pub certificates: Vec<String>,
}

/// A SOAP 1.1 fault naming the ETSI status code as `mss:_<code>`.
#[derive(Serialize)]
pub(super) struct Fault<'a> {
    pub faultcode: String,
    pub faultstring: &'a str,
    pub detail: FaultDetail<'a>,
}

#[derive(Serialize)]
pub(super) struct FaultDetail<'a> {
    #[serde(rename = "mss:detail")]
    pub text: &'a str,
}
