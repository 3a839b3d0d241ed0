//! RP-initiated logout and back-channel logout delivery to a real HTTP receiver.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Form, Router};
use domain::AssuranceLevel;
use oidc::{EndSession, EndSessionError, EndSessionRefusal};
use serde_json::{Value, json};
use store::SubjectType;
use store::testing::TestDb;
use tokio::sync::mpsc;

use crate::harness::*;

async fn a_valid_hint_for_the_session_ends_it_at_once(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let (_, session, tokens) = signed_in_tokens(&env, &client).await;
    let hint = tokens.id_token.unwrap();
    // ID tokens used as hints are often expired: that is fine.
    env.advance(3600);
    let params = pairs(&[
        ("id_token_hint", &hint),
        ("post_logout_redirect_uri", SIGNED_OUT),
        ("state", "bye"),
        ("ui_locales", "vi-VN"),
    ]);
    let answer = env
        .provider
        .end_session(&params, Some(&session))
        .await
        .unwrap();
    assert_eq!(answer.end_session, Some(session.id));
    assert!(!answer.confirm);
    assert_eq!(
        answer.redirect.unwrap().as_str(),
        format!("{SIGNED_OUT}?state=bye")
    );
    assert_eq!(answer.client_name.as_deref(), Some("Dịch vụ hoso-tphcm"));
    assert_eq!(answer.ui_locales.as_deref(), Some("vi"));

    // Without a browser session there is nothing to end, but the way back still works.
    let answer = env.provider.end_session(&params, None).await.unwrap();
    assert_eq!(answer.end_session, None);
    assert!(!answer.confirm);
    assert!(answer.redirect.is_some());
}

async fn without_a_valid_hint_the_person_confirms(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let pairwise = register(&env, "cong-bo-cu", |s| {
        s.subject_type = SubjectType::Pairwise
    })
    .await;
    let (account, session, tokens) = signed_in_tokens(&env, &client).await;
    let hint = tokens.id_token.unwrap();
    let confirm_only = |answer: EndSession| {
        assert_eq!(answer.end_session, Some(session.id));
        assert!(answer.confirm);
        answer.redirect
    };

    // No hint at all.
    let answer = env.provider.end_session(&[], Some(&session)).await.unwrap();
    assert_eq!(confirm_only(answer), None);
    // A client_id and its registered URI allow the way back, after confirmation.
    let params = pairs(&[
        ("client_id", client.id()),
        ("post_logout_redirect_uri", SIGNED_OUT),
        ("state", "s"),
    ]);
    let answer = env
        .provider
        .end_session(&params, Some(&session))
        .await
        .unwrap();
    assert!(confirm_only(answer).is_some());
    // A forged hint counts as none.
    let forged = {
        let mut parts: Vec<String> = hint.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        parts.join(".")
    };
    let params = pairs(&[("id_token_hint", &forged)]);
    let answer = env
        .provider
        .end_session(&params, Some(&session))
        .await
        .unwrap();
    assert_eq!(confirm_only(answer), None);
    // A hint of another session (here, of the same person) does not end this one silently.
    let other_session = crate::harness::session(&env, &account, AssuranceLevel::LoA2, NOW).await;
    let params = pairs(&[("id_token_hint", &hint)]);
    let answer = env
        .provider
        .end_session(&params, Some(&other_session))
        .await
        .unwrap();
    assert_eq!(answer.end_session, Some(other_session.id));
    assert!(answer.confirm);
    // An access token is no ID token.
    let params = pairs(&[("id_token_hint", &tokens.access_token)]);
    let answer = env
        .provider
        .end_session(&params, Some(&session))
        .await
        .unwrap();
    assert_eq!(confirm_only(answer), None);

    // Never an open redirect: unregistered URIs, or URIs of another client, are dropped.
    for uri in [
        "https://evil.example/",
        "https://hoso.example.vn/signed-out/",
        "https://hoso.example.vn/signed-out?x=1",
    ] {
        let params = pairs(&[("id_token_hint", &hint), ("post_logout_redirect_uri", uri)]);
        let answer = env
            .provider
            .end_session(&params, Some(&session))
            .await
            .unwrap();
        assert!(!answer.confirm);
        assert_eq!(answer.redirect, None, "{uri}");
    }
    let params = pairs(&[("post_logout_redirect_uri", SIGNED_OUT)]);
    let answer = env
        .provider
        .end_session(&params, Some(&session))
        .await
        .unwrap();
    assert_eq!(answer.redirect, None);

    // A client_id contradicting the hint, or a repeated parameter, is refused.
    let params = pairs(&[("id_token_hint", &hint), ("client_id", pairwise.id())]);
    assert!(matches!(
        env.provider.end_session(&params, Some(&session)).await,
        Err(EndSessionError::Refused(EndSessionRefusal::ClientMismatch))
    ));
    let params = pairs(&[("state", "a"), ("state", "b")]);
    assert!(matches!(
        env.provider.end_session(&params, Some(&session)).await,
        Err(EndSessionError::Refused(
            EndSessionRefusal::RepeatedParameter
        ))
    ));
}

/// A relying service's back-channel logout endpoint: answers `status`, hands over each token.
struct Receiver {
    uri: String,
    tokens: mpsc::UnboundedReceiver<String>,
    hits: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct ReceiverState {
    status: StatusCode,
    tokens: mpsc::UnboundedSender<String>,
    hits: Arc<AtomicUsize>,
}

async fn receive(
    State(state): State<ReceiverState>,
    Form(form): Form<HashMap<String, String>>,
) -> StatusCode {
    state.hits.fetch_add(1, Ordering::SeqCst);
    if let Some(token) = form.get("logout_token") {
        let _ = state.tokens.send(token.clone());
    }
    state.status
}

async fn receiver(status: StatusCode) -> Receiver {
    let (sender, tokens) = mpsc::unbounded_channel();
    let hits = Arc::new(AtomicUsize::new(0));
    let state = ReceiverState {
        status,
        tokens: sender,
        hits: Arc::clone(&hits),
    };
    let app = Router::new()
        .route("/backchannel-logout", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Receiver {
        uri: format!("http://{address}/backchannel-logout"),
        tokens,
        hits,
    }
}

async fn ending_a_session_delivers_a_verifiable_logout_token(db: TestDb) {
    let env = env(db).await;
    let mut receiver = receiver(StatusCode::OK).await;
    let uri = receiver.uri.clone();
    let client = register(&env, "hoso-tphcm", |s| {
        s.backchannel_logout_uri = Some(uri);
    })
    .await;
    let bystander = register(&env, "thue-hanoi", |_| {}).await;
    let (account, session, _) = signed_in_tokens(&env, &client).await;
    // A client that shared the session but has no back-channel URI is skipped quietly.
    code_for(&env, &bystander, &session, &account).await;
    assert_eq!(env.provider.deliver_logouts().await.unwrap(), 0);

    assert!(
        env.store()
            .revoke_session(session.id, env.now())
            .await
            .unwrap()
    );
    assert_eq!(env.provider.deliver_logouts().await.unwrap(), 1);
    let token = receiver.tokens.recv().await.unwrap();
    let claims: Value = env
        .keys
        .verify(&token, Some("logout+jwt"), true, env.now())
        .await
        .unwrap();
    let (header, independent) = verify_independently(&env, &token, client.id()).await;
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(claims, independent);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], "hoso-tphcm");
    assert_eq!(claims["sub"], account.id.to_string());
    assert_eq!(claims["sid"], session.id.to_string());
    assert_eq!(
        claims["events"],
        json!({ "http://schemas.openid.net/event/backchannel-logout": {} })
    );
    assert!(claims.get("nonce").is_none());
    assert!(claims["jti"].is_string());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );

    // Delivered once.
    env.advance(3600);
    assert_eq!(env.provider.deliver_logouts().await.unwrap(), 0);
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 1);
}

async fn failed_deliveries_are_retried_with_backoff_then_abandoned(db: TestDb) {
    let env = env(db).await;
    let receiver = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let uri = receiver.uri.clone();
    let client = register(&env, "hoso-tphcm", |s| {
        s.backchannel_logout_uri = Some(uri);
    })
    .await;
    let (_, session, _) = signed_in_tokens(&env, &client).await;
    assert!(
        env.store()
            .revoke_session(session.id, env.now())
            .await
            .unwrap()
    );

    assert_eq!(env.provider.deliver_logouts().await.unwrap(), 0);
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 1);
    // Not due again yet.
    assert_eq!(env.provider.deliver_logouts().await.unwrap(), 0);
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 1);
    // 30 s, 60 s, 120 s, 240 s later: attempts 2 to 5, then it is given up.
    for (wait, hits) in [(30, 2), (60, 3), (120, 4), (240, 5)] {
        env.advance(wait - 1);
        env.provider.deliver_logouts().await.unwrap();
        assert_eq!(
            receiver.hits.load(Ordering::SeqCst),
            hits - 1,
            "before {wait} s"
        );
        env.advance(1);
        env.provider.deliver_logouts().await.unwrap();
        assert_eq!(receiver.hits.load(Ordering::SeqCst), hits, "after {wait} s");
    }
    env.advance(24 * 3600);
    env.provider.deliver_logouts().await.unwrap();
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 5);
}

async fn an_unreachable_receiver_is_a_failed_attempt(db: TestDb) {
    let env = env(db).await;
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = register(&env, "hoso-tphcm", |s| {
        s.backchannel_logout_uri = Some(format!("http://{address}/logout"));
    })
    .await;
    let (_, session, _) = signed_in_tokens(&env, &client).await;
    assert!(
        env.store()
            .revoke_session(session.id, env.now())
            .await
            .unwrap()
    );
    assert_eq!(env.provider.deliver_logouts().await.unwrap(), 0);
    let due = env
        .store()
        .due_logouts(env.now() + time::Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
}

store::store_tests!(
    a_valid_hint_for_the_session_ends_it_at_once,
    without_a_valid_hint_the_person_confirms,
    ending_a_session_delivers_a_verifiable_logout_token,
    failed_deliveries_are_retried_with_backoff_then_abandoned,
    an_unreachable_receiver_is_a_failed_attempt,
);
