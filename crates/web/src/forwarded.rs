//! The client's address when dvcid sits behind reverse proxies. Forwarding headers are believed
//! only from a configured trusted proxy: then the hops of `Forwarded` (RFC 7239) or, failing
//! that, `X-Forwarded-For` are read from the right, skipping trusted ones.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::{HeaderMap, HeaderName, header};
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// More hops than any real chain of proxies; a longer header is treated as garbage.
const MAX_HOPS: usize = 32;

/// The networks whose connections may say on whose behalf they come (`[http] trusted_proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy that sent a
    /// well-formed forwarding header; then the right-most hop that is not a trusted proxy (or
    /// the left-most hop when every hop is trusted). Anything malformed yields `peer`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops = if headers.contains_key(header::FORWARDED) {
            joined(headers, &header::FORWARDED).and_then(|value| forwarded_for(&value))
        } else if headers.contains_key(&X_FORWARDED_FOR) {
            joined(headers, &X_FORWARDED_FOR).and_then(|value| x_forwarded_for(&value))
        } else {
            return peer;
        };
        let Some(hops) = hops else {
            return peer;
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// Every line of a repeated header, in order, as one comma-separated list (RFC 9110 § 5.3).
fn joined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let lines = headers
        .get_all(name)
        .iter()
        .map(|value| value.to_str().ok())
        .collect::<Option<Vec<_>>>()?;
    Some(lines.join(","))
}

/// The `for=` node of each element of a `Forwarded` header; `None` if any element lacks one
/// or names no address (`unknown`, obfuscated identifiers).
fn forwarded_for(value: &str) -> Option<Vec<IpAddr>> {
    let elements = split_outside_quotes(value, ',');
    if elements.len() > MAX_HOPS {
        return None;
    }
    elements
        .into_iter()
        .map(|element| {
            let node = split_outside_quotes(element, ';')
                .into_iter()
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .map(|(_, value)| unquote(value.trim()))??;
            node_address(node)
        })
        .collect()
}

/// The addresses of an `X-Forwarded-For` list; `None` if any entry is not an address.
fn x_forwarded_for(value: &str) -> Option<Vec<IpAddr>> {
    let entries: Vec<&str> = value.split(',').collect();
    if entries.len() > MAX_HOPS {
        return None;
    }
    entries
        .into_iter()
        .map(|entry| node_address(entry.trim()))
        .collect()
}

/// `value` split at `separator`, except inside a quoted string.
fn split_outside_quotes(value: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (index, character) in value.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && character == '\\' {
            escaped = true;
        } else if character == '"' {
            quoted = !quoted;
        } else if character == separator && !quoted {
            parts.push(value.get(start..index).unwrap_or_default());
            start = index + separator.len_utf8();
        }
    }
    parts.push(value.get(start..).unwrap_or_default());
    parts
}

/// A token as is, or the content of a quoted string (an address never holds a backslash, so
/// one makes the value unusable).
fn unquote(value: &str) -> Option<&str> {
    match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"').filter(|inner| !inner.contains('\\')),
        None => Some(value),
    }
}

/// An address with an optional port: `192.0.2.1`, `192.0.2.1:8080`, `[2001:db8::1]`,
/// `[2001:db8::1]:8080`, or a bare IPv6 address (as some proxies write `X-Forwarded-For`).
fn node_address(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        let address: Ipv6Addr = address.parse().ok()?;
        if !after.is_empty() && !after.strip_prefix(':').is_some_and(is_port) {
            return None;
        }
        return Some(IpAddr::V6(address).to_canonical());
    }
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address.to_canonical());
    }
    let (address, port) = node.rsplit_once(':')?;
    let address: std::net::Ipv4Addr = address.parse().ok()?;
    is_port(port).then_some(IpAddr::V4(address))
}

/// A port number, or an obfuscated port (`_abc`, RFC 7239 § 6.3).
fn is_port(port: &str) -> bool {
    let digits = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    let obfuscated = port.len() > 1
        && port.starts_with('_')
        && port
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    digits || obfuscated
}

#[cfg(test)]
mod tests;
