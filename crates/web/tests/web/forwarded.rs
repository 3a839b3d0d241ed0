//! The client address the flows record: the TCP peer, or behind a trusted proxy the address it
//! forwarded for. Seen through the account's session list.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::{Options, last_otp, person, serve_with};

const PASSWORD: &str = "mây trắng bay qua đồi";

/// Registers person 0 and signs in through the JSON API with `forwarded` on every request;
/// returns the address of the session the sign-in made.
async fn session_address(base: &str, forwarded: &str) -> String {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(forwarded).unwrap());
    let http = Client::builder().default_headers(headers).build().unwrap();
    let someone = person(0);
    let act = |id: String, token: String, action: Value| {
        let http = http.clone();
        let url = format!("{base}/api/flows/{id}");
        async move {
            let response = http
                .post(url)
                .header("x-flow-token", token)
                .json(&action)
                .send()
                .await
                .unwrap();
            response.json::<Value>().await.unwrap()
        }
    };
    let start = |kind: &str| {
        let request = http
            .post(format!("{base}/api/flows"))
            .json(&json!({ "kind": kind }));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let body: Value = response.json().await.unwrap();
            (
                body["flow"]["id"].as_str().unwrap().to_owned(),
                body["flow_token"].as_str().unwrap().to_owned(),
            )
        }
    };

    let (id, token) = start("register_phone").await;
    let body = act(
        id.clone(),
        token.clone(),
        json!({
            "action": "register_phone",
            "full_name": someone.full_name,
            "personal_id": someone.personal_id.as_str(),
            "birth_date": someone.birth_date.to_string(),
            "gender": someone.gender.as_str(),
            "phone": someone.phone.national(),
            "email": "",
        }),
    )
    .await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    act(
        id.clone(),
        token.clone(),
        json!({ "action": "otp", "code": last_otp(&someone.phone) }),
    )
    .await;
    let body = act(
        id,
        token,
        json!({ "action": "set_password", "password": PASSWORD, "confirm": PASSWORD }),
    )
    .await;
    assert_eq!(body["flow"]["result"], "registered", "{body}");

    let (id, token) = start("login").await;
    let sign_in = json!({ "action": "sign_in", "identifier": someone.personal_id.as_str(), "password": PASSWORD });
    act(id.clone(), token.clone(), sign_in).await;
    let body = act(
        id,
        token,
        json!({ "action": "otp", "code": last_otp(&someone.phone) }),
    )
    .await;
    let session = body["session"]["token"].as_str().unwrap().to_owned();

    let sessions: Value = http
        .get(format!("{base}/api/account/sessions"))
        .bearer_auth(session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    sessions["sessions"][0]["address"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client() {
    let db = store::testing::sqlite().await;
    let base = serve_with(
        &db,
        Options {
            trusted_proxies: vec!["127.0.0.0/8"],
            ..Options::default()
        },
    )
    .await;
    let address = session_address(&base, "203.0.113.9, 198.51.100.7").await;
    assert_eq!(address, "198.51.100.7");
}

#[tokio::test]
async fn forwarding_headers_from_anyone_else_are_ignored() {
    let db = store::testing::sqlite().await;
    let base = serve_with(&db, Options::default()).await;
    let address = session_address(&base, "198.51.100.7").await;
    assert_eq!(address, "127.0.0.1");
}
