//! The flow and account pages without a browser: redirects, cookies, forms, CSRF tokens.

use reqwest::StatusCode;

use super::browser::{Browser, csrf_of, location, registered_and_signed_in};
use super::{person, serve, solve_captcha};

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
    let token = csrf_of(&html);

    // A form without the session's token is refused; with it, it works.
    let forged = browser
        .post("/account/sessions/end-others", &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let ended = browser
        .post("/account/sessions/end-others", &[("csrf", &token)])
        .await;
    assert_eq!(location(&ended), "/account?done=others");

    // Removing an OTP phone asks the password again on a page of its own; a wrong one is
    // said there; the last phone cannot be removed, and the account page says why.
    let phone = who.phone.e164();
    let asked = browser
        .post(
            "/account/phones/remove",
            &[("csrf", &token), ("phone", phone)],
        )
        .await;
    let text = asked.text().await.unwrap();
    assert!(text.contains("Nhập mật khẩu để xóa số"), "{text}");
    assert!(text.contains(r#"name="password""#), "{text}");
    let wrong = browser
        .post(
            "/account/phones/remove",
            &[("csrf", &token), ("phone", phone), ("password", "sai")],
        )
        .await;
    let text = wrong.text().await.unwrap();
    assert!(text.contains("Mật khẩu không đúng"), "{text}");
    assert!(text.contains("Nhập mật khẩu để xóa số"), "{text}");
    let refused = browser
        .post(
            "/account/phones/remove",
            &[
                ("csrf", &token),
                ("phone", phone),
                ("password", "mây trắng bay qua đồi"),
            ],
        )
        .await;
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("Không thể xóa số điện thoại nhận OTP duy nhất"),
        "{text}"
    );

    let out = browser.post("/account/signout", &[("csrf", &token)]).await;
    assert_eq!(location(&out), "/");
    assert!(!browser.cookies.contains_key("__Host-session"));
    let again = browser.get("/account").await;
    assert_eq!(location(&again), "/login?return_to=/account");
}

/// Every page's header says who is signed in and offers a sign-out that works; nobody's name
/// or sign-out shows without a session.
#[tokio::test]
async fn every_page_header_shows_who_is_signed_in() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let who = person(0);
    let mut browser = registered_and_signed_in(base.clone(), &who, "mây trắng bay qua đồi").await;
    let header_of = |html: &str| html.split("<main").next().unwrap_or_default().to_owned();
    let mut token = String::new();
    for path in [
        "/",
        "/register",
        "/login/method/vneid",
        "/account",
        "/no-such-page",
    ] {
        let html = browser.get(path).await.text().await.unwrap();
        let header = header_of(&html);
        assert!(header.contains(&who.full_name), "{path}: {header}");
        assert!(header.contains(r#"action="/account/signout""#), "{path}");
        assert!(header.contains("Đăng xuất"), "{path}");
        token = header
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        assert_eq!(token.len(), 43, "{path}");
    }

    let out = browser.post("/account/signout", &[("csrf", &token)]).await;
    assert_eq!(location(&out), "/");
    let home = browser.get("/").await.text().await.unwrap();
    let header = header_of(&home);
    assert!(!header.contains(&who.full_name), "{header}");
    assert!(!header.contains("/account/signout"), "{header}");
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

/// L2–L3: an account of the old 9-digit card, signed in, is asked for its personal ID on the
/// way to where it was going; "Cập nhật" with the right number adds it, and it is not asked
/// again.
#[tokio::test]
async fn a_legacy_account_is_asked_for_its_personal_id_after_signing_in() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let who = person(0);
    let password = "mây trắng bay qua đồi";
    let mut browser = super::browser::registered(base, &who, password).await;
    // Make it an account of the old card, as migrated accounts are.
    let store = &db.store;
    let account = store
        .account_by_personal_id(&who.personal_id)
        .await
        .unwrap()
        .unwrap();
    let mut identity = account.identity.clone();
    identity.personal_id = None;
    identity.legacy_cmnd = Some(domain::LegacyCmnd::parse("012345678").unwrap());
    let audit = store::AuditContext {
        actor: store::Actor::System,
        client_ip: None,
    };
    let now = time::OffsetDateTime::now_utc();
    store
        .update_identity(account.id, &identity, &audit, now)
        .await
        .unwrap();

    let flow = location(&browser.get("/login?return_to=/account").await);
    browser
        .post(
            &flow,
            &[
                ("action", "sign_in"),
                ("identifier", "012345678"),
                ("password", password),
            ],
        )
        .await;
    let code = super::last_otp(&who.phone);
    let signed_in = browser
        .post(&flow, &[("action", "otp"), ("code", &code)])
        .await;
    let detour = location(&signed_in);
    assert_eq!(detour, "/account/identity/personal-id?return_to=%2Faccount");
    let page = browser.get(&detour).await.text().await.unwrap();
    let tr = web::Tr::new(web::Lang::Vi, "/");
    assert!(page.contains(&tr.t("personal-id-skip")), "{page}");
    let csrf = csrf_of(&page);
    let added = browser
        .post(
            "/account/identity/personal-id",
            &[
                ("csrf", csrf.as_str()),
                ("return_to", "/account"),
                ("personal_id", who.personal_id.as_str()),
            ],
        )
        .await;
    assert_eq!(location(&added), "/account?done=personal-id");
    let account = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(
        account.identity.personal_id.as_ref(),
        Some(&who.personal_id)
    );
}

/// Registration names its signing method in the path; one this deployment does not run, or
/// none, is not found. The remote signing service's callback opens only the flow its `state`
/// names, in the browser holding that flow's cookie.
#[tokio::test]
async fn certificate_registrations_and_the_signing_callback_find_only_what_exists() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let mut browser = Browser::new(base.clone()).await;
    // This deployment configures no trust anchors: no method signs with a certificate.
    for path in [
        "/register/usb-token",
        "/register/sim-pki",
        "/register/remote-signing",
        "/register/fax",
    ] {
        assert_eq!(
            browser.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let callback = "/login/remote-signing/callback";
    let garbage = browser
        .get(&format!("{callback}?state=nonsense&code=x"))
        .await;
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    let flow = location(&browser.get("/login").await);
    let id = flow.trim_start_matches("/flows/");
    let mut stranger = Browser::new(base).await;
    let foreign = stranger
        .get(&format!("{callback}?state={id}.forged&code=x"))
        .await;
    assert_eq!(foreign.status(), StatusCode::GONE, "no cookie of that flow");
    // The flow's own browser reaches the flow, which refuses a callback it is not waiting for
    // and says so on its page.
    let own = browser
        .get(&format!("{callback}?state={id}.forged&code=x"))
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let shown = own.text().await.unwrap();
    let tr = web::Tr::new(web::Lang::Vi, "/");
    assert!(
        shown.contains(&tr.t("problem-action-unexpected")),
        "{shown}"
    );
}

/// The page shows the captcha's text alternative (the digits in words, for browsers without
/// script) and the challenge for its script; the JSON document of the same flow has only the
/// challenge. Either answer moves the page on.
#[tokio::test]
async fn the_captcha_words_are_on_the_page_and_never_in_the_api() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let who = person(0);
    for answer_with_words in [true, false] {
        let mut browser = Browser::new(base.clone()).await;
        let flow = location(&browser.get("/recovery").await);
        let html = browser.get(&flow).await.text().await.unwrap();
        let words = html
            .split("for=\"f-captcha\">Mã xác thực: ")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .expect("the words in the field's label")
            .trim()
            .to_owned();
        assert_eq!(words.split(" – ").count(), 4, "{words}");
        let attribute = |name: &str| {
            html.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("{name} on the page"))
                .to_owned()
        };

        let id = flow.trim_start_matches("/flows/");
        let binding = browser
            .cookies
            .iter()
            .find(|(name, _)| name.ends_with(&id.replace('-', "")))
            .map(|(_, value)| value.clone())
            .expect("the flow's cookie");
        let document: serde_json::Value = reqwest::Client::new()
            .get(format!("{base}/api/flows/{id}"))
            .header("x-flow-token", binding)
            .header("accept-language", "vi")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let captcha = &document["flow"]["captcha"];
        assert_eq!(captcha["challenge"], attribute("data-challenge").as_str());
        assert_eq!(captcha["salt"], attribute("data-salt").as_str());
        assert_eq!(captcha["signature"], attribute("data-signature").as_str());
        let text = document.to_string();
        assert!(!text.contains(&words), "{words} in {text}");
        assert!(!text.contains(" – "), "{text}");

        let answer = if answer_with_words {
            words
                .split(" – ")
                .map(|word| {
                    let digit = [
                        "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
                    ]
                    .iter()
                    .position(|known| *known == word)
                    .unwrap();
                    digit.to_string()
                })
                .collect::<String>()
        } else {
            solve_captcha(captcha)
        };
        let next = browser
            .post(
                &flow,
                &[
                    ("action", "identify"),
                    ("identifier", who.personal_id.as_str()),
                    ("captcha", &answer),
                ],
            )
            .await;
        assert_eq!(
            location(&next),
            flow,
            "answered with words: {answer_with_words}"
        );
        let otp = browser.get(&flow).await.text().await.unwrap();
        assert!(otp.contains("id=\"f-code\""), "{otp}");
    }
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
    // The operator console's words chosen from the account, credential and role.
    keys.extend(
        domain::OperatorRole::ALL
            .iter()
            .map(|role| format!("operator-role-{}", role.as_str().replace('_', "-"))),
    );
    keys.extend(
        domain::CredentialKind::ALL
            .iter()
            .map(|kind| format!("operator-credential-{}", kind.as_str().replace('_', "-"))),
    );
    keys.extend(
        domain::AccountKind::ALL
            .iter()
            .map(|kind| format!("operator-kind-{}", kind.as_str())),
    );
    keys.extend(
        domain::AccountStatus::ALL
            .iter()
            .map(|status| format!("operator-status-{}", status.as_str())),
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
    keys.extend(
        flows::MethodKind::all()
            .iter()
            .map(|method| method.tab_key()),
    );
    for scope in [
        "openid",
        "profile",
        "phone",
        "email",
        "dvc",
        "offline_access",
    ] {
        keys.push(format!("consent-scope-{scope}"));
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
