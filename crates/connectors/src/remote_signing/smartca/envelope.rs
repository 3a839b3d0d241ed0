//! The SmartCA gateway's answer envelope, `{code, codeDesc, message, content}`, and what its
//! result codes mean to the portal.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ConnectorError, System};

/// Every `csc/...` answer.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    code: i64,
    #[serde(default, rename = "codeDesc")]
    code_desc: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    content: Option<serde_json::Value>,
}

/// The result codes the published specification defines for `csc/...` calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultCode {
    Success,
    /// The request's input is invalid.
    InputError,
    /// The person has no signing credential.
    NoCredential,
    /// The credential or transaction belongs to someone else.
    NotOwner,
    /// The person's service pack (gói cước) is used up.
    ServicePackExhausted,
}

impl ResultCode {
    fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Success),
            30000 => Some(Self::InputError),
            60000 => Some(Self::NoCredential),
            60001 => Some(Self::NotOwner),
            65000 => Some(Self::ServicePackExhausted),
            _ => None,
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::InputError => "input error",
            Self::NoCredential => "no credential",
            Self::NotOwner => "not the owner",
            Self::ServicePackExhausted => "service pack exhausted",
        }
    }
}

impl Envelope {
    /// The content as `T` when the code says success; the code's meaning as an error otherwise.
    pub(super) fn into_content<T: DeserializeOwned>(self) -> Result<T, ConnectorError> {
        let Some(code) = ResultCode::from_code(self.code) else {
            return Err(rejected(format!(
                "SmartCA code {}: {}",
                self.code,
                self.describe()
            )));
        };
        match code {
            ResultCode::Success => {
                let content = self.content.unwrap_or(serde_json::Value::Null);
                serde_json::from_value(content)
                    .map_err(|error| invalid(format!("unexpected content: {error}")))
            }
            ResultCode::NoCredential => Err(ConnectorError::NotFound),
            ResultCode::InputError | ResultCode::NotOwner | ResultCode::ServicePackExhausted => {
                Err(rejected(format!(
                    "SmartCA code {} ({}): {}",
                    self.code,
                    code.meaning(),
                    self.describe()
                )))
            }
        }
    }

    /// The service's own words, short; never a token (answers carry none).
    fn describe(&self) -> String {
        let text = [&self.code_desc, &self.message]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(": ");
        text.chars().take(200).collect()
    }
}

pub(super) fn invalid(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::InvalidResponse {
        system: System::RemoteSigning,
        reason: reason.into(),
    }
}

fn rejected(reason: String) -> ConnectorError {
    ConnectorError::Rejected {
        system: System::RemoteSigning,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Envelope {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn codes_become_typed_errors() {
        let ok: Vec<String> =
            parse(r#"{"code":0,"codeDesc":"SUCCESS","message":"","content":["a"]}"#)
                .into_content()
                .unwrap();
        assert_eq!(ok, ["a"]);
        assert_eq!(
            parse(r#"{"code":60000,"codeDesc":"CREDENTIAL_NOT_FOUND"}"#).into_content::<()>(),
            Err(ConnectorError::NotFound)
        );
        for code in [30000, 60001, 65000, 12345] {
            let error = parse(&format!(r#"{{"code":{code},"message":"no"}}"#))
                .into_content::<()>()
                .unwrap_err();
            assert_eq!(error.kind(), "rejected", "{code}: {error}");
            assert!(error.to_string().contains(&code.to_string()), "{error}");
        }
        let error = parse(r#"{"code":65000}"#).into_content::<()>().unwrap_err();
        assert!(
            error.to_string().contains("service pack exhausted"),
            "{error}"
        );
    }

    #[test]
    fn a_success_without_the_expected_content_is_invalid() {
        let error = parse(r#"{"code":0}"#)
            .into_content::<Vec<String>>()
            .unwrap_err();
        assert_eq!(error.kind(), "invalid_response");
    }
}
