//! A flow's refusals in the person's language. Each `Problem` code has a message
//! `problem-<code with dashes>` in the translation files; a field that broke an identifier
//! rule adds that rule's own sentence.

use flows::Problem;

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
}
