//! The sandbox's HTTP side against PROTOCOL.md, driven with a plain HTTP client on a real
//! port. (The `connectors` crate's tests drive the same endpoints with the real clients.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sandbox::{DemoRole, Mode, Sandbox, SyntheticPeople, System};
use serde_json::{Value, json};

struct Running {
    sandbox: Arc<Sandbox>,
    base: String,
    http: reqwest::Client,
}

async fn start_with(sandbox: Sandbox) -> Running {
    let sandbox = Arc::new(sandbox);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = sandbox::router(Arc::clone(&sandbox));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Running {
        sandbox,
        base: format!("http://{address}/sandbox"),
        http: reqwest::Client::new(),
    }
}

async fn start() -> Running {
    start_with(Sandbox::new(SyntheticPeople::generate(11, 300))).await
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn send_sms(&self, key: Option<&str>, to: &str, text: &str) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.url("/sms/v1/messages"))
            .json(&json!({"to": to, "text": text}));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        let status = response.status();
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        (status, response.text().await.unwrap())
    }
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn population_answers_a_citizen_by_personal_id() {
    let running = start().await;
    let person = running.sandbox.people().get(5).unwrap().clone();
    let (status, body) = running
        .get(&format!(
            "/population/v1/citizens/{}",
            person.personal_id.as_str()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "personal_id": person.personal_id.as_str(),
            "full_name": person.full_name,
            "birth_date": person.birth_date.to_string(),
            "gender": person.gender.as_str(),
        })
    );
    let (status, body) = running.get("/population/v1/citizens/001099999999x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");
}

#[tokio::test]
async fn population_says_not_found_for_an_unknown_valid_id() {
    let running = start().await;
    let unknown = unknown_personal_id(running.sandbox.people());
    let (status, body) = running
        .get(&format!("/population/v1/citizens/{}", unknown.as_str()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
}

fn unknown_personal_id(people: &SyntheticPeople) -> domain::PersonalId {
    (0..1_000_000)
        .map(|serial| {
            domain::PersonalId::from_parts(1, domain::Gender::Male, 1990, serial).unwrap()
        })
        .find(|id| people.by_personal_id(id).is_none())
        .unwrap()
}

#[tokio::test]
async fn match_names_the_fields_that_differ() {
    let running = start().await;
    let person = running.sandbox.people().get(0).unwrap().clone();
    let id = person.personal_id.as_str();
    let date = person.birth_date.to_string();
    let other_date = person.birth_date.next_day().unwrap().to_string();

    let upper = person.full_name.to_uppercase();
    let (status, body) = running
        .post(
            "/population/v1/match",
            json!({"personal_id": id, "full_name": upper, "birth_date": date}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"result": "match"}));

    let (_, body) = running
        .post(
            "/population/v1/match",
            json!({"personal_id": id, "full_name": "Không Phải Tên", "birth_date": other_date}),
        )
        .await;
    assert_eq!(
        body,
        json!({"result": "mismatch", "fields": ["full_name", "birth_date"]})
    );

    let (_, body) = running
        .post(
            "/population/v1/match",
            json!({"personal_id": id, "full_name": person.full_name, "birth_date": other_date}),
        )
        .await;
    assert_eq!(
        body,
        json!({"result": "mismatch", "fields": ["birth_date"]})
    );

    let (status, body) = running
        .post(
            "/population/v1/match",
            json!({"personal_id": id, "full_name": "", "birth_date": date}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");

    let (status, body) = running
        .post(
            "/population/v1/match",
            json!({"personal_id": id, "full_name": "A", "birth_date": date, "extra": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");
}

#[tokio::test]
async fn the_business_registry_answers_by_tax_code_with_a_known_representative() {
    let running = start().await;
    let businesses = running.sandbox.businesses().all();
    let company = &businesses[0];
    let branch = &businesses[1];
    let (status, body) = running
        .get(&format!(
            "/business-registry/v1/businesses/{}",
            company.tax_code.as_str()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], company.name.as_str());
    assert_eq!(body["status"], "active");
    let representative = &body["legal_representative"];
    let id = domain::PersonalId::parse(representative["personal_id"].as_str().unwrap()).unwrap();
    let person = running.sandbox.people().by_personal_id(&id).unwrap();
    assert_eq!(representative["full_name"], person.full_name.as_str());

    // A branch, in the spelling without the hyphen too.
    let digits = branch.tax_code.as_str().replace('-', "");
    let (status, body) = running
        .get(&format!("/business-registry/v1/businesses/{digits}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tax_code"], branch.tax_code.as_str());

    // 0100109106 is valid but not among the synthetic businesses (their codes are random).
    let (status, body) = running
        .get("/business-registry/v1/businesses/0100109106")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let (status, body) = running
        .get("/business-registry/v1/businesses/0100109107")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");

    running
        .sandbox
        .set_mode(System::BusinessRegistry, Mode::Down);
    let (status, body) = running
        .get(&format!(
            "/business-registry/v1/businesses/{}",
            company.tax_code.as_str()
        ))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&body, "unavailable");
}

#[tokio::test]
async fn subscribers_accept_any_phone_spelling() {
    let running = start().await;
    let person = running
        .sandbox
        .people()
        .demo(DemoRole::PhoneRegistration)
        .unwrap()
        .clone();
    let national = person.phone.national();
    let spaced = format!(
        "+84 {} {} {}",
        &national[1..4],
        &national[4..7],
        &national[7..]
    );
    for spelling in [national.clone(), spaced] {
        let (status, body) = running
            .get(&format!(
                "/subscribers/v1/numbers/{}",
                spelling.replace(' ', "%20").replace('+', "%2B")
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{spelling}");
        assert_eq!(body["phone"], person.phone.e164());
        assert_eq!(body["carrier"], person.phone.carrier().as_str());
        assert_eq!(body["personal_id"], person.personal_id.as_str());
        assert_eq!(body["full_name"], person.full_name);
    }
    let (status, body) = running.get("/subscribers/v1/numbers/12345").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");
}

#[tokio::test]
async fn bhxh_answers_null_for_a_record_without_phone() {
    let running = start().await;
    let person = running
        .sandbox
        .people()
        .all()
        .iter()
        .find(|p| p.bhxh_phone.is_none())
        .unwrap()
        .clone();
    let (status, body) = running
        .get(&format!("/bhxh/v1/insured/{}", person.bhxh_code.as_str()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["phone"], Value::Null);
    assert_eq!(body["personal_id"], person.personal_id.as_str());
    let (status, body) = running.get("/bhxh/v1/insured/0000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
}

#[tokio::test]
async fn an_idempotency_key_sends_once() {
    let running = start().await;
    let (status, first) = running
        .send_sms(Some("key-1"), "0912345678", "Ma OTP: 123456")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(first["to"], "+84912345678");
    let (status, again) = running
        .send_sms(Some("key-1"), "+84 912 345 678", "Ma OTP: 123456")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again["message_id"], first["message_id"]);
    let (status, body) = running
        .send_sms(Some("key-1"), "0912345678", "Ma OTP: 654321")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");
    // Without a key, every request is a new message.
    running.send_sms(None, "0912345678", "hello").await;
    running.send_sms(None, "0912345678", "hello").await;
    let (_, outbox) = running.get("/sms?to=0912345678").await;
    let texts: Vec<&str> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["hello", "hello", "Ma OTP: 123456"]);
}

#[tokio::test]
async fn bad_messages_are_refused() {
    let running = start().await;
    for (to, text) in [
        ("12345", "x"),
        ("0912345678", ""),
        ("0912345678", &"x".repeat(1001)),
    ] {
        let (status, body) = running.send_sms(None, to, text).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error(&body, "bad_request");
    }
    let (status, body) = running.send_sms(Some("bad key"), "0912345678", "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");
    assert!(running.sandbox.sms_outbox(None).is_empty());
}

#[tokio::test]
async fn the_sms_outbox_filters_by_phone_newest_first_and_keeps_text_exact() {
    let running = start().await;
    let text = "Mã OTP của bạn là 482913.\r\n  Hết hạn sau 5 phút.  ";
    running.send_sms(None, "0987654321", "first").await;
    running.send_sms(None, "0912345678", "other phone").await;
    running.send_sms(None, "0987654321", text).await;
    for spelling in ["0987654321", "%2B84987654321", "84%20987%20654%20321"] {
        let (status, body) = running.get(&format!("/sms?to={spelling}")).await;
        assert_eq!(status, StatusCode::OK);
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "{spelling}");
        assert_eq!(messages[0]["text"], text);
        assert_eq!(messages[0]["to"], "+84987654321");
        assert_eq!(messages[1]["text"], "first");
        assert!(messages[0]["received_at"].as_str().unwrap().contains('T'));
    }
    let (_, body) = running.get("/sms").await;
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    let (_, body) = running.get("/sms?limit=1").await;
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
    let (status, body) = running.get("/sms?to=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");
}

#[tokio::test]
async fn the_sms_page_shows_messages_escaped_with_both_languages() {
    let running = start().await;
    running
        .send_sms(None, "0987654321", "OTP 123456 <script>alert(1)</script>")
        .await;
    let (status, html) = running.page("/sms/page?to=0987654321").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Tin nhắn SMS"));
    assert!(html.contains("SMS outbox"));
    assert!(html.contains("OTP 123456"));
    assert!(html.contains("0987654321"));
    assert!(!html.contains("<script>alert"), "{html}");
    let (status, html) = running.page("/sms/page?to=%3Cb%3Ebad").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!html.contains("<b>bad"));
    let (status, html) = running.page("/sms/page").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("OTP 123456"));
}

#[tokio::test]
async fn the_email_outbox_and_page_render_when_empty() {
    let running = start().await;
    let (status, body) = running.get("/email?to=a@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"messages": []}));
    let (status, html) = running.page("/email/page").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Chưa có thư nào"));
}

#[tokio::test]
async fn the_outbox_pages_are_styled_by_their_own_stylesheet_only() {
    let running = start().await;
    running.send_sms(None, "0987654321", "OTP 123456").await;
    for path in ["/sms/page", "/email/page"] {
        let (status, html) = running.page(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(r#"<link rel="stylesheet" href="/sandbox/sandbox.css">"#),
            "{path}"
        );
        // A strict CSP (style-src 'self') would block inline styles.
        assert!(!html.contains("<style"), "{path}");
        assert!(!html.contains("style="), "{path}");
    }
    let response = running
        .http
        .get(running.url("/sandbox.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    let css = response.text().await.unwrap();
    assert!(css.contains("@media (max-width: 40rem)"), "{css}");
}

#[tokio::test]
async fn outboxes_keep_only_the_latest_messages() {
    let running =
        start_with(Sandbox::new(SyntheticPeople::generate(11, 10)).with_outbox_capacity(2)).await;
    for text in ["one", "two", "three"] {
        running.send_sms(Some(text), "0912345678", text).await;
    }
    let texts: Vec<String> = running
        .sandbox
        .sms_outbox(None)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["three", "two"]);
}

#[tokio::test]
async fn people_are_listed_in_pages_and_demo_identities_by_role() {
    let running = start().await;
    let (status, body) = running.get("/people?limit=10&offset=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 300);
    assert_eq!(body["offset"], 5);
    let people = body["people"].as_array().unwrap();
    assert_eq!(people.len(), 10);
    let sixth = running.sandbox.people().get(5).unwrap();
    assert_eq!(people[0]["personal_id"], sixth.personal_id.as_str());
    assert_eq!(people[0]["phone"], sixth.phone.e164());
    assert_eq!(people[0]["phone_owner_id"], sixth.phone_owner.as_str());
    let (_, body) = running.get("/people?offset=295").await;
    assert_eq!(body["people"].as_array().unwrap().len(), 5);
    let (status, body) = running.get("/people?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request");

    let (status, body) = running.get("/people/demo").await;
    assert_eq!(status, StatusCode::OK);
    let roles: Vec<&str> = body["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "phone_registration",
            "bhxh_registration",
            "borrowed_phone",
            "email_activation"
        ]
    );
    let borrowed = &body["identities"][2]["person"];
    assert_ne!(borrowed["phone_owner_id"], borrowed["personal_id"]);
}

#[tokio::test]
async fn control_takes_a_system_down_and_counts_requests() {
    let running = start().await;
    let id = running.sandbox.people().get(0).unwrap().personal_id.clone();
    let path = format!("/population/v1/citizens/{}", id.as_str());
    let (status, body) = running
        .post("/control", json!({"system": "population", "mode": "down"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["mode"], "down");
    let (status, body) = running.get(&path).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&body, "unavailable");
    // Outboxes and other systems are unaffected.
    assert_eq!(running.get("/sms").await.0, StatusCode::OK);
    let (_, body) = running.get("/control").await;
    let population = body["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["system"] == "population")
        .unwrap();
    assert_eq!(population["requests"], 1);
    assert_eq!(population["mode"], "down");

    running
        .post("/control", json!({"system": "population", "mode": "up"}))
        .await;
    assert_eq!(running.get(&path).await.0, StatusCode::OK);
    assert_eq!(running.sandbox.requests(System::Population), 2);

    for bad in [
        json!({"system": "population", "mode": "slow"}),
        json!({"system": "moon", "mode": "up"}),
        json!({"system": "sms", "mode": "slow", "delay_ms": 10_000_000}),
    ] {
        let (status, body) = running.post("/control", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error(&body, "bad_request");
    }
}

#[tokio::test]
async fn a_slow_system_does_the_work_then_answers_late() {
    let running = start().await;
    let (status, body) = running
        .post(
            "/control",
            json!({"system": "sms", "mode": "slow", "delay_ms": 300}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["delay_ms"], 300);
    assert_eq!(
        running.sandbox.mode(System::Sms),
        Mode::Slow(Duration::from_millis(300))
    );
    let started = Instant::now();
    let (status, _) = running.send_sms(None, "0912345678", "late").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(running.sandbox.sms_outbox(None).len(), 1);
}

#[tokio::test]
async fn an_api_key_is_required_when_configured() {
    let running =
        start_with(Sandbox::new(SyntheticPeople::generate(11, 10)).with_api_key("s3cret")).await;
    let id = running.sandbox.people().get(0).unwrap().personal_id.clone();
    let url = running.url(&format!("/population/v1/citizens/{}", id.as_str()));
    let response = running.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_error(&response.json().await.unwrap(), "unauthorized");
    let response = running
        .http
        .get(&url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = running
        .http
        .get(&url)
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The sandbox-only endpoints stay open.
    assert_eq!(running.get("/people").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_demo_relying_service_shows_its_callback_and_keeps_logout_tokens() {
    let running = start().await;
    let (status, body) = running
        .get("/rp/callback?code=abc&state=s%201&iss=http%3A%2F%2F127.0.0.1")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["received"]["code"], "abc");
    assert_eq!(body["received"]["state"], "s 1");
    let (_, error) = running.get("/rp/callback?error=access_denied").await;
    assert_eq!(error["received"]["error"], "access_denied");
    assert!(error["next"].as_str().unwrap().contains("error"));

    let posted = running
        .http
        .post(running.url("/rp/backchannel-logout"))
        .form(&[("logout_token", "header.claims.signature")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
    let malformed = running
        .http
        .post(running.url("/rp/backchannel-logout"))
        .form(&[("something_else", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        running.sandbox.logout_tokens(10),
        vec!["header.claims.signature".to_owned()]
    );
    let (_, listed) = running.get("/rp/logouts").await;
    assert_eq!(listed["logout_tokens"][0], "header.claims.signature");
}
