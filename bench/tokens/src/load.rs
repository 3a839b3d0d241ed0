//! The load: virtual users, each looping one grant at the token endpoint for a fixed time.
//!
//! ```text
//! client_credentials   POST /token grant_type=client_credentials            (Basic auth)
//! refresh_token        POST /token grant_type=refresh_token&refresh_token=R (Basic auth)
//!                      each user holds one family: every answer carries the next R
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::Client;
use tokio::task::JoinSet;

use crate::oauth::{self, Discovery, Signer, TokenEndpoint, Tokens};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Grant {
    ClientCredentials,
    RefreshToken,
}

impl Grant {
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// One virtual user: for the refresh grant, who signs in and the family's current token.
pub struct User {
    pub signer: Signer,
    pub refresh_token: Option<String>,
}

/// What one phase did.
#[derive(Debug, Default)]
pub struct Phase {
    /// Grants answered 200 with the expected tokens before the deadline.
    pub grants: u64,
    pub failures: u64,
    /// The first few failures, for the report.
    pub failure_examples: Vec<String>,
    /// Families opened again after a failed refresh (each also counts as a failure).
    pub reopened: u64,
    pub samples: Vec<Duration>,
    pub elapsed: Duration,
    /// `oauth::describe` of the first access and ID tokens seen.
    pub access_token: Option<String>,
    pub id_token: Option<String>,
}

const FAILURE_EXAMPLES: usize = 5;
/// After a failure a user waits this long, so that a broken server is not spun on.
const FAILURE_PAUSE: Duration = Duration::from_millis(100);

/// What every user shares.
#[derive(Clone)]
pub struct Target {
    pub http: Client,
    pub discovery: Discovery,
    pub token: TokenEndpoint,
    /// The JWS algorithm access tokens must carry; `None`: any format (opaque too).
    pub alg: Option<String>,
}

/// Opens a refresh-token family for every user that has none (untimed setup).
pub async fn open_families(target: &Target, users: &mut [User]) -> Result<()> {
    for (index, user) in users.iter_mut().enumerate() {
        if user.refresh_token.is_none() {
            let token =
                oauth::open_family(&target.http, &target.discovery, &target.token, &user.signer)
                    .await
                    .with_context(|| format!("opening the refresh-token family of user {index}"))?;
            user.refresh_token = Some(token);
        }
    }
    Ok(())
}

/// Runs every user on `grant` for `duration`; the users come back with their families.
pub async fn run(
    target: &Target,
    grant: Grant,
    users: Vec<User>,
    duration: Duration,
) -> Result<(Phase, Vec<User>)> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = JoinSet::new();
    for user in users {
        tasks.spawn(run_user(target.clone(), grant, user, deadline));
    }
    let mut phase = Phase::default();
    let mut users = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (user, part) = done.context("a virtual user panicked")?;
        users.push(user);
        phase.grants += part.grants;
        phase.failures += part.failures;
        phase.reopened += part.reopened;
        for example in part.failure_examples {
            if phase.failure_examples.len() < FAILURE_EXAMPLES {
                phase.failure_examples.push(example);
            }
        }
        phase.samples.extend(part.samples);
        phase.access_token = phase.access_token.or(part.access_token);
        phase.id_token = phase.id_token.or(part.id_token);
    }
    phase.elapsed = started.elapsed();
    Ok((phase, users))
}

async fn run_user(
    target: Target,
    grant: Grant,
    mut user: User,
    deadline: Instant,
) -> (User, Phase) {
    let mut phase = Phase::default();
    while Instant::now() < deadline {
        let clock = Instant::now();
        let answer = match grant {
            Grant::ClientCredentials => target.token.client_credentials().await,
            Grant::RefreshToken => refresh(&target, &mut user).await,
        };
        let took = clock.elapsed();
        let checked = answer.and_then(|tokens| check(&target, tokens));
        match checked {
            Ok(tokens) => {
                if Instant::now() <= deadline {
                    phase.grants += 1;
                    phase.samples.push(took);
                }
                if phase.access_token.is_none() {
                    phase.access_token = Some(oauth::describe(&tokens.access_token));
                    phase.id_token = tokens.id_token.as_deref().map(oauth::describe);
                }
            }
            Err(error) => {
                phase.failures += 1;
                if phase.failure_examples.len() < FAILURE_EXAMPLES {
                    phase.failure_examples.push(format!("{error:#}"));
                }
                tokio::time::sleep(FAILURE_PAUSE).await;
                if grant == Grant::RefreshToken && user.refresh_token.is_none() {
                    // The family is gone (or its token was lost in flight): a new one.
                    match oauth::open_family(
                        &target.http,
                        &target.discovery,
                        &target.token,
                        &user.signer,
                    )
                    .await
                    {
                        Ok(token) => {
                            user.refresh_token = Some(token);
                            phase.reopened += 1;
                        }
                        Err(error) if phase.failure_examples.len() < FAILURE_EXAMPLES => {
                            phase.failure_examples.push(format!("reopening: {error:#}"));
                        }
                        Err(_) => {}
                    }
                }
            }
        }
    }
    (user, phase)
}

/// One refresh of the user's family; the family's token moves on only on success (taken out
/// first, so that a failure leaves the user without one and the family is opened again).
async fn refresh(target: &Target, user: &mut User) -> Result<Tokens> {
    let current = user.refresh_token.take().context("no refresh token")?;
    let tokens = target.token.refresh(&current).await?;
    user.refresh_token = tokens.refresh_token.clone();
    Ok(tokens)
}

/// The access token is a JWT signed with the expected algorithm, when one is expected.
fn check(target: &Target, tokens: Tokens) -> Result<Tokens> {
    if let Some(alg) = &target.alg {
        let found = oauth::jwt_alg(&tokens.access_token);
        if found.as_deref() != Some(alg.as_str()) {
            bail!(
                "access token is {}, not a JWT signed with {alg}",
                oauth::describe(&tokens.access_token)
            );
        }
    }
    Ok(tokens)
}
