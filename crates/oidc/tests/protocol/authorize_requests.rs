//! Authorization requests: refusals by page and by redirect, and what a session allows
//! (prompt, max_age, acr, consent).

use domain::AssuranceLevel::{LoA1, LoA2, LoA3};
use domain::{AccountStatus, AssuranceLevel};
use oidc::{AuthorizationRequest, AuthorizeError, Decision, FatalReason, OidcError};
use store::testing::TestDb;
use store::{Actor, AuditContext, GrantType};
use time::Duration;

use crate::harness::*;

async fn refused(env: &Env, params: &[(String, String)]) -> AuthorizeError {
    match env.provider.authorization_request(params).await {
        Ok(request) => panic!("accepted: {request:?}"),
        Err(error) => error,
    }
}

async fn fatal(env: &Env, params: &[(String, String)]) -> FatalReason {
    match refused(env, params).await {
        AuthorizeError::Fatal(reason) => reason,
        other => panic!("expected a page, got {other:?}"),
    }
}

/// The `error` of the redirect, after checking that it goes to the registered URI with `iss`.
async fn redirect_error(env: &Env, params: &[(String, String)]) -> (String, Option<String>) {
    match refused(env, params).await {
        AuthorizeError::Redirect(url) => {
            assert!(url.as_str().starts_with(&format!("{REDIRECT}?")), "{url}");
            assert_eq!(query(&url, "iss").as_deref(), Some(ISSUER));
            assert!(query(&url, "error_description").is_some());
            (query(&url, "error").unwrap(), query(&url, "state"))
        }
        other => panic!("expected a redirect, got {other:?}"),
    }
}

async fn requests_without_a_trusted_redirect_are_refused_on_a_page(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    register(&env, "machine", |s| {
        s.redirect_uris.clear();
        s.grant_types = vec![GrantType::ClientCredentials];
    })
    .await;
    let id = client.id();
    assert_eq!(
        fatal(&env, &auth_params("nobody", &[], &[])).await,
        FatalReason::UnknownClient
    );
    assert_eq!(
        fatal(&env, &auth_params(id, &[], &["client_id"])).await,
        FatalReason::MissingClientId
    );
    let mut twice = auth_params(id, &[], &[]);
    twice.push(("client_id".to_owned(), id.to_owned()));
    assert_eq!(fatal(&env, &twice).await, FatalReason::RepeatedClientId);
    assert_eq!(
        fatal(&env, &auth_params(id, &[], &["redirect_uri"])).await,
        FatalReason::MissingRedirectUri
    );
    let mut twice = auth_params(id, &[], &[]);
    twice.push(("redirect_uri".to_owned(), REDIRECT.to_owned()));
    assert_eq!(fatal(&env, &twice).await, FatalReason::RepeatedRedirectUri);
    for trick in [
        "https://hoso.example.vn/oidc/callback/",
        "https://hoso.example.vn/oidc/callback/../callback",
        "https://hoso.example.vn/oidc%2Fcallback",
        "https://HOSO.example.vn/oidc/callback",
        "https://hoso.example.vn@evil.example/oidc/callback",
        "https://evil.example/oidc/callback",
        "https://hoso.example.vn/oidc/callback?next=https://evil.example",
    ] {
        assert_eq!(
            fatal(&env, &auth_params(id, &[("redirect_uri", trick)], &[])).await,
            FatalReason::UnregisteredRedirectUri,
            "{trick}"
        );
    }
    // A client without redirect URIs (client credentials only) cannot be redirected to.
    assert_eq!(
        fatal(&env, &auth_params("machine", &[], &[])).await,
        FatalReason::UnregisteredRedirectUri
    );
}

async fn invalid_requests_are_answered_at_the_redirect_uri(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let id = client.id();
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            auth_params(id, &[("response_type", "token")], &[]),
            "unsupported_response_type",
        ),
        (
            auth_params(id, &[("response_type", "code id_token")], &[]),
            "unsupported_response_type",
        ),
        (auth_params(id, &[], &["response_type"]), "invalid_request"),
        (
            auth_params(id, &[("request", "eyJ.eyJ.sig")], &[]),
            "request_not_supported",
        ),
        (
            auth_params(id, &[("request_uri", "https://x/r")], &[]),
            "request_uri_not_supported",
        ),
        (
            auth_params(id, &[("scope", "profile dvc")], &[]),
            "invalid_scope",
        ),
        (auth_params(id, &[], &["scope"]), "invalid_scope"),
        (
            auth_params(id, &[("code_challenge_method", "plain")], &[]),
            "invalid_request",
        ),
        (
            auth_params(id, &[], &["code_challenge_method"]),
            "invalid_request",
        ),
        (auth_params(id, &[], &["code_challenge"]), "invalid_request"),
        (
            auth_params(id, &[("prompt", "none login")], &[]),
            "invalid_request",
        ),
        (
            auth_params(id, &[("max_age", "-1")], &[]),
            "invalid_request",
        ),
        (
            auth_params(id, &[("max_age", "soon")], &[]),
            "invalid_request",
        ),
        (
            auth_params(id, &[("response_mode", "fragment")], &[]),
            "invalid_request",
        ),
    ];
    for (params, expected) in cases {
        let (error, state) = redirect_error(&env, &params).await;
        assert_eq!(error, expected, "{params:?}");
        assert_eq!(state.as_deref(), Some("st-123"));
    }
    let mut twice = auth_params(id, &[], &[]);
    twice.push(("scope".to_owned(), "openid".to_owned()));
    assert_eq!(redirect_error(&env, &twice).await.0, "invalid_request");
    // A repeated state cannot be echoed.
    let mut twice = auth_params(id, &[], &[]);
    twice.push(("state".to_owned(), "other".to_owned()));
    assert_eq!(
        redirect_error(&env, &twice).await,
        ("invalid_request".to_owned(), None)
    );
    // Unknown parameters and empty values are ignored.
    let request = request(
        &env,
        &auth_params(
            id,
            &[("display", "popup"), ("claims", "{}"), ("login_hint", "")],
            &[],
        ),
    )
    .await;
    assert_eq!(request.login_hint(), None);
}

async fn the_request_survives_being_parked(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let request = request(
        &env,
        &auth_params(
            client.id(),
            &[
                ("login_hint", "001190012345"),
                ("ui_locales", "fr en-GB vi"),
                ("prompt", "login"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(request.login_hint(), Some("001190012345"));
    assert_eq!(request.ui_locales(), Some("en"));
    assert!(request.prompt_login());
    assert_eq!(request.received_at(), NOW);
    let text = serde_json::to_string(&request).unwrap();
    let back: AuthorizationRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(back, request);

    let id = env.provider.park(&request).await.unwrap();
    let parked = env.provider.parked(id).await.unwrap().unwrap();
    assert_eq!(parked.request, request);
    env.provider.unpark(id).await.unwrap();
    assert!(env.provider.parked(id).await.unwrap().is_none());
}

async fn prompt_none_never_shows_a_page(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let asking = register(&env, "asks-consent", |s| s.consent = true).await;
    let account = citizen(&env).await;
    let session = session(&env, &account, LoA2, NOW).await;
    let silent = request(&env, &auth_params(client.id(), &[("prompt", "none")], &[])).await;

    let signed_out = env
        .provider
        .decide(&silent, None, LoA2, None)
        .await
        .unwrap();
    assert_eq!(redirected_error(signed_out), "login_required");
    let signed_in = env
        .provider
        .decide(&silent, Some((&session, &account)), LoA2, None)
        .await
        .unwrap();
    issued_code(signed_in);

    let silent = request(&env, &auth_params(asking.id(), &[("prompt", "none")], &[])).await;
    let decision = env
        .provider
        .decide(&silent, Some((&session, &account)), LoA2, None)
        .await
        .unwrap();
    assert_eq!(redirected_error(decision), "consent_required");

    // A step-up would need a page: login_required. A level no method reaches: unmet.
    let one_factor = crate::harness::session(&env, &account, LoA1, NOW).await;
    for (acr, session, expected) in [
        ("LoA2", &one_factor, "login_required"),
        ("LoA3", &session, "unmet_authentication_requirements"),
    ] {
        let silent = request(
            &env,
            &auth_params(client.id(), &[("prompt", "none"), ("acr_values", acr)], &[]),
        )
        .await;
        let decision = env
            .provider
            .decide(&silent, Some((session, &account)), LoA2, None)
            .await
            .unwrap();
        assert_eq!(redirected_error(decision), expected);
    }
}

async fn signed_out_browsers_are_sent_to_sign_in(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |s| s.min_acr = Some(LoA2)).await;
    let request = request(
        &env,
        &auth_params(client.id(), &[("login_hint", "0912345678")], &[]),
    )
    .await;
    assert_eq!(
        env.provider
            .decide(&request, None, LoA2, None)
            .await
            .unwrap(),
        Decision::SignIn {
            login_hint: Some("0912345678".to_owned()),
            min_acr: LoA2
        }
    );
    // A locked account's session does not count.
    let account = citizen(&env).await;
    let session = session(&env, &account, LoA2, NOW).await;
    let audit = AuditContext {
        actor: Actor::System,
        client_ip: None,
    };
    env.store()
        .set_status(account.id, AccountStatus::Locked, &audit, NOW)
        .await
        .unwrap();
    let locked = env.store().account(account.id).await.unwrap().unwrap();
    assert!(matches!(
        env.provider
            .decide(&request, Some((&session, &locked)), LoA2, None)
            .await
            .unwrap(),
        Decision::SignIn { .. }
    ));
}

async fn prompt_login_and_max_age_need_a_fresh_sign_in(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let account = citizen(&env).await;
    let hour_ago = session(&env, &account, LoA2, NOW - Duration::hours(1)).await;
    let sign_in = Decision::SignIn {
        login_hint: None,
        min_acr: LoA1,
    };
    let decide = |request: AuthorizationRequest, session: store::Session, fresh| {
        let env = &env;
        let account = &account;
        async move {
            env.provider
                .decide(&request, Some((&session, account)), LoA2, fresh)
                .await
                .unwrap()
        }
    };

    for changes in [
        vec![("prompt", "login")],
        vec![("max_age", "0")],
        vec![("max_age", "600")],
        vec![("prompt", "select_account")],
    ] {
        let request = request(&env, &auth_params(client.id(), &changes, &[])).await;
        assert_eq!(
            decide(request.clone(), hour_ago.clone(), None).await,
            sign_in,
            "{changes:?}"
        );
        // Coming back from the sign-in: the person signed in after the request was seen.
        env.advance(30);
        let fresh = session(&env, &account, LoA2, env.now()).await;
        let since = Some(request.received_at());
        issued_code(decide(request.clone(), fresh, since).await);
        // A session older than the request does not count as fresh.
        assert_eq!(
            decide(request, hour_ago.clone(), since).await,
            sign_in,
            "{changes:?}"
        );
    }
    let lenient = request(&env, &auth_params(client.id(), &[("max_age", "7200")], &[])).await;
    issued_code(decide(lenient, hour_ago.clone(), None).await);
    let silent = request(
        &env,
        &auth_params(client.id(), &[("max_age", "600"), ("prompt", "none")], &[]),
    )
    .await;
    assert_eq!(
        redirected_error(decide(silent, hour_ago, None).await),
        "login_required"
    );
}

async fn assurance_levels_step_up_or_are_unmet(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let strict = register(&env, "thue", |s| s.min_acr = Some(LoA2)).await;
    let account = citizen(&env).await;
    let one_factor = session(&env, &account, LoA1, NOW).await;
    let two_factors = session(&env, &account, LoA2, NOW).await;
    let decide = |request: AuthorizationRequest, session: store::Session, fresh| {
        let env = &env;
        let account = &account;
        async move {
            env.provider
                .decide(&request, Some((&session, account)), LoA2, fresh)
                .await
                .unwrap()
        }
    };

    // acr_values is a preference list: the first level the person can reach applies.
    let loa3_or_2 = request(
        &env,
        &auth_params(client.id(), &[("acr_values", "LoA3 LoA2")], &[]),
    )
    .await;
    assert_eq!(loa3_or_2.acr_preference(), [LoA3, LoA2]);
    issued_code(decide(loa3_or_2.clone(), two_factors.clone(), None).await);
    // An account whose methods reach LoA3 is asked to step up instead.
    assert_eq!(
        env.provider
            .decide(&loa3_or_2, Some((&two_factors, &account)), LoA3, None)
            .await
            .unwrap(),
        Decision::SignIn {
            login_hint: None,
            min_acr: LoA3
        }
    );
    // Only LoA3, out of this account's reach: unmet.
    let only_loa3 = request(
        &env,
        &auth_params(client.id(), &[("acr_values", "LoA3")], &[]),
    )
    .await;
    assert_eq!(
        redirected_error(decide(only_loa3, two_factors.clone(), None).await),
        "unmet_authentication_requirements"
    );

    // A client's minimum steps a one-factor session up.
    let request_strict = request(&env, &auth_params(strict.id(), &[], &[])).await;
    assert_eq!(
        decide(request_strict.clone(), one_factor.clone(), None).await,
        Decision::SignIn {
            login_hint: None,
            min_acr: LoA2
        }
    );
    issued_code(decide(request_strict.clone(), two_factors.clone(), None).await);
    // A fresh sign-in that still falls short is not sent round again.
    assert_eq!(
        redirected_error(decide(request_strict, one_factor.clone(), Some(NOW)).await),
        "unmet_authentication_requirements"
    );
    // acr_values asks for LoA2 the same way; unknown values are ignored.
    let asks = request(
        &env,
        &auth_params(client.id(), &[("acr_values", "urn:gold LoA2")], &[]),
    )
    .await;
    assert!(matches!(
        decide(asks, one_factor.clone(), None).await,
        Decision::SignIn {
            min_acr: AssuranceLevel::LoA2,
            ..
        }
    ));
    let unknown = request(
        &env,
        &auth_params(client.id(), &[("acr_values", "urn:gold")], &[]),
    )
    .await;
    issued_code(decide(unknown, one_factor, None).await);
}

async fn consent_is_asked_once_when_the_client_wants_it(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "asks-consent", |s| s.consent = true).await;
    let account = citizen(&env).await;
    let session = session(&env, &account, LoA2, NOW).await;
    let request = request(
        &env,
        &auth_params(client.id(), &[("scope", "openid profile")], &[]),
    )
    .await;

    let decision = env
        .provider
        .decide(&request, Some((&session, &account)), LoA2, None)
        .await
        .unwrap();
    assert_eq!(
        decision,
        Decision::Consent {
            client_name: "Dịch vụ asks-consent".to_owned(),
            scopes: vec!["openid".to_owned(), "profile".to_owned()],
        }
    );
    let denied = env
        .provider
        .consent(&request, &session, &account, false)
        .await
        .unwrap();
    assert_eq!(redirected_error(Decision::Error(denied)), "access_denied");
    let approved = env
        .provider
        .consent(&request, &session, &account, true)
        .await
        .unwrap();
    issued_code(Decision::Issue(approved));

    // Remembered: the same scopes need no second question …
    issued_code(
        env.provider
            .decide(&request, Some((&session, &account)), LoA2, None)
            .await
            .unwrap(),
    );
    // … but more scopes, or prompt=consent, do.
    let more = crate::harness::request(
        &env,
        &auth_params(client.id(), &[("scope", "openid dvc")], &[]),
    )
    .await;
    assert!(matches!(
        env.provider
            .decide(&more, Some((&session, &account)), LoA2, None)
            .await
            .unwrap(),
        Decision::Consent { .. }
    ));
    let again = crate::harness::request(
        &env,
        &auth_params(
            client.id(),
            &[("scope", "openid profile"), ("prompt", "consent")],
            &[],
        ),
    )
    .await;
    assert!(matches!(
        env.provider
            .decide(&again, Some((&session, &account)), LoA2, None)
            .await
            .unwrap(),
        Decision::Consent { .. }
    ));
}

async fn a_client_removed_meanwhile_gets_nothing(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let account = citizen(&env).await;
    let session = session(&env, &account, LoA2, NOW).await;
    let request = request(&env, &auth_params(client.id(), &[], &[])).await;
    assert!(env.store().delete_client(client.id()).await.unwrap());
    let answer = env
        .provider
        .decide(&request, Some((&session, &account)), LoA2, None)
        .await;
    assert!(matches!(answer, Err(OidcError::ClientGone)));
}

store::store_tests!(
    requests_without_a_trusted_redirect_are_refused_on_a_page,
    invalid_requests_are_answered_at_the_redirect_uri,
    the_request_survives_being_parked,
    prompt_none_never_shows_a_page,
    signed_out_browsers_are_sent_to_sign_in,
    prompt_login_and_max_age_need_a_fresh_sign_in,
    assurance_levels_step_up_or_are_unmet,
    consent_is_asked_once_when_the_client_wants_it,
    a_client_removed_meanwhile_gets_nothing,
);
