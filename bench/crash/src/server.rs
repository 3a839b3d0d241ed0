//! The `dvcid` binary as the driver uses it: `serve` started and killed with SIGKILL (no
//! shutdown of any kind runs), and the admin commands `client add` and `audit verify` run on
//! the same configuration.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::Client;

/// How long a restarted server may take to answer `/readyz`.
const READY_WITHIN: Duration = Duration::from_secs(60);
const READY_POLL: Duration = Duration::from_millis(20);

/// The binary, its `serve` configuration, where the server's output goes and its origin.
pub struct Program {
    pub binary: PathBuf,
    pub config: PathBuf,
    pub log: PathBuf,
    pub origin: String,
}

/// A running `dvcid serve`.
pub struct Server {
    child: Child,
}

impl Program {
    /// Starts `dvcid serve` (its output appended to the log) and waits until it is ready.
    pub async fn start(&self, http: &Client) -> Result<Server> {
        let mut child = Command::new(&self.binary)
            .arg("serve")
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(self.log_file()?)
            .stderr(self.log_file()?)
            .spawn()
            .with_context(|| format!("starting {} serve", self.binary.display()))?;
        let ready = format!("{}/readyz", self.origin);
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "dvcid serve exited ({status}) before it was ready; see {}",
                    self.log.display()
                );
            }
            let answer = http.get(&ready).send().await;
            if answer.is_ok_and(|response| response.status().is_success()) {
                return Ok(Server { child });
            }
            if started.elapsed() > READY_WITHIN {
                // Best effort: the process is abandoned either way.
                let _ = child.kill();
                bail!(
                    "dvcid serve was not ready within {READY_WITHIN:?}; see {}",
                    self.log.display()
                );
            }
            tokio::time::sleep(READY_POLL).await;
        }
    }

    /// `dvcid client add`: a confidential client allowed the authorization-code and
    /// refresh-token grants. Returns its secret.
    pub fn add_client(&self, id: &str, redirect_uri: &str) -> Result<String> {
        let output = Command::new(&self.binary)
            .args(["client", "add", "--config"])
            .arg(&self.config)
            .args(["--id", id, "--name", "Crash-safety driver"])
            .args(["--redirect-uri", redirect_uri])
            .args(["--grant", "authorization_code", "--grant", "refresh_token"])
            .args([
                "--auth-method",
                "client_secret_basic",
                "--signing-alg",
                "ES256",
                "--json",
            ])
            .output()
            .context("running dvcid client add")?;
        if !output.status.success() {
            bail!(
                "dvcid client add failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
            .context("dvcid client add --json printed no JSON")?;
        answer["client_secret"]
            .as_str()
            .map(str::to_owned)
            .context("dvcid client add printed no client_secret")
    }

    /// `dvcid audit verify`: `None` when every chain and checkpoint is intact, else its report.
    pub fn verify_audit(&self) -> Result<Option<String>> {
        let output = Command::new(&self.binary)
            .args(["audit", "verify", "--config"])
            .arg(&self.config)
            .output()
            .context("running dvcid audit verify")?;
        if output.status.success() {
            return Ok(None);
        }
        Ok(Some(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )))
    }

    fn log_file(&self) -> Result<File> {
        open_log(&self.log)
    }
}

impl Server {
    /// Whether the server is still running (it must not have died by itself).
    pub fn exited(&mut self) -> Result<Option<std::process::ExitStatus>> {
        Ok(self.child.try_wait()?)
    }

    /// SIGKILL (`Child::kill` sends it on Unix): nothing of the server's own shutdown runs.
    pub fn kill(mut self) -> Result<()> {
        self.child.kill().context("kill -9 of dvcid serve")?;
        self.child.wait()?;
        Ok(())
    }
}

/// A driver that stops early (a violation, a fault) leaves no server behind.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn open_log(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}
