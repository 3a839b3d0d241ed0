//! Untimed setup: accounts registered through the API (`register_phone`: the registries
//! confirm the person, an OTP goes to their phone, a password is chosen), or read from the
//! sample `dvcid seed --sample-out` wrote of the accounts it seeded.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::json;
use tokio::task::JoinSet;

use crate::api::{Dvcid, expect_step, has_problem};
use crate::sandbox::{Person, Sandbox};

/// An account the load can sign in to, and the last SMS its phone received (so that the next
/// code read is the new one).
#[derive(Debug, Clone)]
pub struct Account {
    pub personal_id: String,
    pub phone: String,
    pub last_sms: Option<String>,
}

/// The accounts of a `dvcid seed` sample file: a JSON object a line with `personal_id` and
/// `phone`. The sandbox texts any valid number, so their codes arrive in its outbox too.
pub fn seeded(path: &Path) -> Result<Vec<Account>> {
    #[derive(serde::Deserialize)]
    struct Seeded {
        personal_id: String,
        phone: String,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let accounts = text
        .lines()
        .enumerate()
        .map(|(number, line)| {
            let seeded: Seeded = serde_json::from_str(line)
                .with_context(|| format!("{} line {}", path.display(), number + 1))?;
            Ok(Account {
                personal_id: seeded.personal_id,
                phone: seeded.phone,
                last_sms: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if accounts.is_empty() {
        bail!("{} lists no accounts", path.display());
    }
    Ok(accounts)
}

/// Registers every person, `workers` at a time; all get `password`.
pub async fn register_all(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    people: Vec<Person>,
    password: &str,
    workers: usize,
) -> Result<Vec<Account>> {
    let mut queues: Vec<Vec<Person>> = vec![Vec::new(); workers.max(1)];
    for (index, person) in people.into_iter().enumerate() {
        if let Some(queue) = queues.get_mut(index % workers.max(1)) {
            queue.push(person);
        }
    }
    let mut tasks = JoinSet::new();
    for queue in queues {
        let (dvcid, sandbox, password) = (dvcid.clone(), sandbox.clone(), password.to_owned());
        tasks.spawn(async move {
            let mut accounts = Vec::new();
            for person in queue {
                let account = register(&dvcid, &sandbox, &person, &password)
                    .await
                    .with_context(|| format!("registering {}", person.personal_id))?;
                accounts.push(account);
            }
            anyhow::Ok(accounts)
        });
    }
    let mut accounts = Vec::new();
    while let Some(done) = tasks.join_next().await {
        accounts.extend(done??);
    }
    Ok(accounts)
}

async fn register(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    person: &Person,
    password: &str,
) -> Result<Account> {
    let flow = dvcid.start("register_phone").await?;
    let form = json!({
        "action": "register_phone",
        "full_name": person.full_name,
        "personal_id": person.personal_id,
        "birth_date": person.birth_date,
        "gender": person.gender,
        "phone": person.phone,
        "email": "",
    });
    let before = sandbox.newest_sms(&person.phone).await?;
    let seen = before.as_ref().map(|sms| sms.message_id.as_str());
    // Registered by an earlier run on the same database, with the same password: said at the
    // form, or once the phone is proven (the registries' answer may come only then).
    let exists = |last_sms: Option<&str>| Account {
        personal_id: person.personal_id.clone(),
        phone: person.phone.clone(),
        last_sms: last_sms.map(str::to_owned),
    };
    let answer = dvcid.act_any(&flow, form).await?;
    if has_problem(&answer, "account.exists") {
        return Ok(exists(seen));
    }
    expect_step(&answer, "otp")?;
    let (code, sms) = sandbox.new_code(&person.phone, seen).await?;
    let answer = dvcid
        .act_any(&flow, json!({ "action": "otp", "code": code }))
        .await?;
    if has_problem(&answer, "account.exists") {
        return Ok(exists(Some(&sms.message_id)));
    }
    expect_step(&answer, "password")?;
    let set = json!({ "action": "set_password", "password": password, "confirm": password });
    dvcid.act(&flow, set, "done").await?;
    Ok(Account {
        personal_id: person.personal_id.clone(),
        phone: person.phone.clone(),
        last_sms: Some(sms.message_id),
    })
}
