//! `bench-signin`: drives complete sign-ins (password, SMS OTP from the sandbox outbox, session)
//! against `dvcid serve` and compares their rate with the Argon2id hash rate on the same core.
//! `bench/signin.sh` starts the servers and runs it; `bench/README.md` has the figures.

mod api;
mod hashing;
mod load;
mod overload;
mod procfs;
mod report;
mod sandbox;
mod setup;
mod stats;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::api::Dvcid;
use crate::hashing::Cost;
use crate::load::Phase;
use crate::report::{Latency, Report, Setup};
use crate::sandbox::Sandbox;
use crate::stats::summarize;

#[derive(Debug, Parser)]
#[command(
    name = "bench-signin",
    about = "Sign-in load generator for dvcid serve"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Register accounts, warm up, measure sign-ins and hashes, report.
    Run(Box<RunArgs>),
    /// Argon2id verifies per second in this thread; prints JSON (run it under taskset).
    Hash {
        #[command(flatten)]
        cost: Cost,
        #[arg(long, default_value_t = 5.0)]
        secs: f64,
        /// `getconf CLK_TCK`: the unit of /proc CPU times.
        #[arg(long, default_value_t = 100)]
        clock_ticks: u64,
    },
    /// More sign-ins than the server can hash, beside token and static requests: every answer
    /// a success or 503 with Retry-After, and how long each kind waited.
    Overload(overload::OverloadArgs),
    /// Medians and ranges of the figures in earlier reports (JSON files).
    Summary { files: Vec<PathBuf> },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// dvcid's origin.
    #[arg(long)]
    server: String,
    /// The sandbox's origin.
    #[arg(long)]
    sandbox: String,
    /// A CA certificate (PEM) to trust besides the system's, for a server behind a TLS proxy
    /// with its own certificate (deploy/up.sh).
    #[arg(long)]
    ca_cert: Option<PathBuf>,
    /// The server's process id: its CPU time and memory are read from /proc.
    #[arg(long)]
    server_pid: u32,
    /// The core the server is pinned to; the hash rate is measured there.
    #[arg(long, default_value_t = 0)]
    server_core: usize,
    /// A name for the store: sqlite, postgres.
    #[arg(long)]
    backend: String,
    #[arg(long, default_value_t = 64)]
    accounts: usize,
    /// Sign in as the accounts of this `dvcid seed --sample-out` file instead of registering
    /// `--accounts` of the sandbox's people.
    #[arg(long)]
    accounts_file: Option<PathBuf>,
    /// Virtual users, each one sign-in at a time.
    #[arg(long, default_value_t = 4)]
    users: usize,
    #[arg(long, default_value_t = 5.0)]
    warmup_secs: f64,
    #[arg(long, default_value_t = 30.0)]
    duration_secs: f64,
    /// How long each hash-rate measurement lasts (one before the load, one after).
    #[arg(long, default_value_t = 5.0)]
    hash_secs: f64,
    #[command(flatten)]
    cost: Cost,
    /// `getconf CLK_TCK`: the unit of /proc CPU times.
    #[arg(long, default_value_t = 100)]
    clock_ticks: u64,
    #[arg(long, default_value = "Bench-signin-2026")]
    password: String,
    /// Where the JSON report goes.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Free text kept in the report.
    #[arg(long, default_value = "")]
    note: String,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Run(args) => tokio::runtime::Runtime::new()?.block_on(run(*args)),
        Command::Hash {
            cost,
            secs,
            clock_ticks,
        } => {
            let rate = hashing::measure(cost, Duration::from_secs_f64(secs), clock_ticks)?;
            println!("{}", serde_json::to_string(&rate)?);
            Ok(())
        }
        Command::Overload(args) => tokio::runtime::Runtime::new()?.block_on(overload::run(args)),
        Command::Summary { files } => report::summarize_files(&files),
    }
}

async fn run(args: RunArgs) -> Result<()> {
    let mut http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60));
    if let Some(path) = &args.ca_cert {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        http = http.tls_certs_merge([reqwest::Certificate::from_pem(&pem)?]);
    }
    let http = http.build()?;
    let dvcid = Dvcid::new(http.clone(), &args.server);
    let sandbox = Sandbox::new(http, &args.sandbox);

    let started = Instant::now();
    let accounts = match &args.accounts_file {
        Some(path) => setup::seeded(path)?,
        None => {
            let people = sandbox.phone_owners(args.accounts).await?;
            eprintln!("setup: registering {} accounts", people.len());
            setup::register_all(&dvcid, &sandbox, people, &args.password, args.users).await?
        }
    };
    let registration_secs = started.elapsed().as_secs_f64();
    let registered = accounts.len();

    let hash_secs = Duration::from_secs_f64(args.hash_secs);
    eprintln!("hash rate on core {} (server idle)", args.server_core);
    let hashes_before =
        hashing::measure_on_core(args.server_core, args.cost, hash_secs, args.clock_ticks).await?;

    eprintln!("warm-up: {} s", args.warmup_secs);
    let warmup = Duration::from_secs_f64(args.warmup_secs);
    let (warm, accounts) = load::run(
        &dvcid,
        &sandbox,
        accounts,
        &args.password,
        args.users,
        warmup,
    )
    .await?;
    for example in &warm.failure_examples {
        eprintln!("warm-up failure: {example}");
    }

    eprintln!("measuring: {} s, {} users", args.duration_secs, args.users);
    let duration = Duration::from_secs_f64(args.duration_secs);
    let load_before = procfs::load_average()?;
    let (phase, usage) = tokio::join!(
        load::run(
            &dvcid,
            &sandbox,
            accounts,
            &args.password,
            args.users,
            duration
        ),
        procfs::usage_over(args.server_pid, args.clock_ticks, duration),
    );
    let (phase, _) = phase?;
    let usage = usage?;
    let load_after = procfs::load_average()?;

    eprintln!("hash rate on core {} (server idle)", args.server_core);
    let hashes_after =
        hashing::measure_on_core(args.server_core, args.cost, hash_secs, args.clock_ticks).await?;
    let memory = procfs::memory(args.server_pid)?;

    let signins_per_sec = phase.signins as f64 / args.duration_secs;
    let hashes_per_sec = (hashes_before.per_sec + hashes_after.per_sec) / 2.0;
    let hashes_per_cpu_sec = (hashes_before.per_cpu_sec + hashes_after.per_cpu_sec) / 2.0;
    let signins_per_server_cpu_sec = phase.signins as f64 / usage.server_cpu_secs;
    let report = Report {
        backend: args.backend,
        date: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        note: args.note,
        setup: Setup {
            accounts: registered,
            users: args.users,
            warmup_secs: args.warmup_secs,
            duration_secs: args.duration_secs,
            argon2: args.cost,
            server_core: args.server_core,
            registration_secs,
        },
        signins: phase.signins,
        failures: phase.failures,
        failure_examples: phase.failure_examples.clone(),
        signins_per_sec_per_core: signins_per_sec,
        hashes_before,
        hashes_after,
        hashes_per_sec_per_core: hashes_per_sec,
        ratio: signins_per_sec / hashes_per_sec,
        server_cpu_share: usage.server_cpu_secs / usage.wall_secs,
        signins_per_server_cpu_sec,
        cpu_ratio: signins_per_server_cpu_sec / hashes_per_cpu_sec,
        server_faults_per_signin: usage.server_minor_faults as f64 / phase.signins.max(1) as f64,
        cores_busy: usage.cores_busy,
        load_average_before: load_before,
        load_average_after: load_after,
        latency: latency(&phase),
        memory,
    };
    report::print(&report);
    let path = report::write(&args.out, &report)?;
    println!("report: {}", path.display());
    Ok(())
}

fn latency(phase: &Phase) -> Latency {
    let samples = &phase.samples;
    Latency {
        create: summarize(&samples.create),
        sign_in: summarize(&samples.sign_in),
        outbox: summarize(&samples.outbox),
        otp: summarize(&samples.otp),
        account: summarize(&samples.account),
        non_hashing: summarize(&samples.non_hashing()),
        complete: summarize(&samples.complete),
    }
}
