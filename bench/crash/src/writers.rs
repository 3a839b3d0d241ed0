//! The concurrent writers of one round, until the server is killed: a registrar, sign-ins,
//! refresh-token rotations and password changes, each recording what was acknowledged and
//! what was left unanswered.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use reqwest::Client;
use tokio::task::JoinSet;

use crate::account::AccountApi;
use crate::api::Dvcid;
use crate::ledger::{Changer, Family, Ledger, PASSWORD, changed_password};
use crate::oauth::{Discovery, TokenEndpoint};
use crate::sandbox::{Person, Sandbox};
use crate::sessions;
use crate::setup::{self, Account};

/// The servers' endpoints, as every writer and check reaches them.
#[derive(Clone)]
pub struct Endpoints {
    pub http: Client,
    pub dvcid: Dvcid,
    pub account: AccountApi,
    pub sandbox: Sandbox,
    pub discovery: Discovery,
    pub tokens: TokenEndpoint,
}

/// Set just before the server is killed: from then on a failed request means the kill, not a
/// fault, and no writer starts another write.
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn now(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The acknowledged value; `None` when the write failed because the server was killed; an
    /// error when it failed while the server was up.
    fn settle<T>(&self, result: Result<T>, what: &str) -> Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(_) if self.is_set() => Ok(None),
            Err(error) => Err(error.context(format!("{what}, with the server up"))),
        }
    }
}

/// What one writer hands back at the end of the round.
enum Returned {
    Registrar {
        left: Vec<Person>,
        registered: Vec<String>,
        interrupted: bool,
    },
    Signer {
        accounts: Vec<Account>,
        sessions: Vec<String>,
        interrupted: bool,
    },
    Family {
        family: Family,
        rotations: u64,
    },
    Changer {
        changer: Changer,
        changes: u64,
        ended: Vec<String>,
    },
}

/// The writers of one round, running.
pub struct Round(JoinSet<Result<Returned>>);

/// Starts every writer, each on what the ledger lends it: the people left to register, a
/// share of the sign-in accounts, each family and each changer. They run until `stop` is set.
pub fn start(endpoints: &Endpoints, ledger: &mut Ledger, signers: usize, stop: &Stop) -> Round {
    let mut tasks = JoinSet::new();
    let (e, s) = (endpoints.clone(), stop.clone());
    let people = std::mem::take(&mut ledger.people);
    tasks.spawn(async move { register(&e, people, &s).await });
    let accounts = std::mem::take(&mut ledger.signers);
    let mut shares: Vec<Vec<Account>> = (0..signers.max(1)).map(|_| Vec::new()).collect();
    for (index, account) in accounts.into_iter().enumerate() {
        let share = index % shares.len();
        if let Some(share) = shares.get_mut(share) {
            share.push(account);
        }
    }
    for share in shares {
        let (e, s) = (endpoints.clone(), stop.clone());
        tasks.spawn(async move { sign_in(&e, share, &s).await });
    }
    for family in std::mem::take(&mut ledger.families) {
        let (e, s) = (endpoints.clone(), stop.clone());
        tasks.spawn(async move { rotate(&e, family, &s).await });
    }
    for changer in std::mem::take(&mut ledger.changers) {
        let (e, s) = (endpoints.clone(), stop.clone());
        tasks.spawn(async move { change_passwords(&e, changer, &s).await });
    }
    Round(tasks)
}

impl Round {
    /// Waits for every writer (the server is dead by now, so each stops at its next request)
    /// and folds what they were acknowledged into the ledger. The first fault is returned
    /// after every writer has handed its share back.
    pub async fn finish(mut self, ledger: &mut Ledger) -> Result<()> {
        let mut fault = None;
        while let Some(joined) = self.0.join_next().await {
            match joined.context("a writer panicked")? {
                Ok(returned) => fold(ledger, returned),
                Err(error) => fault = fault.or(Some(error)),
            }
        }
        fault.map_or(Ok(()), Err)
    }
}

fn fold(ledger: &mut Ledger, returned: Returned) {
    let tally = &mut ledger.tally;
    match returned {
        Returned::Registrar {
            left,
            registered,
            interrupted,
        } => {
            tally.registrations += registered.len() as u64;
            tally.interrupted += u64::from(interrupted);
            ledger.people = left;
            ledger.registered.extend(registered);
        }
        Returned::Signer {
            accounts,
            sessions,
            interrupted,
        } => {
            tally.sign_ins += sessions.len() as u64;
            tally.interrupted += u64::from(interrupted);
            ledger.signers.extend(accounts);
            ledger.sessions.extend(sessions);
        }
        Returned::Family { family, rotations } => {
            tally.rotations += rotations;
            tally.interrupted += u64::from(family.rotation_unanswered);
            ledger.families.push(family);
        }
        Returned::Changer {
            changer,
            changes,
            ended,
        } => {
            tally.password_changes += changes;
            ledger.ended_sessions.extend(ended);
            tally.interrupted += u64::from(changer.change_unanswered.is_some());
            ledger.changers.push(changer);
        }
    }
}

/// Registers people one after the other (`register_phone`: registries, SMS OTP, password).
async fn register(e: &Endpoints, mut people: Vec<Person>, stop: &Stop) -> Result<Returned> {
    let mut registered = Vec::new();
    let mut interrupted = false;
    while !stop.is_set() {
        // A person whose registration was interrupted is not tried again: it may have been made.
        let Some(person) = people.pop() else { break };
        let done = setup::register_all(&e.dvcid, &e.sandbox, vec![person], PASSWORD, 1).await;
        match stop.settle(done, "registering")? {
            Some(accounts) => registered.extend(accounts.into_iter().map(|a| a.personal_id)),
            None => interrupted = true,
        }
    }
    Ok(Returned::Registrar {
        left: people,
        registered,
        interrupted,
    })
}

/// Signs in to each account of the share in turn (password, then the SMS code).
async fn sign_in(e: &Endpoints, mut accounts: Vec<Account>, stop: &Stop) -> Result<Returned> {
    let mut sessions = Vec::new();
    let mut interrupted = false;
    'writing: while !accounts.is_empty() {
        for account in &mut accounts {
            if stop.is_set() {
                break 'writing;
            }
            // The code to read is the one this sign-in sends, not one an interrupted
            // sign-in left in the outbox.
            account.last_sms = e
                .sandbox
                .newest_sms(&account.phone)
                .await?
                .map(|sms| sms.message_id);
            let done = sessions::sign_in(&e.dvcid, &e.sandbox, account, PASSWORD).await;
            match stop.settle(done, "signing in")? {
                Some(session) => sessions.push(session),
                None => {
                    interrupted = true;
                    break 'writing;
                }
            }
        }
    }
    Ok(Returned::Signer {
        accounts,
        sessions,
        interrupted,
    })
}

/// Rotates the family's refresh token again and again.
async fn rotate(e: &Endpoints, mut family: Family, stop: &Stop) -> Result<Returned> {
    let mut rotations = 0;
    while !stop.is_set() {
        let done = e.tokens.refresh(&family.token).await;
        match stop.settle(done, "rotating a refresh token")? {
            Some(tokens) => {
                family.token = tokens
                    .refresh_token
                    .context("the refresh answer has no refresh_token")?;
                rotations += 1;
            }
            None => {
                family.rotation_unanswered = true;
                break;
            }
        }
    }
    Ok(Returned::Family { family, rotations })
}

/// Changes the account's password again and again (each change ends every session and
/// returns a new one); hands back the sessions the acknowledged changes ended.
async fn change_passwords(e: &Endpoints, mut changer: Changer, stop: &Stop) -> Result<Returned> {
    let mut changes = 0;
    let mut ended = Vec::new();
    while !stop.is_set() {
        let new = changed_password(changer.changes + 1);
        let done = e
            .account
            .change_password(&changer.session, &changer.password, &new)
            .await;
        match stop.settle(done, "changing a password")? {
            Some(session) => {
                ended.push(std::mem::replace(&mut changer.session, session));
                changer.password = new;
                changer.changes += 1;
                changes += 1;
            }
            None => {
                changer.change_unanswered = Some(new);
                break;
            }
        }
    }
    Ok(Returned::Changer {
        changer,
        changes,
        ended,
    })
}
