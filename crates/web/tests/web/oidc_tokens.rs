//! The token endpoint's bindings, tried on purpose: a code replayed, redeemed by another
//! client or with another redirect URI; introspection and revocation by another client.

use openidconnect::OAuth2TokenResponse;
use reqwest::StatusCode;

use super::browser::location;
use super::oidc_provider::{Op, callback, settings, userinfo_raw};
use super::oidc_rp::{Rp, describe, error_code, header, rp_http, verified_with_jwks};

/// A code redeemed twice: the second is refused and what the first issued stops working
/// (RFC 6749 §4.1.2, Basic OP "codereuse").
#[tokio::test]
async fn a_replayed_code_is_refused_and_revokes_what_it_issued() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-codereuse", |_| {}).await;
    let mut browser = op.browser().await;
    let request = rp.authorization(|r| r);
    let answer = op.authorize_signing_in(&mut browser, &rp, &request).await;
    let code = answer["code"].clone();
    let verifier = request
        .verifier
        .as_ref()
        .map(|v| openidconnect::PkceCodeVerifier::new(v.secret().clone()));
    let first = rp.exchange(&code, request.verifier).await.unwrap();
    let first = rp.verified(first, &request.nonce);
    let access = first.access_token().secret().clone();
    let (status, _, _) = userinfo_raw(&op.base, false, Some(&access), &[]).await;
    assert_eq!(status, StatusCode::OK);

    let replayed = rp.exchange(&code, verifier).await.unwrap_err();
    assert_eq!(error_code(&replayed), "invalid_grant");
    let refresh = rp.refresh(first.refresh_token()).await.unwrap_err();
    assert_eq!(
        error_code(&refresh),
        "invalid_grant",
        "the first exchange's refresh token is revoked"
    );
    assert!(
        !rp.introspect(&access).await,
        "the first exchange's access token is inactive"
    );
    let (status, _, _) = userinfo_raw(&op.base, false, Some(&access), &[]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "userinfo refuses the revoked access token"
    );
}

#[tokio::test]
async fn introspection_and_revocation_are_bound_to_the_calling_client() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let owner = op.client(&db, "rp-owner", |_| {}).await;
    let other: Rp = op.client(&db, "rp-other", |_| {}).await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &owner).await;
    let access = signed.access_token().secret().clone();
    let refresh = signed.refresh_token().clone();

    assert!(owner.introspect(&access).await);
    assert!(owner.introspect(refresh.secret()).await);
    assert!(
        !other.introspect(&access).await,
        "another client learns nothing"
    );
    assert!(!other.introspect(refresh.secret()).await);

    // Another client cannot use the refresh token either.
    let stolen = other.refresh(&refresh).await.unwrap_err();
    assert_eq!(error_code(&stolen), "invalid_grant");

    // Another client's revocation has no effect (RFC 7009 §2.1), whatever it answers.
    let answer = other.revoke(refresh.secret(), "refresh_token").await;
    assert!(!answer.is_server_error(), "{answer}");
    let answer = other.revoke(&access, "access_token").await;
    assert!(!answer.is_server_error(), "{answer}");
    assert!(owner.introspect(&access).await, "revoked by another client");
    let rotated = owner
        .refresh(&refresh)
        .await
        .unwrap_or_else(|error| panic!("revoked by another client: {}", describe(&error)));

    // The owner's own revocation works.
    let newest = rotated.refresh_token().unwrap().clone();
    assert_eq!(
        owner.revoke(newest.secret(), "refresh_token").await,
        StatusCode::OK
    );
    let after = owner.refresh(&newest).await.unwrap_err();
    assert_eq!(error_code(&after), "invalid_grant");
}

#[tokio::test]
async fn a_code_is_redeemed_only_by_its_client_and_redirect_uri() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let second_uri = "https://rp-two-uris.example.vn/other/callback";
    let rp = op
        .client(&db, "rp-two-uris", |s| {
            s.redirect_uris.push(second_uri.to_owned())
        })
        .await;
    op.client(&db, "rp-thief", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    let secret = "rp-two-uris-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let via_second = op.rp("rp-two-uris", Some(secret), &settings(second_uri));

    // Issued for the first URI, redeemed naming the second (registered too): refused.
    let request = rp.authorization(|r| r);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    let refused = via_second
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_err();
    assert_eq!(error_code(&refused), "invalid_grant");

    // Another client with the right verifier, naming the code's own redirect URI (so that
    // only the client binding stands in the way): refused.
    let request = rp.authorization(|r| r);
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    let thief = op.rp(
        "rp-thief",
        Some("rp-thief-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        &settings(&rp.redirect),
    );
    let stolen = thief
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_err();
    assert_eq!(error_code(&stolen), "invalid_grant");
}

#[tokio::test]
async fn token_endpoint_answers_as_rfc_6749_says() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-token-errors", |_| {}).await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let secret = "rp-token-errors-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let token = |id: &'static str, secret: &'static str, form: Vec<(&'static str, String)>| {
        let base = op.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/token"))
                .basic_auth(id, Some(secret))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let refresh = signed.refresh_token().secret().clone();

    // §5.1: a token response is never cached.
    let ok = token(
        "rp-token-errors",
        secret,
        vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()["cache-control"], "no-store");
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(
        body["token_type"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("bearer")
    );
    assert!(body["expires_in"].as_i64().unwrap() > 0);

    // §5.2: a wrong secret over HTTP Basic is 401 with a Basic challenge.
    let wrong = token(
        "rp-token-errors",
        "not-the-secret",
        vec![("grant_type", "client_credentials".into())],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let challenge = wrong.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Basic"), "{challenge}");
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    // No password grant, and grants the client was not registered for are refused.
    for (grant, expected) in [
        ("password", "unsupported_grant_type"),
        ("client_credentials", "unauthorized_client"),
    ] {
        let answer = token(
            "rp-token-errors",
            secret,
            vec![
                ("grant_type", grant.into()),
                ("username", "x".into()),
                ("password", "y".into()),
            ],
        )
        .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{grant}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["error"], expected, "{grant}: {body}");
    }
}

#[tokio::test]
async fn client_credentials_give_an_access_token_only() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let service = op
        .client(&db, "rp-machine", |s| {
            s.grant_types = vec![store::GrantType::ClientCredentials];
        })
        .await;
    let tokens = service
        .client
        .exchange_client_credentials()
        .unwrap()
        .request_async(&rp_http)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    assert!(openidconnect::TokenResponse::id_token(&tokens).is_none());
    assert!(tokens.refresh_token().is_none());
    assert!(service.introspect(tokens.access_token().secret()).await);
}

#[tokio::test]
async fn access_tokens_are_rfc_9068_jwts_and_not_interchangeable_with_id_tokens() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op
        .client(&db, "rp-jwt-at", |s| {
            s.id_token_alg = store::SigningAlg::ES256
        })
        .await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let access = signed.access_token().secret().clone();
    assert_eq!(header(&access)["typ"], "at+jwt", "RFC 9068 §2.1");
    let claims = verified_with_jwks(&op.base, &access, None).await;
    assert_eq!(claims["client_id"], "rp-jwt-at", "{claims}");
    assert_eq!(claims["sub"], signed.sub(), "{claims}");
    assert!(
        claims.get("aud").is_some() && claims.get("jti").is_some(),
        "{claims}"
    );
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!((1..=3600).contains(&lifetime), "short-lived: {lifetime} s");

    // The ID token is signed by the same provider but is not an access token.
    let id_token = signed.id_token.to_string();
    let (status, _, _) = userinfo_raw(&op.base, false, Some(&id_token), &[]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an ID token was taken as an access token"
    );
    assert!(!rp.introspect(&id_token).await);
}
