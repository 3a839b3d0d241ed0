//! The disruptions: shell commands run at set times into the load (`--step 15='deploy/failover.sh
//! kill-primary'`), each timed so that the failures after it are its window.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A command and when to run it.
#[derive(Debug, Clone)]
pub struct Step {
    pub after: Duration,
    pub command: String,
}

impl FromStr for Step {
    type Err = anyhow::Error;

    /// `SECS=COMMAND`.
    fn from_str(text: &str) -> Result<Self> {
        let (secs, command) = text
            .split_once('=')
            .context("a step is SECS=COMMAND, e.g. 15=deploy/failover.sh kill-primary")?;
        let secs: f64 = secs
            .trim()
            .parse()
            .with_context(|| format!("{secs:?} is not a number of seconds"))?;
        if !secs.is_finite() || secs < 0.0 {
            bail!("a step's time must be a positive number of seconds, not {secs}");
        }
        if command.trim().is_empty() {
            bail!("the step at {secs} s has no command");
        }
        Ok(Self {
            after: Duration::from_secs_f64(secs),
            command: command.trim().to_owned(),
        })
    }
}

/// A step as it ran: since the load started, when its command began and ended.
#[derive(Debug, Clone)]
pub struct Ran {
    pub step: Step,
    pub began: Duration,
    pub ended: Duration,
    pub output: String,
}

/// Runs `steps` in their order, each at its time after `started`. A command that fails stops
/// the run: the disruption did not happen as planned.
pub async fn run(steps: Vec<Step>, started: Instant) -> Result<Vec<Ran>> {
    let mut ran = Vec::new();
    for step in steps {
        tokio::time::sleep_until((started + step.after).into()).await;
        let began = started.elapsed();
        let command = step.command.clone();
        // The command runs on a blocking thread: the load's tasks go on meanwhile.
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(command)
                .output()
        })
        .await?
        .with_context(|| format!("running {}", step.command))?;
        let ended = started.elapsed();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if !output.status.success() {
            bail!("{} failed ({}): {text}", step.command, output.status);
        }
        eprintln!(
            "step at {:.1} s: {} ({} ms): {}",
            began.as_secs_f64(),
            step.command,
            (ended - began).as_millis(),
            text.trim()
        );
        ran.push(Ran {
            step,
            began,
            ended,
            output: text.trim().to_owned(),
        });
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_seconds_and_a_command() {
        let step: Step = "12.5=deploy/failover.sh kill-node 1".parse().unwrap();
        assert_eq!(step.after, Duration::from_millis(12_500));
        assert_eq!(step.command, "deploy/failover.sh kill-node 1");
        for bad in ["deploy/failover.sh", "x=kill", "-1=kill", "3=  "] {
            assert!(bad.parse::<Step>().is_err(), "{bad} was accepted");
        }
    }
}
