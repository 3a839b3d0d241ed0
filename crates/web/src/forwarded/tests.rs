use super::*;

fn proxies(networks: &[&str]) -> TrustedProxies {
    TrustedProxies::new(networks.iter().map(|n| n.parse().unwrap()).collect())
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn client(trusted: &[&str], peer: &str, pairs: &[(&str, &str)]) -> IpAddr {
    proxies(trusted).client_address(ip(peer), &headers(pairs))
}

const LB: &[&str] = &["10.0.0.0/8", "::1/128"];

#[test]
fn without_trusted_proxies_the_peer_is_the_client() {
    let spoofed = [
        ("x-forwarded-for", "198.51.100.7"),
        ("forwarded", "for=198.51.100.7"),
    ];
    assert_eq!(client(&[], "203.0.113.5", &spoofed), ip("203.0.113.5"));
}

#[test]
fn an_untrusted_peer_cannot_spoof_its_address() {
    for pair in [
        ("x-forwarded-for", "10.1.1.1"),
        ("forwarded", "for=198.51.100.7"),
    ] {
        assert_eq!(
            client(LB, "203.0.113.5", &[pair]),
            ip("203.0.113.5"),
            "{pair:?}"
        );
    }
}

#[test]
fn a_trusted_proxy_names_the_client() {
    let xff = [("x-forwarded-for", "198.51.100.7")];
    assert_eq!(client(LB, "10.0.0.2", &xff), ip("198.51.100.7"));
    let forwarded = [("forwarded", "for=198.51.100.7;proto=https;by=10.0.0.2")];
    assert_eq!(client(LB, "10.0.0.2", &forwarded), ip("198.51.100.7"));
    // A trusted proxy that forwards nothing is itself the client (a health check, say).
    assert_eq!(client(LB, "10.0.0.2", &[]), ip("10.0.0.2"));
}

#[test]
fn hops_are_walked_from_the_right_and_trusted_ones_skipped() {
    // The left-most entries are whatever the client wrote; only the right-most untrusted hop
    // was seen by a proxy we trust.
    let xff = [("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.9")];
    assert_eq!(client(LB, "10.0.0.2", &xff), ip("198.51.100.7"));
    let forwarded = [(
        "forwarded",
        r#"for=1.2.3.4, for="[2001:db8::7]:4711";proto=https, for=10.0.0.9"#,
    )];
    assert_eq!(client(LB, "10.0.0.2", &forwarded), ip("2001:db8::7"));
    // Repeated header lines are one list, in order.
    let lines = [
        ("x-forwarded-for", "1.2.3.4"),
        ("x-forwarded-for", "198.51.100.7, 10.0.0.9"),
    ];
    assert_eq!(client(LB, "10.0.0.2", &lines), ip("198.51.100.7"));
    // Every hop trusted: the left-most one is as far as we can see.
    let internal = [("x-forwarded-for", "10.0.0.7, 10.0.0.9")];
    assert_eq!(client(LB, "10.0.0.2", &internal), ip("10.0.0.7"));
}

#[test]
fn forwarded_wins_over_x_forwarded_for() {
    let both = [
        ("x-forwarded-for", "192.0.2.1"),
        ("forwarded", "For=198.51.100.7"),
    ];
    assert_eq!(client(LB, "10.0.0.2", &both), ip("198.51.100.7"));
}

#[test]
fn ipv6_peers_and_hops_in_every_spelling() {
    let forwarded = [("forwarded", r#"for="[2001:db8:cafe::17]:4711""#)];
    assert_eq!(client(LB, "::1", &forwarded), ip("2001:db8:cafe::17"));
    let bracketed = [("x-forwarded-for", "[2001:db8::1]:443")];
    assert_eq!(client(LB, "::1", &bracketed), ip("2001:db8::1"));
    let bare = [("x-forwarded-for", "2001:db8::1")];
    assert_eq!(client(LB, "::1", &bare), ip("2001:db8::1"));
    let with_port = [("x-forwarded-for", "198.51.100.7:51234")];
    assert_eq!(client(LB, "::1", &with_port), ip("198.51.100.7"));
    // A dual-stack listener sees IPv4 proxies as IPv4-mapped IPv6 addresses.
    let mapped = [("x-forwarded-for", "198.51.100.7")];
    assert_eq!(client(LB, "::ffff:10.0.0.2", &mapped), ip("198.51.100.7"));
}

#[test]
fn garbage_falls_back_to_the_peer() {
    for (name, value) in [
        ("x-forwarded-for", "not-an-address"),
        ("x-forwarded-for", "198.51.100.7, , 10.0.0.9"),
        ("x-forwarded-for", ""),
        ("x-forwarded-for", "198.51.100.7:http"),
        ("x-forwarded-for", "[2001:db8::1"),
        ("x-forwarded-for", "[2001:db8::1]x"),
        ("forwarded", "for=unknown"),
        ("forwarded", "for=_hidden"),
        ("forwarded", "proto=https"),
        ("forwarded", "for=\"[2001:db8::1]"),
        ("forwarded", "for=\"198.51.100.\\7\""),
        ("forwarded", "198.51.100.7"),
    ] {
        assert_eq!(
            client(LB, "10.0.0.2", &[(name, value)]),
            ip("10.0.0.2"),
            "{name}: {value}"
        );
    }
    let long = vec!["198.51.100.7"; MAX_HOPS + 1].join(",");
    assert_eq!(
        client(LB, "10.0.0.2", &[("x-forwarded-for", &long)]),
        ip("10.0.0.2")
    );
}

#[test]
fn quoted_commas_and_semicolons_do_not_split() {
    let forwarded = [("forwarded", r#"for=198.51.100.7;by="a,b;c", for=10.0.0.9"#)];
    assert_eq!(client(LB, "10.0.0.2", &forwarded), ip("198.51.100.7"));
}
