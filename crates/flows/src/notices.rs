//! What dvcid tells a person outside the page — SMS and e-mail texts — from the translation
//! files in `locales/` (Fluent). SMS are Vietnamese without diacritics, so that GSM 7-bit texts
//! reach every handset in one part; e-mails carry both languages.

use std::borrow::Cow;
use std::collections::HashMap;

use domain::PhoneNumber;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use time::OffsetDateTime;

use crate::purpose::OtpPurpose;

fluent_templates::static_loader! {
    static NOTICES = {
        locales: "./locales",
        fallback_language: "vi",
        // Texts go to phones and mailboxes, not to bidirectional layouts.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

fn text(lang: &LanguageIdentifier, key: &str, args: &[(&str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| {
            (
                Cow::Owned((*name).to_owned()),
                FluentValue::from(value.clone()),
            )
        })
        .collect();
    NOTICES.lookup_with_args(lang, key, &args)
}

/// Both languages, Vietnamese first.
fn bilingual(key: &str, args: &[(&str, String)]) -> String {
    format!("{}\n\n{}", text(&VI, key, args), text(&EN, key, args))
}

/// The OTP's SMS.
pub(crate) fn otp(purpose: OtpPurpose, code: &str, minutes: i64) -> String {
    let what = text(
        &VI,
        &format!("sms-otp-{}", purpose.as_str().replace('_', "-")),
        &[],
    );
    text(
        &VI,
        "sms-otp",
        &[
            ("what", what),
            ("code", code.to_owned()),
            ("minutes", minutes.to_string()),
        ],
    )
}

/// The SMS to the phone a lost-phone change (P2) replaces: when it takes effect and the code
/// that cancels it. No link: texts with links are what phishing looks like.
pub(crate) fn phone_change_scheduled(
    phone: &PhoneNumber,
    effective_at: OffsetDateTime,
    code: &str,
) -> String {
    text(
        &VI,
        "sms-phone-change-scheduled",
        &change_args(phone, effective_at, code),
    )
}

/// The same notice by e-mail: subject and text.
pub(crate) fn phone_change_scheduled_email(
    phone: &PhoneNumber,
    effective_at: OffsetDateTime,
    code: &str,
) -> (String, String) {
    let subject = format!(
        "{} / {}",
        text(&VI, "email-phone-change-scheduled-subject", &[]),
        text(&EN, "email-phone-change-scheduled-subject", &[])
    );
    let body = bilingual(
        "email-phone-change-scheduled",
        &change_args(phone, effective_at, code),
    );
    (subject, body)
}

fn change_args(
    phone: &PhoneNumber,
    effective_at: OffsetDateTime,
    code: &str,
) -> [(&'static str, String); 3] {
    [
        ("phone", phone.masked()),
        ("at", vietnam_time(effective_at)),
        ("code", code.to_owned()),
    ]
}

/// The SMS after a password reset (S10).
pub(crate) fn password_reset() -> String {
    text(&VI, "sms-password-reset", &[])
}

/// The SMS to the default phone after another OTP phone was added (masked).
pub(crate) fn phone_added(added: &PhoneNumber) -> String {
    text(&VI, "sms-phone-added", &[("phone", added.masked())])
}

/// The SMS to the default phone after a certificate was bound to the account.
pub(crate) fn certificate_bound(issuer: &str) -> String {
    let issuer: String = issuer.chars().filter(char::is_ascii).take(40).collect();
    text(&VI, "sms-certificate-bound", &[("issuer", issuer)])
}

/// The SMS to the default phone after the account added its personal ID (L3).
pub(crate) fn personal_id_added() -> String {
    text(&VI, "sms-personal-id-added", &[])
}

/// The SMS to the default phone after a VNeID identity was linked to the account.
pub(crate) fn vneid_linked() -> String {
    text(&VI, "sms-vneid-linked", &[])
}

/// The SMS to the default phone after the account's VNeID link was removed.
pub(crate) fn vneid_unlinked() -> String {
    text(&VI, "sms-vneid-unlinked", &[])
}

/// The SMS to the default phone after a certificate was removed from the account.
pub(crate) fn certificate_removed() -> String {
    text(&VI, "sms-certificate-removed", &[])
}

/// The SMS to the phone that was the default after another one was made the default.
pub(crate) fn default_phone_changed(new_default: &PhoneNumber) -> String {
    text(
        &VI,
        "sms-default-phone-changed",
        &[("phone", new_default.masked())],
    )
}

/// The SMS to a phone just removed from the account's OTP phones.
pub(crate) fn phone_removed(removed: &PhoneNumber) -> String {
    text(&VI, "sms-phone-removed", &[("phone", removed.masked())])
}

/// The SMS to the default phone after an operator locked the account.
pub(crate) fn account_locked() -> String {
    text(&VI, "sms-account-locked", &[])
}

/// The SMS to the default phone after an operator unlocked the account.
pub(crate) fn account_unlocked() -> String {
    text(&VI, "sms-account-unlocked", &[])
}

/// The SMS to the default phone after an operator ended every session of the account.
pub(crate) fn sessions_ended() -> String {
    text(&VI, "sms-sessions-ended", &[])
}

/// The SMS to the phone an operator just made the default after an in-person check.
pub(crate) fn otp_phone_reset() -> String {
    text(&VI, "sms-otp-phone-reset", &[])
}

/// The SMS to a person just granted an operator role.
pub(crate) fn operator_role_granted(role: domain::OperatorRole) -> String {
    let role = text(&VI, &format!("sms-role-{}", role.as_str()), &[]);
    text(&VI, "sms-operator-role-granted", &[("role", role)])
}

/// The SMS to a person whose operator role was just revoked.
pub(crate) fn operator_role_revoked(role: domain::OperatorRole) -> String {
    let role = text(&VI, &format!("sms-role-{}", role.as_str()), &[]);
    text(&VI, "sms-operator-role-revoked", &[("role", role)])
}

/// The SMS inviting a person to act for an organisation (known by its tax or agency code:
/// ASCII, unlike its name), with the link to accept it while signed in.
pub(crate) fn invited(
    organisation: &str,
    role: store::OrgRole,
    link: &str,
    until: OffsetDateTime,
) -> String {
    text(
        &VI,
        "sms-organisation-invited",
        &[
            ("organisation", organisation.to_owned()),
            ("role", role_text(role)),
            ("link", link.to_owned()),
            ("until", vietnam_time(until)),
        ],
    )
}

pub(crate) fn member_added(organisation: &str, role: store::OrgRole) -> String {
    text(
        &VI,
        "sms-organisation-member-added",
        &[
            ("organisation", organisation.to_owned()),
            ("role", role_text(role)),
        ],
    )
}

pub(crate) fn member_role_changed(organisation: &str, role: store::OrgRole) -> String {
    text(
        &VI,
        "sms-organisation-role-changed",
        &[
            ("organisation", organisation.to_owned()),
            ("role", role_text(role)),
        ],
    )
}

pub(crate) fn member_removed(organisation: &str) -> String {
    text(
        &VI,
        "sms-organisation-member-removed",
        &[("organisation", organisation.to_owned())],
    )
}

fn role_text(role: store::OrgRole) -> String {
    text(
        &VI,
        &format!("sms-organisation-role-{}", role.as_str()),
        &[],
    )
}

/// The Vietnam Post activation e-mail: subject and text, with the link and until when it
/// works. The link is a credential: it is never logged.
pub(crate) fn post_activation_email(
    full_name: &str,
    link: &str,
    expires_at: OffsetDateTime,
) -> (String, String) {
    let subject = format!(
        "{} / {}",
        text(&VI, "email-post-activation-subject", &[]),
        text(&EN, "email-post-activation-subject", &[])
    );
    let args = [
        ("name", full_name.to_owned()),
        ("link", link.to_owned()),
        ("at", vietnam_time(expires_at)),
    ];
    (subject, bilingual("email-post-activation", &args))
}

/// The SMS to the default phone after postal staff checked the person's card at a counter.
pub(crate) fn proven_at_counter() -> String {
    text(&VI, "sms-proven-at-counter", &[])
}

/// `HH:MM DD/MM/YYYY` in Vietnam's time (UTC+7, no daylight saving).
fn vietnam_time(at: OffsetDateTime) -> String {
    let local = at.to_offset(time::macros::offset!(+7));
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        local.hour(),
        local.minute(),
        local.day(),
        u8::from(local.month()),
        local.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every SMS is plain ASCII (one GSM 7-bit part), whatever the purpose, and says its code.
    #[test]
    fn sms_are_ascii_and_carry_their_values() {
        let phone = PhoneNumber::parse("0912345678").unwrap();
        let at = time::macros::datetime!(2026-12-07 09:00 UTC);
        let purposes = [
            OtpPurpose::SignIn,
            OtpPurpose::Registration,
            OtpPurpose::Recovery,
            OtpPurpose::PhoneChange,
            OtpPurpose::AddPhone,
            OtpPurpose::ConfirmChange,
        ];
        let mut texts: Vec<String> = purposes.iter().map(|p| otp(*p, "123456", 5)).collect();
        texts.push(phone_change_scheduled(&phone, at, "ABCD2345"));
        texts.push(password_reset());
        texts.push(phone_added(&phone));
        texts.push(default_phone_changed(&phone));
        texts.push(phone_removed(&phone));
        texts.push(certificate_bound("VNPT Certification Authority"));
        texts.push(certificate_removed());
        texts.push(account_locked());
        texts.push(account_unlocked());
        texts.push(sessions_ended());
        texts.push(otp_phone_reset());
        for role in domain::OperatorRole::ALL {
            texts.push(operator_role_granted(role));
            texts.push(operator_role_revoked(role));
        }
        let role = store::OrgRole::Submitter;
        let invitation = invited("0101234567", role, "https://id.example/a/TOKEN", at);
        texts.push(invitation.clone());
        texts.push(member_added("0101234567", role));
        texts.push(member_role_changed("000.00.01.H26", store::OrgRole::Viewer));
        texts.push(member_removed("0101234567"));
        texts.push(proven_at_counter());
        for text in &texts {
            assert!(text.is_ascii(), "{text}");
            assert!(!text.contains("sms-"), "a key, not a text: {text}");
        }
        assert!(texts[0].contains("dang nhap") && texts[0].contains("123456"));
        assert!(texts[6].contains("16:00 07/12/2026") && texts[6].contains("ABCD2345"));
        assert!(
            invitation.contains("0101234567")
                && invitation.contains("nop ho so")
                && invitation.contains("https://id.example/a/TOKEN")
                && invitation.contains("16:00 07/12/2026"),
            "{invitation}"
        );
        assert!(texts[6].contains("09******78"));
    }

    #[test]
    fn e_mails_carry_both_languages() {
        let phone = PhoneNumber::parse("0912345678").unwrap();
        let at = time::macros::datetime!(2026-12-07 09:00 UTC);
        let (subject, body) = phone_change_scheduled_email(&phone, at, "ABCD2345");
        assert_eq!(
            subject,
            "Yêu cầu đổi số điện thoại nhận OTP / OTP phone change requested"
        );
        assert!(body.contains("Hủy đổi số điện thoại") && body.contains("Cancel a phone change"));
        assert_eq!(body.matches("ABCD2345").count(), 2);
        let link = "https://dichvucong.gov.vn/register/vietnam-post/activate/x?token=t";
        let (subject, body) = post_activation_email("Nguyễn Văn An", link, at);
        assert_eq!(
            subject,
            "Kích hoạt tài khoản Cổng Dịch vụ công quốc gia / Activate your National Public Service Portal account"
        );
        assert_eq!(body.matches(link).count(), 2);
        assert!(body.contains("Nguyễn Văn An") && body.contains("16:00 07/12/2026"));
    }
}
