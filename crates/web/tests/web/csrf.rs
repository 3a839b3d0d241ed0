//! Cross-site request forgery: state-changing requests another site started are refused.

use axum::routing::post;
use reqwest::StatusCode;

use super::{Options, serve_with};

/// The app with a POST route beside it: the check covers extra routes too.
async fn serve_echo(db: &store::testing::TestDb) -> String {
    serve_with(
        db,
        Options {
            extra: axum::Router::new().route("/echo", post(|| async { "ok" })),
            ..Options::default()
        },
    )
    .await
}

async fn post_echo(base: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/echo"))
        .body("x=1");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn cross_site_posts_are_refused_with_a_translated_page_or_json() {
    let db = store::testing::sqlite().await;
    let base = serve_echo(&db).await;

    let refused = post_echo(&base, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The security headers are on the refusal too.
    assert!(refused.headers().contains_key("content-security-policy"));
    let html = refused.text().await.unwrap();
    assert!(html.contains("<html lang=\"vi\">"), "{html}");
    assert!(html.contains("Yêu cầu bị từ chối"), "{html}");

    let english = post_echo(
        &base,
        &[("sec-fetch-site", "cross-site"), ("accept-language", "en")],
    )
    .await;
    assert_eq!(english.status(), StatusCode::FORBIDDEN);
    assert!(english.text().await.unwrap().contains("Request refused"));

    let json = post_echo(
        &base,
        &[
            ("sec-fetch-site", "cross-site"),
            ("accept", "application/json"),
        ],
    )
    .await;
    assert_eq!(json.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = json.json().await.unwrap();
    assert_eq!(body["error"], "csrf");
    assert!(body["message"].as_str().unwrap().contains("trang web khác"));

    // Same-site is another origin too (a sibling subdomain).
    let same_site = post_echo(&base, &[("sec-fetch-site", "same-site")]).await;
    assert_eq!(same_site.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn same_origin_and_headerless_posts_pass() {
    let db = store::testing::sqlite().await;
    let base = serve_echo(&db).await;
    let same_origin = post_echo(
        &base,
        &[("sec-fetch-site", "same-origin"), ("origin", &base)],
    )
    .await;
    assert_eq!(same_origin.status(), StatusCode::OK);
    assert_eq!(same_origin.text().await.unwrap(), "ok");

    // Typed into the address bar or a bookmark.
    let none = post_echo(&base, &[("sec-fetch-site", "none")]).await;
    assert_eq!(none.status(), StatusCode::OK);

    // Native apps and curl send neither header.
    let bare = post_echo(&base, &[]).await;
    assert_eq!(bare.status(), StatusCode::OK);

    // Old browsers: an Origin equal to the request's own host…
    let own_host = post_echo(&base, &[("origin", &base)]).await;
    assert_eq!(own_host.status(), StatusCode::OK);
    // … or to the configured public origin (a proxy in front rewrites Host).
    let public = post_echo(&base, &[("origin", "http://127.0.0.1")]).await;
    assert_eq!(public.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_foreign_origin_is_refused() {
    let db = store::testing::sqlite().await;
    let base = serve_echo(&db).await;
    for origin in [
        "https://evil.example",
        "http://127.0.0.1:1",
        "null",
        "https://127.0.0.1.evil.example",
    ] {
        let response = post_echo(&base, &[("origin", origin)]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    // Reading is never refused.
    let get = reqwest::Client::new()
        .get(format!("{base}/"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
}

#[test]
fn synchronizer_tokens_are_bound_to_the_session() {
    let key = b"a server key of thirty-two bytes";
    let token = web::csrf::csrf_token(key, "session-a");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert!(web::csrf::verify(key, "session-a", &token));
    assert!(!web::csrf::verify(key, "session-b", &token));
    assert!(!web::csrf::verify(b"another key", "session-a", &token));
}
