//! The dvcid JSON API, as much of it as a sign-in needs (`crates/web/src/api/openapi.json`).

use anyhow::{Context, Result, bail};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// A started flow: its id and the token that binds it to this client.
pub struct Flow {
    pub id: String,
    pub token: String,
}

#[derive(Clone)]
pub struct Dvcid {
    http: Client,
    base: String,
}

impl Dvcid {
    /// `base` is the server's origin, e.g. `http://127.0.0.1:18492`.
    pub fn new(http: Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `POST /api/flows {"kind": KIND}`.
    pub async fn start(&self, kind: &str) -> Result<Flow> {
        let response = self
            .http
            .post(format!("{}/api/flows", self.base))
            .json(&json!({ "kind": kind }))
            .send()
            .await?;
        let body = expect_status(response, StatusCode::CREATED).await?;
        let id = body["flow"]["id"]
            .as_str()
            .context("no flow.id")?
            .to_owned();
        let token = body["flow_token"]
            .as_str()
            .context("no flow_token")?
            .to_owned();
        Ok(Flow { id, token })
    }

    /// `POST /api/flows/{id}` with `action`; fails unless the flow reached `step` with no
    /// problems. Returns the whole answer (it holds the session when one was opened).
    pub async fn act(&self, flow: &Flow, action: Value, step: &str) -> Result<Value> {
        let body = self.act_any(flow, action).await?;
        expect_step(&body, step)?;
        Ok(body)
    }

    /// `POST /api/flows/{id}` with `action`: the answer, whatever the flow did with it.
    pub async fn act_any(&self, flow: &Flow, action: Value) -> Result<Value> {
        let response = self
            .http
            .post(format!("{}/api/flows/{}", self.base, flow.id))
            .header("x-flow-token", &flow.token)
            .json(&action)
            .send()
            .await?;
        expect_status(response, StatusCode::OK).await
    }

    /// `GET /api/account` with the session as a bearer token.
    pub async fn account(&self, session: &str) -> Result<Value> {
        let response = self
            .http
            .get(format!("{}/api/account", self.base))
            .bearer_auth(session)
            .send()
            .await?;
        expect_status(response, StatusCode::OK).await
    }
}

/// Fails unless the flow in `body` is at `step` with no problems.
pub fn expect_step(body: &Value, step: &str) -> Result<()> {
    let problems = &body["flow"]["problems"];
    if problems.as_array().is_some_and(|list| !list.is_empty()) {
        bail!("refused: {problems}");
    }
    let reached = body["flow"]["step"].as_str().unwrap_or_default();
    if reached != step {
        bail!("expected step {step}, got {reached}");
    }
    Ok(())
}

/// Whether the flow in `body` was refused with the problem `code`.
pub fn has_problem(body: &Value, code: &str) -> bool {
    body["flow"]["problems"]
        .as_array()
        .is_some_and(|list| list.iter().any(|problem| problem["code"] == code))
}

/// An answer with another status than the request wanted: the status, and the start of the
/// body for the message.
#[derive(Debug)]
pub struct UnexpectedStatus {
    pub status: StatusCode,
    pub body: String,
}

impl UnexpectedStatus {
    pub fn new(status: StatusCode, body: &str) -> Self {
        Self {
            status,
            body: body.chars().take(300).collect(),
        }
    }
}

impl std::fmt::Display for UnexpectedStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.body)
    }
}

impl std::error::Error for UnexpectedStatus {}

async fn expect_status(response: reqwest::Response, wanted: StatusCode) -> Result<Value> {
    let status = response.status();
    let text = response.text().await?;
    if status != wanted {
        return Err(UnexpectedStatus::new(status, &text).into());
    }
    serde_json::from_str(&text).with_context(|| format!("not JSON: {text}"))
}
