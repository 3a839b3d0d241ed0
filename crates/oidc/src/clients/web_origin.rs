//! The web origins a browser-based client registers for CORS: `scheme://host[:port]` as a
//! browser writes it in `Origin` (lower-case host, default port left out), https unless the
//! host is a loopback IP literal, and nothing after the authority.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The origin as browsers send it, or why `text` is not one.
pub fn web_origin(text: &str) -> Result<String, String> {
    if text.trim() != text || text.is_empty() {
        return Err(format!(
            "{text:?} must not be empty or have spaces around it"
        ));
    }
    let url = Url::parse(text).map_err(|error| {
        format!("{text} is not an origin such as https://app.example.vn ({error})")
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{text} must not carry user credentials"));
    }
    // `Url` adds "/" to an empty path; any other path, a query or a fragment is not an origin.
    let bare = text.strip_suffix('/').unwrap_or(text);
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() || bare.ends_with('/')
    {
        return Err(format!(
            "{text} must be only scheme://host[:port], without a path, query or fragment"
        ));
    }
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => {}
        ("http", Some(Host::Ipv4(ip))) if ip == Ipv4Addr::LOCALHOST => {}
        ("http", Some(Host::Ipv6(ip))) if ip == Ipv6Addr::LOCALHOST => {}
        _ => {
            return Err(format!(
                "{text} must use https (http only for http://127.0.0.1 or http://[::1])"
            ));
        }
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_kept_as_browsers_write_them() {
        for (given, kept) in [
            ("https://app.example.vn", "https://app.example.vn"),
            ("https://App.Example.VN/", "https://app.example.vn"),
            ("https://app.example.vn:443", "https://app.example.vn"),
            ("https://app.example.vn:8443", "https://app.example.vn:8443"),
            ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
            ("http://[::1]:3000", "http://[::1]:3000"),
            ("https://dịchvụ.vn", "https://xn--dchv-5w5a1g.vn"),
        ] {
            assert_eq!(web_origin(given).as_deref(), Ok(kept), "{given}");
        }
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for refused in [
            "",
            " https://app.example.vn",
            "app.example.vn",
            "*",
            "null",
            "https://app.example.vn/callback",
            "https://app.example.vn//",
            "https://app.example.vn?x=1",
            "https://app.example.vn#x",
            "https://user@app.example.vn",
            "http://app.example.vn",
            "http://localhost:3000",
            "ftp://app.example.vn",
            "file:///etc",
        ] {
            assert!(web_origin(refused).is_err(), "{refused:?}");
        }
    }
}
