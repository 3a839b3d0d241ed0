//! The one error type of every connector, with variants a caller acts on: tell the user the
//! record does not exist, that the identity does not match, or that the system is down.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The external systems dvcid reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum System {
    /// CSDL quốc gia về dân cư — the national population database.
    Population,
    /// CSDL thuê bao — the telecom subscriber database.
    Subscribers,
    /// Bảo hiểm xã hội — the social insurance registry.
    Bhxh,
    /// The SMS gateway.
    Sms,
    /// The mail relay (SMTP).
    Email,
    /// CSDL quốc gia về đăng ký doanh nghiệp — the national business registry.
    BusinessRegistry,
    /// Dịch vụ ký số từ xa — the remote signing service (VNPT SmartCA).
    RemoteSigning,
    /// The carriers' mobile signature service (MSSP, Sim ký số).
    MobileSignature,
    /// VNeID, the national eID provider.
    Vneid,
}

impl System {
    /// The stable short name, as used in logs and configuration keys.
    pub const fn as_str(self) -> &'static str {
        match self {
            System::Population => "population",
            System::Subscribers => "subscribers",
            System::Bhxh => "bhxh",
            System::Sms => "sms",
            System::Email => "email",
            System::BusinessRegistry => "business_registry",
            System::RemoteSigning => "remote_signing",
            System::MobileSignature => "mobile_signature",
            System::Vneid => "vneid",
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            System::Population => "population database",
            System::Subscribers => "subscriber database",
            System::Bhxh => "social insurance registry",
            System::Sms => "SMS gateway",
            System::Email => "mail relay",
            System::BusinessRegistry => "business registry",
            System::RemoteSigning => "remote signing service",
            System::MobileSignature => "mobile signature service",
            System::Vneid => "VNeID",
        })
    }
}

/// A field of a claimed identity that the population database holds differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchField {
    /// Họ và tên.
    FullName,
    /// Ngày sinh.
    BirthDate,
}

impl MismatchField {
    pub const fn as_str(self) -> &'static str {
        match self {
            MismatchField::FullName => "full_name",
            MismatchField::BirthDate => "birth_date",
        }
    }
}

/// What went wrong talking to an external system.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// The system has no such record (person, subscriber, insured person).
    #[error("no such record")]
    NotFound,
    /// The population database holds a different value for these fields of the claimed
    /// identity.
    #[error("the identity does not match the population database in: {}", field_list(.fields))]
    Mismatch { fields: Vec<MismatchField> },
    /// Down, overloaded (5xx, 429), timed out or unreachable — after the configured retries.
    /// The user can try again later.
    #[error("the {system} is unavailable: {reason}")]
    Unavailable { system: System, reason: String },
    /// The system refused this request (4xx other than not found, SMTP 5xx): a bad argument,
    /// a wrong API key. Retrying the same request will not help.
    #[error("the {system} rejected the request: {reason}")]
    Rejected { system: System, reason: String },
    /// The system answered something the protocol does not allow (malformed JSON, an invalid
    /// personal ID, a record about someone else). Never retried.
    #[error("the {system} broke the protocol: {reason}")]
    InvalidResponse { system: System, reason: String },
}

fn field_list(fields: &[MismatchField]) -> String {
    fields
        .iter()
        .map(|field| field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl ConnectorError {
    /// Whether the outside system is at fault and a later attempt may succeed.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ConnectorError::Unavailable { .. })
    }

    /// A short stable name of the variant, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ConnectorError::NotFound => "not_found",
            ConnectorError::Mismatch { .. } => "mismatch",
            ConnectorError::Unavailable { .. } => "unavailable",
            ConnectorError::Rejected { .. } => "rejected",
            ConnectorError::InvalidResponse { .. } => "invalid_response",
        }
    }
}

/// Appends the error's causes to `text`, each once: reqwest, hyper and lettre repeat
/// themselves down the chain.
pub(crate) fn append_causes(text: &mut String, error: &dyn std::error::Error) {
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_system_and_fields() {
        let error = ConnectorError::Mismatch {
            fields: vec![MismatchField::FullName, MismatchField::BirthDate],
        };
        assert_eq!(
            error.to_string(),
            "the identity does not match the population database in: full_name, birth_date"
        );
        let error = ConnectorError::Unavailable {
            system: System::Sms,
            reason: "HTTP 503".into(),
        };
        assert_eq!(
            error.to_string(),
            "the SMS gateway is unavailable: HTTP 503"
        );
        assert!(error.is_unavailable());
        assert_eq!(error.kind(), "unavailable");
    }
}
