//! `dvcid`: the one binary. `demo` runs everything on a laptop with no configuration, `serve`
//! runs production from a configuration file, the rest are operators' tools.

mod admin;
mod app;
mod certificates;
mod config;
mod demo;
mod demo_client;
mod demo_identities;
mod demo_legacy;
mod demo_operator;
mod demo_orgs;
mod demo_vneid;
mod logging;
mod serve;
mod shutdown;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "dvcid",
    version,
    about = "Tài khoản Cổng Dịch vụ công quốc gia · National Public Service Portal accounts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run everything in one process: embedded SQLite, sandbox registries, synthetic people.
    Demo(demo::DemoArgs),
    /// Run in production from a configuration file (every setting can also be DVCID_…).
    Serve {
        /// TOML configuration file.
        #[arg(long, env = "DVCID_CONFIG")]
        config: PathBuf,
    },
    /// Run the national eID provider (VNeID) from its configuration file.
    Vneid {
        /// TOML configuration file (see `vneid::config`).
        #[arg(long, env = "DVCID_VNEID_CONFIG")]
        config: PathBuf,
    },
    /// Apply database migrations (idempotent).
    Migrate {
        /// sqlite://PATH or postgres://USER@HOST/DB
        #[arg(long, env = "DVCID_DATABASE_URL")]
        database: String,
    },
    /// Register and manage relying services (OpenID Connect clients).
    Client(admin::ClientArgs),
    /// List or rotate the OpenID provider's signing keys.
    Keys(admin::KeysArgs),
    /// Verify the tamper-evident audit trail, export it for a SIEM, sign a checkpoint.
    Audit(admin::AuditArgs),
    /// Operators: grant and revoke roles; search, show, lock, unlock, end sessions, reset
    /// the OTP phone (as the console does, audited with the operator named).
    Operator(admin::OperatorArgs),
    /// Fill a database with synthetic citizens for the scale benchmarks (never one people use).
    Seed(admin::SeedArgs),
    /// Say what an identifier is: personal ID, CMND, phone, tax code, BHXH code, e-mail.
    /// Exits 0 when valid, 1 when not.
    Inspect { value: String },
    /// Serve only the sandbox registries (population, subscribers, BHXH, SMS, e-mail).
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:2525")]
        smtp_listen: SocketAddr,
        #[arg(long, default_value_t = 1000)]
        people: usize,
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Inspect { value } = &cli.command {
        return inspect(value);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dvcid: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo(args) => demo::run(args).await,
            Command::Serve { config } => serve::run(&config).await,
            Command::Vneid { config } => run_vneid(&config).await,
            Command::Migrate { database } => migrate(&database).await,
            Command::Client(args) => admin::client(args).await,
            Command::Keys(args) => admin::keys(args).await,
            Command::Audit(args) => admin::audit(args).await,
            Command::Operator(args) => admin::operator(args).await,
            Command::Seed(args) => admin::seed(args).await,
            Command::Sandbox {
                listen,
                smtp_listen,
                people,
                seed,
            } => demo::run_sandbox_alone(listen, smtp_listen, people, seed).await,
            Command::Inspect { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dvcid: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_vneid(path: &std::path::Path) -> anyhow::Result<()> {
    logging::init(logging::Format::Json, None)?;
    let config = vneid::config::FileConfig::load(path)?;
    vneid::run(config, shutdown::signal()).await
}

fn inspect(value: &str) -> ExitCode {
    let inspection = domain::inspect::inspect(value);
    match serde_json::to_string_pretty(&inspection) {
        Ok(json) => println!("{json}"),
        Err(error) => {
            eprintln!("dvcid: cannot print the inspection: {error}");
            return ExitCode::FAILURE;
        }
    }
    if inspection.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn migrate(database: &str) -> anyhow::Result<()> {
    logging::init(logging::Format::Human, None)?;
    let options = store::ConnectOptions {
        migrate: true,
        ..Default::default()
    };
    let store = store::connect(database, options).await?;
    println!(
        "dvcid: migrations applied to the {} database",
        store.backend()
    );
    Ok(())
}
