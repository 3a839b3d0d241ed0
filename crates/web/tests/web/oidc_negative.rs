//! The classic provider bugs at the authorization and logout endpoints, tried on purpose:
//! redirect URI tricks, PKCE downgrades, response types other than `code`, request objects,
//! logout without a valid hint or to an unregistered URI. (Token endpoint: `oidc_tokens`.)

use openidconnect::{CsrfToken, PostLogoutRedirectUrl};
use reqwest::StatusCode;

use super::browser::{Browser, csrf_of, location};
use super::oidc_provider::{Op, callback, settings};
use super::oidc_rp::{describe, error_code};

/// The request was refused on a dvcid page: 400, and nothing sent anywhere.
async fn refused_without_redirect(browser: &mut Browser, url: &str) {
    let response = browser.get(url).await;
    let status = response.status();
    let target = response.headers().get("location").cloned();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
    assert!(target.is_none(), "{url} redirected to {target:?}");
}

#[tokio::test]
async fn redirect_uri_tricks_are_never_redirected_to() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-tricks", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await; // a signed-in browser: a code would be issued at once
    assert_eq!(rp.redirect, "https://rp-tricks.example.vn/oidc/callback");
    for trick in [
        "https://evil.example/oidc/callback",
        "https://rp-tricks.example.vn@evil.example/oidc/callback",
        "https://evil.example@rp-tricks.example.vn/oidc/callback",
        "https://rp-tricks.example.vn.evil.example/oidc/callback",
        "https://rp-tricks.example.vn/oidc/../oidc/callback",
        "https://rp-tricks.example.vn/oidc/callback/../../evil",
        "https://rp-tricks.example.vn/oidc%2Fcallback",
        "https://rp-tricks.example.vn/oidc/callback%2F..%2F..%2Fevil",
        "https://RP-TRICKS.example.vn/oidc/callback",
        "https://rp-tricks.example.vn/OIDC/Callback",
        "https://rp-tricks.example.vn/oidc/callback/extra",
        "https://rp-tricks.example.vn/oidc/callback?next=https://evil.example",
        "https://rp-tricks.example.vn:8443/oidc/callback",
        "http://rp-tricks.example.vn/oidc/callback",
    ] {
        let request = rp.authorization(|r| r).with("redirect_uri", trick);
        refused_without_redirect(&mut browser, request.url.as_str()).await;
        // The same with prompt=none, whose error would otherwise be redirected.
        let request = request.with("prompt", "none");
        refused_without_redirect(&mut browser, request.url.as_str()).await;
    }
    // An unknown client: nobody to redirect to either.
    let request = rp.authorization(|r| r).with("client_id", "rp-nobody");
    refused_without_redirect(&mut browser, request.url.as_str()).await;
    // Without a redirect_uri at all (OpenID Connect requires it).
    let request = rp.authorization(|r| r).without(&["redirect_uri"]);
    refused_without_redirect(&mut browser, request.url.as_str()).await;
}

#[tokio::test]
async fn loopback_clients_may_vary_the_port_but_nothing_else() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let registered = "http://127.0.0.1/callback";
    let app = op
        .client(&db, "rp-desktop", |s| {
            s.redirect_uris = vec![registered.to_owned()]
        })
        .await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &app).await;

    let port = "http://127.0.0.1:51234/callback";
    let secret = "rp-desktop-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let on_port = op.rp("rp-desktop", Some(secret), &settings(port));
    let request = on_port.authorization(|r| r);
    let response = browser.get(request.url.as_str()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answer = callback(&location(&response), port);
    let tokens = on_port
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    on_port.verified(tokens, &request.nonce);

    for trick in [
        "http://user@127.0.0.1:51234/callback",
        "http://127.0.0.1:51234@evil.example/callback",
        "http://127.0.0.1.evil.example:51234/callback",
        "http://localhost:51234/callback",
        "http://127.0.0.1:51234/callback/extra",
        "https://127.0.0.1:51234/callback",
    ] {
        let request = app.authorization(|r| r).with("redirect_uri", trick);
        refused_without_redirect(&mut browser, request.url.as_str()).await;
    }
}

#[tokio::test]
async fn pkce_downgrades_are_refused() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    // A confidential client exempted from PKCE: its codes may come without a challenge.
    let exempt = op
        .client(&db, "rp-no-pkce", |s| s.require_pkce = false)
        .await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &exempt).await;

    // A verifier for a code that had no challenge: the challenge was stripped on the way.
    let request = exempt
        .authorization(|r| r)
        .without(&["code_challenge", "code_challenge_method"]);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &exempt.redirect,
    );
    let verifier = exempt.authorization(|r| r).verifier;
    let refused = exempt
        .exchange(&answer["code"], verifier)
        .await
        .unwrap_err();
    assert_eq!(error_code(&refused), "invalid_grant");

    // `plain`, and a challenge without a method (which means plain), are refused at once.
    for request in [
        exempt
            .authorization(|r| r)
            .with("code_challenge_method", "plain"),
        exempt
            .authorization(|r| r)
            .without(&["code_challenge_method"]),
    ] {
        let response = browser.get(request.url.as_str()).await;
        let answer = callback(&location(&response), &exempt.redirect);
        assert_eq!(
            answer.get("error").map(String::as_str),
            Some("invalid_request"),
            "{}: {answer:?}",
            request.url
        );
        assert!(!answer.contains_key("code"));
    }
}

#[tokio::test]
async fn only_the_code_response_type_is_served() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-response-type", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    for response_type in [
        "token",
        "id_token",
        "id_token token",
        "code id_token",
        "code token",
    ] {
        let request = rp.authorization(|r| r).with("response_type", response_type);
        let response = browser.get(request.url.as_str()).await;
        let target = location(&response);
        // Implicit and hybrid answers would come in the fragment: nothing may be issued.
        assert!(!target.contains('#'), "{response_type}: {target}");
        let answer = callback(&target, &rp.redirect);
        assert_eq!(
            answer.get("error").map(String::as_str),
            Some("unsupported_response_type"),
            "{response_type}: {answer:?}"
        );
        assert!(!answer.contains_key("code") && !answer.contains_key("access_token"));
    }
    let request = rp.authorization(|r| r).without(&["response_type"]);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("invalid_request"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn request_objects_are_answered_with_request_not_supported() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-request-object", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    let request = rp
        .authorization(|r| r)
        .with("request", "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.");
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("request_not_supported"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn logout_without_a_valid_hint_asks_first() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op
        .client(&db, "rp-logout-ask", |s| {
            s.post_logout_redirect_uris = vec!["https://rp-logout-ask.example.vn/bye".to_owned()];
        })
        .await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let bad_hint = {
        // The right token with one signature byte changed.
        let mut token = signed.id_token.to_string();
        let last = token.pop().unwrap();
        token.push(if last == 'A' { 'B' } else { 'A' });
        token
    };
    for query in [
        String::new(),
        format!("?id_token_hint={bad_hint}"),
        "?client_id=rp-logout-ask&post_logout_redirect_uri=https%3A%2F%2Frp-logout-ask.example.vn%2Fbye".to_owned(),
    ] {
        let page = browser.get(&format!("/logout{query}")).await;
        assert_eq!(page.status(), StatusCode::OK, "{query}");
        let html = page.text().await.unwrap();
        assert!(html.contains("/logout/confirm"), "{query}: the page asks to confirm");
        assert!(html.contains("name=\"csrf\""), "{query}");
        assert_eq!(browser.get("/account").await.status(), StatusCode::OK, "{query}: still signed in");
    }
    // Confirming with the page's token ends the session.
    let html = browser.get("/logout").await.text().await.unwrap();
    let csrf = csrf_of(&html);
    let forged = browser.post("/logout/confirm", &[("csrf", "forged")]).await;
    assert_ne!(forged.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/account").await.status(), StatusCode::OK);
    browser.post("/logout/confirm", &[("csrf", &csrf)]).await;
    assert_ne!(
        browser.get("/account").await.status(),
        StatusCode::OK,
        "signed out"
    );
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_is_not_followed() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op
        .client(&db, "rp-logout-evil", |s| {
            s.post_logout_redirect_uris = vec!["https://rp-logout-evil.example.vn/bye".to_owned()];
        })
        .await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let end_session = op
        .metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()
        .unwrap();
    for evil in [
        "https://evil.example/bye",
        "https://rp-logout-evil.example.vn/bye/extra",
        "https://rp-logout-evil.example.vn@evil.example/bye",
    ] {
        let url = openidconnect::LogoutRequest::from(end_session.clone())
            .set_id_token_hint(&signed.id_token)
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(evil.to_owned()).unwrap())
            .set_state(CsrfToken::new("st".to_owned()))
            .http_get_url();
        let response = browser.get(url.as_str()).await;
        let target = response.headers().get("location").cloned();
        assert!(target.is_none(), "{evil}: redirected to {target:?}");
        assert!(!response.status().is_redirection(), "{evil}");
    }
}
