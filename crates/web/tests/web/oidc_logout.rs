//! RP-initiated logout and back-channel logout, against the OpenID Foundation's test plans of
//! the same names: the relying services' side is the `openidconnect` crate (building the
//! logout request) and `jsonwebtoken` (checking logout tokens with the published JWKS).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use openidconnect::core::CoreAuthPrompt;
use openidconnect::{CsrfToken, LogoutRequest, PostLogoutRedirectUrl};
use reqwest::StatusCode;
use serde_json::{Value, json};
use store::testing::TestDb;
use tokio::sync::mpsc;

use super::browser::{csrf_of, location};
use super::oidc_provider::{Op, callback};
use super::oidc_rp::{SignedIn, error_code, header, verified_with_jwks};

const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// One POST a relying service received on its back-channel logout URI.
#[derive(Debug)]
struct Delivery {
    /// The path's last segment: which relying service it was sent to.
    to: String,
    content_type: String,
    form: HashMap<String, String>,
}

/// A relying service's back-channel endpoint on a port of its own: `{url}/{name}` forwards
/// every POST into the channel.
async fn backchannel_receiver() -> (String, mpsc::UnboundedReceiver<Delivery>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route(
            "/backchannel/{name}",
            axum::routing::post(
                |State(sender): State<mpsc::UnboundedSender<Delivery>>,
                 Path(name): Path<String>,
                 headers: HeaderMap,
                 body: String| async move {
                    let content_type = headers
                        .get("content-type")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let form = url::form_urlencoded::parse(body.as_bytes())
                        .into_owned()
                        .collect();
                    let _ = sender.send(Delivery {
                        to: name,
                        content_type,
                        form,
                    });
                    AxumStatus::OK
                },
            ),
        )
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app).into_future());
    (format!("http://{address}/backchannel"), receiver)
}

async fn next_delivery(receiver: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(15), receiver.recv())
        .await
        .expect("no back-channel logout arrived within 15 s")
        .unwrap()
}

/// Checks a logout token as a relying service must (OpenID Connect Back-Channel Logout 1.0
/// §2.6), with the keys the provider publishes; returns its claims.
async fn verified_logout_token(op: &Op, token: &str, client_id: &str) -> Value {
    let jose = header(token);
    assert_eq!(jose["typ"], json!("logout+jwt"), "explicit typing: {jose}");
    let claims = verified_with_jwks(&op.base, token, Some(client_id)).await;
    assert_eq!(claims["events"][BACKCHANNEL_EVENT], json!({}), "{claims}");
    assert!(
        claims.get("nonce").is_none(),
        "a logout token has no nonce: {claims}"
    );
    assert!(
        claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()),
        "{claims}"
    );
    claims
}

/// The end-session URL a relying service sends the browser to, made by the library.
fn logout_url(op: &Op, signed: &SignedIn, post_logout: &str, state: &str) -> String {
    let endpoint = op
        .metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()
        .unwrap();
    LogoutRequest::from(endpoint)
        .set_id_token_hint(&signed.id_token)
        .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(post_logout.to_owned()).unwrap())
        .set_state(CsrfToken::new(state.to_owned()))
        .http_get_url()
        .to_string()
}

async fn rp_initiated_logout(db: TestDb) {
    let op = Op::start(&db).await;
    let bye = "https://rp-logout.example.vn/signed-out";
    let rp = op
        .client(&db, "rp-logout", |s| {
            s.post_logout_redirect_uris = vec![bye.to_owned()]
        })
        .await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    assert_eq!(browser.get("/account").await.status(), StatusCode::OK);

    let response = browser
        .get(&logout_url(&op, &signed, bye, "logout-state-42"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answer = callback(&location(&response), bye);
    assert_eq!(
        answer.get("state").map(String::as_str),
        Some("logout-state-42")
    );

    // The session is over: the cookie no longer works, and prompt=none says so.
    assert_ne!(browser.get("/account").await.status(), StatusCode::OK);
    let request = rp.authorization(|r| r.add_prompt(CoreAuthPrompt::None));
    let answer = callback(
        &location(&browser.get(request.url.as_str()).await),
        &rp.redirect,
    );
    assert_eq!(
        answer.get("error").map(String::as_str),
        Some("login_required")
    );
    // Ending the session revoked its grants.
    let refused = rp.refresh(signed.refresh_token()).await.unwrap_err();
    assert_eq!(error_code(&refused), "invalid_grant");
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_session_and_returns_with_state() {
    rp_initiated_logout(store::testing::sqlite().await).await;
}

#[tokio::test]
async fn rp_initiated_logout_on_postgres() {
    store::testing::with_postgres("oidc_rp_initiated_logout_on_postgres", rp_initiated_logout)
        .await;
}

async fn backchannel_logout(db: TestDb) {
    let op = Op::start(&db).await;
    let (receiver_url, mut deliveries) = backchannel_receiver().await;
    let bye = "https://rp-bc-ministry.example.vn/signed-out";
    let ministry = op
        .client(&db, "rp-bc-ministry", |s| {
            s.post_logout_redirect_uris = vec![bye.to_owned()];
            s.backchannel_logout_uri = Some(format!("{receiver_url}/ministry"));
        })
        .await;
    let province = op
        .client(&db, "rp-bc-province", |s| {
            s.backchannel_logout_uri = Some(format!("{receiver_url}/province"));
        })
        .await;
    // A client of another session, which must hear nothing.
    let bystander = op
        .client(&db, "rp-bc-bystander", |s| {
            s.backchannel_logout_uri = Some(format!("{receiver_url}/bystander"));
        })
        .await;
    let mut browser = op.browser().await;
    let at_ministry = op.sign_in(&mut browser, &ministry).await;
    let at_province = op.sign_in(&mut browser, &province).await;
    assert_eq!(at_ministry.sid(), at_province.sid());
    let mut elsewhere = op.browser().await;
    let at_bystander = op.sign_in(&mut elsewhere, &bystander).await;
    assert_ne!(at_bystander.sid(), at_ministry.sid());

    let response = browser.get(&logout_url(&op, &at_ministry, bye, "s")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let mut heard = HashMap::new();
    for _ in 0..2 {
        let delivery = next_delivery(&mut deliveries).await;
        assert!(
            delivery
                .content_type
                .starts_with("application/x-www-form-urlencoded"),
            "{delivery:?}"
        );
        let token = delivery
            .form
            .get("logout_token")
            .expect("logout_token")
            .clone();
        assert!(
            heard.insert(delivery.to.clone(), token).is_none(),
            "{} twice",
            delivery.to
        );
    }
    for (name, client, signed) in [
        ("ministry", &ministry, &at_ministry),
        ("province", &province, &at_province),
    ] {
        let token = heard
            .get(name)
            .unwrap_or_else(|| panic!("nothing for {name}: {heard:?}"));
        let claims = verified_logout_token(&op, token, &client.id).await;
        assert_eq!(claims["sid"], json!(signed.sid()), "{name}");
        if let Some(sub) = claims.get("sub") {
            assert_eq!(sub, &json!(signed.sub()), "{name}");
        }
        let refused = client.refresh(signed.refresh_token()).await.unwrap_err();
        assert_eq!(
            error_code(&refused),
            "invalid_grant",
            "{name}'s grant is revoked"
        );
    }
    // The other session goes on.
    assert!(
        deliveries.try_recv().is_err(),
        "a logout for a client of another session"
    );
    bystander
        .refresh(at_bystander.refresh_token())
        .await
        .expect("another session's grant still works");
}

#[tokio::test]
async fn backchannel_logout_reaches_every_client_of_the_session() {
    backchannel_logout(store::testing::sqlite().await).await;
}

#[tokio::test]
async fn backchannel_logout_on_postgres() {
    store::testing::with_postgres("oidc_backchannel_logout_on_postgres", backchannel_logout).await;
}

#[tokio::test]
async fn a_confirmed_logout_without_hint_also_notifies_the_clients() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let (receiver_url, mut deliveries) = backchannel_receiver().await;
    let rp = op
        .client(&db, "rp-bc-confirm", |s| {
            s.backchannel_logout_uri = Some(format!("{receiver_url}/confirm"));
        })
        .await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let html = browser.get("/logout").await.text().await.unwrap();
    let csrf = csrf_of(&html);
    browser.post("/logout/confirm", &[("csrf", &csrf)]).await;
    let delivery = next_delivery(&mut deliveries).await;
    assert_eq!(delivery.to, "confirm");
    let claims = verified_logout_token(&op, &delivery.form["logout_token"], &rp.id).await;
    assert_eq!(claims["sid"], json!(signed.sid()));
}
