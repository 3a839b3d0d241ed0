//! Redirect URI matching: an exact, case-sensitive string comparison with the registered list,
//! never a comparison of parsed-and-normalised URLs (normalisation is where `..`, `%2F`, case
//! and userinfo tricks slip through). The one exception is RFC 8252 §7.3: a native app's
//! loopback redirect (`http://127.0.0.1…`, `http://[::1]…`) may arrive with any port.

/// Whether `presented` is one of `registered`, or a port variation of a registered loopback URI.
pub fn is_registered(registered: &[String], presented: &str) -> bool {
    registered
        .iter()
        .any(|uri| uri == presented || loopback_port_variation(uri, presented))
}

/// The literal loopback hosts RFC 8252 recommends; `localhost` is not one of them (it can be
/// resolved elsewhere), so it gets no port freedom.
const LOOPBACK_PREFIXES: [&str; 2] = ["http://127.0.0.1", "http://[::1]"];

/// Both URIs start with the same loopback prefix, and what follows the (optional) port is the
/// same string. Works on the raw text: the byte after the host must be `:`, `/`, `?` or the
/// end, which rules out `http://127.0.0.1.evil.example` and `http://127.0.0.1@evil.example`.
fn loopback_port_variation(registered: &str, presented: &str) -> bool {
    LOOPBACK_PREFIXES.iter().any(|prefix| {
        match (
            after_loopback_port(registered, prefix),
            after_loopback_port(presented, prefix),
        ) {
            (Some(registered_rest), Some(presented_rest)) => registered_rest == presented_rest,
            _ => false,
        }
    })
}

/// What follows `prefix` and an optional `:port` (1–65535, digits only), when that remainder
/// is empty or starts a path or query.
fn after_loopback_port<'a>(uri: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = uri.strip_prefix(prefix)?;
    let rest = match rest.strip_prefix(':') {
        Some(port_and_rest) => {
            let digits = port_and_rest.bytes().take_while(u8::is_ascii_digit).count();
            let (port, rest) = port_and_rest.split_at_checked(digits)?;
            let port: u32 = port.parse().ok()?;
            if port == 0 || port > 65_535 || digits > 5 {
                return None;
            }
            rest
        }
        None => rest,
    };
    (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(uris: &[&str]) -> Vec<String> {
        uris.iter().map(|uri| (*uri).to_owned()).collect()
    }

    #[test]
    fn exact_match_only_for_ordinary_uris() {
        let registered = list(&["https://dichvucong.example.vn/oidc/callback?x=1"]);
        assert!(is_registered(
            &registered,
            "https://dichvucong.example.vn/oidc/callback?x=1"
        ));
        for trick in [
            // case changes
            "https://DichVuCong.example.vn/oidc/callback?x=1",
            "HTTPS://dichvucong.example.vn/oidc/callback?x=1",
            "https://dichvucong.example.vn/OIDC/callback?x=1",
            // extra path, query, fragment
            "https://dichvucong.example.vn/oidc/callback/extra?x=1",
            "https://dichvucong.example.vn/oidc/callback?x=1&y=2",
            "https://dichvucong.example.vn/oidc/callback?x=1#frag",
            "https://dichvucong.example.vn/oidc/callback",
            // dot segments and encoded slashes
            "https://dichvucong.example.vn/oidc/../oidc/callback?x=1",
            "https://dichvucong.example.vn/oidc/callback/..?x=1",
            "https://dichvucong.example.vn/oidc%2Fcallback?x=1",
            "https://dichvucong.example.vn/oidc/%63allback?x=1",
            // userinfo and host tricks
            "https://dichvucong.example.vn@evil.example/oidc/callback?x=1",
            "https://evil.example@dichvucong.example.vn/oidc/callback?x=1",
            "https://dichvucong.example.vn.evil.example/oidc/callback?x=1",
            "https://dichvucong.example.vn:443/oidc/callback?x=1",
            "https://dichvucong.example.vn:8443/oidc/callback?x=1",
            // scheme downgrade, whitespace
            "http://dichvucong.example.vn/oidc/callback?x=1",
            " https://dichvucong.example.vn/oidc/callback?x=1",
            "https://dichvucong.example.vn/oidc/callback?x=1 ",
            "",
        ] {
            assert!(!is_registered(&registered, trick), "{trick} was accepted");
        }
    }

    #[test]
    fn loopback_uris_may_vary_only_the_port() {
        let registered = list(&["http://127.0.0.1/callback", "http://[::1]:8080/cb?app=1"]);
        for accepted in [
            "http://127.0.0.1/callback",
            "http://127.0.0.1:51234/callback",
            "http://127.0.0.1:1/callback",
            "http://127.0.0.1:65535/callback",
            "http://[::1]:8080/cb?app=1",
            "http://[::1]/cb?app=1",
            "http://[::1]:49152/cb?app=1",
        ] {
            assert!(
                is_registered(&registered, accepted),
                "{accepted} was refused"
            );
        }
        for trick in [
            // userinfo, in every position
            "http://user@127.0.0.1:51234/callback",
            "http://127.0.0.1:51234@evil.example/callback",
            "http://127.0.0.1@evil.example/callback",
            "http://127.0.0.1:80@evil.example:80/callback",
            // host suffixes and other loopback spellings
            "http://127.0.0.1.evil.example/callback",
            "http://127.0.0.1.nip.io:51234/callback",
            "http://localhost:51234/callback",
            "http://127.0.0.2:51234/callback",
            "http://[::1]:51234/callback",
            "http://127.0.0.1:51234/cb?app=1",
            // path and query must stay exact
            "http://127.0.0.1:51234/callback/extra",
            "http://127.0.0.1:51234/Callback",
            "http://127.0.0.1:51234/x/../callback",
            "http://127.0.0.1:51234/callback%2F",
            "http://127.0.0.1:51234/callback?x=1",
            "http://127.0.0.1:51234/callback#x",
            "http://[::1]:49152/cb?app=2",
            // broken or out-of-range ports, scheme changes
            "http://127.0.0.1:/callback",
            "http://127.0.0.1:0/callback",
            "http://127.0.0.1:65536/callback",
            "http://127.0.0.1:000080/callback",
            "http://127.0.0.1:+80/callback",
            "https://127.0.0.1:51234/callback",
            "HTTP://127.0.0.1:51234/callback",
        ] {
            assert!(!is_registered(&registered, trick), "{trick} was accepted");
        }
    }

    #[test]
    fn a_registered_localhost_gets_no_port_freedom() {
        let registered = list(&["http://localhost:3000/cb"]);
        assert!(is_registered(&registered, "http://localhost:3000/cb"));
        assert!(!is_registered(&registered, "http://localhost:3001/cb"));
    }
}
