//! Admission control end to end: with every password hash of the node taken, a sign-in is
//! answered at once with 503 and `Retry-After` — JSON for apps, a waiting page that goes back
//! to the form for browsers — and nothing else waits for the hashes.

use std::sync::Arc;

use flows::{Argon2Params, OsRandomness, Passwords};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::browser::{csrf_of, location, registered, registered_and_signed_in};
use super::{Options, person, serve_with, test_flow_config};

const PASSWORD: &str = "mây trắng bay qua đồi";

/// A node on `db` whose hashing pool has one place and no waiting line: its address, and the
/// pool (to take the place).
async fn serve_with_one_place(db: &store::testing::TestDb) -> (String, Arc<Passwords>) {
    let config = Argon2Params {
        max_concurrent: 1,
        max_waiting: 0,
        ..test_flow_config().argon2
    };
    let pool = Arc::new(
        Passwords::new(&config, Arc::new(OsRandomness))
            .await
            .unwrap(),
    );
    let options = Options {
        passwords: Some(Arc::clone(&pool)),
        ..Options::default()
    };
    (serve_with(db, options).await, pool)
}

#[tokio::test]
async fn a_sign_in_beyond_the_admitted_hashes_is_refused_at_once_with_retry_after() {
    let db = store::testing::sqlite().await;
    let (base, pool) = serve_with_one_place(&db).await;
    let someone = person(0);
    let mut browser = registered(base.clone(), &someone, PASSWORD).await;
    let taken = pool.admit().unwrap();

    // An app: JSON with the wait.
    let http = reqwest::Client::new();
    let started: Value = http
        .post(format!("{base}/api/flows"))
        .json(&json!({ "kind": "login" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = started["flow"]["id"].as_str().unwrap();
    let refused = http
        .post(format!("{base}/api/flows/{id}"))
        .header("x-flow-token", started["flow_token"].as_str().unwrap())
        .json(&json!({
            "action": "sign_in",
            "identifier": someone.personal_id.as_str(),
            "password": PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "2");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "unavailable", "{body}");

    // A browser: a waiting page that goes back to the same form by itself.
    let start = browser.get("/login").await;
    let flow = location(&start);
    let flow = flow.split('?').next().unwrap().to_owned();
    let waiting = browser
        .post(
            &flow,
            &[
                ("action", "sign_in"),
                ("identifier", someone.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(waiting.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(waiting.headers()["retry-after"], "2");
    let page = waiting.text().await.unwrap();
    assert!(
        page.contains(&format!(
            r#"<meta http-equiv="refresh" content="2;url={flow}">"#
        )),
        "{page}"
    );
    assert!(
        page.contains("Đang có nhiều người đăng nhập cùng lúc"),
        "{page}"
    );

    // Pages and the provider's documents do not wait for hashes.
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    let discovery = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(discovery.status(), StatusCode::OK);

    // A place frees: the same form signs in.
    drop(taken);
    let sent = browser
        .post(
            &flow,
            &[
                ("action", "sign_in"),
                ("identifier", someone.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
}

/// A form posted to an address without a page of its own (the account's password change): the
/// waiting page goes back to the account page, where the form is.
#[tokio::test]
async fn a_password_change_refused_for_load_waits_on_the_account_page() {
    let db = store::testing::sqlite().await;
    let (base, pool) = serve_with_one_place(&db).await;
    let someone = person(0);
    let mut browser = registered_and_signed_in(base, &someone, PASSWORD).await;
    let html = browser.get("/account").await.text().await.unwrap();
    let csrf = csrf_of(&html);
    let _taken = pool.admit().unwrap();
    let new = "Một mật khẩu mới, 2026!";
    let waiting = browser
        .post(
            "/account/password",
            &[
                ("csrf", csrf.as_str()),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(waiting.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = waiting.text().await.unwrap();
    assert!(
        page.contains(r#"<meta http-equiv="refresh" content="2;url=/account">"#),
        "{page}"
    );
}
