//! The languages of the pages, Vietnamese first and English second: which one a request gets
//! (`negotiate`), and the translator `Tr` that handlers and templates use. The texts live in
//! `locales/{vi,en}/main.ftl` and are compiled into the binary.

mod negotiate;
mod switch;

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

pub use negotiate::negotiate;

pub use crate::auth::Viewer;
pub(crate) use switch::{remember_query_language, routes};

/// Name of the cookie (sent as `__Host-lang`) that remembers the language a person chose.
pub const LANG_COOKIE: &str = "lang";

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        // Both languages run left to right, and the texts end up in HTML attributes and in the
        // countdown's template: Unicode isolation marks around arguments would only get in the way.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Tiếng Việt, the portal's language and the default.
    #[default]
    Vi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The BCP 47 tag, for `<html lang>`, cookies and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses a primary language subtag (`vi`, `EN`); regions and scripts are the caller's job.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code().eq_ignore_ascii_case(code))
    }

    /// The language's name in itself: a switch must be readable by those who need it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(negotiate(&parts.uri, &parts.headers))
    }
}

/// The translator a page is rendered with. It also carries what the layout around every page
/// shows: the address of the page (the language switch brings the person back to it) and who
/// is signed in (the header's name and sign-out button).
#[derive(Debug, Clone)]
pub struct Tr {
    lang: Lang,
    here: String,
    viewer: Option<Viewer>,
}

/// One entry of the language switch in the page header.
#[derive(Debug, Clone)]
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

impl Tr {
    /// `here` is the path (and query) of the page; anything but a local path is replaced by `/`.
    pub fn new(lang: Lang, here: &str) -> Tr {
        let here = switch::local_path(here).unwrap_or("/");
        Tr {
            lang,
            here: negotiate::without_lang_param(here),
            viewer: None,
        }
    }

    /// The same translator for a page whose header shows `viewer` as signed in.
    pub fn with_viewer(mut self, viewer: Option<Viewer>) -> Tr {
        self.viewer = viewer;
        self
    }

    /// Who is signed in, if the request had a live session.
    pub fn viewer(&self) -> Option<&Viewer> {
        self.viewer.as_ref()
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The path (and query) of the page being shown, without `lang=`.
    pub fn here(&self) -> &str {
        &self.here
    }

    /// The text of `key`. A missing key shows the key itself (and is logged) rather than
    /// failing the page; the tests check that every key used exists in both languages.
    pub fn t(&self, key: &str) -> String {
        self.lookup(key, None)
    }

    /// The text of `key` with its `{ $name }` placeables filled in.
    pub fn t_args<V: AsRef<str>>(&self, key: &str, args: &[(&str, V)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| {
                let value = FluentValue::from(value.as_ref().to_owned());
                (Cow::Owned((*name).to_owned()), value)
            })
            .collect();
        self.lookup(key, Some(&args))
    }

    /// The text of `key` with the number `n` as `{ $name }`, so that plural forms
    /// (`[one] … *[other] …`) choose by the number's value.
    pub fn t_count(&self, key: &str, name: &str, n: i64) -> String {
        let args = HashMap::from([(Cow::Owned(name.to_owned()), FluentValue::from(n))]);
        self.lookup(key, Some(&args))
    }

    /// Whether `key` exists in this language (without falling back to the other one).
    pub fn has(&self, key: &str) -> bool {
        LOCALES
            .lookup_single_language::<&str>(self.lang.id(), key, None)
            .is_ok()
    }

    /// The entries of the language switch, the current language marked.
    pub fn language_links(&self) -> Vec<LangLink> {
        Lang::ALL
            .into_iter()
            .map(|lang| LangLink {
                code: lang.code(),
                name: lang.native_name(),
                href: switch::href(lang, &self.here),
                current: lang == self.lang,
            })
            .collect()
    }

    fn lookup(&self, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue>>) -> String {
        match LOCALES.try_lookup_complete(self.lang.id(), key, args) {
            Some(text) => text,
            None => {
                tracing::error!(key, lang = self.lang.code(), "missing translation");
                key.to_owned()
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let lang = negotiate(&parts.uri, &parts.headers);
        // Under a nested router `parts.uri` lacks the prefix; the switch needs the full path.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let here = uri.path_and_query().map_or("/", |path| path.as_str());
        // Put there by `auth::recognise`, which looked the session up once for the request.
        let viewer = parts.extensions.get::<Viewer>().cloned();
        Ok(Tr::new(lang, here).with_viewer(viewer))
    }
}
