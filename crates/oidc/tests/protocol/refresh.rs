//! Refresh tokens (rotation, reuse, scope, lifetime, binding to client and session) and the
//! client credentials grant.

use oidc::{BearerError, OidcConfig, TokenError, TokenResponse};
use store::testing::TestDb;
use store::{ClientAuthMethod, GrantType};

use crate::harness::*;

fn refresh_form(token: &str, scope: Option<&str>) -> Vec<(String, String)> {
    let mut form = pairs(&[("grant_type", "refresh_token"), ("refresh_token", token)]);
    if let Some(scope) = scope {
        form.push(("scope".to_owned(), scope.to_owned()));
    }
    form
}

async fn refresh(env: &Env, client: &TestClient, tokens: &TokenResponse) -> TokenResponse {
    env.provider
        .token(
            &client.basic(),
            &refresh_form(tokens.refresh_token.as_deref().unwrap(), None),
        )
        .await
        .unwrap()
}

/// Presents the refresh token of `tokens` again, for a refusal.
async fn refresh_again(
    env: &Env,
    client: &TestClient,
    tokens: &TokenResponse,
) -> Result<TokenResponse, TokenError> {
    env.provider
        .token(
            &client.basic(),
            &refresh_form(tokens.refresh_token.as_deref().unwrap(), None),
        )
        .await
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_family(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let (account, session, first) = signed_in_tokens(&env, &client).await;
    env.advance(120);
    let second = refresh(&env, &client, &first).await;
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(second.scope, ALL_SCOPES);
    let (_, claims) =
        verify_independently(&env, second.id_token.as_deref().unwrap(), client.id()).await;
    assert_eq!(claims["sub"], account.id.to_string());
    assert_eq!(claims["sid"], session.id.to_string());
    assert_eq!(claims["auth_time"], NOW.unix_timestamp());
    assert!(claims.get("nonce").is_none());
    assert!(env.provider.userinfo(&second.access_token).await.is_ok());

    // The first refresh token was spent: presenting it again, later than a client retrying
    // after a lost answer would, revokes the whole family.
    env.advance(i64::from(
        OidcConfig::default().refresh_token_retry_grace_secs,
    ));
    let reuse = refresh_again(&env, &client, &first).await;
    assert_eq!(refusal(reuse), ("invalid_grant".to_owned(), 400));
    let after = refresh_again(&env, &client, &second).await;
    assert_eq!(refusal(after).0, "invalid_grant");
    assert!(matches!(
        env.provider.userinfo(&second.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
}

/// A client whose answer was lost (the node or the database primary died after the commit)
/// presents its old token again: it gets new tokens, and the ones it never saw are dead.
async fn a_refresh_retried_after_a_lost_answer_gets_new_tokens(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let (_, _, first) = signed_in_tokens(&env, &client).await;
    env.advance(120);
    let lost = refresh(&env, &client, &first).await;
    env.advance(5);
    let retried = refresh(&env, &client, &first).await;
    assert_ne!(retried.refresh_token, lost.refresh_token);
    assert_ne!(retried.refresh_token, first.refresh_token);
    let next = refresh(&env, &client, &retried).await;
    assert!(env.provider.userinfo(&next.access_token).await.is_ok());

    // The token the client never saw is spent: whoever presents it is not the client, and the
    // family goes.
    let stolen = refresh_again(&env, &client, &lost).await;
    assert_eq!(refusal(stolen), ("invalid_grant".to_owned(), 400));
    let after = refresh_again(&env, &client, &next).await;
    assert_eq!(refusal(after).0, "invalid_grant");
}

async fn a_refresh_may_narrow_the_scope_but_not_widen_it(db: TestDb) {
    let env = env(db).await;
    // The client may have offline_access, but this grant did not ask for it.
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let (_, _, tokens) = signed_in_tokens(&env, &client).await;
    let token = tokens.refresh_token.as_deref().unwrap();

    // Widening is refused and does not spend the token.
    let wider = env
        .provider
        .token(
            &client.basic(),
            &refresh_form(token, Some("openid offline_access")),
        )
        .await;
    assert_eq!(refusal(wider).0, "invalid_scope");

    let narrow = env
        .provider
        .token(&client.basic(), &refresh_form(token, Some("profile")))
        .await
        .unwrap();
    assert_eq!(narrow.scope, "profile");
    assert!(narrow.id_token.is_none());
    // Without openid, userinfo is not for this token.
    assert!(matches!(
        env.provider.userinfo(&narrow.access_token).await,
        Err(BearerError::InsufficientScope(_))
    ));
    // The family keeps its full scope.
    let full = refresh(&env, &client, &narrow).await;
    assert_eq!(full.scope, ALL_SCOPES);
    assert!(full.id_token.is_some());
}

async fn another_client_can_neither_use_nor_burn_a_refresh_token(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let thief = register(&env, "thue-hanoi", |_| {}).await;
    let (_, _, tokens) = signed_in_tokens(&env, &client).await;
    let stolen = env
        .provider
        .token(
            &thief.basic(),
            &refresh_form(tokens.refresh_token.as_deref().unwrap(), None),
        )
        .await;
    assert_eq!(refusal(stolen).0, "invalid_grant");
    refresh(&env, &client, &tokens).await;
}

async fn refresh_tokens_need_the_grant_and_end_with_family_or_session(db: TestDb) {
    let env = env(db).await;
    let without = register(&env, "no-refresh", |s| {
        s.grant_types = vec![GrantType::AuthorizationCode];
    })
    .await;
    let (_, _, tokens) = signed_in_tokens(&env, &without).await;
    assert!(tokens.refresh_token.is_none());
    let answer = env
        .provider
        .token(&without.basic(), &refresh_form("anything", None))
        .await;
    assert_eq!(refusal(answer).0, "unauthorized_client");

    let client = register(&env, "hoso-tphcm", |_| {}).await;
    // The family's absolute lifetime (8 hours by default).
    let (_, _, tokens) = signed_in_tokens(&env, &client).await;
    env.advance(8 * 3600 + 1);
    let late = refresh_again(&env, &client, &tokens).await;
    assert_eq!(refusal(late).0, "invalid_grant");

    // Ending the session revokes its grants.
    let (_, session, tokens) = signed_in_tokens(&env, &client).await;
    assert!(
        env.store()
            .revoke_session(session.id, env.now())
            .await
            .unwrap()
    );
    let ended = refresh_again(&env, &client, &tokens).await;
    assert_eq!(refusal(ended).0, "invalid_grant");
    assert!(matches!(
        env.provider.userinfo(&tokens.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
}

async fn client_credentials_tokens_are_for_the_client_itself(db: TestDb) {
    let env = env(db).await;
    let machine = register(&env, "lienthong-bhxh", |s| {
        s.redirect_uris.clear();
        s.grant_types = vec![GrantType::ClientCredentials];
        s.scopes = vec![
            "openid".to_owned(),
            "hoso.read".to_owned(),
            "hoso.write".to_owned(),
        ];
    })
    .await;
    let form = pairs(&[("grant_type", "client_credentials")]);
    let tokens = env.provider.token(&machine.basic(), &form).await.unwrap();
    assert_eq!(tokens.scope, "hoso.read hoso.write");
    assert!(tokens.refresh_token.is_none());
    assert!(tokens.id_token.is_none());
    let (header, claims) = verify_independently(&env, &tokens.access_token, ISSUER).await;
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(claims["sub"], "lienthong-bhxh");
    assert_eq!(claims["client_id"], "lienthong-bhxh");
    assert!(claims.get("gid").is_none());
    // No person behind it.
    assert!(matches!(
        env.provider.userinfo(&tokens.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
    let introspected = env
        .provider
        .introspect(&machine.basic(), &pairs(&[("token", &tokens.access_token)]))
        .await
        .unwrap();
    assert_eq!(introspected["active"], true);
    assert_eq!(introspected["sub"], "lienthong-bhxh");

    let narrowed = pairs(&[("grant_type", "client_credentials"), ("scope", "hoso.read")]);
    assert_eq!(
        env.provider
            .token(&machine.basic(), &narrowed)
            .await
            .unwrap()
            .scope,
        "hoso.read"
    );
    let personal = pairs(&[
        ("grant_type", "client_credentials"),
        ("scope", "openid hoso.read"),
    ]);
    assert_eq!(
        refusal(env.provider.token(&machine.basic(), &personal).await).0,
        "invalid_scope"
    );

    // Only clients registered for it, and never public ones.
    let web = register(&env, "hoso-tphcm", |_| {}).await;
    assert_eq!(
        refusal(env.provider.token(&web.basic(), &form).await).0,
        "unauthorized_client"
    );
    let public = register(&env, "mobile-app", |s| {
        s.auth_method = ClientAuthMethod::None;
        s.grant_types.push(GrantType::ClientCredentials);
    })
    .await;
    assert_eq!(
        refusal(env.provider.token(&public.public(), &form).await).0,
        "unauthorized_client"
    );
}

store::store_tests!(
    refresh_tokens_rotate_and_reuse_revokes_the_family,
    a_refresh_retried_after_a_lost_answer_gets_new_tokens,
    a_refresh_may_narrow_the_scope_but_not_widen_it,
    another_client_can_neither_use_nor_burn_a_refresh_token,
    refresh_tokens_need_the_grant_and_end_with_family_or_session,
    client_credentials_tokens_are_for_the_client_itself,
);
