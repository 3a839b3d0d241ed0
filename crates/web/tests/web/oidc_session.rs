//! Single sign-on and what forces a new sign-in (Basic OP: prompt=none logged in and out,
//! prompt=login, max_age), assurance levels, refresh-token rotation and PKCE.

use std::time::Duration;

use openidconnect::core::CoreAuthPrompt;
use openidconnect::{
    AuthenticationContextClass, LanguageTag, LoginHint, Nonce, OAuth2TokenResponse, TokenResponse,
};
use reqwest::StatusCode;
use store::ClientAuthMethod;

use super::browser::Browser;
use super::browser::location;
use super::oidc_provider::{Op, callback};
use super::oidc_rp::{Request, Rp, describe, error_code};

#[tokio::test]
async fn prompt_none_issues_a_code_to_a_signed_in_person() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-prompt-none", |_| {}).await;
    let mut browser = op.browser().await;
    let first = op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization(|r| r.add_prompt(CoreAuthPrompt::None));
    let response = browser.get(request.url.as_str()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answer = callback(&location(&response), &rp.redirect);
    assert_eq!(answer.get("state"), Some(request.state.secret()));
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    let second = rp.verified(tokens, &request.nonce);
    assert_eq!(second.sub(), first.sub());
    assert_eq!(
        second.claims.auth_time(),
        first.claims.auth_time(),
        "no new sign-in"
    );
    assert_eq!(second.sid(), first.sid());
}

#[tokio::test]
async fn prompt_none_answers_login_required_when_signed_out() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-prompt-none-out", |_| {}).await;
    let mut browser = op.browser().await;
    let request = rp.authorization(|r| r.add_prompt(CoreAuthPrompt::None));
    let response = browser.get(request.url.as_str()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answer = callback(&location(&response), &rp.redirect);
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("login_required"),
        "{answer:?}"
    );
    assert_eq!(answer.get("state"), Some(request.state.secret()));
    assert_eq!(
        answer.get("iss"),
        Some(&op.base),
        "RFC 9207 applies to errors too"
    );
    assert!(!answer.contains_key("code"));
}

/// Sends `request` from a signed-in browser and expects the sign-in flow, not a code; signs
/// in there and returns the ID token's `auth_time`.
async fn forced_sign_in(op: &Op, rp: &Rp, browser: &mut Browser, request: Request) -> i64 {
    let response = browser.get(request.url.as_str()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let next = location(&response);
    assert!(
        next.starts_with("/flows/"),
        "a new sign-in was not asked for: {next}"
    );
    let answer = op.authorize_signing_in(browser, rp, &request).await;
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    let signed = rp.verified(tokens, &request.nonce);
    signed.claims.auth_time().unwrap().timestamp()
}

#[tokio::test]
async fn id_token_hint_with_prompt_none_names_the_signed_in_person() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-hint", |_| {}).await;
    let mut browser = op.browser().await;
    let first = op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization(|r| {
        r.add_prompt(CoreAuthPrompt::None)
            .set_id_token_hint(&first.id_token)
    });
    let response = browser.get(request.url.as_str()).await;
    let answer = callback(&location(&response), &rp.redirect);
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    assert_eq!(rp.verified(tokens, &request.nonce).sub(), first.sub());
}

#[tokio::test]
async fn ui_locales_and_login_hint_reach_the_sign_in_page() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-locales", |_| {}).await;
    let mut browser = op.browser().await;
    let request = rp.authorization(|r| {
        r.add_ui_locale(LanguageTag::new("en".to_owned()))
            .set_login_hint(LoginHint::new(op.who.personal_id.as_str().to_owned()))
    });
    let response = browser.get(request.url.as_str()).await;
    let flow = location(&response);
    assert!(
        flow.starts_with("/flows/") && flow.ends_with("?lang=en"),
        "{flow}"
    );
    let page = browser.get(&flow).await.text().await.unwrap();
    assert!(
        page.contains("lang=\"en\""),
        "the sign-in page is in English"
    );
    assert!(
        page.contains(&format!("value=\"{}\"", op.who.personal_id.as_str())),
        "login_hint pre-fills the ID"
    );
}

#[tokio::test]
async fn a_posted_authorization_request_is_served_like_a_get() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-post-authorize", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization(|r| r);
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let form: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let posted = browser.post("/authorize", &form).await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let again = browser.get(&location(&posted)).await;
    let answer = callback(&location(&again), &rp.redirect);
    assert_eq!(answer.get("state"), Some(request.state.secret()));
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    rp.verified(tokens, &request.nonce);
}

#[tokio::test]
async fn prompt_login_forces_a_new_sign_in() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-prompt-login", |_| {}).await;
    let mut browser = op.browser().await;
    let first = op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization(|r| r.add_prompt(CoreAuthPrompt::Login));
    let auth_time = forced_sign_in(&op, &rp, &mut browser, request).await;
    assert!(auth_time >= first.claims.auth_time().unwrap().timestamp());
}

#[tokio::test]
async fn max_age_zero_forces_a_new_sign_in_and_a_long_one_does_not() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-max-age", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization(|r| r.set_max_age(Duration::ZERO));
    forced_sign_in(&op, &rp, &mut browser, request).await;

    let request = rp.authorization(|r| r.set_max_age(Duration::from_secs(3600)));
    let response = browser.get(request.url.as_str()).await;
    let answer = callback(&location(&response), &rp.redirect);
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    let signed = rp.verified(tokens, &request.nonce);
    assert!(
        signed.claims.auth_time().is_some(),
        "auth_time is required with max_age"
    );
}

#[tokio::test]
async fn one_sign_in_serves_a_second_relying_service() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let ministry = op.client(&db, "rp-ministry", |_| {}).await;
    let province = op.client(&db, "rp-province", |_| {}).await;
    let mut browser = op.browser().await;
    let first = op.sign_in(&mut browser, &ministry).await;
    let request = province.authorization(|r| r);
    let response = browser.get(request.url.as_str()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answer = callback(&location(&response), &province.redirect);
    let tokens = province
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    let second = province.verified(tokens, &request.nonce);
    assert_eq!(
        second.sub(),
        first.sub(),
        "public subjects are the same for every client"
    );
    assert_eq!(second.sid(), first.sid(), "one session");
    assert_eq!(second.claims.auth_time(), first.claims.auth_time());
    assert_eq!(
        second.claims.audiences().first().unwrap().as_str(),
        "rp-province"
    );
}

#[tokio::test]
async fn pairwise_subjects_differ_per_client_and_stay_stable() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let pairwise = |s: &mut store::ClientSettings| s.subject_type = store::SubjectType::Pairwise;
    let one = op.client(&db, "rp-pairwise-one", pairwise).await;
    let two = op.client(&db, "rp-pairwise-two", pairwise).await;
    let mut browser = op.browser().await;
    let a = op.sign_in(&mut browser, &one).await;
    let b = op.sign_in(&mut browser, &two).await;
    let a_again = op.sign_in(&mut browser, &one).await;
    assert_ne!(a.sub(), b.sub());
    assert_eq!(a.sub(), a_again.sub());
    assert_eq!(one.userinfo(&a).await.subject().as_str(), a.sub());
}

#[tokio::test]
async fn acr_values_loa3_is_unmet_for_a_password_and_sms_account() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-acr", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization(|r| {
        r.add_auth_context_value(AuthenticationContextClass::new("LoA3".to_owned()))
    });
    let response = browser.get(request.url.as_str()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answer = callback(&location(&response), &rp.redirect);
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("unmet_authentication_requirements"),
        "{answer:?}"
    );
    assert_eq!(answer.get("state"), Some(request.state.secret()));

    // A client configured with a minimum of LoA3 gets the same answer without asking.
    let strict = op
        .client(&db, "rp-acr-min", |s| {
            s.min_acr = Some(domain::AssuranceLevel::LoA3)
        })
        .await;
    let request = strict.authorization(|r| r);
    let response = browser.get(request.url.as_str()).await;
    let answer = callback(&location(&response), &strict.redirect);
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("unmet_authentication_requirements"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_ends_the_family() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-refresh", |_| {}).await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let first = signed.refresh_token().clone();

    let rotated = rp
        .refresh(&first)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    let second = rotated
        .refresh_token()
        .expect("a new refresh token")
        .clone();
    assert_ne!(second.secret(), first.secret(), "rotated on every use");
    assert_ne!(
        rotated.access_token().secret(),
        signed.access_token().secret()
    );
    if let Some(id_token) = rotated.id_token() {
        // OpenID Connect Core §12.2: same iss, sub, aud and auth_time as the first one.
        let verifier = rp.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, |_: Option<&Nonce>| Ok(()))
            .unwrap_or_else(|error| panic!("refreshed ID token refused: {error:?}"));
        assert_eq!(claims.subject().as_str(), signed.sub());
        assert_eq!(claims.auth_time(), signed.claims.auth_time());
    }
    assert!(rp.introspect(rotated.access_token().secret()).await);

    let third = rp
        .refresh(&second)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)))
        .refresh_token()
        .expect("a new refresh token")
        .clone();

    // The first token again, after the client went on with its successor: a stolen copy is
    // being used. Refused, and the family is dead.
    let reused = rp.refresh(&first).await.unwrap_err();
    assert_eq!(error_code(&reused), "invalid_grant");
    let after = rp.refresh(&third).await.unwrap_err();
    assert_eq!(
        error_code(&after),
        "invalid_grant",
        "the newest token of the family is revoked too"
    );
    assert!(!rp.introspect(third.secret()).await);
}

#[tokio::test]
async fn pkce_is_required_and_verified() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-pkce", |_| {}).await;
    let app = op
        .client(&db, "rp-public-app", |s| {
            s.auth_method = ClientAuthMethod::None;
            // Public clients need PKCE whatever this says.
            s.require_pkce = false;
        })
        .await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;

    for client in [&rp, &app] {
        let request = client
            .authorization(|r| r)
            .without(&["code_challenge", "code_challenge_method"]);
        let response = browser.get(request.url.as_str()).await;
        let answer = callback(&location(&response), &client.redirect);
        assert_eq!(
            answer.get("error").map(String::as_str),
            Some("invalid_request"),
            "{}: {answer:?}",
            client.id
        );
        assert!(!answer.contains_key("code"));
    }

    // The public client signs in with PKCE and no secret.
    let request = app.authorization(|r| r);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &app.redirect,
    );
    let tokens = app
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    app.verified(tokens, &request.nonce);

    // A missing or wrong verifier is refused.
    let request = rp.authorization(|r| r);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    let missing = rp.exchange(&answer["code"], None).await.unwrap_err();
    assert_eq!(error_code(&missing), "invalid_grant");
    let request = rp.authorization(|r| r);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    let other = rp.authorization(|r| r).verifier;
    let wrong = rp.exchange(&answer["code"], other).await.unwrap_err();
    assert_eq!(error_code(&wrong), "invalid_grant");
}
