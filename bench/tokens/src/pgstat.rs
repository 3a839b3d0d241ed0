//! What PostgreSQL did for the benchmark database over a phase: `pg_stat_database`'s commits
//! and written rows, and the CPU time of the backends serving it (from `/proc`; they run on
//! the generator's core, so this is the store's share of the work the server's core does not
//! pay for). Read with `psql`, which the script needs anyway.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

use crate::procfs;
use crate::report::StoreActivity;

/// One reading.
pub struct Counters {
    commits: i64,
    rows_written: i64,
    /// CPU ticks of each backend connected to the database (the reader's own excluded).
    backends: BTreeMap<u32, u64>,
    /// The distinct CPU affinities of those backends (`Cpus_allowed_list`).
    cpus: Vec<String>,
}

pub fn read(url: &str) -> Result<Counters> {
    let text = psql(
        url,
        "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted \
         FROM pg_stat_database WHERE datname = current_database()",
    )?;
    let (commits, rows) = text
        .trim()
        .split_once('|')
        .context("odd pg_stat_database answer")?;
    let pids = psql(
        url,
        "SELECT pid FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )?;
    let mut backends = BTreeMap::new();
    let mut cpus = Vec::new();
    for pid in pids
        .lines()
        .filter_map(|line| line.trim().parse::<u32>().ok())
    {
        // A backend may end between the two reads: it is left out.
        if let Ok(ticks) = procfs::process(&pid.to_string()) {
            backends.insert(pid, ticks.cpu);
        }
        let allowed = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))
            .map(|list| list.trim().to_owned());
        if let Some(allowed) = allowed
            && !cpus.contains(&allowed)
        {
            cpus.push(allowed);
        }
    }
    Ok(Counters {
        commits: commits.parse()?,
        rows_written: rows.parse()?,
        backends,
        cpus,
    })
}

/// Per grant between two readings; the backends' CPU as a share of `wall_secs`.
pub fn between(
    before: &Counters,
    after: &Counters,
    grants: u64,
    wall_secs: f64,
    clock_ticks: u64,
) -> StoreActivity {
    let per = grants.max(1) as f64;
    let ticks: u64 = after
        .backends
        .iter()
        .map(|(pid, cpu)| cpu.saturating_sub(before.backends.get(pid).copied().unwrap_or(0)))
        .sum();
    let cpu_secs = ticks as f64 / clock_ticks as f64;
    StoreActivity {
        commits: (after.commits - before.commits) as f64 / per,
        rows_written: (after.rows_written - before.rows_written) as f64 / per,
        backend_cpu_share: cpu_secs / wall_secs,
        backend_cpu_ms: cpu_secs * 1000.0 / per,
        backend_cpus: after.cpus.join(" "),
    }
}

fn psql(url: &str, query: &str) -> Result<String> {
    let output = std::process::Command::new("psql")
        .arg(url)
        .arg("-Atc")
        .arg(query)
        .output()
        .context("cannot run psql")?;
    if !output.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8(output.stdout)?)
}
