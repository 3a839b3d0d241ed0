//! `dvcid operator …`: the operator console for scripts. `grant`, `revoke` and `list` manage
//! roles (run on the server itself, they bootstrap the first system administrator; with
//! `--operator` they act as that system administrator). The others mirror the console and
//! always name who acts (`--operator <personal ID>`): the same service checks the same
//! permission table and audits each action with that operator as the actor. The holder is told
//! by SMS through the configured gateway (for `--data`, the demo's sandbox at `--demo-url`).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use connectors::{Connectors, ConnectorsConfig};
use domain::{OperatorRole, PasswordPolicy, SystemClock};
use flows::{
    Client, Engine, EngineParts, FlowConfig, Operator, OperatorService, Problem, SearchBy,
};
use serde_json::{Value, json};
use store::{Account, AccountId};

use super::{Opened, Source, Target, instant, print_json};

#[derive(Debug, clap::Args)]
pub struct OperatorArgs {
    #[command(subcommand)]
    command: OperatorCommand,
}

#[derive(Debug, clap::Args)]
struct Common {
    #[command(flatten)]
    target: Target,
    /// For `--data`: the running demo, whose sandbox SMS gateway receives the notices.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    demo_url: url::Url,
}

#[derive(Debug, clap::Args)]
struct RoleChange {
    #[command(flatten)]
    common: Common,
    /// The personal ID (or CMND) of the account the role goes to or comes from.
    #[arg(long)]
    personal_id: String,
    /// helpdesk, post, agency_admin, auditor or system_admin.
    #[arg(long)]
    role: OperatorRole,
    /// The system administrator who acts; without it the command acts as the system itself.
    #[arg(long)]
    operator: Option<String>,
}

#[derive(Debug, clap::Args)]
struct Acting {
    #[command(flatten)]
    common: Common,
    /// The personal ID of the operator who acts (audited as the actor).
    #[arg(long)]
    operator: String,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["personal_id", "tax_code", "phone"])))]
struct SearchArgs {
    #[command(flatten)]
    acting: Acting,
    #[arg(long)]
    personal_id: Option<String>,
    #[arg(long)]
    tax_code: Option<String>,
    /// Every account this OTP phone serves.
    #[arg(long)]
    phone: Option<String>,
}

#[derive(Debug, clap::Args)]
struct OnAccount {
    #[command(flatten)]
    acting: Acting,
    /// The personal ID (or CMND) of the account acted on.
    #[arg(long)]
    personal_id: String,
}

#[derive(Debug, clap::Args)]
struct ResetPhone {
    #[command(flatten)]
    on: OnAccount,
    /// The new OTP phone, replacing the default.
    #[arg(long)]
    phone: String,
    /// Why (required).
    #[arg(long)]
    reason: String,
    /// The number of the identity document checked in person (required).
    #[arg(long)]
    document: String,
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// Grant an operator role (the person is told by SMS).
    Grant(RoleChange),
    /// Revoke an operator role (the person is told by SMS).
    Revoke(RoleChange),
    /// List every role granted.
    List(Common),
    /// Find accounts by personal ID / CMND, tax code or phone.
    Search(SearchArgs),
    /// Show an account's record (audited as read by the operator).
    Show(OnAccount),
    /// Lock an account: its sessions end and the holder is told.
    Lock(OnAccount),
    /// Unlock an account.
    Unlock(OnAccount),
    /// End every session of an account.
    EndSessions(OnAccount),
    /// Replace the default OTP phone after checking the holder's document in person.
    ResetPhone(ResetPhone),
    /// Create a state agency's account from `[[flows.organisations.agencies]]`, with a
    /// citizen account as its first administrator (role agency_admin).
    CreateAgency(CreateAgency),
}

#[derive(Debug, clap::Args)]
struct CreateAgency {
    #[command(flatten)]
    acting: Acting,
    /// The agency's identifier code, as the configured list has it.
    #[arg(long)]
    code: String,
    /// The personal ID of its first administrator (a citizen account that exists).
    #[arg(long)]
    admin: String,
}

pub async fn run(args: OperatorArgs) -> anyhow::Result<()> {
    match args.command {
        OperatorCommand::Grant(change) => change_role(change, true).await,
        OperatorCommand::Revoke(change) => change_role(change, false).await,
        OperatorCommand::List(common) => list(common).await,
        OperatorCommand::Search(search) => find(search).await,
        OperatorCommand::Show(on) => show(on).await,
        OperatorCommand::Lock(on) => act(on, Action::Lock).await,
        OperatorCommand::Unlock(on) => act(on, Action::Unlock).await,
        OperatorCommand::EndSessions(on) => act(on, Action::EndSessions).await,
        OperatorCommand::ResetPhone(reset) => reset_phone(reset).await,
        OperatorCommand::CreateAgency(create) => create_agency(create).await,
    }
}

/// The flow engine on the command's database, with the connectors that send the notices.
async fn engine(common: &Common) -> anyhow::Result<Engine> {
    let opened = Opened::open(&common.target).await?;
    let (connectors, flows, password_policy, secret) = match &opened.source {
        Source::Config(config) => (
            Connectors::from_config(&config.connectors)
                .context("cannot set up the connectors named in `connectors`")?,
            config.flows.clone(),
            config.password.clone(),
            config.secrets.otp_key.expose().clone(),
        ),
        Source::Demo(data) => {
            // The operator commands send SMS only; the e-mail address is never used.
            let unused_smtp = SocketAddr::from((Ipv4Addr::LOCALHOST, 25));
            let config = ConnectorsConfig::sandbox(&common.demo_url, unused_smtp)?;
            (
                Connectors::from_config(&config)?,
                crate::demo::demo_flows(FlowConfig::default().otp.resend_after_secs),
                PasswordPolicy::default(),
                crate::demo::demo_secret(data, "otp_key")?,
            )
        }
    };
    Ok(Engine::new(EngineParts {
        store: Arc::clone(&opened.store),
        connectors,
        clock: Arc::new(SystemClock),
        random: Arc::new(flows::OsRandomness),
        config: flows,
        password_policy,
        otp_key: crate::app::derive(secret.as_bytes(), b"otp"),
    })
    .await?)
}

/// The command line's "client": this machine, as the audit trail records it.
fn command_line() -> Client {
    Client {
        address: None,
        user_agent: Some("dvcid operator".to_owned()),
        device: None,
    }
}

/// A refusal, in Vietnamese then English, as the command's error.
fn refused(problem: &Problem) -> anyhow::Error {
    let vi = web::problem_message(problem, &web::Tr::new(web::Lang::Vi, "/"));
    let en = web::problem_message(problem, &web::Tr::new(web::Lang::En, "/"));
    anyhow::anyhow!("{vi}\n{en} ({})", problem.code)
}

fn answer<T>(result: Result<T, Problem>) -> anyhow::Result<T> {
    result.map_err(|problem| refused(&problem))
}

async fn acting(operators: &OperatorService<'_>, personal_id: &str) -> anyhow::Result<Operator> {
    answer(operators.named(personal_id, &command_line()).await?)
}

async fn change_role(change: RoleChange, grant: bool) -> anyhow::Result<()> {
    let engine = engine(&change.common).await?;
    let operators = engine.operators();
    let operator = match &change.operator {
        Some(personal_id) => Some(acting(&operators, personal_id).await?),
        None => None,
    };
    let account = answer(
        operators
            .account_by_personal_id(&change.personal_id)
            .await?,
    )?;
    let client = command_line();
    let result = if grant {
        operators
            .grant(operator.as_ref(), account.id, change.role, &client)
            .await?
    } else {
        operators
            .revoke(operator.as_ref(), account.id, change.role, &client)
            .await?
    };
    answer(result)?;
    let done = if grant { "granted" } else { "revoked" };
    if change.common.target.json {
        return print_json(&json!({ done: change.role.as_str(), "account": account.id }));
    }
    println!(
        "{} {done} to {} ({}).",
        change.role, account.identity.full_name, change.personal_id
    );
    Ok(())
}

async fn list(common: Common) -> anyhow::Result<()> {
    let engine = engine(&common).await?;
    let grants = answer(engine.operators().grants(None).await?)?;
    let lines: Vec<Value> = grants
        .iter()
        .map(|(grant, account)| {
            json!({
                "account": grant.account_id,
                "name": account.as_ref().map(|account| account.identity.full_name.clone()),
                "personal_id": account
                    .as_ref()
                    .and_then(|account| account.identity.personal_id.as_ref())
                    .map(ToString::to_string),
                "role": grant.role.as_str(),
                "granted_by": grant.granted_by.to_stored(),
                "granted_at": instant(grant.granted_at),
            })
        })
        .collect();
    if common.target.json {
        return print_json(&Value::Array(lines));
    }
    if grants.is_empty() {
        println!("No operator role is granted.");
    }
    for (grant, account) in &grants {
        let name = account
            .as_ref()
            .map_or("?", |account| account.identity.full_name.as_str());
        println!(
            "{:<13} {name} ({}) — granted by {} at {}",
            grant.role.as_str(),
            grant.account_id,
            grant.granted_by.to_stored(),
            instant(grant.granted_at)
        );
    }
    Ok(())
}

fn account_json(account: &Account) -> Value {
    let identity = &account.identity;
    json!({
        "id": account.id,
        "kind": account.kind.as_str(),
        "status": account.status.as_str(),
        "name": identity.full_name,
        "personal_id": identity.personal_id.as_ref().map(ToString::to_string),
        "legacy_cmnd": identity.legacy_cmnd.as_ref().map(ToString::to_string),
        "tax_code": identity.tax_code.as_ref().map(ToString::to_string),
        "registration_channel": account.registration_channel.as_str(),
        "created_at": instant(account.created_at),
    })
}

async fn find(search: SearchArgs) -> anyhow::Result<()> {
    let engine = engine(&search.acting.common).await?;
    let operators = engine.operators();
    let operator = acting(&operators, &search.acting.operator).await?;
    let (by, text) = match (&search.personal_id, &search.tax_code, &search.phone) {
        (Some(id), _, _) => (SearchBy::PersonalId, id),
        (_, Some(code), _) => (SearchBy::TaxCode, code),
        (_, _, Some(phone)) => (SearchBy::Phone, phone),
        (None, None, None) => anyhow::bail!("give --personal-id, --tax-code or --phone"),
    };
    let found = answer(operators.search(&operator, by, text).await?)?;
    if search.acting.common.target.json {
        return print_json(&Value::Array(found.iter().map(account_json).collect()));
    }
    if found.is_empty() {
        println!("No account matches.");
    }
    for account in &found {
        println!(
            "{}  {}  {}  {}",
            account.id,
            account.kind.as_str(),
            account.status.as_str(),
            account.identity.full_name
        );
    }
    Ok(())
}

/// The operator who acts and the account acted on.
async fn operator_and_account(
    operators: &OperatorService<'_>,
    on: &OnAccount,
) -> anyhow::Result<(Operator, AccountId)> {
    let operator = acting(operators, &on.acting.operator).await?;
    let account = answer(operators.account_by_personal_id(&on.personal_id).await?)?;
    Ok((operator, account.id))
}

async fn show(on: OnAccount) -> anyhow::Result<()> {
    let engine = engine(&on.acting.common).await?;
    let operators = engine.operators();
    let (operator, account) = operator_and_account(&operators, &on).await?;
    let file = answer(operators.view(&operator, account).await?)?;
    let record = json!({
        "account": account_json(&file.overview.account),
        "phones": file.overview.phones.iter().map(|phone| json!({
            "phone": phone.phone.masked(),
            "default": phone.is_default,
        })).collect::<Vec<_>>(),
        "credentials": file.credentials.iter().map(|credential| json!({
            "kind": credential.kind.as_str(),
            "label": credential.label,
            "last_used_at": credential.last_used_at.map(instant),
        })).collect::<Vec<_>>(),
        "sessions": file.sessions.iter().map(|session| json!({
            "acr": session.acr.as_str(),
            "amr": session.amr,
            "auth_time": instant(session.auth_time),
            "client_ip": session.client_ip,
        })).collect::<Vec<_>>(),
        "roles": file.roles.iter().map(|grant| grant.role.as_str()).collect::<Vec<_>>(),
        "history": file.history.iter().map(|event| json!({
            "at": instant(event.at),
            "event": event.kind.as_str(),
            "actor": event.actor.to_stored(),
            "client_ip": event.client_ip,
            "details": event.details,
        })).collect::<Vec<_>>(),
    });
    // One format: the record is nested, and a script reads it the same way a person does.
    print_json(&record)
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Lock,
    Unlock,
    EndSessions,
}

async fn act(on: OnAccount, action: Action) -> anyhow::Result<()> {
    let engine = engine(&on.acting.common).await?;
    let operators = engine.operators();
    let (operator, account) = operator_and_account(&operators, &on).await?;
    let said = match action {
        Action::Lock => {
            answer(operators.set_locked(&operator, account, true).await?)?;
            "Locked; every session ended and the holder was told.".to_owned()
        }
        Action::Unlock => {
            answer(operators.set_locked(&operator, account, false).await?)?;
            "Unlocked; the holder was told.".to_owned()
        }
        Action::EndSessions => {
            let ended = answer(operators.end_sessions(&operator, account).await?)?;
            format!("{ended} sessions ended; the holder was told.")
        }
    };
    println!("{said}");
    Ok(())
}

async fn reset_phone(reset: ResetPhone) -> anyhow::Result<()> {
    let engine = engine(&reset.on.acting.common).await?;
    let operators = engine.operators();
    let (operator, account) = operator_and_account(&operators, &reset.on).await?;
    let request = flows::PhoneResetRequest {
        phone: &reset.phone,
        reason: &reset.reason,
        document: &reset.document,
    };
    answer(operators.reset_phone(&operator, account, &request).await?)?;
    println!("The OTP phone was reset; the old and the new number were told.");
    Ok(())
}

async fn create_agency(create: CreateAgency) -> anyhow::Result<()> {
    let engine = engine(&create.acting.common).await?;
    let operators = engine.operators();
    let operator = acting(&operators, &create.acting.operator).await?;
    let created = operators.create_agency(&operator, &create.code, &create.admin);
    let account = answer(created.await?)?;
    print_json(&json!({
        "id": account.id.to_string(),
        "code": create.code.trim(),
        "name": account.identity.full_name,
    }))
}
