//! Refusals as data: what a flow tells the person when a step cannot go on. The code is stable
//! (pages and the JSON API translate it); `detail` carries the identifier rule's own sentence
//! in both languages when a field did not parse.

use serde::Serialize;
use time::Duration;

/// Every code a flow can refuse with; pages and the API have a message for each.
pub const PROBLEM_CODES: [&str; 125] = [
    "account.exists",
    "account.locked",
    "account.no_otp_phone",
    "account.no_personal_id",
    "account.recovery_required",
    "action.unexpected",
    "agency.exists",
    "agency.no_such_person",
    "agency.unknown_code",
    "agent.challenge_expired",
    "bhxh.mismatch",
    "bhxh.no_phone",
    "bhxh.not_found",
    "bhxh.unavailable",
    "birth_date.invalid",
    "business.inactive",
    "business.not_found",
    "business_registry.unavailable",
    "captcha.required",
    "captcha.wrong",
    "certificate.account_exists",
    "certificate.already_bound",
    "certificate.last",
    "certificate.legacy_id",
    "certificate.not_bound",
    "certificate.other_holder",
    "certificate.unknown",
    "credentials.invalid",
    "field.invalid",
    "field.required",
    "full_name.invalid",
    "identity.mismatch",
    "identity.not_found",
    "invitation.daily_limit",
    "invitation.invalid",
    "member.not_found",
    "method.not_offered",
    "operator.account_not_found",
    "operator.already_locked",
    "operator.forbidden",
    "operator.last_system_admin",
    "operator.not_locked",
    "operator.not_operator",
    "operator.role_held",
    "operator.role_not_held",
    "organisation.already_member",
    "organisation.has_administrator",
    "organisation.last_administrator",
    "organisation.no_account",
    "organisation.not_administrator",
    "organisation.not_member",
    "organisation.not_representative",
    "organisation.role_unknown",
    "otp.exhausted",
    "otp.expired",
    "otp.resend_limit",
    "otp.resend_too_soon",
    "otp.wrong",
    "password.mismatch",
    "password.wrong",
    "personal_id.birth_year_mismatch",
    "personal_id.gender_mismatch",
    "personal_id.not_theirs",
    "personal_id.taken",
    "phone.already_added",
    "phone.daily_limit",
    "phone.last",
    "phone.not_owner",
    "phone.unknown_choice",
    "phone_change.cancel_invalid",
    "phone_change.pending",
    "pki.expired",
    "pki.key_usage",
    "pki.malformed",
    "pki.no_identity",
    "pki.not_yet_valid",
    "pki.policy_not_allowed",
    "pki.revocation_unavailable",
    "pki.revoked",
    "pki.token_invalid",
    "pki.untrusted_issuer",
    "population.unavailable",
    "registration.throttled",
    "registry.unavailable",
    "signing.authorization_failed",
    "signing.cancelled",
    "signing.card_blocked",
    "signing.daily_limit",
    "signing.failed",
    "signing.no_credential",
    "signing.no_sim",
    "signing.phone_unreachable",
    "signing.pin_blocked",
    "signing.timed_out",
    "signing.unavailable",
    "sms.daily_limit",
    "sms.unavailable",
    "step_up.other_account",
    "subscribers.unavailable",
    "throttled",
    "vneid.cancelled",
    "vneid.conflict",
    "vneid.failed",
    "vneid.identity_mismatch",
    "vneid.last_method",
    "vneid.level_too_low",
    "vneid.not_linked",
    "vneid.prove_account",
    "vneid.unavailable",
    "post.activation_required",
    "post.email_required",
    "post.email_unavailable",
    "post.mail_throttled",
    "post.mail_unavailable",
    "post.link_invalid",
    "post.link_used",
    "post.link_expired",
    "counter.not_found",
    "counter.not_vietnam_post",
    "counter.already_proven",
    "counter.document_required",
    "counter.document_invalid",
    "counter.document_mismatch",
    "counter.note_required",
    "counter.note_too_long",
];

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

    /// A field whose value broke an identifier rule; an empty one is simply required.
    pub fn invalid(field: &'static str, invalid: &domain::Invalid) -> Self {
        if invalid.rule().ends_with(".empty") {
            return Self::field(field, "field.required");
        }
        Self::field(field, "field.invalid").explained(invalid)
    }

    /// Adds the identifier rule's own sentence to a refusal that has a code of its own, e.g. a
    /// gender that the personal ID number contradicts ("… ghi giới tính nam; … là nữ").
    pub fn explained(mut self, invalid: &domain::Invalid) -> Self {
        self.detail = Some(Detail {
            rule: invalid.rule(),
            vi: invalid.message_vi(),
            en: invalid.to_string(),
        });
        self
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

#[cfg(test)]
mod tests {
    use super::PROBLEM_CODES;

    /// Every code written in the flows' sources is listed, so no refusal lacks a message.
    #[test]
    fn every_code_in_the_sources_is_listed() {
        let sources = [
            include_str!("login.rs"),
            include_str!("methods/password_sms.rs"),
            include_str!("methods/totp.rs"),
            include_str!("methods/usb_token.rs"),
            include_str!("methods/certificate_account.rs"),
            include_str!("methods/sim_pki.rs"),
            include_str!("methods/remote_signing.rs"),
            include_str!("methods/vneid.rs"),
            include_str!("federation.rs"),
            include_str!("import.rs"),
            include_str!("signing.rs"),
            include_str!("register_certificate.rs"),
            include_str!("bind_certificate.rs"),
            include_str!("certificates.rs"),
            include_str!("registration.rs"),
            include_str!("recovery.rs"),
            include_str!("add_phone.rs"),
            include_str!("phone_change.rs"),
            include_str!("account.rs"),
            include_str!("common.rs"),
            include_str!("otp.rs"),
            include_str!("operators/mod.rs"),
            include_str!("vietnam_post.rs"),
            include_str!("vietnam_post/activation.rs"),
            include_str!("vietnam_post/counter.rs"),
        ];
        let mut found = 0;
        for source in sources {
            for piece in source.split("Problem::").skip(1) {
                let call = piece.split(')').next().unwrap_or_default();
                // Only calls whose code is a literal (the captcha's is chosen at run time).
                let literal = call.trim_end().ends_with('"');
                if !(call.starts_with("form(") || call.starts_with("field(")) || !literal {
                    continue;
                }
                let code = call.rsplit('"').nth(1).unwrap_or_default();
                assert!(
                    PROBLEM_CODES.contains(&code),
                    "{code:?} is not in PROBLEM_CODES"
                );
                found += 1;
            }
        }
        assert!(found > 30, "the scan found only {found} codes");
    }
}
