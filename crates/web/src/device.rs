//! The device cookie (`__Host-device`, or the `X-Device-Token` header of an app): a random id
//! signed by the server and kept for 400 days. A browser or app that signed in to an account
//! before is recognised by it and exempt from the limits strangers can spend (see the flows'
//! throttling). It names a device, never a person: it carries no account, and the store keeps
//! only a digest of account and id.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::Settings;
use crate::cookies::{self, HostCookie};

pub(crate) const DEVICE_COOKIE: &str = "device";
pub(crate) const DEVICE_HEADER: &str = "x-device-token";
/// Browsers keep a cookie at most 400 days.
const LIFETIME: Duration = Duration::from_secs(400 * 24 * 60 * 60);
const CONTEXT: &[u8] = b"dvcid device v1\0";
/// Where a browser without the cookie is given one: the pages that start or continue a sign-in.
const ISSUED_ON: [&str; 3] = ["/login", "/flows/", "/authorize"];

/// The device a request comes from; `minted` when this request brought no valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Device {
    pub id: String,
    pub token: String,
    pub minted: bool,
}

/// Middleware: every request learns its device; a browser without a valid cookie is given one
/// with the response of a sign-in page.
pub(crate) async fn recognise(
    State(settings): State<Arc<Settings>>,
    mut request: Request,
    next: Next,
) -> Response {
    let key = settings.csrf_key.expose();
    let presented = request
        .headers()
        .get(DEVICE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| cookies::read(request.headers(), DEVICE_COOKIE));
    let device = match presented.as_deref().and_then(|token| verify(key, token)) {
        Some(id) => Device {
            token: presented.unwrap_or_default(),
            id,
            minted: false,
        },
        None => {
            let id = Uuid::new_v4().simple().to_string();
            Device {
                token: token_for(key, &id),
                id,
                minted: true,
            }
        }
    };
    let issue = device.minted
        && ISSUED_ON
            .iter()
            .any(|prefix| request.uri().path().starts_with(prefix));
    let token = device.token.clone();
    request.extensions_mut().insert(device);
    let mut response = next.run(request).await;
    if issue {
        match HostCookie::new(DEVICE_COOKIE, &token)
            .max_age(LIFETIME)
            .header_value()
        {
            Ok(cookie) => {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Err(error) => tracing::warn!(%error, "device cookie not built"),
        }
    }
    response
}

/// `id.mac`: the id and its HMAC-SHA-256 under the server's key, URL-safe base64.
fn token_for(key: &[u8], id: &str) -> String {
    format!("{id}.{}", URL_SAFE_NO_PAD.encode(mac(key, id)))
}

/// The id of a token this server signed, compared in constant time.
fn verify(key: &[u8], token: &str) -> Option<String> {
    let (id, signature) = token.split_once('.')?;
    let valid_id = id.len() == 32 && id.bytes().all(|byte| byte.is_ascii_hexdigit());
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut check = Hmac::<Sha256>::new_from_slice(key).ok()?;
    check.update(CONTEXT);
    check.update(id.as_bytes());
    (valid_id && check.verify_slice(&signature).is_ok()).then(|| id.to_owned())
}

fn mac(key: &[u8], id: &str) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(CONTEXT);
            mac.update(id.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; an empty MAC never verifies.
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a key of the server, 32 bytes or more";

    #[test]
    fn a_token_verifies_only_under_its_key_and_unaltered() {
        let id = Uuid::new_v4().simple().to_string();
        let token = token_for(KEY, &id);
        assert_eq!(verify(KEY, &token), Some(id.clone()));
        assert_eq!(verify(b"another key of another server....", &token), None);
        let other = Uuid::new_v4().simple().to_string();
        let (_, signature) = token.split_once('.').unwrap();
        assert_eq!(verify(KEY, &format!("{other}.{signature}")), None);
        for garbage in [
            "",
            ".",
            "abc",
            "abc.def",
            &format!("{id}."),
            &format!("{id}.!!"),
        ] {
            assert_eq!(verify(KEY, garbage), None, "{garbage:?}");
        }
    }
}
