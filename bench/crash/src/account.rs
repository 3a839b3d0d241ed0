//! The two account endpoints the driver needs beyond the sign-in flows
//! (`crates/web/src/api/openapi.json`): whether a session still holds, and a password change.

use anyhow::{Context, Result, bail};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// The account API of one server.
#[derive(Clone)]
pub struct AccountApi {
    http: Client,
    base: String,
}

impl AccountApi {
    pub fn new(http: Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /api/account` with the session: true when it answers, false when the session has
    /// ended (401, 403); anything else is an error.
    pub async fn session_holds(&self, session: &str) -> Result<bool> {
        let response = self
            .http
            .get(format!("{}/api/account", self.base))
            .bearer_auth(session)
            .send()
            .await?;
        match response.status() {
            StatusCode::OK => Ok(true),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Ok(false),
            status => bail!("GET /api/account: HTTP {status}"),
        }
    }

    /// `POST /api/account/password`: every session of the account ends; the new one is
    /// returned.
    pub async fn change_password(&self, session: &str, current: &str, new: &str) -> Result<String> {
        let response = self
            .http
            .post(format!("{}/api/account/password", self.base))
            .bearer_auth(session)
            .json(&json!({ "current": current, "new": new, "confirm": new }))
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        if status != StatusCode::OK {
            bail!(
                "POST /api/account/password: HTTP {status}: {}",
                text.chars().take(300).collect::<String>()
            );
        }
        let body: Value = serde_json::from_str(&text).context("the answer is not JSON")?;
        body["session"]["token"]
            .as_str()
            .map(str::to_owned)
            .context("the password change returned no session")
    }
}
