//! `dvcid audit verify|export|checkpoint|public-key`: the tamper-evident audit trail (SPEC A5).
//! The audit key is derived from the key-encryption key; `verify --public-key` needs only the
//! public half, to check a copy of the database elsewhere.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use audit::{AuditKey, AuditPublicKey, Breach, Checkpointed, Report};
use clap::Subcommand;
use domain::digest::to_hex;
use serde_json::{Value, json};
use store::audit_chain::AuditCheckpoint;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::{Opened, Target, print_json};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check every chain and signed checkpoint; exit 1 naming each chain's first broken event.
    Verify {
        #[command(flatten)]
        target: Target,
        /// Check checkpoints against this public key (as `dvcid audit public-key` prints it)
        /// instead of the one derived from the key-encryption key.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Write events as JSON lines for a SIEM, oldest first.
    Export {
        #[command(flatten)]
        target: Target,
        /// From this instant on: an RFC 3339 date-time (2026-12-07T09:00:00+07:00) or a date
        /// (2026-12-07, from its midnight UTC).
        #[arg(long, value_parser = parse_instant)]
        since: OffsetDateTime,
        /// Up to (not including) this instant, in the same forms; now by default.
        #[arg(long, value_parser = parse_instant)]
        until: Option<OffsetDateTime>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Sign and record every chain's head now (`serve` and `demo` also do it on a schedule).
    Checkpoint(Target),
    /// Print the public key that verifies the checkpoints, and its id.
    PublicKey(Target),
}

pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    match args.command {
        AuditCommand::Verify { target, public_key } => {
            let opened = Opened::open(&target).await?;
            let key = match public_key {
                Some(text) => AuditPublicKey::parse(&text).context("--public-key")?,
                None => audit_key(&opened)?.public().clone(),
            };
            let report = audit::verify(opened.store.as_ref(), &key).await?;
            if target.json {
                print_json(&report_json(&report))?;
            } else {
                println!("{report}");
            }
            if report.intact() {
                Ok(())
            } else {
                anyhow::bail!(
                    "the audit trail is broken ({} problems)",
                    report.breaches.len()
                )
            }
        }
        AuditCommand::Export {
            target,
            since,
            until,
            output,
        } => {
            let until = until.unwrap_or_else(OffsetDateTime::now_utc);
            if until <= since {
                anyhow::bail!("--until must be after --since");
            }
            let opened = Opened::open(&target).await?;
            let mut out: Box<dyn Write + Send> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("--output: cannot create {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let written = audit::export(opened.store.as_ref(), since, until, &mut out).await?;
            eprintln!("dvcid: {written} audit events exported");
            Ok(())
        }
        AuditCommand::Checkpoint(target) => {
            let opened = Opened::open(&target).await?;
            let key = audit_key(&opened)?;
            let made =
                audit::make_checkpoint(opened.store.as_ref(), &key, OffsetDateTime::now_utc())
                    .await?;
            let (recorded, events) = match made {
                Checkpointed::Recorded { events } => (true, Some(events)),
                Checkpointed::Unchanged => (false, None),
            };
            if target.json {
                // The signed checkpoint itself, to keep a copy away from the database.
                let latest = opened.store.latest_audit_checkpoint().await?;
                return print_json(&json!({
                    "recorded": recorded,
                    "events": events,
                    "checkpoint": latest.as_ref().map(checkpoint_json),
                }));
            }
            match events {
                Some(events) => println!(
                    "Checkpoint recorded: {events} events, signed by {}.",
                    key.public().id()
                ),
                None => println!("Nothing appended since the latest checkpoint: none recorded."),
            }
            Ok(())
        }
        AuditCommand::PublicKey(target) => {
            let opened = Opened::open(&target).await?;
            let key = audit_key(&opened)?;
            let public = key.public();
            if target.json {
                return print_json(
                    &json!({ "key_id": public.id(), "public_key": public.encoded() }),
                );
            }
            println!("{}", public.encoded());
            eprintln!("dvcid: Ed25519 audit key {}", public.id());
            Ok(())
        }
    }
}

fn audit_key(opened: &Opened) -> anyhow::Result<AuditKey> {
    Ok(AuditKey::derive(
        opened.key_encryption_key()?.expose().as_bytes(),
    )?)
}

fn parse_instant(text: &str) -> Result<OffsetDateTime, String> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &date_format)
        .map(|date| date.midnight().assume_utc())
        .map_err(|_| {
            "expected an RFC 3339 date-time (2026-12-07T09:00:00+07:00) or a date (2026-12-07)"
                .to_owned()
        })
}

fn checkpoint_json(checkpoint: &AuditCheckpoint) -> Value {
    let heads: Vec<Value> = checkpoint
        .heads
        .iter()
        .map(|head| json!({ "shard": head.shard, "seq": head.seq, "hash": to_hex(&head.hash) }))
        .collect();
    json!({
        "id": checkpoint.id,
        "at": checkpoint.at.format(&Rfc3339).unwrap_or_else(|_| checkpoint.at.to_string()),
        "key_id": checkpoint.key_id,
        "heads": heads,
        "signature": to_hex(&checkpoint.signature),
    })
}

fn report_json(report: &Report) -> Value {
    json!({
        "intact": report.intact(),
        "events": report.events,
        "shards": report.shards,
        "checkpoints": report.checkpoints,
        "breaches": report.breaches.iter().map(breach_json).collect::<Vec<_>>(),
    })
}

fn breach_json(breach: &Breach) -> Value {
    json!({
        "event": breach.event,
        "shard": breach.shard,
        "seq": breach.seq,
        "problem": breach.to_string(),
    })
}
