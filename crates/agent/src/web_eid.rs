//! The Web eID authentication message and token (format `web-eid:1.0`).
//!
//! The token carries neither the nonce nor the origin: the portal rebuilds the signed message
//! from the nonce it stored and the origin it is configured with, so a valid signature proves
//! both. The message is `M = H(origin) ‖ H(nonce)` and the token signs `M` with the JWS
//! algorithm of the key (the token itself hashes `M` once more, as JWS does).

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::certificate::KeyKind;

/// The token format this agent writes.
pub const FORMAT: &str = "web-eid:1.0";

/// Where the agent's version is described; Web eID puts a URL here.
pub fn app_version() -> String {
    format!(
        "https://dvcid.example/dvcid-agent/{}",
        env!("CARGO_PKG_VERSION")
    )
}

/// A challenge nonce as the portal sent it. Web eID refuses fewer than 44 characters (256 bits
/// in base64) and more than 128.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nonce(String);

impl Nonce {
    pub fn parse(value: &str) -> Result<Self, InvalidNonce> {
        let length = value.chars().count();
        if !(44..=128).contains(&length) {
            return Err(InvalidNonce { length });
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the challenge nonce must be 44 to 128 characters long, it has {length}")]
pub struct InvalidNonce {
    pub length: usize,
}

/// A web origin (`scheme://host[:port]`, no path, no trailing slash), as browsers serialise it
/// in the `Origin` header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin(String);

impl Origin {
    /// Parses an origin to allow. `https` only, except on loopback hosts (a portal run locally
    /// for a demo).
    pub fn parse(value: &str) -> Result<Self, InvalidOrigin> {
        let invalid = |reason: &'static str| InvalidOrigin {
            value: value.to_owned(),
            reason,
        };
        let url = url::Url::parse(value).map_err(|_| invalid("not a URL"))?;
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("an origin has no path, query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("an origin has no user name or password"));
        }
        let loopback = matches!(
            url.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        );
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(invalid("only https origins (http on loopback)")),
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("origin {value:?} refused: {reason}")]
pub struct InvalidOrigin {
    pub value: String,
    pub reason: &'static str,
}

/// The JWS algorithm a key signs with. Both hash with SHA-256.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Algorithm {
    #[serde(rename = "ES256")]
    Es256,
    #[serde(rename = "RS256")]
    Rs256,
}

impl Algorithm {
    pub fn for_key(kind: KeyKind) -> Self {
        match kind {
            KeyKind::EcP256 => Self::Es256,
            KeyKind::Rsa => Self::Rs256,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }
}

/// `M = SHA-256(origin) ‖ SHA-256(nonce)`, the message the token signs (ES256 and RS256).
pub fn message(origin: &Origin, nonce: &Nonce) -> Vec<u8> {
    let mut m = Vec::with_capacity(64);
    m.extend_from_slice(digest(&SHA256, origin.as_str().as_bytes()).as_ref());
    m.extend_from_slice(digest(&SHA256, nonce.as_str().as_bytes()).as_ref());
    m
}

/// The authentication token, field for field as Web eID writes it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    pub unverified_certificate: String,
    pub algorithm: Algorithm,
    pub signature: String,
    pub format: &'static str,
    pub app_version: String,
}

impl AuthToken {
    /// `signature` is in JWS form: raw `r ‖ s` for ECDSA, the PKCS#1 v1.5 block for RSA.
    pub fn new(certificate_der: &[u8], algorithm: Algorithm, signature: &[u8]) -> Self {
        Self {
            unverified_certificate: STANDARD.encode(certificate_der),
            algorithm,
            signature: STANDARD.encode(signature),
            format: FORMAT,
            app_version: app_version(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_length_bounds() {
        assert!(Nonce::parse(&"a".repeat(43)).is_err());
        assert!(Nonce::parse(&"a".repeat(44)).is_ok());
        assert!(Nonce::parse(&"a".repeat(128)).is_ok());
        assert!(Nonce::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn origins() {
        let ok = |s: &str| Origin::parse(s).map(|o| o.as_str().to_owned());
        assert_eq!(
            ok("https://dichvucong.gov.vn").ok().as_deref(),
            Some("https://dichvucong.gov.vn")
        );
        assert_eq!(
            ok("https://dichvucong.gov.vn/").ok().as_deref(),
            Some("https://dichvucong.gov.vn")
        );
        assert_eq!(
            ok("http://127.0.0.1:8080").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            ok("HTTPS://Portal.Example:443").ok().as_deref(),
            Some("https://portal.example")
        );
        assert!(ok("http://dichvucong.gov.vn").is_err());
        assert!(ok("https://dichvucong.gov.vn/login").is_err());
        assert!(ok("https://user@dichvucong.gov.vn").is_err());
        assert!(ok("null").is_err());
    }

    #[test]
    fn message_is_two_hashes() {
        let origin = Origin::parse("https://ria.ee").ok();
        let nonce = Nonce::parse(&"x".repeat(44)).ok();
        let (Some(origin), Some(nonce)) = (origin, nonce) else {
            panic!("valid inputs")
        };
        let m = message(&origin, &nonce);
        assert_eq!(m.len(), 64);
        assert_eq!(&m[..32], digest(&SHA256, b"https://ria.ee").as_ref());
        assert_eq!(
            &m[32..],
            digest(&SHA256, "x".repeat(44).as_bytes()).as_ref()
        );
    }
}
