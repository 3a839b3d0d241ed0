//! Cookies of dvcid: always `__Host-` cookies (Secure, `Path=/`, no `Domain`), so that no
//! other host or path can set or shadow them; HttpOnly unless a page's script must read one.
//! Browsers accept Secure cookies on `http://localhost` and `http://127.0.0.1`, which the demo uses.

use std::fmt;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::Cookie;

const PREFIX: &str = "__Host-";

/// How a cookie travels with requests started by other sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on top-level navigations from other sites (links), not on their forms or fetches.
    Lax,
    /// Never sent on requests started by another site.
    Strict,
}

/// A `Set-Cookie` for the cookie `__Host-{name}`. HttpOnly, `SameSite=Lax` and ending with
/// the browser session unless said otherwise.
#[derive(Debug, Clone)]
pub struct HostCookie<'a> {
    name: &'a str,
    value: &'a str,
    same_site: SameSite,
    http_only: bool,
    max_age: Option<Duration>,
}

/// A cookie name or value with characters a cookie cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCookie {
    name: String,
}

impl fmt::Display for InvalidCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cookie {PREFIX}{} has a name or value it cannot carry",
            self.name
        )
    }
}

impl std::error::Error for InvalidCookie {}

impl<'a> HostCookie<'a> {
    /// `name` without the `__Host-` prefix, which is added.
    pub fn new(name: &'a str, value: &'a str) -> Self {
        HostCookie {
            name,
            value,
            same_site: SameSite::Lax,
            http_only: true,
            max_age: None,
        }
    }

    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// Leaves out HttpOnly: only for cookies that hold nothing secret.
    pub fn readable_by_scripts(mut self) -> Self {
        self.http_only = false;
        self
    }

    /// Kept this long instead of until the browser session ends.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    pub fn header_value(&self) -> Result<HeaderValue, InvalidCookie> {
        let invalid = || InvalidCookie {
            name: self.name.to_owned(),
        };
        if !is_token(self.name) || !self.value.bytes().all(is_cookie_octet) {
            return Err(invalid());
        }
        let mut cookie = Cookie::build((format!("{PREFIX}{}", self.name), self.value))
            .path("/")
            .secure(true)
            .http_only(self.http_only)
            .same_site(match self.same_site {
                SameSite::Lax => cookie::SameSite::Lax,
                SameSite::Strict => cookie::SameSite::Strict,
            });
        if let Some(max_age) = self.max_age {
            let seconds = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
            cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
        }
        HeaderValue::try_from(cookie.to_string()).map_err(|_| invalid())
    }
}

/// A `Set-Cookie` that makes the browser forget `__Host-{name}`.
pub fn removal(name: &str) -> Result<HeaderValue, InvalidCookie> {
    HostCookie::new(name, "")
        .max_age(Duration::ZERO)
        .header_value()
}

/// The value of the cookie `__Host-{name}` sent with a request, if any. A cookie of the same
/// name without the prefix is ignored: anyone on a sibling domain could have set it.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    let wanted = format!("{PREFIX}{name}");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == wanted)
        .map(|cookie| cookie.value().to_owned())
}

/// RFC 6265 `token` (RFC 2616 `token`): visible ASCII without separators.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 `cookie-octet`: visible ASCII except `"`, `,`, `;` and `\`.
fn is_cookie_octet(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_cookies_carry_the_prefix_and_attributes() {
        let value = HostCookie::new("session", "abc")
            .same_site(SameSite::Strict)
            .max_age(Duration::from_secs(60))
            .header_value()
            .unwrap();
        let text = value.to_str().unwrap();
        assert!(text.starts_with("__Host-session=abc"), "{text}");
        for attribute in [
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
            "Max-Age=60",
        ] {
            assert!(text.contains(attribute), "{attribute} in {text}");
        }
        assert!(!text.contains("Domain"), "{text}");
        let readable = HostCookie::new("lang", "vi")
            .readable_by_scripts()
            .header_value()
            .unwrap();
        assert!(!readable.to_str().unwrap().contains("HttpOnly"));
        assert!(HostCookie::new("x", "a;b").header_value().is_err());
        assert!(HostCookie::new("x=y", "a").header_value().is_err());
        assert!(
            removal("x")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn only_the_prefixed_cookie_is_read() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("lang=en; a=1"));
        headers.append(header::COOKIE, HeaderValue::from_static("__Host-lang=vi"));
        assert_eq!(read(&headers, "lang").as_deref(), Some("vi"));
        assert_eq!(read(&headers, "a"), None);
    }
}
