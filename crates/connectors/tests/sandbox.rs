//! The real clients against the sandbox on a real port (and against a stub that breaks the
//! protocol): what each answer and each failure becomes.

use domain::Secret;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use connectors::{
    BhxhRegistry, ConnectorError, Connectors, ConnectorsConfig, HttpBhxhRegistry, HttpEndpoint,
    HttpPopulationRegistry, HttpSmsGateway, HttpSubscriberRegistry, MismatchField,
    PopulationRegistry, SmsGateway, SmtpMailer, SubscriberRegistry, System,
};
use domain::{BhxhCode, Email, Gender, PersonalId, PhoneNumber};
use sandbox::{DemoRole, Mode, Person, Sandbox, SyntheticPeople};
use serde_json::Value;
use url::Url;

mod federation;
mod mobile_signature;
#[path = "sandbox/remote_signing.rs"]
mod remote_signing;

struct Harness {
    sandbox: Arc<Sandbox>,
    base: Url,
    config: ConnectorsConfig,
    connectors: Connectors,
}

async fn start() -> Harness {
    start_with(Sandbox::new(SyntheticPeople::generate(2024, 300))).await
}

async fn start_with(sandbox: Sandbox) -> Harness {
    let sandbox = Arc::new(sandbox);
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_addr = http.local_addr().unwrap();
    let app = sandbox::router(Arc::clone(&sandbox));
    tokio::spawn(async move { axum::serve(http, app).await });
    let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp_addr = smtp.local_addr().unwrap();
    tokio::spawn(sandbox::serve_smtp(smtp, Arc::clone(&sandbox)));

    let base: Url = format!("http://{http_addr}").parse().unwrap();
    let mut config = ConnectorsConfig::sandbox(&base, smtp_addr).unwrap();
    // Keep failure tests fast; the retry counts stay the defaults.
    for endpoint in [
        &mut config.population,
        &mut config.subscribers,
        &mut config.bhxh,
        &mut config.sms,
    ] {
        endpoint.backoff_ms = 5;
    }
    config.smtp.backoff_ms = 5;
    let connectors = Connectors::from_config(&config).unwrap();
    Harness {
        sandbox,
        base,
        config,
        connectors,
    }
}

impl Harness {
    fn demo(&self, role: DemoRole) -> Person {
        self.sandbox.people().demo(role).unwrap().clone()
    }

    async fn get_json(&self, path: &str) -> Value {
        reqwest::get(self.base.join(path).unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn get_text(&self, path: &str) -> String {
        reqwest::get(self.base.join(path).unwrap())
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

fn unknown_personal_id(people: &SyntheticPeople) -> PersonalId {
    (0..1_000_000)
        .map(|serial| PersonalId::from_parts(79, Gender::Female, 1988, serial).unwrap())
        .find(|id| people.by_personal_id(id).is_none())
        .unwrap()
}

fn assert_unavailable(result: Result<impl std::fmt::Debug, ConnectorError>, expected: System) {
    match result {
        Err(ConnectorError::Unavailable { system, .. }) => assert_eq!(system, expected),
        other => panic!("expected Unavailable from {expected:?}, got {other:?}"),
    }
}

fn assert_invalid(result: Result<impl std::fmt::Debug, ConnectorError>) {
    assert!(
        matches!(result, Err(ConnectorError::InvalidResponse { .. })),
        "expected InvalidResponse, got {result:?}"
    );
}

// ---- population database ----

#[tokio::test]
async fn population_finds_a_citizen() {
    let harness = start().await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    let citizen = harness
        .connectors
        .population
        .citizen(&person.personal_id)
        .await
        .unwrap();
    assert_eq!(citizen.personal_id, person.personal_id);
    assert_eq!(citizen.full_name, person.full_name);
    assert_eq!(citizen.birth_date, person.birth_date);
    assert_eq!(citizen.gender, person.gender);
}

#[tokio::test]
async fn population_says_not_found() {
    let harness = start().await;
    let unknown = unknown_personal_id(harness.sandbox.people());
    let result = harness.connectors.population.citizen(&unknown).await;
    assert_eq!(result, Err(ConnectorError::NotFound));
    let result = harness
        .connectors
        .population
        .match_identity(
            &unknown,
            "Nguyễn Văn An",
            time::macros::date!(1990 - 01 - 01),
        )
        .await;
    assert_eq!(result, Err(ConnectorError::NotFound));
    // A refusal is not retried.
    assert_eq!(harness.sandbox.requests(sandbox::System::Population), 2);
}

#[tokio::test]
async fn a_match_ignores_case_and_unicode_form() {
    let harness = start().await;
    let person = harness.demo(DemoRole::BhxhRegistration);
    let decomposed: String =
        unicode_normalization::UnicodeNormalization::nfd(person.full_name.to_uppercase().as_str())
            .collect();
    harness
        .connectors
        .population
        .match_identity(&person.personal_id, &decomposed, person.birth_date)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_mismatch_names_the_fields_that_differ() {
    let harness = start().await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    let population = &harness.connectors.population;
    let other_day = person.birth_date.next_day().unwrap();
    let without_diacritics = "Nguyen Van A";

    let cases = [
        (
            without_diacritics,
            person.birth_date,
            vec![MismatchField::FullName],
        ),
        (
            person.full_name.as_str(),
            other_day,
            vec![MismatchField::BirthDate],
        ),
        (
            without_diacritics,
            other_day,
            vec![MismatchField::FullName, MismatchField::BirthDate],
        ),
    ];
    for (name, date, fields) in cases {
        let result = population
            .match_identity(&person.personal_id, name, date)
            .await;
        assert_eq!(result, Err(ConnectorError::Mismatch { fields }));
    }
}

#[tokio::test]
async fn diacritics_matter_in_a_match() {
    let harness = start().await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    let stripped: String =
        unicode_normalization::UnicodeNormalization::nfd(person.full_name.as_str())
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .map(|c| {
                if c == 'Đ' {
                    'D'
                } else if c == 'đ' {
                    'd'
                } else {
                    c
                }
            })
            .collect();
    assert_ne!(stripped, person.full_name, "the demo name has diacritics");
    let result = harness
        .connectors
        .population
        .match_identity(&person.personal_id, &stripped, person.birth_date)
        .await;
    assert_eq!(
        result,
        Err(ConnectorError::Mismatch {
            fields: vec![MismatchField::FullName]
        })
    );
}

// ---- subscriber database ----

#[tokio::test]
async fn the_subscriber_of_an_own_phone_is_the_person() {
    let harness = start().await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    let subscriber = harness
        .connectors
        .subscribers
        .subscriber(&person.phone)
        .await
        .unwrap();
    assert_eq!(subscriber.phone, person.phone);
    assert_eq!(subscriber.carrier, person.phone.carrier());
    assert_eq!(subscriber.personal_id, person.personal_id);
    assert_eq!(subscriber.full_name, person.full_name);
    assert_eq!(subscriber.birth_date, person.birth_date);
}

#[tokio::test]
async fn a_borrowed_phone_belongs_to_someone_else() {
    let harness = start().await;
    let person = harness.demo(DemoRole::BorrowedPhone);
    let subscriber = harness
        .connectors
        .subscribers
        .subscriber(&person.phone)
        .await
        .unwrap();
    assert_ne!(subscriber.personal_id, person.personal_id);
    assert_eq!(subscriber.personal_id, person.phone_owner);
    let owner = harness
        .sandbox
        .people()
        .by_personal_id(&subscriber.personal_id)
        .unwrap();
    assert_eq!(subscriber.full_name, owner.full_name);
}

#[tokio::test]
async fn an_unassigned_number_has_no_subscriber() {
    let harness = start().await;
    let people = harness.sandbox.people();
    let unassigned = (0..10_000_000)
        .map(|n| PhoneNumber::parse(&format!("087{n:07}")).unwrap())
        .find(|phone| people.subscriber(phone).is_none())
        .unwrap();
    let result = harness.connectors.subscribers.subscriber(&unassigned).await;
    assert_eq!(result.unwrap_err(), ConnectorError::NotFound);
}

// ---- BHXH ----

#[tokio::test]
async fn bhxh_gives_the_person_and_the_registered_phone() {
    let harness = start().await;
    let person = harness.demo(DemoRole::BhxhRegistration);
    let insured = harness
        .connectors
        .bhxh
        .insured(&person.bhxh_code)
        .await
        .unwrap();
    assert_eq!(insured.bhxh_code, person.bhxh_code);
    assert_eq!(insured.personal_id, person.personal_id);
    assert_eq!(insured.full_name, person.full_name);
    assert_eq!(insured.gender, person.gender);
    assert_eq!(insured.phone, Some(person.phone.clone()));

    let without_phone = harness
        .sandbox
        .people()
        .all()
        .iter()
        .find(|p| p.bhxh_phone.is_none())
        .unwrap();
    let insured = harness
        .connectors
        .bhxh
        .insured(&without_phone.bhxh_code)
        .await
        .unwrap();
    assert_eq!(insured.phone, None);
}

#[tokio::test]
async fn an_unknown_bhxh_code_is_not_found() {
    let harness = start().await;
    let code = BhxhCode::parse("0000000001").unwrap();
    let result = harness.connectors.bhxh.insured(&code).await;
    assert_eq!(result.unwrap_err(), ConnectorError::NotFound);
}

// ---- SMS ----

#[tokio::test]
async fn an_sms_lands_in_the_outbox_exactly_as_sent() {
    let harness = start().await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    let text = "DVCQG: Ma OTP cua ban la 834201. <Khong chia se> & het han sau 5 phut.";
    let receipt = harness
        .connectors
        .sms
        .send(&person.phone, text)
        .await
        .unwrap();

    let outbox = harness
        .get_json(&format!("/sandbox/sms?to={}", person.phone.national()))
        .await;
    let messages = outbox["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["text"], text);
    assert_eq!(messages[0]["message_id"], receipt.message_id.as_str());
    assert_eq!(messages[0]["to"], person.phone.e164());

    let page = harness
        .get_text(&format!("/sandbox/sms/page?to={}", person.phone.national()))
        .await;
    assert!(page.contains("834201"), "{page}");
    assert!(page.contains(&receipt.message_id));
    assert!(
        !page.contains("<Khong chia se>"),
        "the page must escape the text"
    );
}

#[tokio::test]
async fn a_text_the_gateway_refuses_is_rejected_without_retry() {
    let harness = start().await;
    let phone = PhoneNumber::parse("0912345678").unwrap();
    let result = harness.connectors.sms.send(&phone, "").await;
    assert!(
        matches!(
            result,
            Err(ConnectorError::Rejected {
                system: System::Sms,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(harness.sandbox.requests(sandbox::System::Sms), 1);
}

#[tokio::test]
async fn a_retried_sms_is_not_sent_twice() {
    let harness = start().await;
    // The gateway accepts each message at once but answers after the client gave up, so the
    // client retries: the idempotency key must keep it to one text.
    harness.sandbox.set_mode(
        sandbox::System::Sms,
        Mode::Slow(Duration::from_millis(1_000)),
    );
    let mut endpoint = harness.config.sms.clone();
    endpoint.timeout_ms = 150;
    let gateway = HttpSmsGateway::new(&endpoint).unwrap();
    let phone = harness.demo(DemoRole::PhoneRegistration).phone;
    let result = gateway.send(&phone, "Ma OTP: 111222").await;
    assert_unavailable(result, System::Sms);
    assert_eq!(
        harness.sandbox.requests(sandbox::System::Sms),
        u64::from(endpoint.retries) + 1
    );
    let sent = harness.sandbox.sms_outbox(Some(&phone));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text, "Ma OTP: 111222");
}

// ---- e-mail ----

#[tokio::test]
async fn an_email_over_smtp_lands_in_the_outbox() {
    let harness = start().await;
    let person = harness.demo(DemoRole::EmailActivation);
    let to = person.email.clone().unwrap();
    let subject = "Kích hoạt tài khoản Cổng Dịch vụ công";
    let text = "Xin chào,\n.Dòng bắt đầu bằng dấu chấm\nMở liên kết: https://dvcid.example/activate?token=abc&x=1\n";
    harness
        .connectors
        .mailer
        .send(&to, subject, text)
        .await
        .unwrap();

    let outbox = harness
        .get_json(&format!("/sandbox/email?to={}", to.as_str()))
        .await;
    let messages = outbox["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["subject"], subject);
    assert_eq!(message["from"], "no-reply@dvcid.example");
    assert_eq!(message["to"][0], to.as_str());
    // lettre always ends DATA with CRLF.CRLF, so a body ending in a line break gains an empty
    // line on the wire; everything else arrives as written.
    assert_eq!(
        message["text"]
            .as_str()
            .unwrap()
            .replace("\r\n", "\n")
            .trim_end(),
        text.trim_end()
    );

    let page = harness
        .get_text(&format!("/sandbox/email/page?to={}", to.as_str()))
        .await;
    assert!(page.contains(subject));
    assert!(
        page.contains(r#"<a href="https://dvcid.example/activate?token=abc&#38;x=1">"#)
            || page.contains(r#"<a href="https://dvcid.example/activate?token=abc&amp;x=1">"#),
        "{page}"
    );
    assert_eq!(harness.sandbox.requests(sandbox::System::Email), 1);
}

#[tokio::test]
async fn a_down_mail_relay_is_unavailable_after_the_retries() {
    let harness = start().await;
    harness.sandbox.set_mode(sandbox::System::Email, Mode::Down);
    let to = Email::parse("a@example.com").unwrap();
    let result = harness.connectors.mailer.send(&to, "s", "t").await;
    assert_unavailable(result, System::Email);
    assert_eq!(
        harness.sandbox.requests(sandbox::System::Email),
        u64::from(harness.config.smtp.retries) + 1
    );
    assert!(harness.sandbox.email_outbox(None).is_empty());
}

#[tokio::test]
async fn a_slow_mail_relay_times_out() {
    let harness = start().await;
    harness
        .sandbox
        .set_mode(sandbox::System::Email, Mode::Slow(Duration::from_secs(5)));
    let mut endpoint = harness.config.smtp.clone();
    endpoint.timeout_ms = 200;
    let mailer = SmtpMailer::new(&endpoint).unwrap();
    let started = Instant::now();
    let result =
        connectors::Mailer::send(&mailer, &Email::parse("a@example.com").unwrap(), "s", "t").await;
    assert_unavailable(result, System::Email);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_closed_mail_port_is_unavailable() {
    let harness = start().await;
    let mut endpoint = harness.config.smtp.clone();
    endpoint.port = closed_port().await.port();
    let mailer = SmtpMailer::new(&endpoint).unwrap();
    let result =
        connectors::Mailer::send(&mailer, &Email::parse("a@example.com").unwrap(), "s", "t").await;
    assert_unavailable(result, System::Email);
}

// ---- failures ----

#[tokio::test]
async fn a_down_system_is_unavailable_after_exactly_the_configured_retries() {
    let harness = start().await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    for system in [
        sandbox::System::Population,
        sandbox::System::Subscribers,
        sandbox::System::Bhxh,
        sandbox::System::Sms,
    ] {
        harness.sandbox.set_mode(system, Mode::Down);
    }
    let c = &harness.connectors;
    assert_unavailable(
        c.population.citizen(&person.personal_id).await,
        System::Population,
    );
    assert_unavailable(
        c.subscribers.subscriber(&person.phone).await,
        System::Subscribers,
    );
    assert_unavailable(c.bhxh.insured(&person.bhxh_code).await, System::Bhxh);
    assert_unavailable(c.sms.send(&person.phone, "x").await, System::Sms);
    for system in [
        sandbox::System::Population,
        sandbox::System::Subscribers,
        sandbox::System::Bhxh,
        sandbox::System::Sms,
    ] {
        assert_eq!(harness.sandbox.requests(system), 3, "{system}");
    }
    assert!(harness.sandbox.sms_outbox(None).is_empty());

    // Another retry count is honoured as exactly.
    let mut endpoint = harness.config.population.clone();
    endpoint.retries = 0;
    let registry = HttpPopulationRegistry::new(&endpoint).unwrap();
    assert_unavailable(
        registry.citizen(&person.personal_id).await,
        System::Population,
    );
    assert_eq!(harness.sandbox.requests(sandbox::System::Population), 4);

    // And back up, the same client works again.
    harness
        .sandbox
        .set_mode(sandbox::System::Population, Mode::Up);
    c.population.citizen(&person.personal_id).await.unwrap();
}

#[tokio::test]
async fn a_slow_system_is_unavailable_by_timeout() {
    let harness = start().await;
    harness.sandbox.set_mode(
        sandbox::System::Population,
        Mode::Slow(Duration::from_secs(5)),
    );
    let mut endpoint = harness.config.population.clone();
    endpoint.timeout_ms = 200;
    endpoint.retries = 1;
    let registry = HttpPopulationRegistry::new(&endpoint).unwrap();
    let person = harness.demo(DemoRole::PhoneRegistration);
    let started = Instant::now();
    let result = registry.citizen(&person.personal_id).await;
    let elapsed = started.elapsed();
    match &result {
        Err(ConnectorError::Unavailable { reason, .. }) => {
            assert!(reason.contains("no answer within 200 ms"), "{reason}")
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(harness.sandbox.requests(sandbox::System::Population), 2);
}

async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    address
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let address = closed_port().await;
    let mut endpoint = HttpEndpoint::new(format!("http://{address}/").parse().unwrap());
    endpoint.backoff_ms = 5;
    let registry = HttpSubscriberRegistry::new(&endpoint).unwrap();
    let phone = PhoneNumber::parse("0912345678").unwrap();
    let result = registry.subscriber(&phone).await;
    match result {
        Err(ConnectorError::Unavailable { system, reason }) => {
            assert_eq!(system, System::Subscribers);
            assert!(reason.contains("connection failed"), "{reason}");
            assert!(
                !reason.contains("0912345678"),
                "no phone in errors: {reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_api_key_is_sent_as_a_bearer_token() {
    let harness =
        start_with(Sandbox::new(SyntheticPeople::generate(5, 20)).with_api_key("key-for-tests"))
            .await;
    let person = harness.demo(DemoRole::PhoneRegistration);
    // Without the key: refused, not retried.
    let result = harness
        .connectors
        .population
        .citizen(&person.personal_id)
        .await;
    assert!(
        matches!(
            result,
            Err(ConnectorError::Rejected {
                system: System::Population,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(harness.sandbox.requests(sandbox::System::Population), 1);

    let mut endpoint = harness.config.population.clone();
    endpoint.api_key = Some(Secret::new("key-for-tests".to_owned()));
    let registry = HttpPopulationRegistry::new(&endpoint).unwrap();
    registry.citizen(&person.personal_id).await.unwrap();
}

// ---- a server that breaks the protocol ----

/// A stub answering every protocol path with what `answer` says, counting requests.
async fn stub(
    answer: impl Fn(&str) -> (u16, &'static str) + Clone + Send + Sync + 'static,
) -> (Url, Arc<AtomicUsize>) {
    use axum::http::StatusCode;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let counter = Arc::clone(&counter);
        let answer = answer.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let (status, body) = answer(uri.path());
            (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/").parse().unwrap(), count)
}

fn endpoint(base: Url) -> HttpEndpoint {
    let mut endpoint = HttpEndpoint::new(base);
    endpoint.backoff_ms = 5;
    endpoint
}

const ID: &str = "001090123456";

#[tokio::test]
async fn malformed_answers_are_invalid_responses_and_not_retried() {
    let (base, count) = stub(|path| match path {
        "/v1/citizens/001090123456" => (
            200,
            r#"{"personal_id":"12345","full_name":"A","birth_date":"1990-01-01","gender":"male"}"#,
        ),
        "/v1/citizens/001090123457" => (
            200,
            r#"{"personal_id":"001090123456","full_name":"A","birth_date":"1990-01-01","gender":"male"}"#,
        ),
        "/v1/citizens/001090123458" => (200, "<html>not json</html>"),
        "/v1/citizens/001090123459" => (
            200,
            r#"{"personal_id":"001090123459","full_name":"  ","birth_date":"1990-01-01","gender":"male"}"#,
        ),
        "/v1/match" => (200, r#"{"result":"mismatch","fields":[]}"#),
        "/v1/insured/0112345678" => (
            200,
            r#"{"bhxh_code":"0112345678","personal_id":"001090123456","full_name":"A","birth_date":"1990-01-01","gender":"male","phone":"12"}"#,
        ),
        "/v1/messages" => (202, r#"{"id":"x"}"#),
        "/v1/numbers/0912345678" => (404, ""),
        _ => (200, "{}"),
    })
    .await;
    let population = HttpPopulationRegistry::new(&endpoint(base.clone())).unwrap();
    for last in ["6", "7", "8", "9"] {
        let id = PersonalId::parse(&format!("00109012345{last}")).unwrap();
        assert_invalid(population.citizen(&id).await);
    }
    let id = PersonalId::parse(ID).unwrap();
    assert_invalid(
        population
            .match_identity(&id, "A", time::macros::date!(1990 - 01 - 01))
            .await,
    );
    let bhxh = HttpBhxhRegistry::new(&endpoint(base.clone())).unwrap();
    assert_invalid(bhxh.insured(&BhxhCode::parse("0112345678").unwrap()).await);
    let sms = HttpSmsGateway::new(&endpoint(base.clone())).unwrap();
    let phone = PhoneNumber::parse("0912345678").unwrap();
    assert_invalid(sms.send(&phone, "x").await);
    // A 404 without the protocol's error body is a wrong address, not "no subscriber".
    let subscribers = HttpSubscriberRegistry::new(&endpoint(base)).unwrap();
    assert_invalid(subscribers.subscriber(&phone).await);
    // Eight calls, one request each.
    assert_eq!(count.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_are_not() {
    let (base, count) = stub(|path| match path {
        "/v1/citizens/001090123456" => (500, r#"{"error":"internal","message":"boom"}"#),
        _ => (422, r#"{"error":"bad_request","message":"no"}"#),
    })
    .await;
    let population = HttpPopulationRegistry::new(&endpoint(base)).unwrap();
    let id = PersonalId::parse(ID).unwrap();
    assert_unavailable(population.citizen(&id).await, System::Population);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let other = PersonalId::parse("001090123457").unwrap();
    let result = population.citizen(&other).await;
    match result {
        Err(ConnectorError::Rejected { reason, .. }) => {
            assert!(reason.contains("422"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

// ---- telemetry ----

/// Collects everything the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn logs_hold_spans_but_no_otp_key_body_or_full_phone() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_env_filter("connectors=trace,sandbox=trace")
        .with_ansi(false)
        .finish();
    // Global, not scoped: tracing caches each call site's interest process-wide, and a call
    // site first reached by a concurrent test's thread would otherwise stay disabled. Only this
    // test installs a subscriber; other tests' lines may land here too, which only widens the
    // check below.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let harness =
        start_with(Sandbox::new(SyntheticPeople::generate(5, 20)).with_api_key("key-never-logged"))
            .await;
    let mut config = harness.config.clone();
    for endpoint in [&mut config.population, &mut config.sms] {
        endpoint.api_key = Some(Secret::new("key-never-logged".to_owned()));
    }
    let connectors = Connectors::from_config(&config).unwrap();
    let person = harness.demo(DemoRole::EmailActivation);
    connectors
        .sms
        .send(&person.phone, "Ma OTP cua ban la 918273")
        .await
        .unwrap();
    connectors
        .mailer
        .send(
            person.email.as_ref().unwrap(),
            "Kích hoạt",
            "https://dvcid.example/activate?token=token-never-logged",
        )
        .await
        .unwrap();
    // Remote signing: the code, the client secret and the access token stay out of the logs.
    let smartca = connectors.remote_signing.as_ref().unwrap();
    let signer = harness.demo(sandbox::SMARTCA_NO_CREDENTIAL);
    let verifier = "verifier-never-logged-0123456789-0123456789";
    let challenge = domain::digest::encode_token(&domain::digest::sha256(verifier.as_bytes()));
    let redirect = "http://127.0.0.1:9/callback";
    let back = harness
        .sandbox
        .smartca_sign_in(
            &smartca.authorization_url("state", &challenge, redirect),
            signer.personal_id.as_str(),
            sandbox::SMARTCA_PASSWORD,
        )
        .unwrap();
    let code = back
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();
    let session = smartca
        .exchange_code(&code, verifier, redirect)
        .await
        .unwrap();
    assert_eq!(
        smartca.credential(&session).await,
        Err(ConnectorError::NotFound)
    );

    harness
        .sandbox
        .set_mode(sandbox::System::Population, Mode::Down);
    assert_unavailable(
        connectors.population.citizen(&person.personal_id).await,
        System::Population,
    );

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("connector{system=\"sms\" op=\"send\""),
        "{logs}"
    );
    assert!(
        logs.contains("connector{system=\"population\" op=\"citizen\"}"),
        "{logs}"
    );
    assert!(logs.contains("will be retried"), "{logs}");
    assert!(logs.contains(&person.phone.masked()), "{logs}");
    assert!(
        logs.contains("connector{system=\"remote_signing\" op=\"token\"}"),
        "{logs}"
    );
    for secret in [
        code.as_str(),
        verifier,
        session.access_token.expose().as_str(),
        sandbox::SMARTCA_CLIENT_SECRET,
        sandbox::SMARTCA_PASSWORD,
        signer.personal_id.as_str(),
        "918273",
        "key-never-logged",
        "token-never-logged",
        person.phone.national().as_str(),
        person.phone.e164(),
        person.personal_id.as_str(),
    ] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
    }
}
