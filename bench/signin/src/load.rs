//! The load: virtual users, each looping complete sign-ins on its own accounts for a fixed
//! time. A sign-in is four dvcid requests and one outbox read:
//!
//! ```text
//! POST /api/flows {"kind":"login"}            create   (no hash)
//! POST /api/flows/{id} sign_in                sign_in  (the Argon2id verify)
//! GET  /sandbox/sms?to=PHONE                  outbox   (the sandbox, not dvcid)
//! POST /api/flows/{id} otp                    otp      (no hash; opens the session)
//! GET  /api/account  (Bearer session)         account  (no hash)
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use tokio::task::JoinSet;

use crate::api::Dvcid;
use crate::sandbox::Sandbox;
use crate::setup::Account;

/// The timed requests of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Create,
    SignIn,
    Outbox,
    Otp,
    Account,
    /// The whole sign-in, from create to account.
    Complete,
}

/// Raw latencies per request kind.
#[derive(Debug, Default)]
pub struct Samples {
    pub create: Vec<Duration>,
    pub sign_in: Vec<Duration>,
    pub outbox: Vec<Duration>,
    pub otp: Vec<Duration>,
    pub account: Vec<Duration>,
    pub complete: Vec<Duration>,
}

impl Samples {
    fn record(&mut self, request: Request, took: Duration) {
        let list = match request {
            Request::Create => &mut self.create,
            Request::SignIn => &mut self.sign_in,
            Request::Outbox => &mut self.outbox,
            Request::Otp => &mut self.otp,
            Request::Account => &mut self.account,
            Request::Complete => &mut self.complete,
        };
        list.push(took);
    }

    fn absorb(&mut self, other: Samples) {
        self.create.extend(other.create);
        self.sign_in.extend(other.sign_in);
        self.outbox.extend(other.outbox);
        self.otp.extend(other.otp);
        self.account.extend(other.account);
        self.complete.extend(other.complete);
    }

    /// The requests to dvcid that do not hash: create, otp, account.
    pub fn non_hashing(&self) -> Vec<Duration> {
        [&self.create, &self.otp, &self.account]
            .into_iter()
            .flatten()
            .copied()
            .collect()
    }
}

/// What one phase did.
#[derive(Debug, Default)]
pub struct Phase {
    /// Sign-ins completed before the deadline.
    pub signins: u64,
    pub failures: u64,
    /// The first few failures, for the report.
    pub failure_examples: Vec<String>,
    pub samples: Samples,
    pub elapsed: Duration,
}

const FAILURE_EXAMPLES: usize = 5;
/// After a failed sign-in a user waits this long, so that a broken server is not spun on.
const FAILURE_PAUSE: Duration = Duration::from_millis(100);

/// Runs `users` virtual users for `duration`; user `u` signs in to accounts `u`, `u + users`, …
/// in turn. The accounts come back with the SMS each last used.
pub async fn run(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    accounts: Vec<Account>,
    password: &str,
    users: usize,
    duration: Duration,
) -> Result<(Phase, Vec<Account>)> {
    let users = users.clamp(1, accounts.len().max(1));
    let mut shares: Vec<Vec<Account>> = vec![Vec::new(); users];
    for (index, account) in accounts.into_iter().enumerate() {
        if let Some(share) = shares.get_mut(index % users) {
            share.push(account);
        }
    }
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = JoinSet::new();
    for share in shares {
        let user = User {
            dvcid: dvcid.clone(),
            sandbox: sandbox.clone(),
            password: password.to_owned(),
            accounts: share,
        };
        tasks.spawn(user.run(deadline));
    }
    let mut phase = Phase::default();
    let mut accounts = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (user, part) = done.context("a virtual user panicked")?;
        accounts.extend(user.accounts);
        phase.signins += part.signins;
        phase.failures += part.failures;
        for example in part.failure_examples {
            if phase.failure_examples.len() < FAILURE_EXAMPLES {
                phase.failure_examples.push(example);
            }
        }
        phase.samples.absorb(part.samples);
    }
    phase.elapsed = started.elapsed();
    Ok((phase, accounts))
}

struct User {
    dvcid: Dvcid,
    sandbox: Sandbox,
    password: String,
    accounts: Vec<Account>,
}

impl User {
    async fn run(mut self, deadline: Instant) -> (Self, Phase) {
        let mut phase = Phase::default();
        let mut turn = 0;
        while Instant::now() < deadline && !self.accounts.is_empty() {
            let index = turn % self.accounts.len();
            turn += 1;
            match self.sign_in(index, &mut phase.samples).await {
                Ok(()) if Instant::now() <= deadline => phase.signins += 1,
                Ok(()) => {}
                Err(error) => {
                    phase.failures += 1;
                    if phase.failure_examples.len() < FAILURE_EXAMPLES {
                        phase.failure_examples.push(format!("{error:#}"));
                    }
                    tokio::time::sleep(FAILURE_PAUSE).await;
                }
            }
        }
        (self, phase)
    }

    /// One complete sign-in on account `index`, each request timed.
    async fn sign_in(&mut self, index: usize, samples: &mut Samples) -> Result<()> {
        let account = self.accounts.get_mut(index).context("no such account")?;
        let started = Instant::now();
        let clock = started;
        let flow = self.dvcid.start("login").await.context("create")?;
        let clock = lap(samples, Request::Create, clock);

        let credentials = json!({
            "action": "sign_in",
            "identifier": account.personal_id,
            "password": self.password,
        });
        self.dvcid
            .act(&flow, credentials, "otp")
            .await
            .context("sign_in")?;
        let clock = lap(samples, Request::SignIn, clock);

        let (code, sms) = self
            .sandbox
            .new_code(&account.phone, account.last_sms.as_deref())
            .await
            .context("outbox")?;
        account.last_sms = Some(sms.message_id);
        let clock = lap(samples, Request::Outbox, clock);

        let answer = self
            .dvcid
            .act(&flow, json!({ "action": "otp", "code": code }), "done")
            .await
            .context("otp")?;
        let session = answer["session"]["token"]
            .as_str()
            .context("otp: no session token")?
            .to_owned();
        let clock = lap(samples, Request::Otp, clock);

        self.dvcid.account(&session).await.context("account")?;
        lap(samples, Request::Account, clock);
        lap(samples, Request::Complete, started);
        Ok(())
    }
}

/// Records the time since `since` under `request` and starts the next lap.
fn lap(samples: &mut Samples, request: Request, since: Instant) -> Instant {
    let now = Instant::now();
    samples.record(request, now - since);
    now
}
