//! The SOAP 1.1 messages of ETSI TS 102 204 v1.1.2 as the application provider writes and
//! reads them. Requests are written with the prefixes `soapenv:` and `mss:`; answers are read
//! by local name only, because MSSPs differ in prefixes (`mss:`, `ns2:`, none) and in the
//! namespace of the operation wrapper. Elements we do not use are skipped.

use serde::{Deserialize, Serialize};

pub(super) const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(super) const MSS_NS: &str = "http://uri.etsi.org/TS102204/v1.1.2#";
/// The namespace of the rpc/literal operation wrappers in the MSSPs' WSDL.
pub(super) const WSDL_NS: &str = "http://uri.etsi.org/TS102204/etsi204-kiuru.wsdl";
pub(super) const PKCS1_FORMAT: &str = "http://uri.etsi.org/TS102204/v1.1.2#PKCS1";
pub(super) const SIGNATURE_ACTION: &str = "\"http://uri.etsi.org/TS102204/v1.1.2#MSS_Signature\"";
pub(super) const STATUS_ACTION: &str = "\"http://uri.etsi.org/TS102204/v1.1.2#MSS_StatusQuery\"";

// ---- written ----

#[derive(Serialize)]
pub(super) struct Envelope<B> {
    #[serde(rename = "@xmlns:soapenv")]
    pub soapenv: &'static str,
    #[serde(rename = "@xmlns:mss")]
    pub mss: &'static str,
    #[serde(rename = "soapenv:Body")]
    pub body: B,
}

impl<B> Envelope<B> {
    pub(super) fn new(body: B) -> Self {
        Self {
            soapenv: SOAP_ENVELOPE_NS,
            mss: MSS_NS,
            body,
        }
    }
}

#[derive(Serialize)]
pub(super) struct SignatureBody<'a> {
    #[serde(rename = "MSS_Signature")]
    pub operation: Operation<SignatureReq<'a>>,
}

#[derive(Serialize)]
pub(super) struct StatusBody<'a> {
    #[serde(rename = "MSS_StatusQuery")]
    pub operation: Operation<StatusReq<'a>>,
}

/// The rpc wrapper: its one part is the ETSI message.
#[derive(Serialize)]
pub(super) struct Operation<M> {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "$value")]
    pub message: M,
}

#[derive(Serialize)]
#[serde(rename = "mss:MSS_SignatureReq")]
pub(super) struct SignatureReq<'a> {
    #[serde(rename = "@MajorVersion")]
    pub major_version: u8,
    #[serde(rename = "@MinorVersion")]
    pub minor_version: u8,
    #[serde(rename = "@MessagingMode")]
    pub messaging_mode: &'static str,
    #[serde(rename = "@TimeOut")]
    pub time_out: u32,
    #[serde(rename = "mss:AP_Info")]
    pub ap_info: ApInfo<'a>,
    #[serde(rename = "mss:MSSP_Info")]
    pub mssp_info: MsspInfo<'a>,
    #[serde(rename = "mss:MobileUser")]
    pub mobile_user: MobileUser<'a>,
    #[serde(rename = "mss:DataToBeSigned")]
    pub data_to_be_signed: Data<'a>,
    #[serde(rename = "mss:DataToBeDisplayed")]
    pub data_to_be_displayed: Data<'a>,
    #[serde(rename = "mss:SignatureProfile")]
    pub signature_profile: MssUri<'a>,
    #[serde(rename = "mss:AdditionalServices")]
    pub additional_services: AdditionalServices<'a>,
    #[serde(rename = "mss:MSS_Format")]
    pub mss_format: MssUri<'a>,
}

#[derive(Serialize)]
#[serde(rename = "mss:MSS_StatusReq")]
pub(super) struct StatusReq<'a> {
    #[serde(rename = "@MajorVersion")]
    pub major_version: u8,
    #[serde(rename = "@MinorVersion")]
    pub minor_version: u8,
    #[serde(rename = "@MSSP_TransID")]
    pub mssp_trans_id: &'a str,
    #[serde(rename = "mss:AP_Info")]
    pub ap_info: ApInfo<'a>,
    #[serde(rename = "mss:MSSP_Info")]
    pub mssp_info: MsspInfo<'a>,
}

#[derive(Serialize)]
pub(super) struct ApInfo<'a> {
    #[serde(rename = "@AP_ID")]
    pub ap_id: &'a str,
    #[serde(rename = "@AP_TransID")]
    pub ap_trans_id: &'a str,
    #[serde(rename = "@AP_PWD")]
    pub ap_pwd: &'a str,
    #[serde(rename = "@Instant")]
    pub instant: &'a str,
}

#[derive(Serialize)]
pub(super) struct MsspInfo<'a> {
    #[serde(rename = "mss:MSSP_ID")]
    pub mssp_id: MsspId<'a>,
}

#[derive(Serialize)]
pub(super) struct MsspId<'a> {
    #[serde(rename = "mss:URI")]
    pub uri: &'a str,
}

#[derive(Serialize)]
pub(super) struct MobileUser<'a> {
    #[serde(rename = "mss:MSISDN")]
    pub msisdn: &'a str,
}

#[derive(Serialize)]
pub(super) struct Data<'a> {
    #[serde(rename = "@MimeType")]
    pub mime_type: &'static str,
    #[serde(rename = "@Encoding")]
    pub encoding: &'static str,
    #[serde(rename = "$text")]
    pub text: &'a str,
}

#[derive(Serialize)]
pub(super) struct MssUri<'a> {
    #[serde(rename = "mss:mssURI")]
    pub uri: &'a str,
}

#[derive(Serialize)]
pub(super) struct AdditionalServices<'a> {
    #[serde(rename = "mss:Service")]
    pub services: Vec<Service<'a>>,
}

#[derive(Serialize)]
pub(super) struct Service<'a> {
    #[serde(rename = "mss:Description")]
    pub description: MssUri<'a>,
}

// ---- read ----

#[derive(Debug, Deserialize)]
pub(super) struct AnswerEnvelope {
    #[serde(rename = "Body")]
    pub body: AnswerBody,
}

#[derive(Debug, Deserialize)]
pub(super) struct AnswerBody {
    #[serde(rename = "Fault")]
    pub fault: Option<Fault>,
    #[serde(rename = "MSS_SignatureResponse")]
    pub signature: Option<SignatureResponse>,
    #[serde(rename = "MSS_StatusQueryResponse")]
    pub status: Option<StatusQueryResponse>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SignatureResponse {
    #[serde(rename = "MSS_SignatureResp")]
    pub resp: SignatureResp,
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusQueryResponse {
    #[serde(rename = "MSS_StatusResp")]
    pub resp: StatusResp,
}

#[derive(Debug, Deserialize)]
pub(super) struct SignatureResp {
    #[serde(rename = "@MSSP_TransID")]
    pub mssp_trans_id: Option<String>,
    #[serde(rename = "Status")]
    pub status: Status,
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusResp {
    #[serde(rename = "MSS_Signature")]
    pub signature: Option<MssSignature>,
    #[serde(rename = "Status")]
    pub status: Status,
}

#[derive(Debug, Deserialize)]
pub(super) struct MssSignature {
    #[serde(rename = "Base64Signature")]
    pub base64: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Status {
    #[serde(rename = "StatusCode")]
    pub code: StatusCode,
    #[serde(rename = "StatusMessage")]
    pub message: Option<Text>,
    #[serde(rename = "StatusDetail")]
    pub detail: Option<StatusDetail>,
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusCode {
    #[serde(rename = "@Value")]
    pub value: String,
}

/// Element text, whatever attributes (`xml:lang`) the element carries.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Text {
    #[serde(rename = "$text", default)]
    pub text: String,
}

/// The service responses (FiCom's `fi:ServiceResponses`, which the MSSPs put in
/// `StatusDetail`): each names its service and carries its result.
#[derive(Debug, Deserialize)]
pub(super) struct StatusDetail {
    #[serde(rename = "ServiceResponses")]
    pub service_responses: Option<ServiceResponses>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ServiceResponses {
    #[serde(rename = "ServiceResponse", default)]
    pub responses: Vec<ServiceResponse>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ServiceResponse {
    #[serde(rename = "Description")]
    pub description: Option<Description>,
    #[serde(rename = "X509Data")]
    pub x509_data: Option<X509Data>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Description {
    #[serde(rename = "mssURI")]
    pub uri: Option<String>,
}

/// XML-DSig's `ds:X509Data`: the signing certificate first, then its issuers.
#[derive(Debug, Deserialize)]
pub(super) struct X509Data {
    #[serde(rename = "X509Certificate", default)]
    pub certificates: Vec<String>,
}

/// A SOAP 1.1 fault (`faultcode`, `faultstring`); the SOAP 1.2 shape (`Code/Subcode/Value`,
/// `Reason/Text`) is read too, as some MSSPs answer it on the 1.1 binding.
#[derive(Debug, Deserialize)]
pub(super) struct Fault {
    #[serde(rename = "faultcode")]
    pub faultcode: Option<Text>,
    #[serde(rename = "faultstring")]
    pub faultstring: Option<Text>,
    #[serde(rename = "Code")]
    pub code: Option<FaultCode>,
    #[serde(rename = "Reason")]
    pub reason: Option<FaultReason>,
}

#[derive(Debug, Deserialize)]
pub(super) struct FaultCode {
    #[serde(rename = "Value")]
    pub value: Option<Text>,
    #[serde(rename = "Subcode")]
    pub subcode: Option<Box<FaultCode>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct FaultReason {
    #[serde(rename = "Text")]
    pub text: Option<Text>,
}

/// What a fault says: the ETSI status code when it names one (`mss:_105`), and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FaultSummary {
    pub code: Option<u16>,
    /// The fault blames the request (`Client`, `Sender`) rather than the server.
    pub client_side: bool,
    pub message: String,
}

impl Fault {
    pub(super) fn summary(&self) -> FaultSummary {
        let mut codes: Vec<&str> = Vec::new();
        if let Some(code) = &self.faultcode {
            codes.push(code.text.trim());
        }
        let mut level = self.code.as_ref();
        while let Some(code) = level {
            if let Some(value) = &code.value {
                codes.push(value.text.trim());
            }
            level = code.subcode.as_deref();
        }
        let numeric = codes.iter().rev().find_map(|code| etsi_code(code));
        let client_side = codes.iter().any(|code| {
            let local = local_part(code);
            local == "Client" || local == "Sender"
        });
        let message = self
            .faultstring
            .as_ref()
            .or_else(|| self.reason.as_ref().and_then(|reason| reason.text.as_ref()))
            .map(|text| text.text.trim().to_owned())
            .unwrap_or_default();
        FaultSummary {
            code: numeric,
            client_side,
            message,
        }
    }
}

fn local_part(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

/// `mss:_105`, `_105` or `105` → 105.
fn etsi_code(qname: &str) -> Option<u16> {
    local_part(qname).trim_start_matches('_').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_codes_are_read_in_both_soap_shapes() {
        let soap11: AnswerEnvelope = quick_xml::de::from_str(
            r#"<s:Envelope xmlns:s="x"><s:Body><s:Fault>
                <faultcode xmlns:p="y">p:_105</faultcode>
                <faultstring xml:lang="en">UNKNOWN_CLIENT</faultstring>
            </s:Fault></s:Body></s:Envelope>"#,
        )
        .unwrap();
        let summary = soap11.body.fault.unwrap().summary();
        assert_eq!(summary.code, Some(105));
        assert_eq!(summary.message, "UNKNOWN_CLIENT");

        let soap12: AnswerEnvelope = quick_xml::de::from_str(
            r#"<e:Envelope xmlns:e="x"><e:Body><e:Fault>
                <e:Code><e:Value>e:Sender</e:Value>
                  <e:Subcode><e:Value>mss:_401</e:Value></e:Subcode></e:Code>
                <e:Reason><e:Text xml:lang="en">USER_CANCEL</e:Text></e:Reason>
            </e:Fault></e:Body></e:Envelope>"#,
        )
        .unwrap();
        let summary = soap12.body.fault.unwrap().summary();
        assert_eq!(summary.code, Some(401));
        assert!(summary.client_side);
        assert_eq!(summary.message, "USER_CANCEL");
    }
}
