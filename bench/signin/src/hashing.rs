//! Argon2id hashes per second on one core, with the server's parameters: the figure a sign-in
//! rate is compared with. Measured by this binary's `hash` command, started under
//! `taskset -c CORE` so that it runs on the server's core while the server is idle.
//!
//! The reference mirrors what `flows::passwords` does for a sign-in: parse the PHC string and
//! hash into Argon2 memory allocated once and reused. For comparison the library's own
//! `verify_password`, which allocates and zeroes the memory for every hash (what the server
//! did before it kept its buffers), is measured too.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use serde::{Deserialize, Serialize};

use crate::procfs;

/// The Argon2id cost, exactly as the server is configured (`[flows.argon2]`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, clap::Args)]
pub struct Cost {
    /// Memory per hash, KiB (`flows.argon2.memory_kib`).
    #[arg(long = "argon2-memory-kib", default_value_t = 19 * 1024)]
    pub memory_kib: u32,
    /// Passes (`flows.argon2.iterations`).
    #[arg(long = "argon2-iterations", default_value_t = 2)]
    pub iterations: u32,
    /// Lanes (`flows.argon2.parallelism`).
    #[arg(long = "argon2-parallelism", default_value_t = 1)]
    pub parallelism: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HashRate {
    /// Verifies into reused memory, as the server does.
    pub hashes: u64,
    pub secs: f64,
    pub per_sec: f64,
    /// Minor page faults per verify in that loop (fresh memory touched).
    #[serde(default)]
    pub faults_per_hash: f64,
    /// The library's `verify_password` (memory allocated for each hash), per second.
    #[serde(default)]
    pub fresh_memory_per_sec: f64,
    /// Hashes per second of this thread's own CPU time: what the core does when nothing else
    /// shares it (on a busy machine the wall-clock rate falls with the neighbours' load).
    #[serde(default)]
    pub per_cpu_sec: f64,
}

const PASSWORD: &[u8] = b"Bench-signin-2026";

/// Each way of verifying for at least `for_at_least` (and at least three times), after one
/// untimed verify.
pub fn measure(cost: Cost, for_at_least: Duration, clock_ticks: u64) -> Result<HashRate> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, Some(32))
        .map_err(|error| anyhow!("Argon2 parameters: {error}"))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let phc = argon2
        .hash_password_with_salt(PASSWORD, b"bench-signin-salt")
        .map_err(|error| anyhow!("hashing: {error}"))?
        .to_string();

    let mut memory = vec![Block::default(); params.block_count()];
    verify_into(&phc, &mut memory)?;
    let before = procfs::process("self")?;
    let (hashes, secs) = repeat(for_at_least, || verify_into(&phc, &mut memory))?;
    let after = procfs::process("self")?;
    let faults = after.minor_faults - before.minor_faults;
    let cpu_secs = (after.cpu - before.cpu) as f64 / clock_ticks.max(1) as f64;

    let verify_fresh = || {
        argon2
            .verify_password(PASSWORD, phc.as_str())
            .map_err(|error| anyhow!("verifying: {error}"))
    };
    verify_fresh()?;
    let (fresh, fresh_secs) = repeat(for_at_least, verify_fresh)?;
    Ok(HashRate {
        hashes,
        secs,
        per_sec: hashes as f64 / secs,
        faults_per_hash: faults as f64 / hashes as f64,
        fresh_memory_per_sec: fresh as f64 / fresh_secs,
        per_cpu_sec: hashes as f64 / cpu_secs.max(f64::EPSILON),
    })
}

/// What the server's verify does: the parameters from the PHC string, the hash into `memory`,
/// a comparison.
fn verify_into(phc: &str, memory: &mut [Block]) -> Result<()> {
    let hash = PasswordHash::new(phc).map_err(|error| anyhow!("PHC string: {error}"))?;
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        bail!("PHC string without salt or hash");
    };
    let params = Params::try_from(&hash).map_err(|error| anyhow!("PHC params: {error}"))?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(PASSWORD, salt, &mut out, memory)
        .map_err(|error| anyhow!("hashing: {error}"))?;
    if out != expected.as_bytes() {
        bail!("the hash does not verify");
    }
    Ok(())
}

/// Runs `work` for at least `for_at_least` and three times: how many times, in how long.
fn repeat(for_at_least: Duration, mut work: impl FnMut() -> Result<()>) -> Result<(u64, f64)> {
    let started = Instant::now();
    let mut count = 0u64;
    while count < 3 || started.elapsed() < for_at_least {
        work()?;
        count += 1;
    }
    Ok((count, started.elapsed().as_secs_f64()))
}

/// Runs `measure` in a child process pinned to `core` (`taskset -c CORE bench-signin hash …`).
pub async fn measure_on_core(
    core: usize,
    cost: Cost,
    for_at_least: Duration,
    clock_ticks: u64,
) -> Result<HashRate> {
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let mut command = Command::new("taskset");
    command
        .arg("-c")
        .arg(core.to_string())
        .arg(exe)
        .arg("hash")
        .arg(format!("--argon2-memory-kib={}", cost.memory_kib))
        .arg(format!("--argon2-iterations={}", cost.iterations))
        .arg(format!("--argon2-parallelism={}", cost.parallelism))
        .arg(format!("--secs={}", for_at_least.as_secs_f64()))
        .arg(format!("--clock-ticks={clock_ticks}"));
    let output = tokio::task::spawn_blocking(move || command.output())
        .await?
        .context("cannot run taskset (util-linux)")?;
    if !output.status.success() {
        bail!(
            "the pinned hash measurement failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_slice(&output.stdout).context("the hash measurement printed no JSON")
}
