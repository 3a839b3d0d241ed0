//! Languages: negotiation, the language switch, and the translation files against the keys the
//! templates and handlers use.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use web::{ErrorKind, Lang, NoticeKind, Tr};

use super::serve;

/// The `lang` attribute of the page at `path`, fetched with `headers`.
async fn page_lang(base: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let content_language = response.headers()["content-language"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    let start = html
        .find("<html lang=\"")
        .expect("an html element with lang")
        + 12;
    let lang = html[start..].split('"').next().unwrap().to_owned();
    assert_eq!(content_language, lang, "{path}");
    lang
}

#[tokio::test]
async fn the_language_comes_from_query_then_cookie_then_accept_language_then_vietnamese() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    assert_eq!(page_lang(&base, "/", &[]).await, "vi");
    assert_eq!(page_lang(&base, "/?lang=en", &[]).await, "en");
    assert_eq!(page_lang(&base, "/?lang=fr", &[]).await, "vi");
    assert_eq!(
        page_lang(&base, "/", &[(COOKIE.as_str(), "__Host-lang=en")]).await,
        "en"
    );
    // A cookie without the prefix could have been set by a sibling domain: ignored.
    assert_eq!(
        page_lang(&base, "/", &[(COOKIE.as_str(), "lang=en")]).await,
        "vi"
    );
    let english_browser = (ACCEPT_LANGUAGE.as_str(), "en-US,en;q=0.9,vi;q=0.5");
    assert_eq!(page_lang(&base, "/", &[english_browser]).await, "en");
    assert_eq!(
        page_lang(
            &base,
            "/",
            &[(ACCEPT_LANGUAGE.as_str(), "fr-FR, vi;q=0.8, en;q=0.7")]
        )
        .await,
        "vi"
    );
    // Query over cookie, cookie over Accept-Language.
    assert_eq!(
        page_lang(&base, "/?lang=vi", &[(COOKIE.as_str(), "__Host-lang=en")]).await,
        "vi"
    );
    assert_eq!(
        page_lang(
            &base,
            "/",
            &[(COOKIE.as_str(), "__Host-lang=vi"), english_browser]
        )
        .await,
        "vi"
    );
}

#[tokio::test]
async fn the_language_switch_remembers_the_choice_and_goes_back_only_to_local_pages() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let switch = |lang: &str, next: &str| {
        client
            .get(format!("{base}/lang/{lang}"))
            .query(&[("next", next)])
            .send()
    };

    let response = switch("en", "/login?x=1").await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/login?x=1");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("__Host-lang=en;"), "{cookie}");
    for attribute in ["Path=/", "Secure", "SameSite=Lax", "Max-Age=31536000"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");

    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "",
    ] {
        let response = switch("vi", evil).await.unwrap();
        assert_eq!(response.status(), 303, "{evil:?}");
        assert_eq!(response.headers()[LOCATION], "/", "{evil:?}");
    }
    let without_next = client.get(format!("{base}/lang/en")).send().await.unwrap();
    assert_eq!(without_next.headers()[LOCATION], "/");

    let unknown = client.get(format!("{base}/lang/fr")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(unknown.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_header_links_to_the_switch_for_the_same_page() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let html = reqwest::get(format!("{base}/no-such-page?a=1&lang=en"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The `lang=` that chose English is dropped, or it would override the switch.
    assert!(
        html.contains(r#"href="/lang/vi?next=/no-such-page%3Fa%3D1""#),
        "{html}"
    );
    assert!(html.contains(r#"lang="en" hreflang="en" aria-current="true">English<"#));
    assert!(!html.contains(r#"hreflang="vi" aria-current"#));
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The message keys of a Fluent file (terms, `-name`, and comments are not messages).
fn ftl_keys(lang: &str) -> BTreeSet<String> {
    let path = crate_dir().join(format!("locales/{lang}/main.ftl"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('='))
        .map(|(key, _)| key.trim().to_owned())
        .collect()
}

fn files(dir: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

/// Every literal key passed to `t(`, `t_args(` or `t_count(` in the templates and sources.
fn used_keys() -> BTreeSet<(String, PathBuf)> {
    let mut paths = Vec::new();
    files(&crate_dir().join("templates"), "html", &mut paths);
    files(&crate_dir().join("src"), "rs", &mut paths);
    let mut keys = BTreeSet::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        for call in [".t(\"", ".t_args(\"", ".t_count(\""] {
            for (at, _) in text.match_indices(call) {
                let rest = &text[at + call.len()..];
                let key = rest.split('"').next().unwrap();
                keys.insert((key.to_owned(), path.clone()));
            }
        }
    }
    keys
}

#[test]
fn both_languages_have_the_same_keys_and_every_used_key() {
    let vi = ftl_keys("vi");
    let en = ftl_keys("en");
    assert!(vi.len() > 50, "{vi:?}");
    let only_vi: Vec<_> = vi.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&vi).collect();
    assert!(
        only_vi.is_empty() && only_en.is_empty(),
        "only in vi: {only_vi:?}; only in en: {only_en:?}"
    );

    let used = used_keys();
    assert!(used.len() > 40, "the scan found too little: {used:?}");
    let missing: Vec<_> = used.iter().filter(|(key, _)| !vi.contains(key)).collect();
    assert!(missing.is_empty(), "keys used but not defined: {missing:?}");

    // Keys chosen at run time rather than written out in a call.
    let dynamic = ErrorKind::ALL
        .iter()
        .flat_map(|kind| {
            let (title, message) = kind.keys();
            [title, message]
        })
        .chain(
            [NoticeKind::Info, NoticeKind::Success, NoticeKind::Error].map(NoticeKind::label_key),
        );
    for key in dynamic {
        for lang in Lang::ALL {
            // The translator itself must find them, not only this test's reading of the files.
            assert!(Tr::new(lang, "/").has(key), "{key} in {lang:?}");
        }
    }
}

#[test]
fn arguments_and_plurals_are_filled_in() {
    let vi = Tr::new(Lang::Vi, "/");
    let en = Tr::new(Lang::En, "/");
    assert_eq!(
        vi.t_args("field-otp-hint", &[("phone", "09******78")]),
        "Mã gồm 6 chữ số đã gửi đến số điện thoại 09******78"
    );
    assert_eq!(
        en.t_args("otp-resend-wait", &[("seconds", "{s}")]),
        "Resend OTP ({s}s)"
    );
    assert_eq!(
        en.t_count("otp-resend-wait", "seconds", 45),
        "Resend OTP (45s)"
    );
    // A missing key shows itself rather than failing the page.
    assert_eq!(vi.t("no-such-key"), "no-such-key");
    assert!(!vi.has("no-such-key"));
}
