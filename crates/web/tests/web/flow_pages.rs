//! The flow and account pages without a browser: redirects, cookies, forms, CSRF tokens.

use std::collections::HashMap;

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use super::{last_otp, person, serve};

/// A client that keeps `__Host-` cookies by hand (they are Secure; the tests speak plain HTTP
/// to loopback, as a browser does with the demo).
struct Browser {
    base: String,
    http: Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    async fn new(base: String) -> Self {
        let http = Client::builder().redirect(Policy::none()).build().unwrap();
        Self {
            base,
            http,
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all("set-cookie") {
            let text = header.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("accept-language", "vi")
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("accept-language", "vi")
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Registers through the pages and signs in; returns the browser, signed in.
async fn registered_and_signed_in(base: String, who: &sandbox::Person, password: &str) -> Browser {
    let mut browser = Browser::new(base).await;
    let start = browser.get("/register/phone").await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let flow = location(&start);
    let birth = who.birth_date.to_string();
    let form = [
        ("action", "register_phone"),
        ("full_name", who.full_name.as_str()),
        ("personal_id", who.personal_id.as_str()),
        ("birth_date", birth.as_str()),
        ("gender", who.gender.as_str()),
        ("phone", who.phone.e164()),
    ];
    assert_eq!(
        browser.post(&flow, &form).await.status(),
        StatusCode::SEE_OTHER
    );
    let code = last_otp(&who.phone);
    browser
        .post(&flow, &[("action", "otp"), ("code", &code)])
        .await;
    browser
        .post(
            &flow,
            &[
                ("action", "set_password"),
                ("password", password),
                ("confirm", password),
            ],
        )
        .await;
    let done = browser.get(&flow).await.text().await.unwrap();
    assert!(done.contains("Đăng ký thành công"), "{done}");

    let start = browser.get("/login?return_to=/account").await;
    let flow = location(&start);
    let sent = browser
        .post(
            &flow,
            &[
                ("action", "sign_in"),
                ("identifier", who.personal_id.as_str()),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let otp_page = browser.get(&flow).await.text().await.unwrap();
    assert!(
        otp_page.contains(&who.phone.masked()),
        "the OTP page shows the masked phone"
    );
    let code = last_otp(&who.phone);
    let signed_in = browser
        .post(&flow, &[("action", "otp"), ("code", &code)])
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/account");
    assert!(browser.cookies.contains_key("__Host-session"));
    browser
}

#[tokio::test]
async fn pages_register_sign_in_and_protect_account_forms() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let who = person(0);
    let mut browser = registered_and_signed_in(base.clone(), &who, "mây trắng bay qua đồi").await;

    let account = browser.get("/account").await;
    assert_eq!(account.status(), StatusCode::OK);
    let html = account.text().await.unwrap();
    assert!(html.contains(&who.full_name));
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    // A form without the session's token is refused; with it, it works.
    let forged = browser
        .post("/account/sessions/end-others", &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let ended = browser
        .post("/account/sessions/end-others", &[("csrf", &token)])
        .await;
    assert_eq!(location(&ended), "/account?done=others");

    // The last OTP phone cannot be removed: the page says why.
    let refused = browser
        .post(
            "/account/phones/remove",
            &[("csrf", &token), ("phone", who.phone.e164())],
        )
        .await;
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("Không thể xóa số điện thoại nhận OTP duy nhất"),
        "{text}"
    );

    let out = browser.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(location(&out), "/");
    assert!(!browser.cookies.contains_key("__Host-session"));
    let again = browser.get("/account").await;
    assert_eq!(location(&again), "/login?return_to=/account");
}

#[tokio::test]
async fn a_flow_page_needs_its_cookie_and_shows_refusals_on_the_form() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let mut browser = Browser::new(base.clone()).await;
    let flow = location(&browser.get("/login").await);
    let wrong = browser
        .post(
            &flow,
            &[
                ("action", "sign_in"),
                ("identifier", "12345"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("aria-invalid=\"true\""),
        "the field is marked invalid"
    );
    assert!(
        html.contains("href=\"#f-identifier\""),
        "the error summary links to the field"
    );

    // Another browser (no cookie) cannot read or drive the flow.
    let mut stranger = Browser::new(base).await;
    assert_eq!(stranger.get(&flow).await.status(), StatusCode::GONE);
    let hijack = stranger.post(&flow, &[("action", "resend")]).await;
    assert_eq!(hijack.status(), StatusCode::GONE);
    let nonsense = browser.post(&flow, &[("action", "teleport")]).await;
    assert_eq!(nonsense.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn every_key_chosen_at_run_time_exists_in_both_languages() {
    let mut keys: Vec<String> = store::AuditKind::ALL
        .iter()
        .map(|kind| format!("audit-{}", kind.as_str().replace('_', "-")))
        .collect();
    keys.extend(
        domain::RegistrationChannel::ALL
            .iter()
            .map(|c| format!("channel-{}", c.as_str().replace('_', "-"))),
    );
    for done in [
        "signed-in",
        "registered",
        "password-reset",
        "phone-changed",
        "phone-added",
    ] {
        keys.push(format!("done-{done}-title"));
        keys.push(format!("done-{done}-message"));
    }
    for done in [
        "refreshed",
        "default",
        "removed",
        "password",
        "others",
        "phone",
    ] {
        keys.push(format!("account-done-{done}"));
    }
    for lang in [web::Lang::Vi, web::Lang::En] {
        let tr = web::Tr::new(lang, "/");
        for key in &keys {
            assert!(tr.has(key), "{key} missing in {lang:?}");
        }
    }
}
