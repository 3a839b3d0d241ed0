//! A database that fails (gone, or a primary demoted to read-only during a failover) makes
//! every request that touches it a retry-able 503: never a 500, and never an answer that
//! tells a signed-in person or app that their session is gone.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection};
use url::Url;

use super::api::registered_session;
use super::serve;

/// Runs `sql` on the test database's server as the administrator.
async fn admin(sql: String) {
    let mut admin = PgConnection::connect(&store::testing::postgres_admin_url())
        .await
        .unwrap();
    admin.execute(sqlx::AssertSqlSafe(sql)).await.unwrap();
}

fn database_name(url: &str) -> String {
    Url::parse(url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned()
}

async fn start_login(http: &Client, base: &str) -> reqwest::Response {
    http.post(format!("{base}/api/flows"))
        .json(&json!({ "kind": "login" }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_database_that_is_gone_answers_503_everywhere() {
    store::testing::with_postgres(
        "a_database_that_is_gone_answers_503_everywhere",
        |db| async move {
            let base = serve(&db, false).await;
            let http = Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let session = registered_session(&base, &http).await;
            admin(format!(
                "DROP DATABASE {} WITH (FORCE)",
                database_name(&db.url)
            ))
            .await;

            // An app's session that cannot be checked is not a 401: the app would drop it.
            let account = http
                .get(format!("{base}/api/account"))
                .bearer_auth(&session)
                .send()
                .await
                .unwrap();
            assert_eq!(account.status(), StatusCode::SERVICE_UNAVAILABLE);
            let body: Value = account.json().await.unwrap();
            assert_eq!(body["error"], "unavailable", "{body}");

            // Nor is a browser sent to sign in again.
            let page = http
                .get(format!("{base}/account"))
                .header("cookie", format!("__Host-session={session}"))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);

            assert_eq!(
                start_login(&http, &base).await.status(),
                StatusCode::SERVICE_UNAVAILABLE
            );

            let token = http
                .post(format!("{base}/token"))
                .basic_auth("some-client", Some("some-secret"))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
                .send()
                .await
                .unwrap();
            assert_eq!(token.status(), StatusCode::SERVICE_UNAVAILABLE);

            let authorize = http
                .get(format!(
                    "{base}/authorize?client_id=some-client&response_type=code&scope=openid\
                 &redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
                ))
                .header("cookie", format!("__Host-session={session}"))
                .send()
                .await
                .unwrap();
            assert_eq!(authorize.status(), StatusCode::SERVICE_UNAVAILABLE);
        },
    )
    .await;
}

#[tokio::test]
async fn a_write_on_a_primary_turned_read_only_answers_503() {
    store::testing::with_postgres(
        "a_write_on_a_primary_turned_read_only_answers_503",
        |db| async move {
            let base = serve(&db, false).await;
            let http = Client::new();
            assert_eq!(
                start_login(&http, &base).await.status(),
                StatusCode::CREATED
            );

            // What a demoted primary does: transactions are read-only (SQLSTATE 25006) on the
            // connections the pool opens again after the old ones were cut.
            let database = database_name(&db.url);
            admin(format!(
                "ALTER DATABASE {database} SET default_transaction_read_only = on"
            ))
            .await;
            admin(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{database}' AND pid <> pg_backend_pid()"
            ))
            .await;

            let refused = start_login(&http, &base).await;
            assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
            let body: Value = refused.json().await.unwrap();
            assert_eq!(body["error"], "unavailable", "{body}");
        },
    )
    .await;
}
