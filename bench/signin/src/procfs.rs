//! What `/proc` tells about the server and the machine: the server's memory and CPU time, each
//! core's busy time (the machine is shared: others' work shows here), the load average.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Memory {
    /// Peak resident set since the process started (`VmHWM`), MiB.
    pub peak_mib: f64,
    /// Resident set now (`VmRSS`), MiB.
    pub now_mib: f64,
}

/// `VmHWM` and `VmRSS` of `pid`.
pub fn memory(pid: u32) -> Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("no process {pid}"))?;
    let field = |name: &str| -> Result<f64> {
        let line = status
            .lines()
            .find(|line| line.starts_with(name))
            .with_context(|| format!("no {name} in /proc/{pid}/status"))?;
        let kib: f64 = line
            .split_whitespace()
            .nth(1)
            .context("empty field")?
            .parse()?;
        Ok(kib / 1024.0)
    };
    Ok(Memory {
        peak_mib: field("VmHWM:")?,
        now_mib: field("VmRSS:")?,
    })
}

/// What `/proc/PID/stat` counts for a process (all its threads together).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessTicks {
    /// User + system CPU time, in clock ticks.
    pub cpu: u64,
    /// Page faults served without I/O: among them, first touches of fresh memory.
    pub minor_faults: u64,
}

/// `pid` is a number or `self`.
pub fn process(pid: &str) -> Result<ProcessTicks> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("no process {pid}"))?;
    // The command name may hold spaces; the fields after it are fixed: minflt, utime and
    // stime are fields 10, 14 and 15, the 8th, 12th and 13th after the closing parenthesis.
    let after = stat.rsplit_once(')').context("odd /proc/PID/stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |index: usize| -> Result<u64> {
        Ok(fields.get(index).context("short /proc/PID/stat")?.parse()?)
    };
    Ok(ProcessTicks {
        cpu: field(11)? + field(12)?,
        minor_faults: field(7)?,
    })
}

/// Busy and total ticks of each core (`cpuN` lines of `/proc/stat`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreTicks {
    pub busy: u64,
    pub total: u64,
}

pub fn cores() -> Result<Vec<CoreTicks>> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let mut cores = Vec::new();
    for line in stat.lines() {
        let mut fields = line.split_whitespace();
        let Some(name) = fields.next() else { continue };
        if !name.starts_with("cpu") || name == "cpu" {
            continue;
        }
        let ticks: Vec<u64> = fields.filter_map(|field| field.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
        let total: u64 = ticks.iter().take(8).sum();
        let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
        cores.push(CoreTicks {
            busy: total - idle,
            total,
        });
    }
    Ok(cores)
}

/// Each core's busy fraction between two readings.
pub fn busy_between(before: &[CoreTicks], after: &[CoreTicks]) -> Vec<f64> {
    before
        .iter()
        .zip(after)
        .map(|(before, after)| {
            let total = after.total.saturating_sub(before.total).max(1);
            after.busy.saturating_sub(before.busy) as f64 / total as f64
        })
        .collect()
}

/// The 1-minute load average.
pub fn load_average() -> Result<f64> {
    let text = std::fs::read_to_string("/proc/loadavg")?;
    Ok(text
        .split_whitespace()
        .next()
        .context("empty /proc/loadavg")?
        .parse()?)
}

/// What the server and the cores did over exactly the measured phase.
pub struct Usage {
    pub wall_secs: f64,
    pub server_cpu_secs: f64,
    pub server_minor_faults: u64,
    pub cores_busy: Vec<f64>,
}

/// Reads the server's and the cores' counters now and after `duration`.
pub async fn usage_over(pid: u32, clock_ticks: u64, duration: Duration) -> Result<Usage> {
    let started = Instant::now();
    let pid = pid.to_string();
    let before = process(&pid)?;
    let cores_before = cores()?;
    tokio::time::sleep(duration).await;
    let after = process(&pid).context("the server is gone")?;
    let cores_after = cores()?;
    Ok(Usage {
        wall_secs: started.elapsed().as_secs_f64(),
        server_cpu_secs: after.cpu.saturating_sub(before.cpu) as f64 / clock_ticks as f64,
        server_minor_faults: after.minor_faults.saturating_sub(before.minor_faults),
        cores_busy: busy_between(&cores_before, &cores_after),
    })
}
