//! CORS for browser apps: `/token`, `/userinfo` and `/revoke` answer the preflight and the
//! actual request for the web origins clients registered, and nothing else does.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    VARY,
};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::Value;
use store::ClientAuthMethod;
use store::testing::TestDb;

use super::oidc_provider::Op;

const SPA: &str = "https://app.dichvucong.gov.vn";
const OTHER_SPA: &str = "http://127.0.0.1:5173";
const EVIL: &str = "https://evil.example";

/// A public client in a page at `SPA`, and a confidential one whose page is `OTHER_SPA`; the
/// SPA's tokens after a sign-in.
struct Setup {
    op: Op,
    access_token: String,
    refresh_token: String,
}

async fn setup(db: &TestDb) -> Setup {
    let op = Op::start(db).await;
    let spa = op
        .client(db, "spa", |settings| {
            settings.auth_method = ClientAuthMethod::None;
            settings.web_origins = vec![SPA.to_owned()];
        })
        .await;
    op.client(db, "other", |settings| {
        settings.web_origins = vec![OTHER_SPA.to_owned()];
    })
    .await;

    let mut browser = op.browser().await;
    let request = spa.authorization(|r| r);
    let answer = op.authorize_signing_in(&mut browser, &spa, &request).await;
    let code = answer.get("code").unwrap();
    let verifier = request.verifier.unwrap();
    // The exchange as the page's script makes it: a form post with its Origin.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", spa.redirect.as_str()),
        ("client_id", "spa"),
        ("code_verifier", verifier.secret().as_str()),
    ];
    let response = Client::new()
        .post(format!("{}/token", op.base))
        .header("origin", SPA)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_open_to(&response, SPA);
    let tokens: Value = response.json().await.unwrap();
    Setup {
        access_token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
        op,
    }
}

async fn preflight(base: &str, path: &str, origin: &str, method: &str) -> Response {
    Client::new()
        .request(Method::OPTIONS, format!("{base}{path}"))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

fn assert_open_to(response: &Response, origin: &str) {
    let headers = response.headers();
    assert_eq!(
        headers
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.to_str().unwrap()),
        Some(origin),
        "{}",
        response.url()
    );
    assert!(headers.get(ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    assert_varies_by_origin(response);
}

fn assert_closed(response: &Response) {
    assert!(
        response
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "{}: {:?}",
        response.url(),
        response.headers()
    );
}

fn assert_varies_by_origin(response: &Response) {
    let varies = response.headers().get_all(VARY).iter().any(|value| {
        value
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("origin")
    });
    assert!(varies, "{}: {:?}", response.url(), response.headers());
}

#[tokio::test]
async fn a_registered_origin_gets_preflight_and_actual_answers() {
    let db = store::testing::sqlite().await;
    let Setup {
        op,
        access_token,
        refresh_token,
    } = setup(&db).await;
    let base = op.base.as_str();

    for (path, method) in [
        ("/token", "POST"),
        ("/userinfo", "GET"),
        ("/revoke", "POST"),
    ] {
        let answer = preflight(base, path, SPA, method).await;
        assert_eq!(answer.status(), StatusCode::NO_CONTENT, "{path}");
        assert_open_to(&answer, SPA);
        let methods = answer.headers()[ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap();
        assert!(methods.contains(method), "{path}: {methods}");
    }

    let http = Client::new();
    let info = http
        .get(format!("{base}/userinfo"))
        .header("origin", SPA)
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    assert_open_to(&info, SPA);
    // The same token from the other client's page: the answer is not opened to it.
    let elsewhere = http
        .get(format!("{base}/userinfo"))
        .header("origin", OTHER_SPA)
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    assert_closed(&elsewhere);
    assert_varies_by_origin(&elsewhere);

    let revoked = http
        .post(format!("{base}/revoke"))
        .header("origin", SPA)
        .form(&[("token", refresh_token.as_str()), ("client_id", "spa")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_open_to(&revoked, SPA);
}

#[tokio::test]
async fn the_token_endpoint_opens_only_to_the_named_clients_origins() {
    store::testing::with_postgres(
        "the_token_endpoint_opens_only_to_the_named_clients_origins",
        |db| async move {
            let Setup { op, .. } = setup(&db).await;
            let http = Client::new();
            let token = |origin: &'static str, client_id: &'static str| {
                http.post(format!("{}/token", op.base))
                    .header("origin", origin)
                    .form(&[
                        ("grant_type", "authorization_code"),
                        ("code", "no-such-code"),
                        ("client_id", client_id),
                    ])
                    .send()
            };
            // A refusal still reaches the page that asked, when its client registered it.
            let refused = token(SPA, "spa").await.unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
            assert_open_to(&refused, SPA);
            // Another client's origin, an unknown one, an unknown client: closed.
            for (origin, client) in [(OTHER_SPA, "spa"), (EVIL, "spa"), (SPA, "nobody")] {
                let answer = token(origin, client).await.unwrap();
                assert_closed(&answer);
                assert_varies_by_origin(&answer);
            }
        },
    )
    .await;
}

#[tokio::test]
async fn an_unknown_origin_is_refused() {
    let db = store::testing::sqlite().await;
    let Setup {
        op, access_token, ..
    } = setup(&db).await;
    for (path, method) in [
        ("/token", "POST"),
        ("/userinfo", "GET"),
        ("/revoke", "POST"),
    ] {
        for origin in [EVIL, "null", "https://app.dichvucong.gov.vn.evil.example"] {
            let answer = preflight(&op.base, path, origin, method).await;
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path} {origin}");
            assert_closed(&answer);
        }
    }
    let info = Client::new()
        .get(format!("{}/userinfo", op.base))
        .header("origin", EVIL)
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    assert_closed(&info);
}

#[tokio::test]
async fn no_other_route_answers_cors() {
    let db = store::testing::sqlite().await;
    let Setup { op, .. } = setup(&db).await;
    let http = Client::new();
    for path in [
        "/",
        "/authorize",
        "/introspect",
        "/logout",
        "/api/flows",
        "/api/account",
        "/healthz",
        "/no-such-page",
    ] {
        let answer = preflight(&op.base, path, SPA, "POST").await;
        assert_closed(&answer);
        assert!(
            answer.headers().get(ACCESS_CONTROL_ALLOW_METHODS).is_none(),
            "{path}"
        );
        let actual = http
            .get(format!("{}{path}", op.base))
            .header("origin", SPA)
            .send()
            .await
            .unwrap();
        assert_closed(&actual);
    }
    let introspected = http
        .post(format!("{}/introspect", op.base))
        .header("origin", SPA)
        .form(&[("token", "x"), ("client_id", "spa")])
        .send()
        .await
        .unwrap();
    assert_closed(&introspected);
}
