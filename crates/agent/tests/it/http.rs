//! The agent's HTTP surface, in process: who may call it, and the confirm flow.

use std::sync::Arc;

use agent::server::{ServerConfig, router};
use agent::web_eid::Origin;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, Response, StatusCode};
use serde_json::{Value, json};
use time::Duration;
use tower::ServiceExt;

use crate::support::{
    ManualClock, SOFT_PIN, SoftToken, input_values, nonce, two_certificates, verify_token,
};

const PORT: u16 = 14571;
const HOST: &str = "127.0.0.1:14571";
const AGENT: &str = "http://127.0.0.1:14571";
const PORTAL: &str = "https://dichvucong.gov.vn";
const OTHER_PORTAL: &str = "http://127.0.0.1:8080";
const EVIL: &str = "https://dichvucong.gov.vn.evil.example";

struct Agent {
    app: Router,
    clock: Arc<ManualClock>,
    names: [&'static str; 2],
}

fn agent() -> Agent {
    let certificates = two_certificates();
    let names = [certificates[0].name, certificates[1].name];
    let clock = Arc::new(ManualClock::new());
    let config = ServerConfig {
        port: PORT,
        allowed_origins: vec![
            Origin::parse(PORTAL).unwrap(),
            Origin::parse(OTHER_PORTAL).unwrap(),
        ],
    };
    let app = router(
        config,
        Arc::new(SoftToken::new(&certificates)),
        clock.clone(),
    );
    Agent { app, clock, names }
}

fn request(method: &str, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", HOST)
}

fn authenticate(origin: Option<&str>, nonce: &str) -> Request<Body> {
    let mut builder =
        request("POST", "/web-eid/authenticate").header("content-type", "application/json");
    if let Some(origin) = origin {
        builder = builder.header("origin", origin);
    }
    let body = json!({ "challengeNonce": nonce, "lang": "en" }).to_string();
    builder.body(Body::from(body)).unwrap()
}

fn poll(id: &str, origin: &str) -> Request<Body> {
    request("GET", &format!("/web-eid/result/{id}"))
        .header("origin", origin)
        .body(Body::empty())
        .unwrap()
}

impl Agent {
    async fn call(&self, request: Request<Body>) -> Response<Body> {
        self.app.clone().oneshot(request).await.unwrap()
    }

    async fn json(&self, request: Request<Body>) -> (StatusCode, Value, Option<String>) {
        let response = self.call(request).await;
        let status = response.status();
        let acao = cors_origin(&response);
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (
            status,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            acao,
        )
    }

    async fn page(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self.call(request).await;
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    /// Starts a request from the portal; returns its id and nonce.
    async fn start(&self) -> (String, String) {
        let nonce = nonce();
        let (status, body, acao) = self.json(authenticate(Some(PORTAL), &nonce)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(acao.as_deref(), Some(PORTAL));
        let id = body["requestId"].as_str().unwrap().to_owned();
        assert_eq!(body["confirmUrl"], format!("{AGENT}/confirm/{id}"));
        (id, nonce)
    }

    async fn confirm(&self, id: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = request("POST", &format!("/confirm/{id}"))
            .header("origin", AGENT)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.page(request).await
    }
}

fn cors_origin(response: &Response<Body>) -> Option<String> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_site_not_allowed_is_refused_without_cors() {
    let agent = agent();
    let (status, body, acao) = agent.json(authenticate(Some(EVIL), &nonce())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "origin_not_allowed");
    assert_eq!(acao, None);

    let preflight = request("OPTIONS", "/web-eid/authenticate")
        .header("origin", EVIL)
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    let response = agent.call(preflight).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(cors_origin(&response), None);

    let status_probe = request("GET", "/status")
        .header("origin", EVIL)
        .body(Body::empty())
        .unwrap();
    let (status, _, acao) = agent.json(status_probe).await;
    assert_eq!((status, acao), (StatusCode::FORBIDDEN, None));
}

#[tokio::test]
async fn a_request_without_origin_is_refused() {
    let agent = agent();
    let (status, body, acao) = agent.json(authenticate(None, &nonce())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "origin_not_allowed");
    assert_eq!(acao, None);
}

#[tokio::test]
async fn a_host_other_than_the_agent_is_refused() {
    let agent = agent();
    for host in [
        "evil.example:14571",
        "127.0.0.1:9999",
        "127.0.0.1",
        "localhost.evil.example:14571",
    ] {
        let mut request = authenticate(Some(PORTAL), &nonce());
        request.headers_mut().insert("host", host.parse().unwrap());
        let (status, body, acao) = agent.json(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        assert_eq!(body["error"], "host_not_allowed");
        assert_eq!(acao, None);
    }
    let mut request = authenticate(Some(PORTAL), &nonce());
    request
        .headers_mut()
        .insert("host", "localhost:14571".parse().unwrap());
    assert_eq!(agent.call(request).await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_post_that_is_not_json_is_refused() {
    // text/plain is a "simple" request the browser sends without asking first.
    let agent = agent();
    let body = json!({ "challengeNonce": nonce() }).to_string();
    let request = request("POST", "/web-eid/authenticate")
        .header("origin", PORTAL)
        .header("content-type", "text/plain")
        .body(Body::from(body))
        .unwrap();
    let (status, body, _) = agent.json(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"], "unsupported_media_type");
}

#[tokio::test]
async fn the_preflight_of_an_allowed_origin_is_answered_for_it() {
    let agent = agent();
    let preflight = request("OPTIONS", "/web-eid/authenticate")
        .header("origin", PORTAL)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .header("access-control-request-private-network", "true")
        .body(Body::empty())
        .unwrap();
    let response = agent.call(preflight).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers();
    assert_eq!(cors_origin(&response).as_deref(), Some(PORTAL));
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(headers["access-control-allow-headers"], "Content-Type");
    assert_eq!(headers["access-control-allow-private-network"], "true");
    assert_eq!(headers["vary"], "Origin");
}

#[tokio::test]
async fn a_nonce_out_of_bounds_is_refused() {
    let agent = agent();
    for bad in ["a".repeat(43), "a".repeat(129)] {
        let (status, body, _) = agent.json(authenticate(Some(PORTAL), &bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_nonce");
    }
}

#[tokio::test]
async fn status_says_the_agent_runs_and_sees_certificates() {
    let agent = agent();
    let probe = request("GET", "/status")
        .header("origin", PORTAL)
        .body(Body::empty())
        .unwrap();
    let (status, body, acao) = agent.json(probe).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acao.as_deref(), Some(PORTAL));
    assert_eq!(body["tokensPresent"], true);
    assert_eq!(body["certificates"], 2);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn another_origin_cannot_read_the_result() {
    let agent = agent();
    let (id, _) = agent.start().await;
    let (status, body, _) = agent.json(poll(&id, OTHER_PORTAL)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "origin_mismatch");
    let (status, body, _) = agent.json(poll(&id, PORTAL)).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "status": "pending" }))
    );
}

#[tokio::test]
async fn a_request_expires_after_five_minutes() {
    let agent = agent();
    let (id, _) = agent.start().await;
    agent
        .clock
        .advance(Duration::minutes(4) + Duration::seconds(59));
    assert_eq!(agent.json(poll(&id, PORTAL)).await.0, StatusCode::OK);
    agent.clock.advance(Duration::seconds(1));
    let (status, body, _) = agent.json(poll(&id, PORTAL)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "unknown_request");
    let page = request("GET", &format!("/confirm/{id}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(agent.page(page).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_confirm_page_names_the_site_and_lists_both_certificates() {
    let agent = agent();
    let (id, _) = agent.start().await;
    let response = agent
        .call(
            request("GET", &format!("/confirm/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(
        cors_origin(&response),
        None,
        "the portal must not read the agent's page"
    );
    let html = String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains(&format!("id=\"origin\">{PORTAL}<")), "{html}");
    for name in agent.names {
        assert!(html.contains(name), "{name} missing");
    }
    assert!(html.contains("CCCD:001099012345"));
    assert!(html.contains("Sandbox Issuing CA"));
    assert!(
        html.contains("Prove who you are with your USB token"),
        "lang en"
    );
    assert_eq!(input_values(&html, "certificate").len(), 2);
    assert_eq!(input_values(&html, "csrf").len(), 1);
    assert!(!html.contains("<script"));

    // In Vietnamese when the portal asks so.
    let vi = request("POST", "/web-eid/authenticate")
        .header("origin", OTHER_PORTAL)
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "challengeNonce": nonce(), "lang": "vi" }).to_string(),
        ))
        .unwrap();
    let (_, body, _) = agent.json(vi).await;
    let url = body["confirmUrl"]
        .as_str()
        .unwrap()
        .strip_prefix(AGENT)
        .unwrap()
        .to_owned();
    let (_, html) = agent
        .page(request("GET", &url).body(Body::empty()).unwrap())
        .await;
    assert!(html.contains("Xác thực bằng USB ký số"), "{html}");
    assert!(html.contains(&format!("id=\"origin\">{OTHER_PORTAL}<")));
}

#[tokio::test]
async fn the_confirm_form_needs_its_csrf_token_and_the_agents_origin() {
    let agent = agent();
    let (id, _) = agent.start().await;
    let (status, _) = agent
        .confirm(&id, &[("csrf", "guess"), ("action", "cancel")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The portal's page knows the id; posting from it is refused even with a token.
    let (_, html) = agent
        .page(
            request("GET", &format!("/confirm/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let csrf = input_values(&html, "csrf").remove(0);
    let from_portal = request("POST", &format!("/confirm/{id}"))
        .header("origin", PORTAL)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&action=cancel")))
        .unwrap();
    assert_eq!(agent.page(from_portal).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        agent.json(poll(&id, PORTAL)).await.1,
        json!({ "status": "pending" })
    );

    let (status, html) = agent
        .confirm(&id, &[("csrf", &csrf), ("action", "cancel")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Cancelled"));
    let (_, body, _) = agent.json(poll(&id, PORTAL)).await;
    assert_eq!(body["error"], "user_cancelled");
}

#[tokio::test]
async fn authenticate_confirm_with_pin_and_get_a_valid_token() {
    let agent = agent();
    let (id, nonce) = agent.start().await;
    let (_, html) = agent
        .page(
            request("GET", &format!("/confirm/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let csrf = input_values(&html, "csrf").remove(0);
    let fingerprints = input_values(&html, "certificate");

    // Wrong PIN: the page says so and the request still waits.
    let wrong = [
        ("csrf", csrf.as_str()),
        ("action", "sign"),
        ("certificate", &fingerprints[1]),
        ("pin", "000000"),
    ];
    let (status, html) = agent.confirm(&id, &wrong).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Wrong PIN. One more wrong PIN locks the token."),
        "{html}"
    );
    assert_eq!(
        agent.json(poll(&id, PORTAL)).await.1,
        json!({ "status": "pending" })
    );

    // The second certificate (RSA), with the right PIN.
    let right = [
        ("csrf", csrf.as_str()),
        ("action", "sign"),
        ("certificate", &fingerprints[1]),
        ("pin", SOFT_PIN),
    ];
    let (status, html) = agent.confirm(&id, &right).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Done. You can close this window."), "{html}");

    let (status, token, acao) = agent.json(poll(&id, PORTAL)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acao.as_deref(), Some(PORTAL));
    assert_eq!(token["algorithm"], "RS256");
    verify_token(&token, PORTAL, &nonce);
    // Delivered once.
    assert_eq!(agent.json(poll(&id, PORTAL)).await.0, StatusCode::NOT_FOUND);
}
