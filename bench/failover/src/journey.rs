//! A person in the middle of a sign-in when their node dies: the flow is started and the
//! password checked on one node directly, that node is killed, and the code is entered through
//! HAProxy, which can only reach the others.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::api::{Dvcid, Flow};
use crate::sandbox::Sandbox;
use crate::setup::Account;

/// How often, and how far apart, the code step is tried while the cluster settles.
const TRIES: u32 = 30;
const PAUSE: Duration = Duration::from_millis(500);

/// The first half: the flow, at the code step, on `node`.
pub async fn begin(node: &Dvcid, account: &Account, password: &str) -> Result<Flow> {
    let flow = node.start("login").await.context("start on the node")?;
    let credentials = json!({
        "action": "sign_in",
        "identifier": account.personal_id,
        "password": password,
    });
    node.act(&flow, credentials, "otp")
        .await
        .context("password on the node")?;
    Ok(flow)
}

/// The second half, through `front` once `node` no longer answers: the code, then the account
/// page with the session. Fails when the node still answers (the continuation would prove
/// nothing) or the flow cannot be finished.
pub async fn finish(
    node_readyz: &str,
    http: &reqwest::Client,
    front: &Dvcid,
    sandbox: &Sandbox,
    account: &Account,
    flow: &Flow,
) -> Result<()> {
    if http.get(node_readyz).send().await.is_ok() {
        bail!("{node_readyz} still answers: the sign-in did not have to move");
    }
    let (code, _) = sandbox
        .new_code(&account.phone, account.last_sms.as_deref())
        .await?;
    let otp = json!({ "action": "otp", "code": code });
    let mut last = None;
    for _ in 0..TRIES {
        match front.act(flow, otp.clone(), "done").await {
            Ok(answer) => {
                let session = answer["session"]["token"]
                    .as_str()
                    .context("otp: no session token")?;
                front.account(session).await.context("account page")?;
                return Ok(());
            }
            Err(error) => {
                last = Some(error);
                tokio::time::sleep(PAUSE).await;
            }
        }
    }
    Err(last.map_or_else(
        || anyhow::anyhow!("not tried"),
        |error| error.context("code step"),
    ))
}
