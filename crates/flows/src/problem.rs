//! Refusals as data: what a flow tells the person when a step cannot go on. The code is stable
//! (pages and the JSON API translate it); `detail` carries the identifier rule's own sentence
//! in both languages when a field did not parse.

use serde::Serialize;
use time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable code, e.g. `credentials.invalid`, `otp.wrong`, `phone.not_owner`.
    pub code: &'static str,
    /// The form field it belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Detail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    pub rule: &'static str,
    pub vi: String,
    pub en: String,
}

impl Problem {
    pub fn form(code: &'static str) -> Self {
        Self {
            code,
            field: None,
            detail: None,
            retry_after_secs: None,
            attempts_left: None,
        }
    }

    pub fn field(field: &'static str, code: &'static str) -> Self {
        Self {
            field: Some(field),
            ..Self::form(code)
        }
    }

    /// A field whose value broke an identifier rule.
    pub fn invalid(field: &'static str, invalid: &domain::Invalid) -> Self {
        Self {
            detail: Some(Detail {
                rule: invalid.rule(),
                vi: invalid.message_vi(),
                en: invalid.to_string(),
            }),
            ..Self::field(field, "field.invalid")
        }
    }

    pub fn retry_after(mut self, after: Duration) -> Self {
        self.retry_after_secs = Some(after.whole_seconds().max(1));
        self
    }

    pub fn attempts_left(mut self, left: i32) -> Self {
        self.attempts_left = Some(left);
        self
    }
}
