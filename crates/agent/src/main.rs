//! `dvcid-agent`: serve the portal, list the certificates on the tokens, or prepare a token.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use agent::import::{Import, import};
use agent::requests::SystemClock;
use agent::server::{ServerConfig, router};
use agent::token::{Pkcs11Token, Token};
use agent::web_eid::{Algorithm, Origin};
use anyhow::Context;
use clap::{Parser, Subcommand};
use cryptoki::types::AuthPin;

#[derive(Parser)]
#[command(
    name = "dvcid-agent",
    version,
    about = "Sign in to the portal with your USB token"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Listen on 127.0.0.1 for the portal's page.
    Serve {
        /// The token vendor's PKCS#11 module (.so, .dll or .dylib).
        #[arg(long, env = "DVCID_AGENT_MODULE")]
        module: PathBuf,
        /// 0 picks a free port (printed at start).
        #[arg(long, env = "DVCID_AGENT_PORT", default_value_t = 14571)]
        port: u16,
        /// A portal origin allowed to ask for a signature, e.g. https://dichvucong.gov.vn
        /// (repeat for several; https only, http on loopback).
        #[arg(
            long = "allow-origin",
            env = "DVCID_AGENT_ALLOW_ORIGIN",
            value_delimiter = ',',
            required = true
        )]
        allow_origins: Vec<String>,
    },
    /// List the certificates on every token present.
    List {
        #[arg(long, env = "DVCID_AGENT_MODULE")]
        module: PathBuf,
    },
    /// Write a PKCS#8 key and its certificate onto a token (initialised if no token has this
    /// label), for demos and tests.
    Import {
        #[arg(long, env = "DVCID_AGENT_MODULE")]
        module: PathBuf,
        #[arg(long)]
        token_label: String,
        #[arg(long, env = "DVCID_AGENT_PIN", hide_env_values = true)]
        pin: String,
        #[arg(long, env = "DVCID_AGENT_SO_PIN", hide_env_values = true)]
        so_pin: String,
        /// PKCS#8 PEM private key (EC P-256 or RSA).
        #[arg(long)]
        key: PathBuf,
        /// PEM certificate of that key.
        #[arg(long)]
        cert: PathBuf,
        /// CKA_ID in hex (default: SHA-1 of the public key).
        #[arg(long)]
        id: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            module,
            port,
            allow_origins,
        } => serve(module, port, &allow_origins),
        Command::List { module } => list(module),
        Command::Import {
            module,
            token_label,
            pin,
            so_pin,
            key,
            cert,
            id,
        } => {
            let key_pem = std::fs::read_to_string(&key)
                .with_context(|| format!("reading {}", key.display()))?;
            let certificate_pem = std::fs::read_to_string(&cert)
                .with_context(|| format!("reading {}", cert.display()))?;
            let id = id.map(|h| parse_hex(&h)).transpose()?;
            let imported = import(&Import {
                module: &module,
                token_label: &token_label,
                pin: &AuthPin::from(pin),
                so_pin: &AuthPin::from(so_pin),
                key_pem: &key_pem,
                certificate_pem: &certificate_pem,
                id,
            })?;
            let id: String = imported.id.iter().map(|b| format!("{b:02x}")).collect();
            let fresh = if imported.token_initialised {
                " (token initialised)"
            } else {
                ""
            };
            println!(
                "imported {} as id {id} on token {token_label:?}{fresh}",
                imported.subject
            );
            Ok(())
        }
    }
}

fn serve(module: PathBuf, port: u16, allow_origins: &[String]) -> anyhow::Result<()> {
    let allowed_origins = allow_origins
        .iter()
        .map(|o| Origin::parse(o))
        .collect::<Result<Vec<_>, _>>()?;
    let token = Pkcs11Token::open(&module)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let port = listener.local_addr()?.port();
        let config = ServerConfig {
            port,
            allowed_origins,
        };
        let app = router(config, Arc::new(token), Arc::new(SystemClock));
        // The first line of stdout says where the agent listens (tests and launchers read it).
        println!("dvcid-agent listening on http://127.0.0.1:{port}");
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

fn list(module: PathBuf) -> anyhow::Result<()> {
    let certificates = Pkcs11Token::open(&module)?.certificates()?;
    if certificates.is_empty() {
        println!("no certificate found (is the token inserted?)");
    }
    for c in certificates {
        let algorithm = c
            .info
            .key
            .map_or("unsupported key", |k| Algorithm::for_key(k).name());
        println!("{}\t{}", c.token_label, c.info.subject_name);
        println!("  subject:     {}", c.info.subject);
        println!("  issuer:      {}", c.info.issuer_name);
        println!("  expires:     {}", c.info.not_after.date());
        println!("  algorithm:   {algorithm}");
        println!("  fingerprint: {}", c.info.fingerprint);
    }
    Ok(())
}

fn parse_hex(hex: &str) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(
        !hex.is_empty() && hex.len().is_multiple_of(2) && hex.is_ascii(),
        "--id must be an even number of hex digits"
    );
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .context("--id must be hex digits")
        })
        .collect()
}
