//! Which language a request gets: an explicit `?lang=` wins, then the remembered choice (the
//! `__Host-lang` cookie), then the browser's `Accept-Language`, then Vietnamese.

use axum::http::{HeaderMap, Uri, header};

use super::{LANG_COOKIE, Lang};
use crate::cookies;

pub fn negotiate(uri: &Uri, headers: &HeaderMap) -> Lang {
    from_query(uri.query())
        .or_else(|| cookies::read(headers, LANG_COOKIE).and_then(|code| Lang::from_code(&code)))
        .or_else(|| from_accept_language(headers))
        .unwrap_or_default()
}

pub(super) fn from_query(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::from_code)
}

/// The supported language with the highest weight; on equal weights the one listed first.
/// `vi-VN` counts as `vi`; `q=0` means "not this one".
fn from_accept_language(headers: &HeaderMap) -> Option<Lang> {
    let mut best: Option<(Lang, u16)> = None;
    let items = headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for item in items {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(lang) = Lang::from_code(primary) else {
            continue;
        };
        let weight = parts
            .find_map(|param| param.trim().strip_prefix("q="))
            .map_or(1000, per_mille);
        if weight > 0 && best.is_none_or(|(_, best_weight)| weight > best_weight) {
            best = Some((lang, weight));
        }
    }
    best.map(|(lang, _)| lang)
}

/// A quality value (RFC 9110: `0`, `0.8`, `0.125`, `1`, `1.000`) in thousandths; junk is 0.
fn per_mille(q: &str) -> u16 {
    let (whole, fraction) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().unwrap_or(0);
    match whole {
        "0" => thousandths,
        "1" if thousandths == 0 => 1000,
        _ => 0,
    }
}

/// `path` without its `lang=` query parameters: after a switch the remembered choice must
/// win, which a `?lang=` left in the address would override.
pub(super) fn without_lang_param(path: &str) -> String {
    let Some((path, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &'static str) -> Option<Lang> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(value));
        from_accept_language(&headers)
    }

    #[test]
    fn accept_language_follows_weights_and_order() {
        assert_eq!(accept("en-US,en;q=0.9,vi;q=0.8"), Some(Lang::En));
        assert_eq!(accept("vi-VN,vi;q=0.9,en;q=0.8"), Some(Lang::Vi));
        assert_eq!(accept("fr, en;q=0.5, vi;q=0.7"), Some(Lang::Vi));
        assert_eq!(accept("en;q=0, vi;q=0.1"), Some(Lang::Vi));
        assert_eq!(accept("fr-FR, de"), None);
        assert_eq!(accept("en;q=junk"), None);
        assert_eq!(accept("en;q=0.125, vi;q=0.12"), Some(Lang::En));
    }

    #[test]
    fn lang_parameters_are_dropped_from_the_return_path() {
        assert_eq!(without_lang_param("/login?lang=en"), "/login");
        assert_eq!(
            without_lang_param("/login?next=%2Fa&lang=en&x=1"),
            "/login?next=%2Fa&x=1"
        );
        assert_eq!(without_lang_param("/"), "/");
    }
}
