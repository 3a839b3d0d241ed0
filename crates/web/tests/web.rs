//! The application served on a real port, driven with a real HTTP client.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use connectors::{Connectors, ConnectorsConfig};
use domain::{PasswordPolicy, Secret, SystemClock};
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::{Connection, Executor, PgConnection};
use store::testing::TestDb;
use url::Url;
use web::{AppState, Settings};

/// One recorder per test process (nextest runs each test in its own process; `cargo test`
/// shares one, hence the cell).
fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| web::install_metrics_recorder().unwrap())
        .clone()
}

async fn serve(db: &TestDb, hsts: bool) -> String {
    // Nothing listens there: these tests never reach a registry.
    let nowhere: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let base = Url::parse("http://127.0.0.1:9/").unwrap();
    let state = AppState {
        store: Arc::clone(&db.store),
        clock: Arc::new(SystemClock),
        connectors: Connectors::from_config(&ConnectorsConfig::sandbox(&base, nowhere).unwrap())
            .unwrap(),
        metrics: Some(metrics()),
        settings: Arc::new(Settings {
            public_base_url: "http://127.0.0.1/".to_owned(),
            hsts,
            sandbox_links: false,
            otp_key: Secret::new("k".repeat(32)),
            password_policy: PasswordPolicy::default(),
        }),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = web::router(state, axum::Router::new());
    tokio::spawn(web::serve(listener, app, std::future::pending()));
    format!("http://{address}")
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
