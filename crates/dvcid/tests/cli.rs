//! The binary as operators use it: `inspect`, `migrate`, `demo` and `serve`, each run as a
//! real process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

fn dvcid() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dvcid"));
    command.env_remove("RUST_LOG");
    command
}

fn inspect(value: &str) -> (i32, Value) {
    let output = dvcid().args(["inspect", value]).output().unwrap();
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("inspect {value:?} printed no JSON: {error}"));
    (output.status.code().unwrap(), json)
}

#[test]
fn inspect_answers_the_reference_vectors() {
    for valid in [
        "0100109106",
        "0100684378",
        "0101248141",
        "0300588569",
        "0314409058-002",
    ] {
        let (status, json) = inspect(valid);
        assert_eq!(status, 0, "{valid}: {json}");
        assert_eq!(json["valid"], true, "{valid}: {json}");
    }
    let (status, json) = inspect("0314409058-002");
    assert_eq!(
        (status, &json["kind"]),
        (0, &Value::from("tax_code")),
        "{json}"
    );
    assert_eq!(json["parts"]["branch"], "002", "{json}");
    assert_eq!(json["parts"]["check_digit"], 8, "{json}");

    for (invalid, rule) in [
        ("0314409058-000", "tax_code.branch_zero"),
        ("0100233480-001", "tax_code.check_digit"),
    ] {
        let (status, json) = inspect(invalid);
        assert_eq!(status, 1, "{invalid}: {json}");
        assert_eq!(json["valid"], false);
        let rules: Vec<&str> = json["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|candidate| candidate["rule"].as_str().unwrap())
            .collect();
        assert!(
            rules.contains(&rule),
            "{invalid}: expected {rule} in {rules:?}"
        );
    }
}

#[test]
fn inspect_reads_a_personal_id_and_a_phone() {
    let (status, json) = inspect("001090012345");
    assert_eq!(status, 0, "{json}");
    assert_eq!(json["kind"], "personal_id");
    assert_eq!(json["parts"]["province_code"], "001");
    assert_eq!(json["parts"]["province_name"], "Hà Nội");
    assert_eq!(json["parts"]["gender"], "male");
    assert_eq!(json["parts"]["birth_year"], 1990);

    let (status, json) = inspect("+84 (0) 162 345 6789");
    assert_eq!(status, 0, "{json}");
    assert_eq!(json["kind"], "phone");
    assert_eq!(json["normalized"], "+84323456789");
    assert_eq!(json["parts"]["carrier"], "viettel", "{json}");
    assert_eq!(json["parts"]["converted_from"], "01623456789", "{json}");
}

#[test]
fn inspect_never_panics_on_garbage() {
    for garbage in [
        "",
        " ",
        "abc",
        "0",
        "+",
        "@",
        "-",
        "0314409058-",
        "💥",
        "1234567890123456789012",
    ] {
        let output = dvcid().args(["inspect", garbage]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{garbage:?}");
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["valid"], false);
        assert!(
            output.stderr.is_empty(),
            "{garbage:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn migrate_is_idempotent() {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("m.sqlite3").display());
    for _ in 0..2 {
        let output = dvcid()
            .args(["migrate", "--database", &url])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let bad = dvcid()
        .args(["migrate", "--database", "mysql://x"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("sqlite://"));
}

/// A running `dvcid` process, killed when dropped.
struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the command and waits for it to print `marker` followed by its URL.
fn start(mut command: Command, marker: &str) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    let wanted = marker.to_owned();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split(&wanted).nth(1) {
                let _ = sender.send(rest.trim().to_owned());
            }
        }
    });
    let base = match receiver.recv_timeout(Duration::from_secs(60)) {
        Ok(base) => base,
        Err(_) => {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "no {marker:?} line; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    };
    Running { child, base }
}

fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::blocking::get(url).unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap())
}

fn demo(data: &Path) -> Running {
    let mut command = dvcid();
    command
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--people",
            "50",
            "--data",
        ])
        .arg(data);
    start(command, "Trang chủ / Home:")
}

#[test]
fn demo_serves_the_sandbox_and_keeps_its_folder() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("data");
    let first = demo(&data);
    let (status, ready) = get_json(&format!("{}readyz", first.base));
    assert_eq!(
        (status, &ready["store"]),
        (200, &Value::from("sqlite")),
        "{ready}"
    );
    let (status, people) = get_json(&format!("{}sandbox/people", first.base));
    assert_eq!(status, 200);
    assert!(!people.to_string().is_empty());
    let metrics = reqwest::blocking::get(format!("{}metrics", first.base))
        .unwrap()
        .text()
        .unwrap();
    assert!(metrics.contains("dvcid_http_requests_total"), "{metrics}");
    drop(first);

    let secrets = std::fs::read_to_string(data.join("demo-secrets.toml")).unwrap();
    assert!(data.join("dvcid.sqlite3").exists());

    let second = demo(&data);
    let (status, _) = get_json(&format!("{}readyz", second.base));
    assert_eq!(status, 200);
    assert_eq!(
        std::fs::read_to_string(data.join("demo-secrets.toml")).unwrap(),
        secrets
    );
}

#[test]
fn serve_names_the_missing_setting() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("dvcid.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\n").unwrap();
    let output = dvcid()
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("DVCID_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("database_url"), "{stderr}");
    assert!(stderr.contains("DVCID_DATABASE_URL"), "{stderr}");

    let output = dvcid()
        .args(["serve", "--config", "/nonexistent/dvcid.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/dvcid.toml"));
}

#[test]
fn serve_runs_from_a_file_and_the_environment_and_logs_json_without_secrets() {
    let folder = tempfile::tempdir().unwrap();
    let mut sandbox_command = dvcid();
    sandbox_command.args([
        "sandbox",
        "--listen",
        "127.0.0.1:0",
        "--smtp-listen",
        "127.0.0.1:0",
        "--people",
        "20",
    ]);
    let sandbox = start(sandbox_command, "HTTP on ");
    // "http://ADDR/sandbox/, SMTP on ADDR, …"
    let http = sandbox.base.split("/sandbox/").next().unwrap().to_owned();
    let smtp = sandbox
        .base
        .split("SMTP on ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let (smtp_host, smtp_port) = smtp.rsplit_once(':').unwrap();

    let otp_key = "otp-key-that-must-never-be-logged-0123456789";
    let config = folder.path().join("dvcid.toml");
    std::fs::write(
        &config,
        format!(
            r#"
public_base_url = "http://127.0.0.1:8080"
listen = "127.0.0.1:0"
[secrets]
otp_key = "{otp_key}"
[connectors.population]
base_url = "{http}/sandbox/population/"
[connectors.subscribers]
base_url = "{http}/sandbox/subscribers/"
[connectors.bhxh]
base_url = "{http}/sandbox/bhxh/"
[connectors.sms]
base_url = "{http}/sandbox/sms/"
[connectors.smtp]
host = "{smtp_host}"
port = {smtp_port}
from = "no-reply@dichvucong.gov.vn"
starttls = false
"#
        ),
    )
    .unwrap();
    let database = folder.path().join("serve.sqlite3");
    let mut child = dvcid()
        .args(["serve", "--config"])
        .arg(&config)
        .env(
            "DVCID_DATABASE_URL",
            format!("sqlite://{}", database.display()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let listen = loop {
        let line = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("serve printed nothing");
        let json: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        lines.push(line);
        if json["message"] == "dvcid serving" {
            break json["listen"].as_str().unwrap().to_owned();
        }
    };
    let running = Running {
        child,
        base: format!("http://{listen}/"),
    };
    let (status, ready) = get_json(&format!("{}readyz", running.base));
    assert_eq!(status, 200, "{ready}");
    let page = reqwest::blocking::get(&running.base).unwrap();
    assert!(page.headers().get("strict-transport-security").is_none());
    drop(running);
    lines.extend(receiver.try_iter());
    for line in &lines {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON: {line}"
        );
        assert!(!line.contains(otp_key), "secret logged: {line}");
    }
    drop(sandbox);
}
