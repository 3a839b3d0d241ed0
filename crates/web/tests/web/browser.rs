//! A browser without a browser: redirects are not followed, `__Host-` cookies are kept by hand,
//! and people are registered and signed in through the real pages. Shared by the page tests
//! and the OpenID provider's conformance tests.

use std::collections::HashMap;

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use super::last_otp;

/// A client that keeps `__Host-` cookies by hand (they are Secure; the tests speak plain HTTP
/// to loopback, as a browser does with the demo).
pub(super) struct Browser {
    base: String,
    http: Client,
    pub(super) cookies: HashMap<String, String>,
}

impl Browser {
    pub(super) async fn new(base: String) -> Self {
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

    /// `path` under the served app, or an absolute URL (a relying service's authorization
    /// or logout URL).
    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub(super) async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(self.url(path))
            .header("cookie", self.cookie_header())
            .header("accept-language", "vi")
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    pub(super) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let response = self
            .http
            .post(self.url(path))
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

/// The CSRF token the page's form carries.
pub(super) fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no form with a CSRF token: {page}"))
        .to_owned()
}

pub(super) fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Registers `who` with a phone through the pages; the browser it returns is not signed in.
pub(super) async fn registered(base: String, who: &sandbox::Person, password: &str) -> Browser {
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
    browser
}

/// Signs in on the sign-in flow at `flow` (`/flows/{id}`, as a redirect named it) with the
/// password and the SMS code; returns the flow's final redirect (its `return_to`).
pub(super) async fn sign_in_on(
    browser: &mut Browser,
    flow: &str,
    who: &sandbox::Person,
    password: &str,
) -> String {
    let flow = flow.split('?').next().unwrap();
    let sent = browser
        .post(
            flow,
            &[
                ("action", "sign_in"),
                ("identifier", who.personal_id.as_str()),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let otp_page = browser.get(flow).await.text().await.unwrap();
    assert!(
        otp_page.contains(&who.phone.masked()),
        "the OTP page shows the masked phone"
    );
    let code = last_otp(&who.phone);
    let signed_in = browser
        .post(flow, &[("action", "otp"), ("code", &code)])
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert!(browser.cookies.contains_key("__Host-session"));
    location(&signed_in)
}

/// Registers through the pages and signs in; returns the browser, signed in.
pub(super) async fn registered_and_signed_in(
    base: String,
    who: &sandbox::Person,
    password: &str,
) -> Browser {
    let mut browser = registered(base, who, password).await;
    let start = browser.get("/login?return_to=/account").await;
    let flow = location(&start);
    let back = sign_in_on(&mut browser, &flow, who, password).await;
    assert_eq!(back, "/account");
    browser
}
