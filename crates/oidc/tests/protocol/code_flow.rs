//! The authorization code flow end to end, and the token endpoint's refusals of codes.

use domain::AssuranceLevel;
use oidc::clients::PresentedClient;
use oidc::{BearerError, TokenError};
use serde_json::json;
use store::testing::TestDb;
use store::{ClaimMapping, ClientAuthMethod, SigningAlg, SubjectType};

use crate::harness::*;

async fn code_flow_issues_verifiable_tokens(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let account = citizen(&env).await;
    let signed_in_at = NOW - time::Duration::minutes(5);
    let session = session(&env, &account, AssuranceLevel::LoA2, signed_in_at).await;

    let request = request(
        &env,
        &auth_params(client.id(), &[("unknown_param", "ignored")], &[]),
    )
    .await;
    assert_eq!(request.client_id(), "hoso-tphcm");
    assert_eq!(request.client_name(), "Dịch vụ hoso-tphcm");
    let decision = env
        .provider
        .decide(
            &request,
            Some((&session, &account)),
            domain::AssuranceLevel::LoA2,
            None,
        )
        .await
        .unwrap();
    let oidc::Decision::Issue(url) = decision else {
        panic!("expected a code, got {decision:?}");
    };
    assert_eq!(query(&url, "state").as_deref(), Some("st-123"));
    let code = issued_code(oidc::Decision::Issue(url));

    let tokens = redeem(&env, &client, &code).await;
    let body = serde_json::to_value(&tokens).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], ALL_SCOPES);
    assert!(tokens.refresh_token.is_some());

    let id_token = tokens.id_token.as_deref().unwrap();
    let (header, claims) = verify_independently(&env, id_token, client.id()).await;
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], account.id.to_string());
    assert_eq!(claims["aud"], "hoso-tphcm");
    assert_eq!(claims["azp"], "hoso-tphcm");
    assert_eq!(claims["nonce"], "n-456");
    assert_eq!(claims["acr"], "LoA2");
    assert_eq!(claims["amr"], json!(["pwd", "otp", "sms", "mfa"]));
    assert_eq!(claims["auth_time"], signed_in_at.unix_timestamp());
    assert_eq!(claims["iat"], NOW.unix_timestamp());
    assert_eq!(claims["exp"], NOW.unix_timestamp() + 600);
    assert_eq!(claims["sid"], session.id.to_string());
    let expected_at_hash = {
        use base64::Engine as _;
        let digest = domain::digest::sha256(tokens.access_token.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    };
    assert_eq!(claims["at_hash"], expected_at_hash);
    // Personal claims stay in userinfo.
    assert!(claims.get("name").is_none());
    assert!(claims.get("dvc_personal_id").is_none());

    // The access token is an RFC 9068 JWT, ES256 by default.
    let (header, access) = verify_independently(&env, &tokens.access_token, ISSUER).await;
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(access["client_id"], "hoso-tphcm");
    assert_eq!(access["sub"], account.id.to_string());
    assert_eq!(access["scope"], ALL_SCOPES);
    assert!(access["jti"].is_string());
    assert!(access["gid"].is_string());

    let info = env.provider.userinfo(&tokens.access_token).await.unwrap();
    assert_eq!(info["sub"], account.id.to_string());
    assert_eq!(info["name"], "Nguyễn Thị Minh Khai");
    assert_eq!(info["family_name"], "Nguyễn");
    assert_eq!(info["given_name"], "Thị Minh Khai");
    assert_eq!(info["birthdate"], "1990-05-17");
    assert_eq!(info["gender"], "female");
    assert_eq!(info["phone_number"], "+84912345678");
    assert_eq!(info["phone_number_verified"], true);
    assert_eq!(info["email"], "khai@example.vn");
    assert_eq!(info["dvc_personal_id"], "001190012345");
    assert_eq!(info["dvc_account_kind"], "citizen");
    assert!(info.get("SoDinhDanh").is_none());

    // The access token expires.
    env.advance(301);
    assert!(matches!(
        env.provider.userinfo(&tokens.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
}

async fn a_replayed_code_revokes_what_it_issued(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let account = citizen(&env).await;
    let session = session(&env, &account, AssuranceLevel::LoA2, NOW).await;
    let code = code_for(&env, &client, &session, &account).await;
    let tokens = redeem(&env, &client, &code).await;
    assert!(env.provider.userinfo(&tokens.access_token).await.is_ok());

    let replay = env.provider.token(&client.basic(), &code_form(&code)).await;
    assert_eq!(refusal(replay), ("invalid_grant".to_owned(), 400));

    // Everything the code issued is dead: the refresh token and the access token.
    let refresh = pairs(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens.refresh_token.as_deref().unwrap()),
    ]);
    let refreshed = env.provider.token(&client.basic(), &refresh).await;
    assert_eq!(refusal(refreshed).0, "invalid_grant");
    assert!(matches!(
        env.provider.userinfo(&tokens.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
}

async fn token_requests_must_match_their_code(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let other = register(&env, "thue-hanoi", |_| {}).await;
    let account = citizen(&env).await;
    let session = session(&env, &account, AssuranceLevel::LoA2, NOW).await;

    let attempts: Vec<(&str, Vec<(String, String)>)> = vec![
        ("wrong redirect_uri", {
            let mut form = code_form("");
            form[2].1 = format!("{REDIRECT}/");
            form
        }),
        ("missing verifier", {
            let mut form = code_form("");
            form.remove(3);
            form
        }),
        ("wrong verifier", {
            let mut form = code_form("");
            form[3].1 = "A".repeat(43);
            form
        }),
        ("plain verifier equal to the challenge", {
            let mut form = code_form("");
            form[3].1 = CHALLENGE.to_owned();
            form
        }),
    ];
    for (what, mut form) in attempts {
        let code = code_for(&env, &client, &session, &account).await;
        form[1].1 = code.clone();
        let answer = env.provider.token(&client.basic(), &form).await;
        assert_eq!(refusal(answer).0, "invalid_grant", "{what}");
        // A refused redemption spends the code.
        let again = env.provider.token(&client.basic(), &code_form(&code)).await;
        assert_eq!(
            refusal(again).0,
            "invalid_grant",
            "{what}, then the right request"
        );
    }

    // Another client cannot redeem the code.
    let code = code_for(&env, &client, &session, &account).await;
    let stolen = env.provider.token(&other.basic(), &code_form(&code)).await;
    assert_eq!(refusal(stolen).0, "invalid_grant");

    // Codes live at most 60 seconds.
    let code = code_for(&env, &client, &session, &account).await;
    env.advance(61);
    let late = env.provider.token(&client.basic(), &code_form(&code)).await;
    assert_eq!(refusal(late).0, "invalid_grant");

    let unknown = env
        .provider
        .token(&client.basic(), &code_form("not-a-code"))
        .await;
    assert_eq!(refusal(unknown).0, "invalid_grant");

    // The redirect_uri is required.
    let code = code_for(&env, &client, &session, &account).await;
    let mut form = code_form(&code);
    form.remove(2);
    let answer = env.provider.token(&client.basic(), &form).await;
    assert_eq!(refusal(answer).0, "invalid_request");
}

async fn a_verifier_without_a_challenge_is_a_downgrade(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "legacy-portal", |s| s.require_pkce = false).await;
    let account = citizen(&env).await;
    let session = session(&env, &account, AssuranceLevel::LoA2, NOW).await;
    let params = auth_params(
        client.id(),
        &[],
        &["code_challenge", "code_challenge_method"],
    );

    let code_of = |params: Vec<(String, String)>| {
        let env = &env;
        let session = &session;
        let account = &account;
        async move {
            let request = request(env, &params).await;
            issued_code(
                env.provider
                    .decide(
                        &request,
                        Some((session, account)),
                        domain::AssuranceLevel::LoA2,
                        None,
                    )
                    .await
                    .unwrap(),
            )
        }
    };
    let code = code_of(params.clone()).await;
    let downgraded = env.provider.token(&client.basic(), &code_form(&code)).await;
    assert_eq!(refusal(downgraded).0, "invalid_grant");

    let code = code_of(params).await;
    let mut form = code_form(&code);
    form.remove(3);
    assert!(env.provider.token(&client.basic(), &form).await.is_ok());
}

async fn client_authentication_is_refused_per_rfc_6749(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let form = pairs(&[("grant_type", "authorization_code"), ("code", "x")]);

    let mut wrong = client.basic();
    wrong.basic = Some(("hoso-tphcm".to_owned(), "wrong".to_owned()));
    let answer = env.provider.token(&wrong, &form).await.unwrap_err();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.body()["error"], "invalid_client");
    assert!(answer.www_authenticate().unwrap().starts_with("Basic"));

    let post = PresentedClient {
        client_id: Some("hoso-tphcm".to_owned()),
        client_secret: Some("wrong".to_owned()),
        ..PresentedClient::default()
    };
    let answer = env.provider.token(&post, &form).await.unwrap_err();
    assert_eq!(answer.status(), 400);
    assert_eq!(answer.body()["error"], "invalid_client");
    assert!(answer.www_authenticate().is_none());

    let nobody = env.provider.token(&PresentedClient::default(), &form).await;
    assert_eq!(refusal(nobody).0, "invalid_client");

    let password = pairs(&[
        ("grant_type", "password"),
        ("username", "a"),
        ("password", "b"),
    ]);
    let answer = env.provider.token(&client.basic(), &password).await;
    assert_eq!(refusal(answer).0, "unsupported_grant_type");
    let twice = pairs(&[
        ("grant_type", "authorization_code"),
        ("grant_type", "refresh_token"),
    ]);
    let answer = env.provider.token(&client.basic(), &twice).await;
    assert_eq!(refusal(answer).0, "invalid_request");
    let missing = env.provider.token(&client.basic(), &[]).await;
    assert_eq!(refusal(missing).0, "invalid_request");
}

async fn client_secret_post_public_clients_and_other_algorithms(db: TestDb) {
    let env = env(db).await;
    let post = register(&env, "post-client", |s| {
        s.auth_method = ClientAuthMethod::ClientSecretPost;
        s.id_token_alg = SigningAlg::ES256;
    })
    .await;
    let public = register(&env, "mobile-app", |s| {
        s.auth_method = ClientAuthMethod::None;
        s.id_token_alg = SigningAlg::EdDSA;
    })
    .await;
    let account = citizen(&env).await;
    let session = session(&env, &account, AssuranceLevel::LoA2, NOW).await;

    for (client, presented, alg) in [
        (&post, post.post(), jsonwebtoken::Algorithm::ES256),
        (&public, public.public(), jsonwebtoken::Algorithm::EdDSA),
    ] {
        let code = code_for(&env, client, &session, &account).await;
        let tokens = env
            .provider
            .token(&presented, &code_form(&code))
            .await
            .unwrap();
        let (header, claims) =
            verify_independently(&env, tokens.id_token.as_deref().unwrap(), client.id()).await;
        assert_eq!(header.alg, alg);
        assert_eq!(claims["aud"], client.id());
        assert!(claims["at_hash"].is_string());
    }

    // A public client must send PKCE.
    let refused = env
        .provider
        .authorization_request(&auth_params(
            public.id(),
            &[],
            &["code_challenge", "code_challenge_method"],
        ))
        .await;
    let Err(oidc::AuthorizeError::Redirect(url)) = refused else {
        panic!("expected an error redirect, got {refused:?}");
    };
    assert_eq!(query(&url, "error").as_deref(), Some("invalid_request"));
    // A public client authenticating with a secret is refused.
    let code = code_for(&env, &public, &session, &account).await;
    let with_secret = PresentedClient {
        client_id: Some(public.id().to_owned()),
        client_secret: Some("anything".to_owned()),
        ..PresentedClient::default()
    };
    let answer = env.provider.token(&with_secret, &code_form(&code)).await;
    assert!(matches!(answer, Err(TokenError::Refused { .. })));
}

async fn pairwise_subjects_and_portal_claim_names(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "cong-bo-cu", |s| {
        s.subject_type = SubjectType::Pairwise;
        s.claim_mapping = ClaimMapping::Portal;
    })
    .await;
    let (account, _, tokens) = signed_in_tokens(&env, &client).await;
    let (_, claims) =
        verify_independently(&env, tokens.id_token.as_deref().unwrap(), client.id()).await;
    let sub = claims["sub"].as_str().unwrap().to_owned();
    assert_ne!(sub, account.id.to_string());
    let info = env.provider.userinfo(&tokens.access_token).await.unwrap();
    assert_eq!(info["sub"], sub);
    assert_eq!(info["SoDinhDanh"], "001190012345");
    assert_eq!(info["HoVaTen"], "Nguyễn Thị Minh Khai");
    assert_eq!(info["NgayThangNamSinh"], "19900517");
    assert_eq!(info["GioiTinh"], "Nữ");
    assert_eq!(info["SoDienThoai"], "0912345678");
    assert_eq!(info["LoaiTaiKhoan"], "1");
    assert_eq!(info["dvc_personal_id"], "001190012345");
}

async fn userinfo_releases_only_the_granted_scopes(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |s| {
        s.scopes = vec!["openid".to_owned(), "profile".to_owned()];
    })
    .await;
    let (account, _, tokens) = signed_in_tokens(&env, &client).await;
    // phone, email and dvc were asked for but the client is not registered for them.
    assert_eq!(tokens.scope, "openid profile");
    let info = env.provider.userinfo(&tokens.access_token).await.unwrap();
    assert_eq!(info["sub"], account.id.to_string());
    assert_eq!(info["name"], "Nguyễn Thị Minh Khai");
    assert!(info.get("phone_number").is_none());
    assert!(info.get("email").is_none());
    assert!(info.get("dvc_personal_id").is_none());
}

store::store_tests!(
    code_flow_issues_verifiable_tokens,
    a_replayed_code_revokes_what_it_issued,
    token_requests_must_match_their_code,
    a_verifier_without_a_challenge_is_a_downgrade,
    client_authentication_is_refused_per_rfc_6749,
    client_secret_post_public_clients_and_other_algorithms,
    pairwise_subjects_and_portal_claim_names,
    userinfo_releases_only_the_granted_scopes,
);
