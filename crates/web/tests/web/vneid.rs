//! "Đăng nhập bằng VNeID" end to end, over HTTP: the portal (this crate) and the real VNeID
//! provider (`vneid` crate) on their own ports and databases, the portal's OpenID Connect
//! client between them. The browser goes out to VNeID, signs in there with password and
//! passcode, and comes back to the page it was going to, signed in at VNeID's level.

use std::sync::Arc;

use domain::{AssuranceLevel, EidLevel, Secret};
use reqwest::StatusCode;
use sandbox::{Sandbox, SyntheticPeople};
use store::testing::TestDb;
use url::Url;
use vneid::seed::SeedPerson;
use vneid::{PORTAL_CLIENT_ID, PortalClient, TestParts, VneidApp};

use super::browser::{Browser, location};
use super::{Options, serve_with};

const SECRET: &str = "portal-secret-for-the-vneid-test";

/// VNeID on its own port and database, sending its texts to a sandbox of its own.
async fn vneid() -> (VneidApp, TestDb) {
    let db = store::testing::sqlite().await;
    let sms_sandbox = Arc::new(Sandbox::new(SyntheticPeople::generate(1, 1)));
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!(
        "http://{}/sandbox/sms/",
        http.local_addr().unwrap()
    ))
    .unwrap();
    tokio::spawn(axum::serve(http, sandbox::router(sms_sandbox)).into_future());
    let sms = connectors::HttpSmsGateway::new(&connectors::HttpEndpoint::new(base)).unwrap();
    let app = VneidApp::start_for_tests(TestParts {
        store: Arc::clone(&db.store),
        clock: Arc::new(domain::SystemClock),
        random: Arc::new(domain::random::OsRandomness),
        sms: Arc::new(sms),
    })
    .await
    .unwrap();
    (app, db)
}

/// Follows redirects (on either server) until a page answers; returns its URL and body.
async fn follow(browser: &mut Browser, start: &str) -> (String, String) {
    let mut url = start.to_owned();
    for _ in 0..12 {
        let response = browser.get(&url).await;
        if response.status() != StatusCode::SEE_OTHER && response.status() != StatusCode::FOUND {
            let body = response.text().await.unwrap();
            return (url, body);
        }
        let next = location(&response);
        url = Url::parse(&url).unwrap().join(&next).unwrap().to_string();
    }
    panic!("too many redirects from {start}");
}

async fn post_then_follow(
    browser: &mut Browser,
    url: &str,
    form: &[(&str, &str)],
) -> (String, String) {
    let response = browser.post(url, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{url}");
    let next = Url::parse(url).unwrap().join(&location(&response)).unwrap();
    follow(browser, next.as_str()).await
}

/// The form's action on a VNeID page, made absolute.
fn form_action(page_url: &str, body: &str, field: &str) -> String {
    let form = body
        .split("<form")
        .find(|form| form.contains(&format!("name=\"{field}\"")))
        .unwrap_or_else(|| panic!("no form with {field} on {page_url}:\n{body}"));
    let action = form
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let action = action.replace("&amp;", "&");
    Url::parse(page_url)
        .unwrap()
        .join(&action)
        .unwrap()
        .to_string()
}

async fn vneid_signs_in_a_new_person_to_the_page_they_were_going_to(db: TestDb) {
    let (vneid, _vneid_db) = vneid().await;
    let options = Options {
        vneid: Some(connectors::VneidConfig::new(
            vneid.issuer(),
            PORTAL_CLIENT_ID,
            Secret::new(SECRET.to_owned()),
        )),
        ..Options::default()
    };
    let portal = serve_with(&db, options).await;
    PortalClient {
        client_id: PORTAL_CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_uri: format!("{portal}/login/vneid/callback"),
    }
    .register(vneid.vneid().store().as_ref())
    .await
    .unwrap();
    // Someone the portal's population database knows (the sandbox of `serve_with`).
    let person = SyntheticPeople::generate(sandbox::DEFAULT_SEED, 30)
        .get(7)
        .unwrap()
        .clone();
    let seeded = SeedPerson {
        personal_id: person.personal_id.clone(),
        full_name: person.full_name.clone(),
        birth_date: person.birth_date,
        gender: person.gender,
        phone: person.phone.clone(),
    };
    vneid::seed::active_account(
        vneid.vneid(),
        &seeded,
        EidLevel::Two,
        "Vneid@2024",
        "246810",
    )
    .await
    .unwrap();

    let mut browser = Browser::new(portal.clone()).await;
    let start = format!("{portal}/login/method/vneid?return_to=/account");
    let (at_vneid, page) = follow(&mut browser, &start).await;
    assert!(
        at_vneid.starts_with(&vneid.issuer()),
        "out to VNeID: {at_vneid}"
    );
    let sign_in = form_action(&at_vneid, &page, "password");
    let form = [
        ("personal_id", person.personal_id.as_str()),
        ("password", "Vneid@2024"),
    ];
    let (asked, page) = post_then_follow(&mut browser, &sign_in, &form).await;
    let passcode = form_action(&asked, &page, "passcode");
    let (back, page) = post_then_follow(&mut browser, &passcode, &[("passcode", "246810")]).await;

    assert_eq!(back, format!("{portal}/account"), "back where it was going");
    assert!(page.contains(&person.full_name), "signed in as the person");
    let store = &db.store;
    let account = store
        .account_by_personal_id(&person.personal_id)
        .await
        .unwrap()
        .expect("a citizen account from VNeID's claims");
    let now = time::OffsetDateTime::now_utc();
    let sessions = store.live_sessions(account.id, now).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].acr, AssuranceLevel::LoA3, "level 2 → LoA3");
    assert_eq!(sessions[0].amr, ["fed"]);
}

store::store_tests!(vneid_signs_in_a_new_person_to_the_page_they_were_going_to);
