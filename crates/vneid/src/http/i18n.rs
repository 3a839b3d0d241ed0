//! The provider's two languages, Vietnamese first: which one a request gets (`?lang=`, then
//! the `vneid_lang` cookie, then `Accept-Language`) and the translator the templates call. The
//! texts are VNeID's own (`locales/{vi,en}/vneid.ftl`), compiled into the binary.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::HeaderMap;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

pub const LANG_COOKIE: &str = "vneid_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("vi") {
            Some(Lang::Vi)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// `?lang=`, the cookie, then the first language of `Accept-Language` spoken here.
    pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(lang) = query_lang.and_then(Lang::from_code) {
            return lang;
        }
        if let Some(lang) = super::cookie(headers, LANG_COOKIE).and_then(|c| Lang::from_code(&c)) {
            return lang;
        }
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value
                    .split(',')
                    .filter_map(|part| part.split(';').next())
                    .find_map(|tag| Lang::from_code(tag.trim()))
            })
            .unwrap_or_default()
    }
}

/// The translator of one page.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: Lang,
    /// The page's path, for the language links.
    here: String,
}

impl Tr {
    pub fn new(lang: Lang, here: &str) -> Tr {
        let here = if here.starts_with('/') && !here.starts_with("//") {
            here.to_owned()
        } else {
            "/".to_owned()
        };
        Tr { lang, here }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    fn id(&self) -> &'static LanguageIdentifier {
        match self.lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// A missing key shows the key rather than failing the page (the tests check both
    /// languages have every key).
    pub fn t(&self, key: &str) -> String {
        self.lookup(key, None)
    }

    fn lookup(
        &self,
        key: &str,
        args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>,
    ) -> String {
        LOCALES
            .try_lookup_complete(self.id(), key, args)
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(
            Cow::Owned(name.to_owned()),
            FluentValue::from(value.to_owned()),
        );
        self.lookup(key, Some(&args))
    }

    /// The same page in the other language.
    pub fn other_lang_href(&self) -> String {
        let other = match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        };
        let (path, query) = self.here.split_once('?').unwrap_or((&self.here, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
            .collect();
        let mut href = format!("{path}?");
        for pair in kept {
            href.push_str(pair);
            href.push('&');
        }
        href.push_str("lang=");
        href.push_str(other);
        href
    }

    pub fn other_lang_name(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "English",
            Lang::En => "Tiếng Việt",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{PasscodeRefusal, PasswordRefusal, QuestionsRefusal};
    use crate::service::Refusal;

    fn keys(text: &str) -> std::collections::BTreeSet<&str> {
        text.lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|line| line.split(" =").next())
            .collect()
    }

    #[test]
    fn both_languages_have_every_key() {
        let vi = keys(include_str!("../../locales/vi/vneid.ftl"));
        let en = keys(include_str!("../../locales/en/vneid.ftl"));
        assert_eq!(vi, en);
        let refusals = [
            Refusal::NoApplication,
            Refusal::NotApproved,
            Refusal::PhoneMismatch,
            Refusal::AlreadyActive,
            Refusal::AccountLocked,
            Refusal::TooManyChecks,
            Refusal::SmsBudget,
            Refusal::SmsUnavailable,
            Refusal::WrongOtp { attempts_left: 1 },
            Refusal::OtpExpired,
            Refusal::OtpAttemptsUsed,
            Refusal::ResendTooSoon,
            Refusal::ResendsUsed,
            Refusal::FlowGone,
            Refusal::InvalidCredentials,
            Refusal::WrongPasscode,
            Refusal::Password(PasswordRefusal::TooShort),
            Refusal::Password(PasswordRefusal::TooLong),
            Refusal::Password(PasswordRefusal::NoUpper),
            Refusal::Password(PasswordRefusal::NoLower),
            Refusal::Password(PasswordRefusal::NoDigit),
            Refusal::Password(PasswordRefusal::NoSpecial),
            Refusal::Password(PasswordRefusal::Mismatch),
            Refusal::Passcode(PasscodeRefusal::NotSixDigits),
            Refusal::Passcode(PasscodeRefusal::Sequence),
            Refusal::Passcode(PasscodeRefusal::SameDigits),
            Refusal::Passcode(PasscodeRefusal::BirthDate),
            Refusal::Passcode(PasscodeRefusal::Mismatch),
            Refusal::Questions(QuestionsRefusal::UnknownQuestion),
            Refusal::Questions(QuestionsRefusal::SameQuestion),
            Refusal::Questions(QuestionsRefusal::EmptyAnswer),
            Refusal::Questions(QuestionsRefusal::AnswerTooLong),
        ];
        for refusal in refusals {
            assert!(vi.contains(refusal.key()), "{}", refusal.key());
        }
        let tr = Tr::new(Lang::En, "/login?lang=en&x=1");
        assert_eq!(tr.t("action-sign-in"), "Sign in");
        assert_eq!(tr.other_lang_href(), "/login?x=1&lang=vi");
        assert_eq!(
            tr.t1("refused-wrong-otp", "left", "2"),
            "The code is wrong. 2 attempts left."
        );
    }
}
