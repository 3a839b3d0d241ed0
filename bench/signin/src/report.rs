//! One run's figures: printed as a table and written as JSON to the results folder; and the
//! medians (with ranges) of several runs' JSON files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::hashing::{Cost, HashRate};
use crate::procfs::Memory;
use crate::stats::{Summary, median_and_range};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub backend: String,
    /// RFC 3339, UTC.
    pub date: String,
    /// Free text from the command line: what was special about this run.
    pub note: String,
    pub setup: Setup,
    pub signins: u64,
    pub failures: u64,
    pub failure_examples: Vec<String>,
    /// Completed sign-ins per second of the measured phase; the server has one core.
    pub signins_per_sec_per_core: f64,
    /// Argon2id verifies per second on the server's core, before and after the load, done as
    /// the server does them (`hashing`).
    pub hashes_before: HashRate,
    pub hashes_after: HashRate,
    /// The mean of the two.
    pub hashes_per_sec_per_core: f64,
    /// Sign-ins per hash: 1.0 when the hash is the only cost.
    pub ratio: f64,
    /// The server's CPU time over the phase's wall time (1.0: it had the whole core).
    pub server_cpu_share: f64,
    /// Sign-ins per CPU-second the server used: the rate on a core it had to itself.
    pub signins_per_server_cpu_sec: f64,
    /// Sign-ins per server CPU-second ÷ hashes per CPU-second of the pinned hash loop: the
    /// ratio with the neighbours' load taken out of both sides.
    #[serde(default)]
    pub cpu_ratio: f64,
    /// The server's minor page faults per sign-in (compare `hashes_*.faults_per_hash`).
    #[serde(default)]
    pub server_faults_per_signin: f64,
    /// Each core's busy fraction during the phase, everyone's work included.
    pub cores_busy: Vec<f64>,
    pub load_average_before: f64,
    pub load_average_after: f64,
    pub latency: Latency,
    pub memory: Memory,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setup {
    pub accounts: usize,
    pub users: usize,
    pub warmup_secs: f64,
    pub duration_secs: f64,
    pub argon2: Cost,
    pub server_core: usize,
    pub registration_secs: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Latency {
    pub create: Summary,
    pub sign_in: Summary,
    pub outbox: Summary,
    pub otp: Summary,
    pub account: Summary,
    /// create, otp and account together: the requests that do not hash.
    pub non_hashing: Summary,
    /// Whole sign-ins, create to account (the outbox read included); absent from reports
    /// older than the field.
    #[serde(default)]
    pub complete: Summary,
}

pub fn print(report: &Report) {
    let setup = &report.setup;
    println!(
        "\n{} — {} users, {} accounts, {:.0} s measured after {:.0} s warm-up; Argon2id m={} KiB t={} p={}",
        report.backend,
        setup.users,
        setup.accounts,
        setup.duration_secs,
        setup.warmup_secs,
        setup.argon2.memory_kib,
        setup.argon2.iterations,
        setup.argon2.parallelism,
    );
    println!(
        "sign-ins            {} ({} failed)",
        report.signins, report.failures
    );
    for example in &report.failure_examples {
        println!("  failure: {example}");
    }
    println!("sign-ins/s/core     {:.2}", report.signins_per_sec_per_core);
    println!(
        "hashes/s/core       {:.2} (before {:.2}, after {:.2})",
        report.hashes_per_sec_per_core, report.hashes_before.per_sec, report.hashes_after.per_sec
    );
    println!("ratio               {:.3}", report.ratio);
    println!(
        "ratio per CPU-second {:.3} (sign-ins per server CPU-s ÷ hashes per CPU-s of the loop)",
        report.cpu_ratio
    );
    println!(
        "hashes/s, fresh memory {:.2} (argon2's verify_password: 19 MiB allocated per hash)",
        (report.hashes_before.fresh_memory_per_sec + report.hashes_after.fresh_memory_per_sec)
            / 2.0
    );
    println!(
        "page faults         {:.0} per sign-in in the server, {:.0} per hash alone",
        report.server_faults_per_signin, report.hashes_after.faults_per_hash
    );
    println!(
        "server CPU share    {:.3} ({:.2} sign-ins per server CPU-second); cores busy {:?}",
        report.server_cpu_share,
        report.signins_per_server_cpu_sec,
        report
            .cores_busy
            .iter()
            .map(|busy| format!("{busy:.2}"))
            .collect::<Vec<_>>()
    );
    println!(
        "load average        {:.2} → {:.2}",
        report.load_average_before, report.load_average_after
    );
    println!(
        "memory              peak {:.1} MiB, now {:.1} MiB",
        report.memory.peak_mib, report.memory.now_mib
    );
    println!("request       count     p50 ms    p90 ms    p99 ms    max ms");
    let latency = &report.latency;
    for (name, summary) in [
        ("create", &latency.create),
        ("sign_in*", &latency.sign_in),
        ("otp", &latency.otp),
        ("account", &latency.account),
        ("non-hashing", &latency.non_hashing),
        ("(outbox)", &latency.outbox),
        ("complete", &latency.complete),
    ] {
        println!(
            "{name:<12} {:>6} {:>10.2} {:>9.2} {:>9.2} {:>9.2}",
            summary.count, summary.p50_ms, summary.p90_ms, summary.p99_ms, summary.max_ms
        );
    }
    println!("* hashes; (outbox) is the sandbox, not dvcid");
}

/// Writes `report` as `signin-BACKEND-DATE.json` into `folder`.
pub fn write(folder: &Path, report: &Report) -> Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    let stamp: String = report
        .date
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let path = folder.join(format!("signin-{}-{stamp}.json", report.backend));
    std::fs::write(&path, serde_json::to_string_pretty(report)?)?;
    Ok(path)
}

/// Prints, per backend, the median and range of each figure over the reports in `files`.
pub fn summarize_files(files: &[PathBuf]) -> Result<()> {
    let mut by_backend: BTreeMap<String, Vec<Report>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(file)?;
        let report: Report = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a bench-signin report", file.display()))?;
        by_backend
            .entry(report.backend.clone())
            .or_default()
            .push(report);
    }
    type Figure = (&'static str, fn(&Report) -> f64);
    let figures: [Figure; 20] = [
        ("sign-ins/s/core", |r| r.signins_per_sec_per_core),
        ("hashes/s/core", |r| r.hashes_per_sec_per_core),
        ("ratio", |r| r.ratio),
        ("ratio per CPU-second", |r| r.cpu_ratio),
        ("hashes/s fresh memory", |r| {
            (r.hashes_before.fresh_memory_per_sec + r.hashes_after.fresh_memory_per_sec) / 2.0
        }),
        ("non-hashing p50 ms", |r| r.latency.non_hashing.p50_ms),
        ("non-hashing p99 ms", |r| r.latency.non_hashing.p99_ms),
        ("create p50 ms", |r| r.latency.create.p50_ms),
        ("create p99 ms", |r| r.latency.create.p99_ms),
        ("otp p50 ms", |r| r.latency.otp.p50_ms),
        ("otp p99 ms", |r| r.latency.otp.p99_ms),
        ("account p50 ms", |r| r.latency.account.p50_ms),
        ("account p99 ms", |r| r.latency.account.p99_ms),
        ("sign_in p50 ms", |r| r.latency.sign_in.p50_ms),
        ("sign_in p99 ms", |r| r.latency.sign_in.p99_ms),
        ("peak memory MiB", |r| r.memory.peak_mib),
        ("page faults/sign-in", |r| r.server_faults_per_signin),
        ("server CPU share", |r| r.server_cpu_share),
        ("sign-ins/server CPU-s", |r| r.signins_per_server_cpu_sec),
        ("core 0 busy", |r| {
            r.cores_busy.first().copied().unwrap_or(f64::NAN)
        }),
    ];
    for (backend, reports) in &by_backend {
        println!("\n{backend}: {} runs", reports.len());
        for (name, figure) in figures {
            let values: Vec<f64> = reports.iter().map(figure).collect();
            let (median, low, high) = median_and_range(&values);
            println!("  {name:<20} {median:>9.3}  ({low:.3}–{high:.3})");
        }
    }
    Ok(())
}
