//! The application served on a real port, driven with a real HTTP client.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use connectors::{Connectors, ConnectorsConfig};
use domain::{PasswordPolicy, Secret, SystemClock};
use flows::{Argon2Params, Engine, EngineParts, FlowConfig, OsRandomness};
use metrics_exporter_prometheus::PrometheusHandle;
use sandbox::{Sandbox, SyntheticPeople};
use sqlx::{Connection, Executor, PgConnection};
use store::testing::TestDb;
use url::Url;
use web::{AppState, Settings};

#[path = "web/admission.rs"]
mod admission;
#[path = "web/api.rs"]
mod api;
#[path = "web/assets.rs"]
mod assets;
#[path = "web/browser.rs"]
mod browser;
#[path = "web/cors.rs"]
mod cors;
#[path = "web/csrf.rs"]
mod csrf;
#[path = "web/flow_pages.rs"]
mod flow_pages;
#[path = "web/forwarded.rs"]
mod forwarded;
#[path = "web/i18n.rs"]
mod i18n;
#[path = "web/oidc_claims.rs"]
mod oidc_claims;
#[path = "web/oidc_consent.rs"]
mod oidc_consent;
#[path = "web/oidc_logout.rs"]
mod oidc_logout;
#[path = "web/oidc_negative.rs"]
mod oidc_negative;
#[path = "web/oidc.rs"]
mod oidc_op;
#[path = "web/oidc_provider.rs"]
mod oidc_provider;
#[path = "web/oidc_rp.rs"]
mod oidc_rp;
#[path = "web/oidc_session.rs"]
mod oidc_session;
#[path = "web/oidc_tokens.rs"]
mod oidc_tokens;
#[path = "web/openapi.rs"]
mod openapi;
#[path = "web/operator.rs"]
mod operator;
#[path = "web/pages.rs"]
mod pages;
#[path = "web/security.rs"]
mod security;
#[path = "web/unavailable.rs"]
mod unavailable;
#[path = "web/vneid.rs"]
mod vneid;

/// The configured public address; the servers of the tests listen on other ports of it.
const PUBLIC_BASE_URL: &str = "http://127.0.0.1/";

/// One recorder per test process (nextest runs each test in its own process; `cargo test`
/// shares one, hence the cell).
fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| web::install_metrics_recorder().unwrap())
        .clone()
}

async fn serve(db: &TestDb, hsts: bool) -> String {
    serve_with(
        db,
        Options {
            hsts,
            ..Options::default()
        },
    )
    .await
}

/// How a test wants the application set up.
#[derive(Default)]
struct Options {
    hsts: bool,
    sandbox_links: bool,
    /// Routes served beside the application (as the demo's sandbox is).
    extra: axum::Router,
    /// Use the served address as the public base URL (the OpenID issuer) instead of
    /// `PUBLIC_BASE_URL`, so that relying-party libraries find what they expect there.
    issuer_is_address: bool,
    /// Networks whose forwarding headers are believed (`[http] trusted_proxies`).
    trusted_proxies: Vec<&'static str>,
    /// The flows' limits, when a test needs others than `test_flow_config`.
    flows: Option<FlowConfig>,
    /// Sign in with this VNeID (implies `issuer_is_address`: VNeID sends people back to the
    /// served address).
    vneid: Option<connectors::VneidConfig>,
    /// The node's hashing pool, when a test holds its places (admission control).
    passwords: Option<Arc<flows::Passwords>>,
}

/// The flows' defaults, with a cheap password hash: tests exercise the flow, not its cost.
fn test_flow_config() -> FlowConfig {
    FlowConfig {
        argon2: Argon2Params {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 2,
            max_waiting: 64,
        },
        ..FlowConfig::default()
    }
}

async fn serve_with(db: &TestDb, options: Options) -> String {
    // A real sandbox on its own port: flows reach the registries and the SMS gateway over HTTP.
    let sandbox = Arc::new(Sandbox::new(SyntheticPeople::generate(
        sandbox::DEFAULT_SEED,
        30,
    )));
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let registries = Url::parse(&format!("http://{}/", http.local_addr().unwrap())).unwrap();
    let smtp_addr: SocketAddr = smtp.local_addr().unwrap();
    tokio::spawn(axum::serve(http, sandbox::router(Arc::clone(&sandbox))).into_future());
    tokio::spawn(sandbox::serve_smtp(smtp, Arc::clone(&sandbox)));
    let mut connectors_config = ConnectorsConfig::sandbox(&registries, smtp_addr).unwrap();
    connectors_config.vneid = options.vneid.clone();
    let connectors = Connectors::from_config(&connectors_config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let public_base_url = if options.issuer_is_address || options.vneid.is_some() {
        format!("http://{address}")
    } else {
        PUBLIC_BASE_URL.to_owned()
    };
    let config = options.flows.clone().unwrap_or_else(test_flow_config);
    let engine = Engine::new(EngineParts {
        store: Arc::clone(&db.store),
        connectors,
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        config,
        password_policy: PasswordPolicy::default(),
        otp_key: b"web-test-otp-key".to_vec(),
    })
    .await
    .unwrap();
    let engine = match options.vneid {
        Some(_) => engine.with_vneid(&Url::parse(&public_base_url).unwrap()),
        None => engine,
    };
    let engine = match options.passwords {
        Some(passwords) => engine.with_passwords(passwords),
        None => engine,
    };
    let provider = provider(db, &public_base_url).await;
    let state = AppState {
        store: Arc::clone(&db.store),
        engine: Arc::new(engine),
        provider,
        metrics: Some(metrics()),
        settings: Arc::new(Settings {
            public_base_url,
            hsts: options.hsts,
            sandbox_links: options.sandbox_links,
            csrf_key: Secret::new(b"web-test-csrf-key".to_vec()),
            trusted_proxies: web::TrustedProxies::new(
                options
                    .trusted_proxies
                    .iter()
                    .map(|network| network.parse().unwrap())
                    .collect(),
            ),
        }),
    };
    let app = web::router(state, options.extra);
    tokio::spawn(web::serve(listener, app, std::future::pending()));
    SANDBOX.with(|cell| *cell.borrow_mut() = Some(sandbox));
    format!("http://{address}")
}

/// The OpenID provider over the test's store, with freshly made signing keys.
async fn provider(db: &TestDb, public_base_url: &str) -> Arc<oidc::Provider> {
    let config = oidc::OidcConfig::default();
    let keys = Arc::new(oidc::keys::KeyRing::new(
        Arc::clone(&db.store),
        oidc::keys::SealingKey::derive(b"web-test-key-encryption-key"),
        &config,
    ));
    keys.ensure_keys(time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    Arc::new(oidc::Provider::new(oidc::ProviderParts {
        store: Arc::clone(&db.store),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        config,
        issuer: Url::parse(public_base_url).unwrap(),
        keys,
        pairwise_key: domain::digest::MacKey::new(b"web-test-pairwise-key"),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }))
}

/// The 6-digit code of the newest SMS the last served sandbox sent to `phone`.
fn last_otp(phone: &domain::PhoneNumber) -> String {
    let texts = sms_texts(phone);
    let text = texts.first().unwrap();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

/// How many SMS the last served sandbox sent to `phone`.
fn sms_count(phone: &domain::PhoneNumber) -> usize {
    sms_texts(phone).len()
}

/// The texts the last served sandbox sent to `phone`, newest first.
fn sms_texts(phone: &domain::PhoneNumber) -> Vec<String> {
    let sandbox = SANDBOX.with(|cell| cell.borrow().clone()).unwrap();
    let outbox = sandbox.sms_outbox(Some(phone));
    outbox.into_iter().map(|sms| sms.text).collect()
}

/// Solves a flow document's captcha as an app does: tries every number up to `maxnumber`
/// until SHA-256(salt + number) is the challenge, and answers with the ALTCHA payload.
fn solve_captcha(captcha: &serde_json::Value) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};

    let salt = captcha["salt"].as_str().unwrap();
    let challenge = captcha["challenge"].as_str().unwrap();
    let number = (0..=captcha["maxnumber"].as_u64().unwrap())
        .find(|number| {
            let digest = Sha256::digest(format!("{salt}{number}"));
            digest
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>()
                == challenge
        })
        .expect("a number that hashes to the challenge");
    let payload = serde_json::json!({
        "algorithm": captcha["algorithm"],
        "challenge": challenge,
        "number": number,
        "salt": salt,
        "signature": captcha["signature"],
    });
    base64::engine::general_purpose::STANDARD.encode(payload.to_string())
}

/// A synthetic person of the last served sandbox.
fn person(index: usize) -> sandbox::Person {
    SANDBOX
        .with(|cell| cell.borrow().clone())
        .unwrap()
        .people()
        .get(index)
        .unwrap()
        .clone()
}

thread_local! {
    /// The sandbox of the last app served on this thread, for tests that read its outbox.
    static SANDBOX: std::cell::RefCell<Option<Arc<Sandbox>>> = const { std::cell::RefCell::new(None) };
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["store"], "sqlite");
}

#[tokio::test]
async fn readiness_fails_when_the_database_goes_away() {
    store::testing::with_postgres(
        "readiness_fails_when_the_database_goes_away",
        |db| async move {
            let base = serve(&db, false).await;
            assert_eq!(
                reqwest::get(format!("{base}/readyz"))
                    .await
                    .unwrap()
                    .status(),
                200
            );

            let database = Url::parse(&db.url)
                .unwrap()
                .path()
                .trim_start_matches('/')
                .to_owned();
            let mut admin = PgConnection::connect(&store::testing::postgres_admin_url())
                .await
                .unwrap();
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE {database} WITH (FORCE)"
                )))
                .await
                .unwrap();

            let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
            assert_eq!(ready.status(), 503);
            let body: serde_json::Value = ready.json().await.unwrap();
            assert_eq!(body["status"], "unavailable");
            assert_eq!(body["store"], "postgres");
            // Liveness does not depend on the database.
            assert_eq!(
                reqwest::get(format!("{base}/healthz"))
                    .await
                    .unwrap()
                    .status(),
                200
            );
        },
    )
    .await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    for path in ["/", "/healthz", "/no-such-page"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
    }
    let with_hsts = serve(&db, true).await;
    let response = reqwest::get(format!("{with_hsts}/healthz")).await.unwrap();
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let client = reqwest::Client::new();
    let echoed = client
        .get(format!("{base}/healthz"))
        .header("x-request-id", "helpdesk-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "helpdesk-ticket-42");
    let made = client.get(format!("{base}/healthz")).send().await.unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    for _ in 0..3 {
        reqwest::get(format!("{base}/healthz")).await.unwrap();
    }
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|line| {
            line.starts_with("dvcid_http_requests_total") && line.contains("route=\"/healthz\"")
        })
        .unwrap_or_else(|| panic!("no healthz counter in:\n{text}"));
    assert!(line.ends_with(" 3"), "{line}");
}

#[tokio::test]
async fn metrics_count_client_requests_by_grant_and_outcome() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let http = reqwest::Client::new();
    for grant in ["client_credentials", "client_credentials", "password"] {
        let refused = http
            .post(format!("{base}/token"))
            .basic_auth("no-such-client", Some("secret"))
            .form(&[("grant_type", grant)])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
    }
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counted = |grant: &str| {
        text.lines()
            .find(|line| {
                line.starts_with("dvcid_oidc_client_requests_total")
                    && line.contains("endpoint=\"token\"")
                    && line.contains(&format!("grant_type=\"{grant}\""))
                    && line.contains("outcome=\"invalid_client\"")
            })
            .unwrap_or_else(|| panic!("no {grant} counter in:\n{text}"))
            .to_owned()
    };
    assert!(counted("client_credentials").ends_with(" 2"));
    // A grant type nobody registered is not a label of its own (no unbounded label values).
    assert!(counted("other").ends_with(" 1"));
}
