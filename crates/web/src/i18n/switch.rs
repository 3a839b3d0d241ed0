//! The language switch: `GET /lang/{vi|en}?next=/path` remembers the choice in a cookie and
//! goes back to `next`. `next` is followed only when it is a path on this site, so that the
//! switch cannot be used to send people elsewhere (an open redirect).

use std::fmt::Write;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{LANG_COOKIE, Lang, Tr};
use crate::cookies::HostCookie;
use crate::errors::{ErrorKind, ErrorPage};
use crate::page::Format;

const ONE_YEAR: Duration = Duration::from_secs(365 * 24 * 60 * 60);

pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/lang/{code}", get(switch))
}

#[derive(Deserialize)]
struct SwitchQuery {
    next: Option<String>,
}

async fn switch(
    Path(code): Path<String>,
    query: Result<Query<SwitchQuery>, axum::extract::rejection::QueryRejection>,
    tr: Tr,
    format: Format,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return ErrorPage::new(ErrorKind::NotFound, &tr).respond(&tr, format);
    };
    let next = query.ok().and_then(|Query(query)| query.next);
    let target = next.as_deref().and_then(local_path).unwrap_or("/");
    let mut response = Redirect::to(target).into_response();
    remember(&mut response, lang);
    response
}

/// Sets the language cookie on `response`. HttpOnly like every cookie here: the pages'
/// script has no use for it.
fn remember(response: &mut Response, lang: Lang) {
    match HostCookie::new(LANG_COOKIE, lang.code())
        .max_age(ONE_YEAR)
        .header_value()
    {
        Ok(cookie) => {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        Err(error) => tracing::error!(%error, "cannot set the language cookie"),
    }
}

/// A page asked for with `?lang=` keeps that language afterwards: the choice goes into the
/// cookie, so that redirects (a flow's start) and later clicks keep it.
pub(crate) async fn remember_query_language(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let asked = super::negotiate::from_query(request.uri().query());
    let current = crate::cookies::read(request.headers(), LANG_COOKIE);
    let mut response = next.run(request).await;
    if let Some(lang) = asked.filter(|lang| current.as_deref() != Some(lang.code())) {
        remember(&mut response, lang);
    }
    response
}

/// `path` if it is a path on this site: it starts with one `/` (not `//` nor `/\`, which
/// browsers read as another host) and holds only visible ASCII (browsers drop tabs and line
/// breaks, which would turn `/\t/evil` into `//evil`, and treat `\` as `/`).
pub(crate) fn local_path(path: &str) -> Option<&str> {
    let mut bytes = path.bytes();
    let starts_well = bytes.next() == Some(b'/') && !matches!(bytes.next(), Some(b'/' | b'\\'));
    let visible_ascii = path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    (starts_well && visible_ascii).then_some(path)
}

/// The switch's address for `lang`, coming back to `here`.
pub(super) fn href(lang: Lang, here: &str) -> String {
    let mut href = format!("/lang/{}?next=", lang.code());
    for byte in here.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'.' | b'_' | b'~') {
            href.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(href, "%{byte:02X}");
        }
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for good in ["/", "/login", "/login?next=%2F&x=1", "/a/b#c"] {
            assert_eq!(local_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "login",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\t/evil.example",
            "/a b",
            "/đăng-nhập",
            "/a\\b",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_return_path_is_percent_encoded() {
        assert_eq!(
            href(Lang::En, "/login?x=1&y=2"),
            "/lang/en?next=/login%3Fx%3D1%26y%3D2"
        );
    }
}
