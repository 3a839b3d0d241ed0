//! dvcid sessions for the refresh-token families (untimed setup): accounts registered (or
//! seeded by `dvcid seed`) and signed in through the JSON API exactly as `bench-signin` does
//! it (its `api`, `sandbox` and `setup` modules), one session per virtual user.

use anyhow::{Context, Result};
use serde_json::json;

use crate::api::Dvcid;
use crate::sandbox::Sandbox;
use crate::setup::{self, Account};

/// The cookie dvcid's authorization endpoint reads the session from.
pub const SESSION_COOKIE: &str = "__Host-session";

/// Registers `count` of the sandbox's people with `password`.
pub async fn register(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    count: usize,
    password: &str,
) -> Result<Vec<Account>> {
    let people = sandbox.phone_owners(count).await?;
    setup::register_all(dvcid, sandbox, people, password, 4).await
}

/// `count` of `accounts`, evenly spaced over the list.
pub fn spread(accounts: Vec<Account>, count: usize) -> Vec<Account> {
    let step = (accounts.len() / count.max(1)).max(1);
    accounts.into_iter().step_by(step).take(count).collect()
}

/// Signs each account in once with `password`: their session tokens.
pub async fn open(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    accounts: Vec<Account>,
    password: &str,
) -> Result<Vec<String>> {
    let mut sessions = Vec::new();
    for account in accounts {
        let session = sign_in(dvcid, sandbox, &account, password)
            .await
            .with_context(|| format!("signing {} in", account.personal_id))?;
        sessions.push(session);
    }
    Ok(sessions)
}

/// One complete sign-in (password, then the SMS code): the session token.
pub async fn sign_in(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    account: &Account,
    password: &str,
) -> Result<String> {
    let flow = dvcid.start("login").await?;
    let credentials = json!({
        "action": "sign_in",
        "identifier": account.personal_id,
        "password": password,
    });
    dvcid.act(&flow, credentials, "otp").await?;
    let (code, _) = sandbox
        .new_code(&account.phone, account.last_sms.as_deref())
        .await?;
    let answer = dvcid
        .act(&flow, json!({ "action": "otp", "code": code }), "done")
        .await?;
    Ok(answer["session"]["token"]
        .as_str()
        .context("otp: no session token")?
        .to_owned())
}
