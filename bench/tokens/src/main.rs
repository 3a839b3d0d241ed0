//! `bench-tokens`: client_credentials and refresh_token grants per second at the token endpoint
//! of one OpenID provider pinned to one core — `dvcid serve` or node-oidc-provider — with
//! latencies, the server's CPU share and memory. `bench/tokens.sh` starts the servers and runs
//! it; `bench/README.md` has the figures.

// Shared with bench-signin, compiled from its files rather than copied (the load generators are
// binaries; a shared library crate would be the cleaner home). Not every item is used here.
#[allow(dead_code)]
#[path = "../../signin/src/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../../signin/src/procfs.rs"]
mod procfs;
#[allow(dead_code)]
#[path = "../../signin/src/sandbox.rs"]
mod sandbox;
#[allow(dead_code)]
#[path = "../../signin/src/setup.rs"]
mod setup;
#[allow(dead_code)]
#[path = "../../signin/src/stats.rs"]
mod stats;

mod load;
mod oauth;
mod pgstat;
mod report;
mod sessions;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};

use crate::load::{Grant, Phase, Target, User};
use crate::oauth::{ClientCredentials, Signer, TokenEndpoint};
use crate::report::{GrantResult, Report, StoreActivity};

#[derive(Debug, Parser)]
#[command(
    name = "bench-tokens",
    about = "Token-endpoint load generator for dvcid serve and node-oidc-provider"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Set up users, then warm up and measure each grant in turn; report.
    Run(Box<RunArgs>),
    /// Medians and ranges of the figures in earlier reports (JSON files).
    Summary { files: Vec<PathBuf> },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The provider's origin (its discovery document is at /.well-known/openid-configuration).
    #[arg(long)]
    server: String,
    /// The server's process id: its CPU time and memory are read from /proc.
    #[arg(long)]
    server_pid: u32,
    #[arg(long, default_value_t = 0)]
    server_core: usize,
    /// A name for the report, e.g. dvcid-postgres-ES256.
    #[arg(long)]
    target: String,
    /// What the server is (kept in the report), e.g. "dvcid 43f44ba".
    #[arg(long)]
    server_name: String,
    /// sqlite or postgres.
    #[arg(long)]
    store: String,
    /// The JWS algorithm access tokens must be signed with; "any" accepts opaque tokens too.
    #[arg(long, default_value = "ES256")]
    alg: String,
    #[arg(long)]
    client_id: String,
    #[arg(long)]
    client_secret: String,
    #[arg(long)]
    redirect_uri: String,
    /// The grants to measure, in this order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "client-credentials,refresh-token"
    )]
    grants: Vec<Grant>,
    /// The sandbox's origin, for dvcid: users sign in (accounts registered through the API)
    /// and the authorization endpoint reads their session cookie. Without it, users are named
    /// by login_hint (node-oidc-provider's benchmark interaction).
    #[arg(long)]
    sandbox: Option<String>,
    #[arg(long, default_value = "Bench-tokens-2026")]
    password: String,
    /// With --sandbox: sign in as accounts of this `dvcid seed --sample-out` file (spread
    /// over it, one per user; their password is --password) instead of registering new ones.
    #[arg(long)]
    accounts_file: Option<PathBuf>,
    /// Concurrent virtual users, each one request at a time.
    #[arg(long, default_value_t = 16)]
    users: usize,
    #[arg(long, default_value_t = 5.0)]
    warmup_secs: f64,
    #[arg(long, default_value_t = 30.0)]
    duration_secs: f64,
    /// The benchmark database, when on PostgreSQL: its commits and written rows per grant.
    #[arg(long)]
    pg_url: Option<String>,
    /// `getconf CLK_TCK`: the unit of /proc CPU times.
    #[arg(long, default_value_t = 100)]
    clock_ticks: u64,
    /// Where the JSON report goes.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Free text kept in the report.
    #[arg(long, default_value = "")]
    note: String,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        // One thread: the generator shares its core with PostgreSQL and needs no more.
        Command::Run(args) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(run(*args)),
        Command::Summary { files } => report::summarize_files(&files),
    }
}

async fn run(args: RunArgs) -> Result<()> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.users * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    let grant_names: Vec<&str> = args.grants.iter().map(|g| g.name()).collect();
    let discovery = oauth::discover(&http, &args.server, &grant_names).await?;
    let client = ClientCredentials::new(&args.client_id, &args.client_secret, &args.redirect_uri)?;
    let target = Target {
        http: http.clone(),
        token: TokenEndpoint::new(http.clone(), &discovery, client),
        discovery,
        alg: (args.alg != "any").then(|| args.alg.clone()),
    };

    let signers: Vec<Signer> = match &args.sandbox {
        Some(sandbox) if args.grants.contains(&Grant::RefreshToken) => {
            let dvcid = api::Dvcid::new(http.clone(), &args.server);
            let sandbox = sandbox::Sandbox::new(http.clone(), sandbox);
            let accounts = match &args.accounts_file {
                Some(path) => sessions::spread(setup::seeded(path)?, args.users),
                None => {
                    eprintln!("setup: registering {} accounts", args.users);
                    sessions::register(&dvcid, &sandbox, args.users, &args.password).await?
                }
            };
            eprintln!("setup: signing in {} accounts", accounts.len());
            let sessions = sessions::open(&dvcid, &sandbox, accounts, &args.password).await?;
            if sessions.len() < args.users {
                bail!(
                    "{} accounts to sign in (sandbox phone owners or the accounts file), fewer than {} users",
                    sessions.len(),
                    args.users
                );
            }
            sessions
                .into_iter()
                .map(|value| Signer::Cookie {
                    name: sessions::SESSION_COOKIE.to_owned(),
                    value,
                })
                .collect()
        }
        _ => (0..args.users)
            .map(|index| Signer::LoginHint(format!("bench-user-{index}")))
            .collect(),
    };
    let mut users: Vec<User> = signers
        .into_iter()
        .map(|signer| User {
            signer,
            refresh_token: None,
        })
        .collect();

    let mut results = Vec::new();
    for grant in args.grants.clone() {
        if grant == Grant::RefreshToken {
            eprintln!("setup: opening {} refresh-token families", users.len());
            load::open_families(&target, &mut users).await?;
        }
        eprintln!("{}: warm-up {} s", grant.name(), args.warmup_secs);
        let (warm, back) = load::run(
            &target,
            grant,
            users,
            Duration::from_secs_f64(args.warmup_secs),
        )
        .await?;
        users = back;
        for example in &warm.failure_examples {
            eprintln!("warm-up failure: {example}");
        }
        eprintln!(
            "{}: measuring {} s, {} users",
            grant.name(),
            args.duration_secs,
            users.len()
        );
        let duration = Duration::from_secs_f64(args.duration_secs);
        let load_before = procfs::load_average()?;
        let store_before = args.pg_url.as_deref().map(pgstat::read).transpose()?;
        let own_before = procfs::process("self")?.cpu;
        let (phase, usage) = tokio::join!(
            load::run(&target, grant, users, duration),
            procfs::usage_over(args.server_pid, args.clock_ticks, duration),
        );
        let (phase, back) = phase?;
        users = back;
        let usage = usage?;
        let own_cpu = procfs::process("self")?.cpu.saturating_sub(own_before);
        let generator_cpu_share = own_cpu as f64 / args.clock_ticks as f64 / usage.wall_secs;
        let store_after = args.pg_url.as_deref().map(pgstat::read).transpose()?;
        let load_after = procfs::load_average()?;
        let store = store_before.zip(store_after).map(|(before, after)| {
            pgstat::between(
                &before,
                &after,
                phase.grants,
                usage.wall_secs,
                args.clock_ticks,
            )
        });
        let mut result = grant_result(grant, &phase, &args, usage, store)?;
        result.generator_cpu_share = generator_cpu_share;
        result.load_average_before = load_before;
        result.load_average_after = load_after;
        results.push(result);
    }

    let report = Report {
        target: args.target,
        server: args.server_name,
        store: args.store,
        alg: args.alg,
        date: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        note: args.note,
        users: args.users,
        warmup_secs: args.warmup_secs,
        duration_secs: args.duration_secs,
        server_core: args.server_core,
        grants: results,
        memory: procfs::memory(args.server_pid)?,
    };
    report::print(&report);
    let path = report::write(&args.out, &report)?;
    println!("report: {}", path.display());
    Ok(())
}

fn grant_result(
    grant: Grant,
    phase: &Phase,
    args: &RunArgs,
    usage: procfs::Usage,
    store: Option<StoreActivity>,
) -> Result<GrantResult> {
    Ok(GrantResult {
        grant: grant.name().to_owned(),
        grants: phase.grants,
        failures: phase.failures,
        failure_examples: phase.failure_examples.clone(),
        reopened: phase.reopened,
        grants_per_sec_per_core: phase.grants as f64 / args.duration_secs,
        server_cpu_share: usage.server_cpu_secs / usage.wall_secs,
        grants_per_server_cpu_sec: phase.grants as f64 / usage.server_cpu_secs.max(1e-9),
        latency: stats::summarize(&phase.samples),
        access_token: phase.access_token.clone(),
        id_token: phase.id_token.clone(),
        store,
        cores_busy: usage.cores_busy,
        generator_cpu_share: 0.0,
        load_average_before: 0.0,
        load_average_after: 0.0,
        memory: procfs::memory(args.server_pid)?,
    })
}
