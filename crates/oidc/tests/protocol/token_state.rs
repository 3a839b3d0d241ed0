//! Introspection and revocation bound to the calling client, and userinfo's refusals.

use domain::AccountStatus;
use oidc::BearerError;
use serde_json::json;
use store::testing::TestDb;
use store::{Actor, AuditContext, ClientAuthMethod};

use crate::harness::*;

fn token(token: &str) -> Vec<(String, String)> {
    pairs(&[("token", token)])
}

async fn introspection_answers_only_about_the_callers_tokens(db: TestDb) {
    let env = env(db).await;
    let owner = register(&env, "hoso-tphcm", |_| {}).await;
    let other = register(&env, "thue-hanoi", |_| {}).await;
    let (account, _, tokens) = signed_in_tokens(&env, &owner).await;
    let refresh = tokens.refresh_token.clone().unwrap();

    let access = env
        .provider
        .introspect(&owner.basic(), &token(&tokens.access_token))
        .await
        .unwrap();
    assert_eq!(access["active"], true);
    assert_eq!(access["client_id"], "hoso-tphcm");
    assert_eq!(access["sub"], account.id.to_string());
    assert_eq!(access["scope"], ALL_SCOPES);
    assert_eq!(access["token_type"], "Bearer");
    assert_eq!(access["iss"], ISSUER);
    assert_eq!(access["acr"], "LoA2");
    assert_eq!(access["exp"], NOW.unix_timestamp() + 300);
    let with_hint = pairs(&[("token", &refresh), ("token_type_hint", "access_token")]);
    let refreshing = env
        .provider
        .introspect(&owner.basic(), &with_hint)
        .await
        .unwrap();
    assert_eq!(refreshing["active"], true);
    assert_eq!(refreshing["client_id"], "hoso-tphcm");
    assert_eq!(refreshing["scope"], ALL_SCOPES);

    // Another client learns nothing, not even that the tokens exist.
    for presented in [&tokens.access_token, &refresh, &"garbage".to_owned()] {
        let answer = env
            .provider
            .introspect(&other.basic(), &token(presented))
            .await
            .unwrap();
        assert_eq!(answer, json!({ "active": false }));
    }
    // An ID token is not an access token.
    let id_token = tokens.id_token.clone().unwrap();
    let answer = env
        .provider
        .introspect(&owner.basic(), &token(&id_token))
        .await
        .unwrap();
    assert_eq!(answer, json!({ "active": false }));

    // Introspection needs an authenticated, confidential client.
    let public = register(&env, "mobile-app", |s| {
        s.auth_method = ClientAuthMethod::None
    })
    .await;
    let answer = env
        .provider
        .introspect(&public.public(), &token(&tokens.access_token))
        .await;
    assert_eq!(refusal(answer).0, "invalid_client");
    let mut wrong = owner.basic();
    wrong.basic = Some(("hoso-tphcm".to_owned(), "wrong".to_owned()));
    let answer = env
        .provider
        .introspect(&wrong, &token(&tokens.access_token))
        .await;
    assert_eq!(refusal(answer), ("invalid_client".to_owned(), 401));
    let answer = env.provider.introspect(&owner.basic(), &[]).await;
    assert_eq!(refusal(answer).0, "invalid_request");

    // Expired tokens are inactive.
    env.advance(301);
    let answer = env
        .provider
        .introspect(&owner.basic(), &token(&tokens.access_token))
        .await
        .unwrap();
    assert_eq!(answer, json!({ "active": false }));
}

async fn revocation_is_silent_for_other_clients_tokens(db: TestDb) {
    let env = env(db).await;
    let owner = register(&env, "hoso-tphcm", |_| {}).await;
    let other = register(&env, "thue-hanoi", |_| {}).await;
    let (_, _, tokens) = signed_in_tokens(&env, &owner).await;
    let refresh = tokens.refresh_token.clone().unwrap();

    // Another client's revocation is answered 200 and does nothing.
    for presented in [&tokens.access_token, &refresh, &"garbage".to_owned()] {
        env.provider
            .revoke(&other.basic(), &token(presented))
            .await
            .unwrap();
    }
    assert!(env.provider.userinfo(&tokens.access_token).await.is_ok());
    let answer = env
        .provider
        .introspect(&owner.basic(), &token(&refresh))
        .await
        .unwrap();
    assert_eq!(answer["active"], true);

    // The owner revokes the access token: that token only.
    env.provider
        .revoke(&owner.basic(), &token(&tokens.access_token))
        .await
        .unwrap();
    assert!(matches!(
        env.provider.userinfo(&tokens.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
    let answer = env
        .provider
        .introspect(&owner.basic(), &token(&tokens.access_token))
        .await
        .unwrap();
    assert_eq!(answer["active"], false);

    // Revoking the refresh token revokes its grant, and the grant's access tokens with it.
    let form = pairs(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]);
    let fresh = env.provider.token(&owner.basic(), &form).await.unwrap();
    let next_refresh = fresh.refresh_token.clone().unwrap();
    env.provider
        .revoke(
            &owner.basic(),
            &pairs(&[
                ("token", &next_refresh),
                ("token_type_hint", "refresh_token"),
            ]),
        )
        .await
        .unwrap();
    assert!(matches!(
        env.provider.userinfo(&fresh.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
    let form = pairs(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &next_refresh),
    ]);
    assert_eq!(
        refusal(env.provider.token(&owner.basic(), &form).await).0,
        "invalid_grant"
    );
    // Revoking twice is fine.
    env.provider
        .revoke(&owner.basic(), &token(&next_refresh))
        .await
        .unwrap();
    let answer = env.provider.revoke(&owner.basic(), &[]).await;
    assert_eq!(refusal(answer).0, "invalid_request");
}

async fn userinfo_refuses_what_is_not_a_live_user_token(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let (account, _, tokens) = signed_in_tokens(&env, &client).await;
    for bad in [
        "",
        "garbage",
        "a.b.c",
        tokens.id_token.as_deref().unwrap(),
        tokens.refresh_token.as_deref().unwrap(),
    ] {
        let answer = env.provider.userinfo(bad).await;
        let Err(error @ BearerError::InvalidToken(_)) = answer else {
            panic!("{bad:?} was not refused as invalid_token: {answer:?}");
        };
        assert_eq!(error.status(), 401);
        assert_eq!(
            error.www_authenticate(),
            "Bearer realm=\"dvcid\", error=\"invalid_token\""
        );
    }
    // A tampered token (claims changed, signature kept).
    let parts: Vec<&str> = tokens.access_token.split('.').collect();
    let tampered = {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: serde_json::Value =
            serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        claims["scope"] = json!("openid profile dvc phone email offline_access");
        let payload = engine.encode(serde_json::to_vec(&claims).unwrap());
        format!("{}.{}.{}", parts[0], payload, parts[2])
    };
    assert!(matches!(
        env.provider.userinfo(&tampered).await,
        Err(BearerError::InvalidToken(_))
    ));

    // A locked account's tokens stop working at once.
    assert!(env.provider.userinfo(&tokens.access_token).await.is_ok());
    let audit = AuditContext {
        actor: Actor::Operator("test".to_owned()),
        client_ip: None,
    };
    env.store()
        .set_status(account.id, AccountStatus::Locked, &audit, env.now())
        .await
        .unwrap();
    assert!(matches!(
        env.provider.userinfo(&tokens.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
}

store::store_tests!(
    introspection_answers_only_about_the_callers_tokens,
    revocation_is_silent_for_other_clients_tokens,
    userinfo_refuses_what_is_not_a_live_user_token,
);
