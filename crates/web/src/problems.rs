//! A flow's refusals in the person's language. Each `Problem` code has a message
//! `problem-<code with dashes>` in the translation files; a field that broke an identifier
//! rule adds that rule's own sentence.

use flows::Problem;

use crate::forms::Link;
use crate::i18n::{Lang, Tr};

pub fn message(problem: &Problem, tr: &Tr) -> String {
    let key = key(problem.code);
    let retry = problem
        .retry_after_secs
        .map(|secs| ((secs + 59) / 60).to_string())
        .unwrap_or_default();
    let seconds = problem.retry_after_secs.unwrap_or_default().to_string();
    let left = problem.attempts_left.unwrap_or_default().to_string();
    let field = problem
        .field
        .map(|field| tr.t(label_key(field)))
        .unwrap_or_default();
    let args = [
        ("minutes", &retry),
        ("seconds", &seconds),
        ("left", &left),
        ("field", &field),
    ];
    let mut text = tr.t_args(&key, &args);
    if let Some(detail) = &problem.detail {
        let sentence = match tr.lang() {
            Lang::Vi => &detail.vi,
            Lang::En => &detail.en,
        };
        text = format!("{text} {}", capitalised(sentence));
    }
    text
}

/// Where the person can go from a refusal: an ID number that already has an account leads to
/// signing in and to recovering the password.
pub fn links(problem: &Problem, tr: &Tr) -> Vec<Link> {
    match problem.code {
        "account.exists" => vec![
            Link::new("/login", tr.t("action-sign-in")),
            Link::new("/recovery", tr.t("action-forgot-password")),
        ],
        // A certificate that opens no account: register with it first.
        "certificate.not_bound" => vec![Link::new("/register", tr.t("action-register"))],
        // A Vietnam Post link that cannot be used: start again (or sign in, if it was).
        "post.link_invalid" | "post.link_expired" => {
            vec![Link::new(
                "/register/vietnam-post",
                tr.t("post-link-restart"),
            )]
        }
        "post.link_used" => vec![
            Link::new("/login", tr.t("action-sign-in")),
            Link::new("/register/vietnam-post", tr.t("post-link-restart")),
        ],
        _ => Vec::new(),
    }
}

/// The translation key of a form field's label, for messages that name the field.
fn label_key(field: &str) -> &'static str {
    match field {
        "identifier" => "field-username",
        "password" => "field-password",
        "current" => "field-password-current",
        "new" => "field-password-new",
        "confirm" => "field-password-confirm",
        "captcha" => "field-captcha",
        "code" => "field-otp",
        "full_name" => "field-full-name",
        "personal_id" => "field-personal-id",
        "birth_date" => "field-birth-date",
        "gender" => "field-gender",
        "phone" => "field-phone",
        "email" => "field-email",
        "bhxh_code" => "field-bhxh-code",
        "tax_code" => "operator-tax-code",
        "reason" => "operator-reason",
        "document" => "operator-document",
        "by" => "operator-search-by",
        "role" => "operator-role",
        "activation" => "field-activation",
        "document_number" => "field-document-number",
        "note" => "field-note",
        _ => "field-value",
    }
}

pub fn key(code: &str) -> String {
    format!("problem-{}", code.replace(['.', '_'], "-"))
}

fn capitalised(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use flows::Problem;

    use super::message;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn field_messages_name_their_field() {
        let vi = Tr::new(Lang::Vi, "/");
        let en = Tr::new(Lang::En, "/");
        let required = Problem::field("full_name", "field.required");
        assert_eq!(message(&required, &vi), "Họ và tên không được để trống.");
        assert_eq!(message(&required, &en), "Full name is required.");
        let wrong = Problem::field("code", "otp.wrong").attempts_left(2);
        assert_eq!(message(&wrong, &en), "The OTP is wrong. Attempts left: 2.");
    }

    /// A personal ID that contradicts the typed gender is said on the gender, in words about
    /// the ID and the gender (with what the ID holds), not as an invalid ID.
    #[test]
    fn a_gender_the_id_contradicts_is_worded_as_such() {
        let id = domain::PersonalId::parse("001092012345").unwrap();
        let invalid = id
            .check_consistent(time::macros::date!(1992 - 01 - 21), domain::Gender::Female)
            .unwrap_err();
        let problem = Problem::field("gender", "personal_id.gender_mismatch").explained(&invalid);
        let vi = message(&problem, &Tr::new(Lang::Vi, "/"));
        let en = message(&problem, &Tr::new(Lang::En, "/"));
        assert!(
            vi.starts_with("Giới tính không khớp với số định danh cá nhân"),
            "{vi}"
        );
        assert!(
            en.starts_with("The gender does not match the personal ID number"),
            "{en}"
        );
        assert!(!en.contains("not valid"), "{en}");
    }

    /// An outage names the system that is not answering and is not the person's fault; a
    /// BHXH record that disagrees is not worded as the population database's.
    #[test]
    fn outages_and_mismatches_name_their_system() {
        let vi = Tr::new(Lang::Vi, "/");
        let en = Tr::new(Lang::En, "/");
        let say = |code, tr: &Tr| message(&Problem::form(code), tr);
        assert_eq!(
            say("population.unavailable", &vi),
            "Hệ thống Cơ sở dữ liệu quốc gia về dân cư tạm thời không phản hồi, vui lòng thử lại sau."
        );
        assert_eq!(
            say("bhxh.unavailable", &en),
            "The social insurance (BHXH) system is temporarily not responding, please try again later."
        );
        assert!(
            say("sms.unavailable", &vi)
                .starts_with("Hệ thống tin nhắn SMS tạm thời không phản hồi")
        );
        assert!(
            say("sms.unavailable", &en).starts_with("The SMS system is temporarily not responding")
        );
        for tr in [&vi, &en] {
            assert!(say("bhxh.mismatch", tr).contains("BHXH"));
            assert!(!say("bhxh.mismatch", tr).contains(&say("identity.mismatch", tr)));
        }
    }

    /// "Already has an account" leads to signing in and to recovering the password.
    #[test]
    fn an_existing_account_links_to_sign_in_and_recovery() {
        let en = Tr::new(Lang::En, "/");
        let links = super::links(&Problem::form("account.exists"), &en);
        let hrefs: Vec<_> = links.iter().map(|link| link.href.as_str()).collect();
        assert_eq!(hrefs, ["/login", "/recovery"]);
        assert_eq!(links[0].label, en.t("action-sign-in"));
        assert!(super::links(&Problem::form("otp.wrong"), &en).is_empty());
    }
}
