//! `dvcid keys list|rotate`: the OpenID provider's signing keys. Both need the key-encryption
//! key, and both open every stored key with it first, so a wrong one is reported before a new
//! key is sealed under it.

use clap::Subcommand;
use oidc::jwt::alg_name;
use oidc::keys::KeyInfo;
use oidc::{KeyRing, SealingKey};
use serde_json::{Value, json};

use super::{Opened, Target, instant, print_json};

#[derive(Debug, clap::Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// List the published signing keys and what each does now.
    List(Target),
    /// Make a new key per algorithm: published now, signing after `oidc.key_publish_ahead_secs`;
    /// the keys it replaces leave the JWKS once every token they signed has expired.
    Rotate(Target),
}

pub async fn run(args: KeysArgs) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    match args.command {
        KeysCommand::List(target) => {
            let ring = ring(&target).await?;
            // Opens every key: a wrong key-encryption key is reported here.
            ring.jwks(now).await?;
            print_keys(&ring.list(now).await?, target.json)
        }
        KeysCommand::Rotate(target) => {
            let ring = ring(&target).await?;
            let created = ring.rotate(now).await?;
            let listed = ring.list(now).await?;
            if target.json {
                let kids: Vec<&str> = created.iter().map(|key| key.kid.as_str()).collect();
                return print_json(&json!({
                    "created": kids,
                    "keys": listed.iter().map(key_json).collect::<Vec<_>>(),
                }));
            }
            for key in &created {
                println!(
                    "New {} key {}: published now, signs from {}.",
                    alg_name(key.alg),
                    key.kid,
                    instant(key.activates_at)
                );
            }
            println!();
            print_keys(&listed, false)
        }
    }
}

async fn ring(target: &Target) -> anyhow::Result<KeyRing> {
    let opened = Opened::open(target).await?;
    let seal = SealingKey::derive(opened.key_encryption_key()?.expose().as_bytes());
    Ok(KeyRing::new(
        opened.store.clone(),
        seal,
        &opened.oidc_config(),
    ))
}

fn key_json(key: &KeyInfo) -> Value {
    json!({
        "kid": key.kid,
        "alg": alg_name(key.alg),
        "status": key.status.as_str(),
        "created_at": instant(key.created_at),
        "activates_at": instant(key.activates_at),
        "retires_at": key.retires_at.map(instant),
    })
}

fn print_keys(keys: &[KeyInfo], as_json: bool) -> anyhow::Result<()> {
    if as_json {
        return print_json(&Value::Array(keys.iter().map(key_json).collect()));
    }
    if keys.is_empty() {
        println!("No signing keys yet (`dvcid serve` makes them at start-up).");
        return Ok(());
    }
    println!(
        "{:<44} {:<6} {:<12} {:<21} {:<21} RETIRES",
        "KID", "ALG", "STATUS", "CREATED", "ACTIVATES"
    );
    for key in keys {
        println!(
            "{:<44} {:<6} {:<12} {:<21} {:<21} {}",
            key.kid,
            alg_name(key.alg),
            key.status.as_str(),
            instant(key.created_at),
            instant(key.activates_at),
            key.retires_at.map_or_else(|| "-".to_owned(), instant)
        );
    }
    Ok(())
}
