//! `bench-crash`: crash safety proven by `kill -9`. Writes run concurrently against `dvcid
//! serve` (registrations, sign-ins, refresh-token rotations, password changes); the server is
//! killed with SIGKILL at a random point, its database checked while it is down, and it is
//! restarted on the same database and checked again — every acknowledged write must be there.
//! `bench/crash.sh` starts the sandbox and prepares the database; `bench/crash/README.md`
//! says what is checked.

// The JSON API, sandbox, registration and OAuth code of the load generators, compiled from
// their files as bench-tokens does. Not every item is used here.
#[allow(dead_code)]
#[path = "../../signin/src/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../../tokens/src/oauth.rs"]
mod oauth;
#[allow(dead_code)]
#[path = "../../signin/src/sandbox.rs"]
mod sandbox;
#[allow(dead_code)]
#[path = "../../tokens/src/sessions.rs"]
mod sessions;
#[allow(dead_code)]
#[path = "../../signin/src/setup.rs"]
mod setup;

mod account;
mod checks;
mod database;
mod invariants;
mod ledger;
mod server;
mod writers;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use clap::Parser;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use reqwest::Client;

use crate::account::AccountApi;
use crate::api::Dvcid;
use crate::database::{Database, Snapshot};
use crate::ledger::{Changer, Family, Ledger, PASSWORD};
use crate::oauth::{ClientCredentials, Signer, TokenEndpoint};
use crate::sandbox::Sandbox;
use crate::server::Program;
use crate::sessions::SESSION_COOKIE;
use crate::writers::{Endpoints, Stop};

#[derive(Debug, Parser)]
#[command(
    name = "bench-crash",
    about = "Kill dvcid serve with SIGKILL under writes, restart it, check every acknowledged write"
)]
struct Cli {
    /// The dvcid binary.
    #[arg(long)]
    dvcid: PathBuf,
    /// Its `serve` configuration (the sandbox's connectors, secrets, raised limits).
    #[arg(long)]
    config: PathBuf,
    /// The configuration's database_url (read directly while the server is down).
    #[arg(long)]
    database_url: String,
    /// The server's origin (its `listen` address).
    #[arg(long)]
    server: String,
    /// The sandbox's origin.
    #[arg(long)]
    sandbox: String,
    /// Where the server's output is appended.
    #[arg(long)]
    log: PathBuf,
    /// Crashes (kill -9, checks, restart).
    #[arg(long, default_value_t = 100)]
    iterations: u32,
    /// Seed of the kill points; printed, so that a failing run can be replayed.
    #[arg(long)]
    seed: Option<u64>,
    /// The kill comes this many milliseconds after the writers start, at random in the range.
    #[arg(long, default_value_t = 50)]
    min_kill_ms: u64,
    #[arg(long, default_value_t = 600)]
    max_kill_ms: u64,
    /// Concurrent sign-in writers, and the accounts they sign in to.
    #[arg(long, default_value_t = 2)]
    signers: usize,
    #[arg(long, default_value_t = 6)]
    sign_in_accounts: usize,
    /// Refresh-token families, each rotated by its own writer.
    #[arg(long, default_value_t = 3)]
    families: usize,
    /// Accounts whose password is changed over and over, each by its own writer.
    #[arg(long, default_value_t = 1)]
    changers: usize,
    /// People kept for registrations during the rounds.
    #[arg(long, default_value_t = 2000)]
    registrations: usize,
    #[arg(long, default_value = "crash-driver")]
    client_id: String,
    #[arg(long, default_value = "http://127.0.0.1/crash/callback")]
    redirect_uri: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.min_kill_ms > cli.max_kill_ms {
        bail!("--min-kill-ms is above --max-kill-ms");
    }
    let database = Database::parse(&cli.database_url)?;
    let seed = cli.seed.unwrap_or_else(clock_seed);
    println!(
        "bench-crash on {}: {} iterations, seed {seed} (replay the kill points with --seed {seed})",
        database.name(),
        cli.iterations
    );
    let program = Program {
        binary: cli.dvcid.clone(),
        config: cli.config.clone(),
        log: cli.log.clone(),
        origin: cli.server.trim_end_matches('/').to_owned(),
    };
    // Redirects are followed by hand (the authorization endpoint's lead to the redirect URI,
    // where nothing listens).
    let http = Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?;
    let started = Instant::now();
    let mut server = program.start(&http).await?;
    let endpoints = endpoints(&cli, &program, &http).await?;
    let mut ledger = set_up(&cli, &endpoints).await.context("setting up")?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut before: Option<Snapshot> = None;
    for iteration in 1..=cli.iterations {
        let delay = rng.random_range(cli.min_kill_ms..=cli.max_kill_ms);
        let stop = Stop::default();
        let round = writers::start(&endpoints, &mut ledger, cli.signers, &stop);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        stop.now();
        let mut violations = Vec::new();
        if let Some(status) = server.exited()? {
            violations.push(format!("dvcid serve exited by itself ({status})"));
        }
        server.kill()?;
        round
            .finish(&mut ledger)
            .await
            .with_context(|| format!("iteration {iteration} (seed {seed})"))?;

        let snapshot = database.inspect(now_ms()).await?;
        violations.extend(invariants::violations(
            before.as_ref(),
            &snapshot,
            &ledger.registered,
        ));
        if let Some(report) = program.verify_audit()? {
            violations.push(format!("dvcid audit verify: {report}"));
        }
        server = program.start(&http).await?;
        violations.extend(checks::after_restart(&endpoints, &mut ledger).await?);
        if !violations.is_empty() {
            bail!(
                "iteration {iteration} (seed {seed}, killed {delay} ms into the round) broke \
                 crash safety on {}:\n  {}",
                database.name(),
                violations.join("\n  ")
            );
        }
        let t = ledger.tally;
        println!(
            "crash {iteration}/{}: killed after {delay} ms; acknowledged so far: {} \
             registrations, {} sign-ins, {} rotations, {} password changes; {} writes \
             unanswered",
            cli.iterations,
            t.registrations,
            t.sign_ins,
            t.rotations,
            t.password_changes,
            t.interrupted
        );
        before = Some(snapshot);
    }
    server.kill()?;
    let t = ledger.tally;
    println!(
        "bench-crash on {}: {} kills survived in {:.0} s (seed {seed}); every acknowledged write \
         was found: {} registrations, {} sign-in sessions, {} refresh rotations, {} password \
         changes; of the {} writes in flight at a kill, {} rotations had been made and were \
         retried after the server's retry grace (reopened families; a retry within it is \
         exchanged again) and {} password changes had been made",
        database.name(),
        cli.iterations,
        started.elapsed().as_secs_f64(),
        t.registrations,
        t.sign_ins,
        t.rotations,
        t.password_changes,
        t.interrupted,
        t.families_reopened,
        t.changes_found_made
    );
    Ok(())
}

/// The client is registered and the provider discovered once, on the first server.
async fn endpoints(cli: &Cli, program: &Program, http: &Client) -> Result<Endpoints> {
    let secret = program.add_client(&cli.client_id, &cli.redirect_uri)?;
    let discovery = oauth::discover(
        http,
        &program.origin,
        &["authorization_code", "refresh_token"],
    )
    .await?;
    let client = ClientCredentials::new(&cli.client_id, &secret, &cli.redirect_uri)?;
    Ok(Endpoints {
        http: http.clone(),
        dvcid: Dvcid::new(http.clone(), &program.origin),
        account: AccountApi::new(http.clone(), &program.origin),
        sandbox: Sandbox::new(http.clone(), &cli.sandbox),
        tokens: TokenEndpoint::new(http.clone(), &discovery, client),
        discovery,
    })
}

/// Registers the accounts the writers use, signs the family and changer accounts in and opens
/// the families; keeps the other people for registrations during the rounds.
async fn set_up(cli: &Cli, e: &Endpoints) -> Result<Ledger> {
    let fixed = cli.sign_in_accounts + cli.families + cli.changers;
    let mut people = e.sandbox.phone_owners(fixed + cli.registrations).await?;
    if people.len() < fixed {
        bail!(
            "the sandbox has {} people who own their phone; {fixed} are needed",
            people.len()
        );
    }
    let rest = people.split_off(fixed);
    let mut accounts = setup::register_all(&e.dvcid, &e.sandbox, people, PASSWORD, 4).await?;
    let mut ledger = Ledger {
        people: rest,
        registered: accounts.iter().map(|a| a.personal_id.clone()).collect(),
        ..Ledger::default()
    };
    let changers = accounts.split_off(cli.sign_in_accounts + cli.families);
    let families = accounts.split_off(cli.sign_in_accounts);
    ledger.signers = accounts;
    for account in families {
        let session = sessions::sign_in(&e.dvcid, &e.sandbox, &account, PASSWORD).await?;
        let signer = Signer::Cookie {
            name: SESSION_COOKIE.to_owned(),
            value: session.clone(),
        };
        let token = oauth::open_family(&e.http, &e.discovery, &e.tokens, &signer).await?;
        ledger.families.push(Family {
            account,
            session,
            token,
            rotation_unanswered: false,
        });
    }
    for account in changers {
        let session = sessions::sign_in(&e.dvcid, &e.sandbox, &account, PASSWORD).await?;
        ledger.changers.push(Changer {
            account,
            session,
            password: PASSWORD.to_owned(),
            change_unanswered: None,
            changes: 0,
        });
    }
    Ok(ledger)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A seed when none is given: the clock's nanoseconds mixed with the process id.
fn clock_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    (u64::from(nanos) << 20) ^ u64::from(std::process::id())
}
