//! `dvcid agency create`: an operator creates a state agency's account (agency accounts are
//! created by operators only, SPEC A1), from the configured list of agencies, with a citizen
//! account as its first administrator. The administrator is told by SMS, as after any change
//! to their memberships; the event is audited under the operator's name.

use std::sync::Arc;

use clap::Subcommand;
use connectors::{Connectors, ConnectorsConfig};
use domain::{PasswordPolicy, SystemClock};
use flows::{Engine, EngineParts, FlowConfig, OsRandomness, Randomness};
use serde_json::json;

use super::{Opened, Source, Target, print_json};

#[derive(Debug, clap::Args)]
pub struct AgencyArgs {
    #[command(subcommand)]
    command: AgencyCommand,
}

#[derive(Debug, Subcommand)]
enum AgencyCommand {
    /// Create an agency account from `[[flows.organisations.agencies]]`.
    Create {
        /// The agency's identifier code, as the configured list has it.
        #[arg(long)]
        code: String,
        /// The personal ID of the first administrator (a citizen account that exists).
        #[arg(long)]
        admin: String,
        /// Who does it: recorded in the audit trail.
        #[arg(long)]
        operator: String,
        #[command(flatten)]
        target: Target,
    },
}

pub async fn run(args: AgencyArgs) -> anyhow::Result<()> {
    let AgencyCommand::Create {
        code,
        admin,
        operator,
        target,
    } = args.command;
    let operator = operator.trim();
    anyhow::ensure!(!operator.is_empty(), "--operator must name who acts");
    let opened = Opened::open(&target).await?;
    let (flows, connectors) = match &opened.source {
        Source::Config(config) => (
            config.flows.clone(),
            Connectors::from_config(&config.connectors)?,
        ),
        // The demo's registries and SMS gateway, where `dvcid demo` serves them by default.
        Source::Demo(_) => {
            let base = url::Url::parse("http://127.0.0.1:8080/")?;
            let smtp = std::net::SocketAddr::from(([127, 0, 0, 1], 2525));
            (
                crate::demo::demo_flows(FlowConfig::default().otp.resend_after_secs),
                Connectors::from_config(&ConnectorsConfig::sandbox(&base, smtp)?)?,
            )
        }
    };
    // The command sends no OTP: a key of its own serves.
    let otp_key = OsRandomness.token().to_vec();
    let engine = Engine::new(EngineParts {
        store: Arc::clone(&opened.store),
        connectors,
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        config: flows,
        password_policy: PasswordPolicy::default(),
        otp_key,
    })
    .await?;
    match engine
        .organisations()
        .create_agency(&code, &admin, operator)
        .await?
    {
        Ok(account) => {
            if target.json {
                return print_json(&json!({
                    "id": account.id.to_string(),
                    "code": code.trim(),
                    "name": account.identity.full_name,
                }));
            }
            println!(
                "Agency account {} created for {} ({}); its administrator is the holder of {}.",
                account.id,
                account.identity.full_name,
                code.trim(),
                admin.trim()
            );
            Ok(())
        }
        Err(problem) => anyhow::bail!("refused: {}", refusal(problem.code)),
    }
}

/// What each refusal means, for the operator.
fn refusal(code: &str) -> String {
    let reason = match code {
        "agency.unknown_code" => "the code is not in [[flows.organisations.agencies]]",
        "agency.no_such_person" => "no citizen account has this personal ID",
        "agency.exists" => "an account for this agency exists already",
        "field.invalid" | "field.required" => "the personal ID is not valid",
        _ => "",
    };
    if reason.is_empty() {
        code.to_owned()
    } else {
        format!("{reason} ({code})")
    }
}
