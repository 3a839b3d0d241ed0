//! The consent screen, off for first-party services and on per client: asked once, remembered,
//! declinable, and answered with `consent_required` to `prompt=none`.

use openidconnect::core::CoreAuthPrompt;
use reqwest::StatusCode;

use super::browser::{Browser, location};
use super::oidc_provider::{Op, callback};
use super::oidc_rp::{Request, Rp, describe};

/// The consent form's action and CSRF token, from the page `request` led to.
async fn consent_form(browser: &mut Browser, request: &Request) -> (String, String) {
    let page = browser.get(request.url.as_str()).await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "a consent page, not a redirect"
    );
    let html = page.text().await.unwrap();
    // The page's own form, not the header's sign-out.
    let html = html
        .split("<main")
        .nth(1)
        .unwrap_or_else(|| panic!("no <main> in {html}"));
    let field = |marker: &str| {
        html.split(marker)
            .nth(1)
            .unwrap_or_else(|| panic!("no {marker} in {html}"))
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    (field("action=\""), field("name=\"csrf\" value=\""))
}

async fn answered(
    browser: &mut Browser,
    rp: &Rp,
    request: &Request,
    decision: &str,
) -> std::collections::HashMap<String, String> {
    let (action, csrf) = consent_form(browser, request).await;
    assert!(action.starts_with("/authorize/resume/"), "{action}");
    let forged = browser
        .post(&action, &[("csrf", "forged"), ("decision", "approve")])
        .await;
    assert!(
        forged.headers().get("location").is_none(),
        "a forged consent was taken"
    );
    let response = browser
        .post(&action, &[("csrf", &csrf), ("decision", decision)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    callback(&location(&response), &rp.redirect)
}

#[tokio::test]
async fn consent_is_asked_once_per_client_when_switched_on() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let first_party = op.client(&db, "rp-first-party", |_| {}).await;
    let asking = op
        .client(&db, "rp-asks-consent", |s| s.consent = true)
        .await;
    let mut browser = op.browser().await;
    // First-party: no consent page at all (`sign_in` expects the code right away).
    op.sign_in(&mut browser, &first_party).await;

    let request = asking.authorization(|r| r.add_prompt(CoreAuthPrompt::None));
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &asking.redirect,
    );
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("consent_required"),
        "{answer:?}"
    );

    let request = asking.authorization(|r| r);
    let answer = answered(&mut browser, &asking, &request, "deny").await;
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("access_denied"),
        "{answer:?}"
    );
    assert_eq!(answer.get("state"), Some(request.state.secret()));

    let request = asking.authorization(|r| r);
    let answer = answered(&mut browser, &asking, &request, "approve").await;
    let tokens = asking
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    asking.verified(tokens, &request.nonce);

    // Remembered: the same scopes again need no page.
    op.sign_in(&mut browser, &asking).await;
}
