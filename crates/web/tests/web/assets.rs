//! The stylesheet and script: embedded, addressed by content hash, cached for long.

use super::serve;

#[tokio::test]
async fn assets_are_served_with_their_type_and_a_long_cache() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let html = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (name, content_type, sample) in [
        ("app.css", "text/css; charset=utf-8", ".error-summary"),
        ("app.js", "text/javascript; charset=utf-8", "data-countdown"),
    ] {
        let path = web::asset_url(name);
        // `/static/app.0123456789.css`: the content's hash is in the address.
        let (stem, extension) = name.split_once('.').unwrap();
        let hash = path
            .strip_prefix(&format!("/static/{stem}."))
            .and_then(|rest| rest.strip_suffix(&format!(".{extension}")))
            .unwrap_or_else(|| panic!("{path}"));
        assert!(
            hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{path}"
        );
        assert!(html.contains(&format!("\"{path}\"")), "{path} in {html}");
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], content_type, "{path}");
        let cache = headers["cache-control"].to_str().unwrap();
        assert!(
            cache.contains("max-age=31536000") && cache.contains("immutable"),
            "{path}: {cache}"
        );
        // The security headers stay on.
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(response.text().await.unwrap().contains(sample), "{path}");
    }

    // An address of another version gets today's file, not to be kept under that name.
    let stale = reqwest::get(format!("{base}/static/app.0000000000.css"))
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    let unknown = reqwest::get(format!("{base}/static/other.css"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_browser_asking_for_an_icon_gets_nothing_rather_than_a_404() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let icon = reqwest::get(format!("{base}/favicon.ico")).await.unwrap();
    assert_eq!(icon.status(), 204);
    assert_eq!(icon.headers()["cache-control"], "public, max-age=86400");
}
