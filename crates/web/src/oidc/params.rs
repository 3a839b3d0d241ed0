//! Protocol parameters as the `oidc` crate takes them: every `name=value` pair in order, with
//! repeats kept (a repeated parameter is an error the provider must see, not one we hide).

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oidc::clients::PresentedClient;

use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::Format;

pub(super) type Pairs = Vec<(String, String)>;

pub(super) fn from_query(query: Option<&str>) -> Pairs {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// A handler for requests a relying service posts from its own site (OpenID Connect Core
/// §3.1.2.1 allows it): they go on as the equivalent GET to `path`, because the browser's
/// session cookie is `SameSite=Lax`: it does not come with a cross-site POST, but it does with
/// the GET the browser then follows.
pub(super) fn post_as_get(
    path: &'static str,
) -> impl Fn(Tr, Result<Form<Pairs>, FormRejection>) -> std::future::Ready<Response> + Clone {
    move |tr, form| {
        std::future::ready(match form {
            Ok(Form(pairs)) => {
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                Redirect::to(&format!("{path}?{query}")).into_response()
            }
            Err(_) => Failure::new(ErrorKind::BadRequest).respond(&tr, Format::Html),
        })
    }
}

pub(super) fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// How the client authenticated: HTTP Basic (RFC 6749 §2.3.1: the id and secret are
/// form-encoded inside; the provider decodes them), form fields, or a signed assertion.
pub(super) fn presented_client(headers: &HeaderMap, form: &[(String, String)]) -> PresentedClient {
    let owned = |name: &str| first(form, name).map(str::to_owned);
    PresentedClient {
        basic: basic_credentials(headers),
        client_id: owned("client_id"),
        client_secret: owned("client_secret"),
        client_assertion_type: owned("client_assertion_type"),
        client_assertion: owned("client_assertion"),
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The access token of `Authorization: Bearer …` (RFC 6750 §2.1).
pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn repeated_parameters_are_kept_for_the_provider_to_refuse() {
        let pairs = from_query(Some("scope=openid&scope=profile&state=a%20b"));
        assert_eq!(pairs.len(), 3);
        assert_eq!(first(&pairs, "state"), Some("a b"));
    }

    #[test]
    fn basic_credentials_are_split_at_the_first_colon() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("client:se:cret");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("client".to_owned(), "se:cret".to_owned()))
        );
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert_eq!(basic_credentials(&headers), None);
    }

    #[test]
    fn bearer_tokens_need_the_scheme_and_a_value() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer(&headers).as_deref(), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }
}
