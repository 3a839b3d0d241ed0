//! One run's figures for one server: printed, written as JSON to the results folder; and the
//! medians (with ranges) of several runs, per server and grant, side by side.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::procfs::Memory;
use crate::stats::{Summary, median_and_range};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// e.g. `dvcid-postgres-ES256`, `node-postgres-ES256`.
    pub target: String,
    /// `dvcid` or `node-oidc-provider`, with what the script knows of its version.
    pub server: String,
    pub store: String,
    /// The signing algorithm asked of the server.
    pub alg: String,
    /// RFC 3339, UTC.
    pub date: String,
    /// Free text from the command line (the commit, what was special about this run).
    pub note: String,
    pub users: usize,
    pub warmup_secs: f64,
    pub duration_secs: f64,
    pub server_core: usize,
    pub grants: Vec<GrantResult>,
    /// After the last grant: the peak is the whole run's.
    pub memory: Memory,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantResult {
    pub grant: String,
    pub grants: u64,
    pub failures: u64,
    pub failure_examples: Vec<String>,
    /// Refresh-token families opened again after a failure.
    pub reopened: u64,
    /// Grants per second of the measured phase; the server has one core.
    pub grants_per_sec_per_core: f64,
    /// The server's CPU time over the phase's wall time (1.0: it had the whole core).
    pub server_cpu_share: f64,
    /// Grants per CPU-second the server used.
    pub grants_per_server_cpu_sec: f64,
    pub latency: Summary,
    /// What the server issued (`JWT ES256 typ=at+jwt (… chars)`, `opaque (… chars)`).
    pub access_token: Option<String>,
    pub id_token: Option<String>,
    /// PostgreSQL's counters for the benchmark database over the phase, per grant.
    pub store: Option<StoreActivity>,
    /// Each core's busy fraction during the phase, everyone's work included.
    pub cores_busy: Vec<f64>,
    /// The load generator's own CPU time over the phase (it shares core 1 with PostgreSQL).
    #[serde(default)]
    pub generator_cpu_share: f64,
    pub load_average_before: f64,
    pub load_average_after: f64,
    /// The server's memory at the end of this grant's phase.
    pub memory: Memory,
}

/// `pg_stat_database` of the benchmark database, per grant (the counters lag by up to a
/// second, at both ends of the phase alike).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoreActivity {
    /// Transactions committed (read-only statements in autocommit count too).
    pub commits: f64,
    /// Rows inserted, updated and deleted.
    pub rows_written: f64,
    /// The CPU time of the backends serving the database over the phase's wall time, and per
    /// grant (ms).
    #[serde(default)]
    pub backend_cpu_share: f64,
    #[serde(default)]
    pub backend_cpu_ms: f64,
    /// The cores the backends may run on (`1`: pinned beside the generator, as meant).
    #[serde(default)]
    pub backend_cpus: String,
}

pub fn print(report: &Report) {
    println!(
        "\n{} ({}, {}, {}) — {} users, {:.0} s measured after {:.0} s warm-up each",
        report.target,
        report.server,
        report.store,
        report.alg,
        report.users,
        report.duration_secs,
        report.warmup_secs,
    );
    for result in &report.grants {
        println!("  {}", result.grant);
        println!(
            "    grants/s/core      {:.1}  ({} grants, {} failed, {} families reopened)",
            result.grants_per_sec_per_core, result.grants, result.failures, result.reopened
        );
        for example in &result.failure_examples {
            println!("      failure: {example}");
        }
        let latency = &result.latency;
        println!(
            "    latency ms         p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            latency.p50_ms, latency.p90_ms, latency.p99_ms, latency.max_ms
        );
        println!(
            "    server CPU share   {:.3} ({:.1} grants per server CPU-second); generator {:.2}; cores busy {:?}; load {:.2} → {:.2}",
            result.server_cpu_share,
            result.grants_per_server_cpu_sec,
            result.generator_cpu_share,
            result
                .cores_busy
                .iter()
                .map(|busy| format!("{busy:.2}"))
                .collect::<Vec<_>>(),
            result.load_average_before,
            result.load_average_after,
        );
        println!(
            "    tokens             access {}; id {}",
            result.access_token.as_deref().unwrap_or("-"),
            result.id_token.as_deref().unwrap_or("-")
        );
        if let Some(store) = &result.store {
            println!(
                "    per grant          {:.2} commits, {:.2} rows written (pg_stat_database); PostgreSQL backends {:.3} ms CPU (share {:.2}, on cores {})",
                store.commits,
                store.rows_written,
                store.backend_cpu_ms,
                store.backend_cpu_share,
                store.backend_cpus
            );
        }
        println!(
            "    memory             peak {:.1} MiB, now {:.1} MiB",
            result.memory.peak_mib, result.memory.now_mib
        );
    }
}

/// Writes `report` as `tokens-TARGET-DATE.json` into `folder`.
pub fn write(folder: &Path, report: &Report) -> Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    let stamp: String = report
        .date
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let path = folder.join(format!("tokens-{}-{stamp}.json", report.target));
    std::fs::write(&path, serde_json::to_string_pretty(report)?)?;
    Ok(path)
}

type Figure = (&'static str, fn(&GrantResult) -> f64);

const FIGURES: [Figure; 11] = [
    ("grants/s/core", |r| r.grants_per_sec_per_core),
    ("p50 ms", |r| r.latency.p50_ms),
    ("p99 ms", |r| r.latency.p99_ms),
    ("server CPU share", |r| r.server_cpu_share),
    ("grants/server CPU-s", |r| r.grants_per_server_cpu_sec),
    ("generator CPU share", |r| r.generator_cpu_share),
    ("core 0 busy", |r| {
        r.cores_busy.first().copied().unwrap_or(f64::NAN)
    }),
    ("commits/grant", |r| {
        r.store.as_ref().map_or(f64::NAN, |s| s.commits)
    }),
    ("rows written/grant", |r| {
        r.store.as_ref().map_or(f64::NAN, |s| s.rows_written)
    }),
    ("PG backends CPU share", |r| {
        r.store.as_ref().map_or(f64::NAN, |s| s.backend_cpu_share)
    }),
    ("PG CPU ms/grant", |r| {
        r.store.as_ref().map_or(f64::NAN, |s| s.backend_cpu_ms)
    }),
];

/// Prints, per target and grant, the median and range of each figure over the reports in
/// `files`, then one line per target and grant for bench/README.md.
pub fn summarize_files(files: &[PathBuf]) -> Result<()> {
    let mut by_target: BTreeMap<String, Vec<Report>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(file)?;
        let report: Report = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a bench-tokens report", file.display()))?;
        by_target
            .entry(report.target.clone())
            .or_default()
            .push(report);
    }
    let mut table = Vec::new();
    for (target, reports) in &by_target {
        println!("\n{target}: {} runs", reports.len());
        let peaks: Vec<f64> = reports.iter().map(|r| r.memory.peak_mib).collect();
        let (peak, peak_low, peak_high) = median_and_range(&peaks);
        println!("  peak memory MiB        {peak:>9.1}  ({peak_low:.1}–{peak_high:.1})");
        let grants: Vec<String> = reports
            .first()
            .map(|r| r.grants.iter().map(|g| g.grant.clone()).collect())
            .unwrap_or_default();
        for grant in grants {
            let results: Vec<&GrantResult> = reports
                .iter()
                .filter_map(|r| r.grants.iter().find(|g| g.grant == grant))
                .collect();
            let failures: u64 = results.iter().map(|r| r.failures).sum();
            let format = results
                .first()
                .and_then(|r| r.access_token.clone())
                .unwrap_or_default();
            println!("  {grant} ({failures} failures in all; access token {format})");
            let mut medians = Vec::new();
            for (name, figure) in FIGURES {
                let values: Vec<f64> = results.iter().map(|r| figure(r)).collect();
                let (median, low, high) = median_and_range(&values);
                println!("    {name:<20} {median:>9.2}  ({low:.2}–{high:.2})");
                medians.push((median, low, high));
            }
            table.push((target.clone(), grant, medians, peak));
        }
    }
    println!(
        "\n| target | grant | grants/s/core (range) | per server CPU-s | p50 / p99 ms | commits/grant | peak MiB |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (target, grant, medians, peak) in table {
        let figure = |index: usize| medians.get(index).copied().unwrap_or((f64::NAN, 0.0, 0.0));
        let (rate, low, high) = figure(0);
        let commits = figure(7).0;
        println!(
            "| {target} | {grant} | {rate:.0} ({low:.0}–{high:.0}) | {:.0} | {:.1} / {:.1} | {} | {peak:.1} |",
            figure(4).0,
            figure(1).0,
            figure(2).0,
            if commits.is_nan() {
                "-".to_owned()
            } else {
                format!("{commits:.2}")
            }
        );
    }
    Ok(())
}
