//! `bench-signin overload`: more people signing in than the node's hashing threads can serve,
//! with bystanders beside them — the token endpoint (client credentials), a static asset and
//! the discovery document. It shows what admission control promises: every answer is a
//! success or the intended 503 with `Retry-After`, admitted sign-ins wait a bounded time, a
//! refusal comes at once, and the bystanders are not starved. The crowd honours
//! `Retry-After`, as the waiting page does.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::{Client, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::api::expect_step;
use crate::sandbox::Sandbox;
use crate::setup::Account;
use crate::stats::{Summary, summarize};

#[derive(Debug, clap::Args)]
pub struct OverloadArgs {
    /// dvcid's origin.
    #[arg(long)]
    pub server: String,
    /// The sandbox's origin.
    #[arg(long)]
    pub sandbox: String,
    #[arg(long, default_value_t = 64)]
    pub accounts: usize,
    /// People signing in at once, each one sign-in at a time.
    #[arg(long, default_value_t = 64)]
    pub crowd: usize,
    /// Bystanders, each looping over a token grant, a static asset and the discovery document.
    #[arg(long, default_value_t = 2)]
    pub bystanders: usize,
    /// The bystanders alone first, for comparison.
    #[arg(long, default_value_t = 10.0)]
    pub baseline_secs: f64,
    #[arg(long, default_value_t = 30.0)]
    pub duration_secs: f64,
    /// A client allowed `client_credentials` (`dvcid client add … --json`).
    #[arg(long)]
    pub client_id: String,
    #[arg(long)]
    pub client_secret: String,
    #[arg(long, default_value = "Bench-signin-2026")]
    pub password: String,
}

/// Every answer dvcid gave, by status, and the 503s that named no wait.
#[derive(Debug, Default, Clone, Serialize)]
struct Statuses {
    by_status: BTreeMap<u16, u64>,
    unavailable_without_retry_after: u64,
}

impl Statuses {
    fn count(&mut self, response: &reqwest::Response) {
        let status = response.status();
        *self.by_status.entry(status.as_u16()).or_default() += 1;
        if status == StatusCode::SERVICE_UNAVAILABLE && retry_after(response).is_none() {
            self.unavailable_without_retry_after += 1;
        }
    }

    fn absorb(&mut self, other: Statuses) {
        for (status, count) in other.by_status {
            *self.by_status.entry(status).or_default() += count;
        }
        self.unavailable_without_retry_after += other.unavailable_without_retry_after;
    }

    /// Server errors other than the intended 503.
    fn unexpected(&self) -> u64 {
        self.by_status
            .iter()
            .filter(|(status, _)| **status >= 500 && **status != 503)
            .map(|(_, count)| count)
            .sum::<u64>()
            + self.unavailable_without_retry_after
    }
}

#[derive(Debug, Default)]
struct CrowdSamples {
    admitted: Vec<Duration>,
    refused: Vec<Duration>,
    completed: u64,
    statuses: Statuses,
}

#[derive(Debug, Default)]
struct BystanderSamples {
    token: Vec<Duration>,
    asset: Vec<Duration>,
    discovery: Vec<Duration>,
    statuses: Statuses,
}

impl BystanderSamples {
    fn absorb(&mut self, other: BystanderSamples) {
        self.token.extend(other.token);
        self.asset.extend(other.asset);
        self.discovery.extend(other.discovery);
        self.statuses.absorb(other.statuses);
    }
}

#[derive(Debug, Serialize)]
struct BystanderReport {
    token: Summary,
    asset: Summary,
    discovery: Summary,
}

impl From<&BystanderSamples> for BystanderReport {
    fn from(samples: &BystanderSamples) -> Self {
        Self {
            token: summarize(&samples.token),
            asset: summarize(&samples.asset),
            discovery: summarize(&samples.discovery),
        }
    }
}

#[derive(Debug, Serialize)]
struct OverloadReport {
    crowd: usize,
    bystanders: usize,
    duration_secs: f64,
    signins_completed_per_sec: f64,
    sign_in_admitted: Summary,
    sign_in_refused: Summary,
    bystanders_alone: BystanderReport,
    bystanders_under_overload: BystanderReport,
    statuses: Statuses,
    unexpected_server_errors: u64,
}

/// The bystanders' requests, in the order each one loops over them.
struct Bystander {
    http: Client,
    base: String,
    asset: String,
    client_id: String,
    client_secret: String,
}

impl Bystander {
    async fn run(self, deadline: Instant) -> Result<BystanderSamples> {
        let mut samples = BystanderSamples::default();
        while Instant::now() < deadline {
            let started = Instant::now();
            let response = self
                .http
                .post(format!("{}/token", self.base))
                .basic_auth(&self.client_id, Some(&self.client_secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await?;
            samples.statuses.count(&response);
            response.bytes().await?;
            samples.token.push(started.elapsed());

            for (path, list) in [
                (self.asset.as_str(), &mut samples.asset),
                ("/.well-known/openid-configuration", &mut samples.discovery),
            ] {
                let started = Instant::now();
                let response = self.http.get(format!("{}{path}", self.base)).send().await?;
                samples.statuses.count(&response);
                response.bytes().await?;
                list.push(started.elapsed());
            }
        }
        Ok(samples)
    }
}

/// One person of the crowd: signs in on their account again and again; a refused sign-in
/// waits what `Retry-After` says and starts afresh.
struct Person {
    http: Client,
    base: String,
    sandbox: Sandbox,
    account: Account,
    password: String,
}

impl Person {
    async fn run(mut self, deadline: Instant) -> Result<CrowdSamples> {
        let mut samples = CrowdSamples::default();
        while Instant::now() < deadline {
            let response = self
                .http
                .post(format!("{}/api/flows", self.base))
                .json(&json!({ "kind": "login" }))
                .send()
                .await?;
            samples.statuses.count(&response);
            if response.status() != StatusCode::CREATED {
                pause(&response).await;
                continue;
            }
            let started: Value = response.json().await?;
            let id = started["flow"]["id"].as_str().context("no flow id")?;
            let token = started["flow_token"].as_str().context("no flow token")?;
            let credentials = json!({
                "action": "sign_in",
                "identifier": self.account.personal_id,
                "password": self.password,
            });
            let clock = Instant::now();
            let response = self.act(id, token, &credentials).await?;
            samples.statuses.count(&response);
            match response.status() {
                StatusCode::OK => samples.admitted.push(clock.elapsed()),
                StatusCode::SERVICE_UNAVAILABLE => {
                    samples.refused.push(clock.elapsed());
                    pause(&response).await;
                    continue;
                }
                other => bail!("sign_in answered {other}"),
            }
            expect_step(&response.json().await?, "otp")?;
            let seen = self.account.last_sms.as_deref();
            let (code, sms) = self.sandbox.new_code(&self.account.phone, seen).await?;
            self.account.last_sms = Some(sms.message_id);
            let response = self
                .act(id, token, &json!({ "action": "otp", "code": code }))
                .await?;
            samples.statuses.count(&response);
            if response.status() == StatusCode::OK && Instant::now() <= deadline {
                samples.completed += 1;
            }
        }
        Ok(samples)
    }

    async fn act(&self, id: &str, token: &str, action: &Value) -> Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/api/flows/{id}", self.base))
            .header("x-flow-token", token)
            .json(action)
            .send()
            .await?)
    }
}

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

async fn pause(response: &reqwest::Response) {
    let seconds = retry_after(response).unwrap_or(1);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}

/// The page's stylesheet, as the home page names it (its name carries a content hash).
async fn asset_path(http: &Client, base: &str) -> Result<String> {
    let home = http.get(format!("{base}/")).send().await?.text().await?;
    let start = home
        .find("/static/")
        .context("no /static/ link on the home page")?;
    let rest = home.get(start..).unwrap_or_default();
    let end = rest.find('"').context("unterminated asset link")?;
    Ok(rest.get(..end).unwrap_or_default().to_owned())
}

async fn bystanders(
    args: &OverloadArgs,
    http: &Client,
    asset: &str,
    for_how_long: Duration,
) -> Result<BystanderSamples> {
    let deadline = Instant::now() + for_how_long;
    let mut tasks = JoinSet::new();
    for _ in 0..args.bystanders {
        let bystander = Bystander {
            http: http.clone(),
            base: args.server.clone(),
            asset: asset.to_owned(),
            client_id: args.client_id.clone(),
            client_secret: args.client_secret.clone(),
        };
        tasks.spawn(bystander.run(deadline));
    }
    let mut samples = BystanderSamples::default();
    while let Some(done) = tasks.join_next().await {
        samples.absorb(done??);
    }
    Ok(samples)
}

async fn crowd(
    args: &OverloadArgs,
    http: &Client,
    sandbox: &Sandbox,
    accounts: &[Account],
    for_how_long: Duration,
) -> Result<CrowdSamples> {
    let deadline = Instant::now() + for_how_long;
    let mut tasks = JoinSet::new();
    for account in accounts.iter().cycle().take(args.crowd) {
        let person = Person {
            http: http.clone(),
            base: args.server.clone(),
            sandbox: sandbox.clone(),
            account: account.clone(),
            password: args.password.clone(),
        };
        tasks.spawn(person.run(deadline));
    }
    let mut samples = CrowdSamples::default();
    while let Some(done) = tasks.join_next().await {
        let part = done??;
        samples.admitted.extend(part.admitted);
        samples.refused.extend(part.refused);
        samples.completed += part.completed;
        samples.statuses.absorb(part.statuses);
    }
    Ok(samples)
}

pub async fn run(args: OverloadArgs) -> Result<()> {
    let http = Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()?;
    let dvcid = crate::api::Dvcid::new(http.clone(), &args.server);
    let sandbox = Sandbox::new(http.clone(), &args.sandbox);
    let people = sandbox.phone_owners(args.accounts).await?;
    eprintln!("setup: registering {} accounts", people.len());
    let accounts = crate::setup::register_all(&dvcid, &sandbox, people, &args.password, 4).await?;
    // Two people never share an account: each waits for its own SMS.
    if accounts.len() < args.crowd {
        bail!(
            "{} accounts for a crowd of {}: raise --accounts",
            accounts.len(),
            args.crowd
        );
    }
    let asset = asset_path(&http, &args.server).await?;

    eprintln!("bystanders alone: {} s", args.baseline_secs);
    let alone = bystanders(&args, &http, &asset, secs(args.baseline_secs)).await?;
    eprintln!(
        "overload: {} people signing in, {} bystanders, {} s",
        args.crowd, args.bystanders, args.duration_secs
    );
    let duration = secs(args.duration_secs);
    let (crowd, beside) = tokio::join!(
        crowd(&args, &http, &sandbox, &accounts, duration),
        bystanders(&args, &http, &asset, duration),
    );
    let (crowd, beside) = (crowd?, beside?);
    let mut statuses = Statuses::default();
    statuses.absorb(alone.statuses.clone());
    statuses.absorb(crowd.statuses);
    statuses.absorb(beside.statuses.clone());
    let report = OverloadReport {
        crowd: args.crowd,
        bystanders: args.bystanders,
        duration_secs: args.duration_secs,
        signins_completed_per_sec: crowd.completed as f64 / args.duration_secs,
        sign_in_admitted: summarize(&crowd.admitted),
        sign_in_refused: summarize(&crowd.refused),
        bystanders_alone: BystanderReport::from(&alone),
        bystanders_under_overload: BystanderReport::from(&beside),
        unexpected_server_errors: statuses.unexpected(),
        statuses,
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.unexpected_server_errors > 0 {
        bail!(
            "{} server errors other than 503 with Retry-After",
            report.unexpected_server_errors
        );
    }
    Ok(())
}

fn secs(value: f64) -> Duration {
    Duration::from_secs_f64(value)
}
