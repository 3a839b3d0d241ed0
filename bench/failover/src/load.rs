//! The load kept up while the cluster is disrupted, each worker keeping what was acknowledged
//! to it (a 200 it received) for the checks afterwards:
//!
//! ```text
//! sign-in      start, password, SMS code, account page   → the session tokens opened
//! register     whole registrations of new people         → the accounts created
//! refresh      refresh_token grants, one family each     → each family's newest token
//! ```
//!
//! A failed request is not retried within a sign-in (the sign-in starts over); a failed refresh
//! keeps its token and tries it again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;

use crate::api::Dvcid;
use crate::oauth::TokenEndpoint;
use crate::sandbox::{Person, Sandbox};
use crate::setup::{self, Account};
use crate::timeline::{Answer, Kind, Timeline};

/// After a failure a worker waits this long, so that a broken cluster is not spun on.
pub const FAILURE_PAUSE: Duration = Duration::from_millis(100);

/// What every worker shares.
#[derive(Clone)]
pub struct Load {
    pub dvcid: Dvcid,
    pub sandbox: Sandbox,
    pub token: TokenEndpoint,
    pub password: String,
    pub timeline: Arc<Timeline>,
    pub deadline: Instant,
}

impl Load {
    fn running(&self) -> bool {
        Instant::now() < self.deadline
    }

    /// Complete sign-ins in turn on `accounts` until the deadline: the sessions opened.
    pub async fn sign_ins(self, mut accounts: Vec<Account>) -> Vec<String> {
        let mut sessions = Vec::new();
        let mut turn = 0;
        while self.running() && !accounts.is_empty() {
            let index = turn % accounts.len();
            turn += 1;
            let Some(account) = accounts.get_mut(index) else {
                break;
            };
            match self.sign_in(account, &mut sessions).await {
                Ok(()) => {}
                Err(_) => tokio::time::sleep(FAILURE_PAUSE).await,
            }
        }
        sessions
    }

    /// One sign-in; the session is kept as soon as the code step acknowledged it.
    async fn sign_in(&self, account: &mut Account, sessions: &mut Vec<String>) -> Result<()> {
        let timeline = &self.timeline;
        let flow = timeline.record(Kind::Start, self.dvcid.start("login").await)?;
        let credentials = json!({
            "action": "sign_in",
            "identifier": account.personal_id,
            "password": self.password,
        });
        timeline.record(
            Kind::SignIn,
            self.dvcid.act(&flow, credentials, "otp").await,
        )?;
        let (code, sms) = self
            .sandbox
            .new_code(&account.phone, account.last_sms.as_deref())
            .await?;
        account.last_sms = Some(sms.message_id);
        let otp = json!({ "action": "otp", "code": code });
        let answer = timeline.record(Kind::Otp, self.dvcid.act(&flow, otp, "done").await)?;
        let session = answer["session"]["token"]
            .as_str()
            .context("otp: no session token")?
            .to_owned();
        sessions.push(session.clone());
        timeline.record(Kind::Account, self.dvcid.account(&session).await)?;
        Ok(())
    }

    /// Registers `people` one after the other until the deadline, each tried until it is
    /// acknowledged: the accounts created.
    pub async fn registrations(self, people: Vec<Person>) -> Vec<Account> {
        let mut created = Vec::new();
        for person in people {
            while self.running() {
                let result = setup::register_all(
                    &self.dvcid,
                    &self.sandbox,
                    vec![person.clone()],
                    &self.password,
                    1,
                )
                .await;
                match self.timeline.record(Kind::Register, result) {
                    Ok(accounts) => {
                        created.extend(accounts);
                        break;
                    }
                    Err(_) => tokio::time::sleep(FAILURE_PAUSE).await,
                }
            }
        }
        created
    }

    /// Refreshes `family` until the deadline.
    pub async fn refreshes(self, mut family: Family) -> Family {
        // A refresh that got no 200 may still have rotated the token (the commit reached
        // the synchronous replica, the answer was lost). The server exchanges the retry again
        // within its grace; a retry refused after that is counted apart.
        let mut unacknowledged = false;
        while self.running() {
            let result = self.token.refresh(&family.newest).await;
            let answer = Answer::of(Kind::Refresh, &result);
            match self.timeline.record(Kind::Refresh, result) {
                Ok(tokens) => {
                    if let Some(next) = tokens.refresh_token {
                        family.newest = next;
                        family.rotations += 1;
                    }
                    unacknowledged = false;
                }
                Err(_) if answer == Answer::Status(400) => {
                    family.end = Some(if unacknowledged {
                        FamilyEnd::UnacknowledgedRotation
                    } else {
                        FamilyEnd::Refused
                    });
                    break;
                }
                Err(_) => {
                    unacknowledged = true;
                    tokio::time::sleep(FAILURE_PAUSE).await;
                }
            }
        }
        family
    }
}

/// A refresh-token family and its newest token.
#[derive(Debug, Clone)]
pub struct Family {
    pub newest: String,
    pub rotations: u64,
    pub end: Option<FamilyEnd>,
}

impl Family {
    pub fn new(first: String) -> Self {
        Self {
            newest: first,
            rotations: 0,
            end: None,
        }
    }
}

/// Why a family stopped before the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyEnd {
    /// Refused (400) after a refresh without answer: that refresh had rotated the token and
    /// the retry came after the server's retry grace, so it was a reuse and the family was
    /// revoked. No acknowledged write is lost, but the client must sign in again.
    UnacknowledgedRotation,
    /// Refused with no failure before it: a fault.
    Refused,
}
