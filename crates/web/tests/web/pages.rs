//! Pages: the home page, error pages, and the form components (through the demo's showcase).

use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE};

use super::{Options, serve, serve_with};

async fn get_text(url: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = reqwest::Client::new().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// What the CSP forbids: inline scripts, inline styles and inline event handlers.
fn assert_no_inline_code(html: &str) {
    for forbidden in [
        "<style",
        " style=",
        "<script>",
        " onclick=",
        " onload=",
        "javascript:",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
    assert!(html.contains("<script src=\"/static/app."), "{html}");
}

#[tokio::test]
async fn the_home_page_speaks_both_languages() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;

    let (status, vi) = get_text(&format!("{base}/"), &[]).await;
    assert_eq!(status, 200);
    assert!(vi.contains("<html lang=\"vi\">"), "{vi}");
    for text in [
        "Cổng Dịch vụ công quốc gia",
        r#"href="/login">Đăng nhập</a>"#,
        r#"href="/register">Đăng ký</a>"#,
        r##"<a class="skip-link" href="#main">"##,
        r#"<main class="wrap" id="main""#,
        r#"<meta name="viewport""#,
    ] {
        assert!(vi.contains(text), "{text} in {vi}");
    }
    // Without the demo's sandbox, no links to it.
    assert!(!vi.contains("/sandbox/"), "{vi}");
    assert_no_inline_code(&vi);

    let (_, en) = get_text(&format!("{base}/"), &[(ACCEPT_LANGUAGE.as_str(), "en")]).await;
    assert!(en.contains("<html lang=\"en\">"), "{en}");
    assert!(en.contains("National Public Service Portal"), "{en}");
    assert!(en.contains(r#"href="/login">Sign in</a>"#), "{en}");
    assert!(en.contains(r#"href="/register">Register</a>"#), "{en}");
}

#[tokio::test]
async fn the_demo_home_page_links_to_the_sandbox() {
    let db = store::testing::sqlite().await;
    let base = serve_with(
        &db,
        Options {
            sandbox_links: true,
            ..Options::default()
        },
    )
    .await;
    let (_, html) = get_text(&format!("{base}/"), &[]).await;
    for link in [
        "/sandbox/sms/page",
        "/sandbox/email/page",
        "/sandbox/people",
    ] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "{link} in {html}"
        );
    }
}

#[tokio::test]
async fn unknown_addresses_get_a_translated_404() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let url = format!("{base}/no-such-page");

    let (status, vi) = get_text(&url, &[]).await;
    assert_eq!(status, 404);
    assert!(vi.contains("<html lang=\"vi\">"), "{vi}");
    assert!(vi.contains("Không tìm thấy trang"), "{vi}");
    assert!(vi.contains(r#"<a class="btn btn-primary" href="/">Về trang chủ</a>"#));
    assert_no_inline_code(&vi);

    let (status, en) = get_text(&url, &[(ACCEPT_LANGUAGE.as_str(), "en-GB")]).await;
    assert_eq!(status, 404);
    assert!(en.contains("Page not found"), "{en}");

    let response = reqwest::Client::new()
        .get(&url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    assert!(body["message"].as_str().unwrap().starts_with("Địa chỉ"));
}

#[tokio::test]
async fn the_components_render_accessibly() {
    let db = store::testing::sqlite().await;
    let plain = serve(&db, false).await;
    let (status, _) = get_text(&format!("{plain}/demo/components"), &[]).await;
    assert_eq!(status, 404, "the showcase is for the demo only");

    let base = serve_with(
        &db,
        Options {
            sandbox_links: true,
            ..Options::default()
        },
    )
    .await;
    let (status, html) =
        get_text(&format!("{base}/demo/components?errors=1&tab=sim-pki"), &[]).await;
    assert_eq!(status, 200);
    assert_no_inline_code(&html);
    for text in [
        // Tabs are links, the current one marked.
        r#"<a href="/demo/components?tab=sim-pki" aria-current="page">SIM ký số</a>"#,
        r#"<a href="/demo/components?tab=password-sms">CMT/CCCD</a>"#,
        // The error summary links to the fields and is focusable.
        r#"role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-error-summary"#,
        r##"<a href="#f-password">Mật khẩu không được để trống</a>"##,
        // Required fields say so to screen readers, not only with a red star.
        r#"<span class="required" aria-hidden="true">*</span><span class="visually-hidden"> (bắt buộc)</span>"#,
        // Hint and error are tied to the input.
        r#"aria-required="true" aria-invalid="true" aria-describedby="f-phone-hint f-phone-error""#,
        r#"id="f-phone-error"><span class="visually-hidden">Lỗi: </span>Số điện thoại không hợp lệ</p>"#,
        r#"autocomplete="username" inputmode="numeric" aria-required="true" aria-describedby="f-username-hint">"#,
        // The password toggle waits, hidden, for the script.
        r#"hidden data-password-toggle aria-controls="f-password""#,
        // The countdown's label is translated by the server.
        r#"data-countdown="45" data-wait="Gửi lại OTP ({s}s)">Gửi lại OTP</button>"#,
        r#"<input type="radio" id="f-gender" name="gender" value="male">"#,
        r#"<input type="hidden" name="csrf" value="example-token">"#,
        "Chọn phương thức xác thực khác",
        "Mất số điện thoại nhận OTP",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    // Values are shown again, except passwords.
    assert!(html.contains(r#"value="001090012345""#));
    assert!(!html.contains(r#"type="password" value"#));
}
