//! A client to register and the rules its registration must follow; each refusal names the
//! field at fault.

use std::net::{Ipv4Addr, Ipv6Addr};

use store::{ClientAuthMethod, ClientSettings, GrantType};
use url::{Host, Url};

use super::error::ClientError;
use crate::keys::read_jwks;

/// A client to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub id: String,
    pub name: String,
    pub settings: ClientSettings,
}

/// Scopes a client may be allowed.
pub const KNOWN_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "phone",
    "email",
    "dvc",
    "offline_access",
];

fn invalid(field: &'static str, message: impl Into<String>) -> ClientError {
    ClientError::Invalid {
        field,
        message: message.into(),
    }
}

/// Whether `id` is a valid `client_id`: `[A-Za-z0-9._-]{3,64}`.
pub fn valid_client_id(id: &str) -> bool {
    (3..=64).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

/// Checks the registration and returns it tidied (name trimmed, repeats dropped).
pub(super) fn validated(new: &NewClient) -> Result<(String, ClientSettings), ClientError> {
    if !valid_client_id(&new.id) {
        return Err(invalid(
            "client_id",
            format!(
                "{:?} is not a valid client_id: 3 to 64 characters among A–Z, a–z, 0–9, '.', '_' and '-'",
                new.id
            ),
        ));
    }
    let name = new.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "the client needs a name"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "the name must be at most 200 characters, without control characters",
        ));
    }
    let mut settings = new.settings.clone();
    dedup(&mut settings.redirect_uris);
    dedup(&mut settings.post_logout_redirect_uris);
    dedup(&mut settings.grant_types);
    dedup(&mut settings.scopes);

    check_grants(&settings)?;
    let code_flow = settings.grant_types.contains(&GrantType::AuthorizationCode);
    if code_flow && settings.redirect_uris.is_empty() {
        return Err(invalid(
            "redirect_uris",
            "authorization_code needs at least one redirect URI",
        ));
    }
    if !code_flow && !settings.redirect_uris.is_empty() {
        return Err(invalid(
            "redirect_uris",
            "redirect URIs are only used with the authorization_code grant",
        ));
    }
    for uri in &settings.redirect_uris {
        check_uri("redirect_uris", uri)?;
    }
    for uri in &settings.post_logout_redirect_uris {
        check_uri("post_logout_redirect_uris", uri)?;
    }
    if let Some(uri) = &settings.backchannel_logout_uri {
        check_uri("backchannel_logout_uri", uri)?;
    }
    settings.web_origins = settings
        .web_origins
        .iter()
        .map(|origin| super::web_origin(origin).map_err(|message| invalid("web_origins", message)))
        .collect::<Result<_, _>>()?;
    dedup(&mut settings.web_origins);
    if !settings.web_origins.is_empty() && !code_flow {
        return Err(invalid(
            "web_origins",
            "web origins are for browser apps that use the authorization_code grant",
        ));
    }
    check_auth_method(&settings)?;
    check_scopes(&settings)?;
    Ok((name.to_owned(), settings))
}

fn dedup<T: PartialEq>(items: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    *items = seen;
}

fn check_grants(settings: &ClientSettings) -> Result<(), ClientError> {
    let grants = &settings.grant_types;
    if grants.is_empty() {
        return Err(invalid(
            "grant_types",
            "the client needs at least one grant type",
        ));
    }
    let public = settings.auth_method == ClientAuthMethod::None;
    if public && grants.contains(&GrantType::ClientCredentials) {
        return Err(invalid(
            "grant_types",
            "client_credentials needs a confidential client (client_secret_basic, \
             client_secret_post or private_key_jwt), not auth method none",
        ));
    }
    if grants.contains(&GrantType::RefreshToken) && !grants.contains(&GrantType::AuthorizationCode)
    {
        return Err(invalid(
            "grant_types",
            "refresh_token is only issued with authorization_code; add that grant too",
        ));
    }
    if public && !settings.require_pkce {
        return Err(invalid(
            "require_pkce",
            "a public client (auth method none) must use PKCE",
        ));
    }
    Ok(())
}

fn check_auth_method(settings: &ClientSettings) -> Result<(), ClientError> {
    match (&settings.auth_method, &settings.jwks) {
        (ClientAuthMethod::PrivateKeyJwt, None) => Err(invalid(
            "jwks",
            "private_key_jwt needs the client's public keys (a JWK Set)",
        )),
        (ClientAuthMethod::PrivateKeyJwt, Some(jwks)) => read_jwks(jwks)
            .map(|_| ())
            .map_err(|error| invalid("jwks", error.to_string())),
        (_, Some(_)) => Err(invalid(
            "jwks",
            "public keys are only used with auth method private_key_jwt",
        )),
        (_, None) => Ok(()),
    }
}

fn check_scopes(settings: &ClientSettings) -> Result<(), ClientError> {
    if settings.scopes.is_empty() {
        return Err(invalid("scopes", "the client needs at least one scope"));
    }
    if let Some(unknown) = settings
        .scopes
        .iter()
        .find(|scope| !KNOWN_SCOPES.contains(&scope.as_str()))
    {
        return Err(invalid(
            "scopes",
            format!(
                "{unknown:?} is not a scope of dvcid (known: {})",
                KNOWN_SCOPES.join(", ")
            ),
        ));
    }
    if settings
        .scopes
        .iter()
        .any(|scope| scope == "offline_access")
        && !settings.grant_types.contains(&GrantType::RefreshToken)
    {
        return Err(invalid(
            "scopes",
            "offline_access needs the refresh_token grant",
        ));
    }
    Ok(())
}

/// A redirect, post-logout or back-channel URI: absolute, no fragment, no user credentials,
/// https — or http to a loopback IP literal (RFC 8252 §7.3, §8.3).
pub fn check_uri(field: &'static str, text: &str) -> Result<(), ClientError> {
    if text.trim() != text || text.is_empty() {
        return Err(invalid(
            field,
            format!("{text:?} must not be empty or have spaces around it"),
        ));
    }
    let url = Url::parse(text)
        .map_err(|error| invalid(field, format!("{text} is not an absolute URL ({error})")))?;
    if url.fragment().is_some() {
        return Err(invalid(
            field,
            format!("{text} must not have a fragment (#…)"),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            field,
            format!("{text} must not carry user credentials (user:password@)"),
        ));
    }
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some(Host::Ipv4(ip))) if ip == Ipv4Addr::LOCALHOST => Ok(()),
        ("http", Some(Host::Ipv6(ip))) if ip == Ipv6Addr::LOCALHOST => Ok(()),
        ("http", Some(Host::Domain(domain)))
            if domain == "localhost" || domain.ends_with(".localhost") =>
        {
            Err(invalid(
                field,
                format!(
                    "{text}: use http://127.0.0.1 (or http://[::1]) instead of localhost, \
                     which may resolve elsewhere (RFC 8252 §8.3)"
                ),
            ))
        }
        _ => Err(invalid(
            field,
            format!(
                "{text} must use https (plain http only for the loopback addresses \
                 127.0.0.1 and [::1])"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_follow_the_pattern() {
        for good in ["abc", "portal.hcm-01_x", &"a".repeat(64)] {
            assert!(valid_client_id(good), "{good}");
        }
        for bad in ["ab", "", "with space", "é-client", &"a".repeat(65), "a/b"] {
            assert!(!valid_client_id(bad), "{bad}");
        }
    }

    #[test]
    fn uris_must_be_https_or_loopback_http() {
        for good in [
            "https://rp.example.gov.vn/callback",
            "https://rp.example.gov.vn/cb?x=1",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51004/cb",
            "http://[::1]:8080/cb",
        ] {
            assert!(check_uri("redirect_uris", good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("http://localhost:8080/cb", "use http://127.0.0.1"),
            ("http://rp.example.vn/cb", "must use https"),
            ("https://rp.example.vn/cb#frag", "fragment"),
            ("https://user:pw@rp.example.vn/cb", "user credentials"),
            ("/relative/cb", "not an absolute URL"),
            ("vn.gov.app:/cb", "must use https"),
            (" https://rp.example.vn/cb", "spaces"),
            ("http://127.0.0.2/cb", "must use https"),
        ] {
            let error = check_uri("redirect_uris", bad).unwrap_err().to_string();
            assert!(error.starts_with("redirect_uris: "), "{error}");
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
