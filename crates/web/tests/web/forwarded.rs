//! The client address the flows record: the TCP peer, or behind a trusted proxy the address it
//! forwarded for. Seen through the account's session list.

use reqwest::Client;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::api::registered_session;
use super::{Options, serve_with};

/// The address of the session person 0 gets by registering and signing in through the JSON
/// API with `forwarded` on every request.
async fn session_address(base: &str, forwarded: &str) -> String {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(forwarded).unwrap());
    let http = Client::builder().default_headers(headers).build().unwrap();
    let session = registered_session(base, &http).await;
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
