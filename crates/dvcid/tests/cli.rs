//! The binary as operators use it: `inspect`, `migrate`, `demo` and `serve`, each run as a
//! real process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
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
    /// Every line printed on stdout so far.
    printed: Arc<Mutex<Vec<String>>>,
}

impl Running {
    /// What was printed once a line containing `last` is (waits up to 10 s).
    fn printed_through(&self, last: &str) -> String {
        for _ in 0..100 {
            let lines = self.printed.lock().unwrap().clone();
            if lines.iter().any(|line| line.contains(last)) {
                return lines.join("\n");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "no line with {last:?} in:\n{}",
            self.printed.lock().unwrap().join("\n")
        );
    }
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
    let printed = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&printed);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split(&wanted).nth(1) {
                let _ = sender.send(rest.trim().to_owned());
            }
            keep.lock().unwrap().push(line);
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
    Running {
        child,
        base,
        printed,
    }
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

    // The demo identities: labelled columns, "register first", a journey for each.
    let banner = first.printed_through("Forgot password");
    for expected in [
        "Số định danh",
        "ID number",
        "Họ và tên",
        "Birth date",
        "Giới tính",
        "Gender",
        "Điện thoại",
        "BHXH code",
        "each must register first",
        "Register by phone, then sign in",
        "Register by BHXH code",
        "the phone is in a relative's name",
        "SMTP (sandbox):",
    ] {
        assert!(banner.contains(expected), "{expected}: {banner}");
    }
    drop(first);

    let secrets = std::fs::read_to_string(data.join("demo-secrets.toml")).unwrap();
    assert!(data.join("dvcid.sqlite3").exists());

    let second = demo(&data);
    let (status, _) = get_json(&format!("{}readyz", second.base));
    assert_eq!(status, 200);
    // The demo's audit trail verifies, and the demo checkpoints it (first at start-up).
    let mut verified = Value::Null;
    for _ in 0..50 {
        verified = admin_json(&["audit", "verify", "--json"], &data);
        if verified["checkpoints"].as_u64() > Some(0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(verified["intact"], true, "{verified}");
    assert!(verified["checkpoints"].as_u64() > Some(0), "{verified}");
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

/// `dvcid sandbox` on free ports, and the connector settings that reach it.
struct SandboxProcess {
    _running: Running,
    connectors: String,
}

fn sandbox_process() -> SandboxProcess {
    let mut command = dvcid();
    command.args([
        "sandbox",
        "--listen",
        "127.0.0.1:0",
        "--smtp-listen",
        "127.0.0.1:0",
        "--people",
        "20",
    ]);
    let running = start(command, "HTTP on ");
    // "http://ADDR/sandbox/, SMTP on ADDR, …"
    let http = running.base.split("/sandbox/").next().unwrap().to_owned();
    let smtp = running
        .base
        .split("SMTP on ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let (smtp_host, smtp_port) = smtp.rsplit_once(':').unwrap();
    let connectors = format!(
        r#"
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
    );
    SandboxProcess {
        _running: running,
        connectors,
    }
}

fn write_config(folder: &Path, otp_key: &str, sandbox: &SandboxProcess) -> std::path::PathBuf {
    let config = folder.join("dvcid.toml");
    let text = format!(
        "public_base_url = \"http://127.0.0.1:8080\"\nlisten = \"127.0.0.1:0\"\n\
         [secrets]\notp_key = \"{otp_key}\"\n\
         key_encryption_key = \"key-encryption-key-of-the-test-0123456789\"\n{}",
        sandbox.connectors
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// `dvcid serve` on `database_url`; its address, and every line it logged.
fn serve_process(
    config: &Path,
    database_url: &str,
) -> (Running, mpsc::Receiver<String>, Vec<String>) {
    let mut child = dvcid()
        .args(["serve", "--config"])
        .arg(config)
        .env("DVCID_DATABASE_URL", database_url)
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
    (
        Running {
            child,
            base: format!("http://{listen}/"),
            printed: Arc::default(),
        },
        receiver,
        lines,
    )
}

#[test]
fn serve_runs_from_a_file_and_the_environment_and_logs_json_without_secrets() {
    let folder = tempfile::tempdir().unwrap();
    let sandbox = sandbox_process();
    let otp_key = "otp-key-that-must-never-be-logged-0123456789";
    let config = write_config(folder.path(), otp_key, &sandbox);
    let database = format!("sqlite://{}", folder.path().join("serve.sqlite3").display());
    let (running, receiver, mut lines) = serve_process(&config, &database);
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
}

/// Two servers on one PostgreSQL database: a sign-in started on one finishes on the other.
#[test]
fn a_sign_in_started_on_one_server_finishes_on_another() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(store::testing::with_postgres(
        "a_sign_in_started_on_one_server_finishes_on_another",
        |db| async move {
            tokio::task::spawn_blocking(move || two_servers(&db.url))
                .await
                .unwrap();
        },
    ));
}

fn two_servers(database_url: &str) {
    let folder = tempfile::tempdir().unwrap();
    let sandbox = sandbox_process();
    let config = write_config(
        folder.path(),
        "shared-secret-of-the-cluster-0123456789",
        &sandbox,
    );
    let (first, _, _) = serve_process(&config, database_url);
    let (second, _, _) = serve_process(&config, database_url);
    let sandbox_base = sandbox
        ._running
        .base
        .split("/sandbox/")
        .next()
        .unwrap()
        .to_owned();
    let people: Value = reqwest::blocking::get(format!("{sandbox_base}/sandbox/people"))
        .unwrap()
        .json()
        .unwrap();
    let person = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phone_owner_id"] == p["personal_id"])
        .unwrap()
        .clone();
    let phone = person["phone"].as_str().unwrap().to_owned();
    let client = reqwest::blocking::Client::new();
    let last_otp = || last_otp(&client, &sandbox_base, &phone);
    let start = |base: &str, kind: &str| start_flow(&client, base, kind);
    let act = |base: &str, flow: &(String, String), action: Value| act(&client, base, flow, action);
    let password = "hai máy chủ một cơ sở dữ liệu";
    let registration = start(&first.base, "register_phone");
    let form = serde_json::json!({
        "action": "register_phone", "full_name": person["full_name"], "personal_id": person["personal_id"],
        "birth_date": person["birth_date"], "gender": person["gender"], "phone": phone, "email": "",
    });
    assert_eq!(act(&first.base, &registration, form)["flow"]["step"], "otp");
    assert_eq!(
        act(
            &second.base,
            &registration,
            serde_json::json!({ "action": "otp", "code": last_otp() })
        )["flow"]["step"],
        "password"
    );
    let set =
        serde_json::json!({ "action": "set_password", "password": password, "confirm": password });
    assert_eq!(
        act(&first.base, &registration, set)["flow"]["result"],
        "registered"
    );

    let login = start(&first.base, "login");
    let sign_in = serde_json::json!({ "action": "sign_in", "identifier": person["personal_id"], "password": password });
    assert_eq!(act(&first.base, &login, sign_in)["flow"]["step"], "otp");
    let done = act(
        &second.base,
        &login,
        serde_json::json!({ "action": "otp", "code": last_otp() }),
    );
    assert_eq!(done["flow"]["result"], "signed_in", "{done}");
    let token = done["session"]["token"].as_str().unwrap();
    for server in [&first.base, &second.base] {
        let account = client
            .get(format!("{server}api/account"))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(account.status(), 200);
    }
}

/// The code of the newest text the sandbox (at `sandbox_base`) sent to `phone`.
fn last_otp(client: &reqwest::blocking::Client, sandbox_base: &str, phone: &str) -> String {
    let messages: Value = client
        .get(format!("{sandbox_base}/sandbox/sms"))
        .query(&[("to", phone)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let text = messages["messages"][0]["text"].as_str().unwrap().to_owned();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

/// A new flow of `kind` on the server at `base`: its id and token.
fn start_flow(client: &reqwest::blocking::Client, base: &str, kind: &str) -> (String, String) {
    let body: Value = client
        .post(format!("{base}api/flows"))
        .json(&serde_json::json!({ "kind": kind }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    (
        body["flow"]["id"].as_str().unwrap().to_owned(),
        body["flow_token"].as_str().unwrap().to_owned(),
    )
}

/// Sends `action` to the flow; the answer.
fn act(
    client: &reqwest::blocking::Client,
    base: &str,
    (id, token): &(String, String),
    action: Value,
) -> Value {
    client
        .post(format!("{base}api/flows/{id}"))
        .header("x-flow-token", token)
        .json(&action)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

/// `dvcid client …` or `dvcid keys …` on a demo data folder: exit status, stdout, stderr.
fn admin(args: &[&str], data: &Path) -> (i32, String, String) {
    let output = dvcid().args(args).arg("--data").arg(data).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn admin_json(args: &[&str], data: &Path) -> Value {
    let (status, stdout, stderr) = admin(args, data);
    assert_eq!(status, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{args:?}: {error}: {stdout}"))
}

#[test]
fn client_commands_add_list_show_rotate_and_remove() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path();
    let added = admin_json(
        &[
            "client",
            "add",
            "--id",
            "portal-hcm",
            "--name",
            "Cổng DVC TP.HCM",
            "--redirect-uri",
            "https://dichvucong.hochiminhcity.gov.vn/callback",
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--min-acr",
            "LoA2",
            "--pairwise",
            "--json",
        ],
        data,
    );
    let secret = added["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43, "{added}");
    let client = &added["client"];
    assert_eq!(client["client_id"], "portal-hcm");
    assert_eq!(client["auth_method"], "client_secret_basic");
    assert_eq!(
        client["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        client["scopes"],
        serde_json::json!(["openid", "profile", "phone", "email", "dvc"])
    );
    assert_eq!(client["subject_type"], "pairwise");
    assert_eq!(client["min_acr"], "LoA2");
    assert_eq!(client["require_pkce"], true);
    assert_eq!(client["has_secret"], true);

    // Text output: the secret once, with the note; a public client has none.
    let (status, stdout, stderr) = admin(
        &[
            "client",
            "add",
            "--id",
            "rp.secret",
            "--name",
            "Bộ Tư pháp",
            "--redirect-uri",
            "https://tuphap.example.gov.vn/cb",
        ],
        data,
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("client_secret:"), "{stdout}");
    assert!(stdout.contains("cannot be shown again"), "{stdout}");
    let (status, stdout, stderr) = admin(
        &[
            "client",
            "add",
            "--id",
            "mobile-app",
            "--name",
            "Ứng dụng di động",
            "--redirect-uri",
            "http://[::1]/cb",
            "--auth-method",
            "none",
            "--web-origin",
            "https://App.dichvucong.gov.vn",
            "--web-origin",
            "http://127.0.0.1:5173",
        ],
        data,
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("mobile-app"), "{stdout}");
    assert!(stdout.contains("https://app.dichvucong.gov.vn"), "{stdout}");
    assert!(!stdout.contains("client_secret:"), "{stdout}");

    let listed = admin_json(&["client", "list", "--json"], data);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|client| client["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mobile-app", "portal-hcm", "rp.secret"]);
    assert_eq!(
        listed[0]["web_origins"],
        serde_json::json!(["https://app.dichvucong.gov.vn", "http://127.0.0.1:5173"])
    );
    let (status, stdout, _) = admin(&["client", "list"], data);
    assert_eq!(status, 0);
    assert!(stdout.contains("portal-hcm") && stdout.contains("client_secret_basic"));

    let (status, stdout, _) = admin(&["client", "show", "portal-hcm"], data);
    assert_eq!(status, 0);
    for shown in [
        "Cổng DVC TP.HCM",
        "LoA2",
        "pairwise",
        "http://127.0.0.1/callback",
    ] {
        assert!(stdout.contains(shown), "{shown}: {stdout}");
    }
    assert!(!stdout.contains(&secret), "the secret is shown only once");

    let rotated = admin_json(&["client", "rotate-secret", "portal-hcm", "--json"], data);
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_eq!(new_secret.len(), 43);
    assert_ne!(new_secret, secret);
    let (status, _, stderr) = admin(&["client", "rotate-secret", "mobile-app"], data);
    assert_eq!(status, 1);
    assert!(stderr.contains("no client secret"), "{stderr}");

    let (status, stdout, stderr) = admin(&["client", "remove", "portal-hcm"], data);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("removed"), "{stdout}");
    for args in [
        ["client", "show", "portal-hcm"],
        ["client", "remove", "portal-hcm"],
    ] {
        let (status, _, stderr) = admin(&args, data);
        assert_eq!(status, 1, "{args:?}");
        assert!(
            stderr.contains("no client with client_id \"portal-hcm\""),
            "{stderr}"
        );
    }
}

#[test]
fn client_add_names_the_bad_flag_and_never_panics() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path();
    let add = |extra: &[&str]| {
        let mut args = vec!["client", "add", "--id", "rp-1", "--name", "RP"];
        args.extend_from_slice(extra);
        admin(&args, data)
    };
    for (extra, flag, says) in [
        (
            &["--redirect-uri", "http://localhost:3000/cb"][..],
            "--redirect-uri",
            "use http://127.0.0.1",
        ),
        (
            &["--redirect-uri", "http://rp.example.vn/cb"][..],
            "--redirect-uri",
            "https",
        ),
        (
            &[
                "--redirect-uri",
                "https://rp.example.vn/cb",
                "--scope",
                "openid admin",
            ][..],
            "--scope",
            "\"admin\"",
        ),
        (
            &[
                "--redirect-uri",
                "https://rp.example.vn/cb",
                "--auth-method",
                "private_key_jwt",
                "--jwks",
                "/nonexistent/jwks.json",
            ][..],
            "--jwks",
            "cannot read",
        ),
        (
            &[
                "--redirect-uri",
                "https://rp.example.vn/cb",
                "--auth-method",
                "none",
                "--grant",
                "client_credentials",
            ][..],
            "--grant",
            "confidential",
        ),
        (
            &[
                "--redirect-uri",
                "https://rp.example.vn/cb",
                "--web-origin",
                "https://rp.example.vn/app",
            ][..],
            "--web-origin",
            "without a path",
        ),
    ] {
        let (status, _, stderr) = add(extra);
        assert_eq!(status, 1, "{extra:?}: {stderr}");
        assert!(stderr.contains(flag), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let (status, _, stderr) = admin(
        &[
            "client",
            "add",
            "--id",
            "a b",
            "--name",
            "RP",
            "--redirect-uri",
            "https://rp.example.vn/cb",
        ],
        data,
    );
    assert_eq!(status, 1);
    assert!(stderr.contains("--id"), "{stderr}");
    // Values clap knows are wrong are refused before anything runs, naming the flag.
    let (status, _, stderr) = add(&["--auth-method", "magic"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("--auth-method"), "{stderr}");
    let output = dvcid().args(["client", "list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--config"));

    assert_eq!(
        admin_json(&["client", "list", "--json"], data),
        serde_json::json!([])
    );
}

#[test]
fn keys_rotate_then_list_shows_the_new_keys_pending() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path();
    let rotated = admin_json(&["keys", "rotate", "--json"], data);
    let created: Vec<&str> = rotated["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kid| kid.as_str().unwrap())
        .collect();
    assert_eq!(created.len(), 3, "{rotated}");
    let listed = admin_json(&["keys", "list", "--json"], data);
    let keys = listed.as_array().unwrap();
    assert_eq!(keys.len(), 3, "{listed}");
    for key in keys {
        assert!(created.contains(&key["kid"].as_str().unwrap()));
        assert_eq!(key["status"], "pending", "{key}");
        assert!(
            key["activates_at"].as_str() > key["created_at"].as_str(),
            "{key}"
        );
        assert_eq!(key["retires_at"], Value::Null);
    }
    let algs: Vec<&str> = keys
        .iter()
        .map(|key| key["alg"].as_str().unwrap())
        .collect();
    for alg in ["RS256", "ES256", "EdDSA"] {
        assert!(algs.contains(&alg), "{algs:?}");
    }
    let (status, stdout, stderr) = admin(&["keys", "list"], data);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stdout.contains("pending") && stdout.contains(created[0]),
        "{stdout}"
    );

    // A second rotation schedules the first keys to leave the JWKS.
    let again = admin_json(&["keys", "rotate", "--json"], data);
    let keys = again["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 6);
    for key in keys {
        let first = created.contains(&key["kid"].as_str().unwrap());
        assert_eq!(key["retires_at"].is_string(), first, "{key}");
    }

    // The demo's key-encryption key lives beside its other secrets; another one is refused.
    let secrets_path = data.join("demo-secrets.toml");
    let secrets = std::fs::read_to_string(&secrets_path).unwrap();
    assert!(secrets.contains("key_encryption_key"), "{secrets}");
    let other = secrets
        .lines()
        .map(|line| {
            if line.starts_with("key_encryption_key") {
                "key_encryption_key = \"another-key-encryption-key-0123456789abcdef\""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&secrets_path, other).unwrap();
    for command in ["list", "rotate"] {
        let (status, _, stderr) = admin(&["keys", command], data);
        assert_eq!(status, 1, "{command}");
        assert!(
            stderr.contains("the key-encryption key does not match"),
            "{command}: {stderr}"
        );
    }
    assert_eq!(
        admin_json(&["client", "list", "--json"], data),
        serde_json::json!([]),
        "client commands need no key-encryption key"
    );
}

#[test]
fn admin_commands_read_the_serve_configuration() {
    let folder = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", folder.path().join("admin.sqlite3").display());
    let write = |kek: &str| {
        let path = folder.path().join("dvcid.toml");
        let text = format!(
            r#"database_url = "{database}"
public_base_url = "https://id.dichvucong.gov.vn"
[secrets]
otp_key = "otp-key-of-the-admin-test-0123456789abcdef"
key_encryption_key = "{kek}"
[oidc]
key_publish_ahead_secs = 7200
[connectors.population]
base_url = "https://dancu.example.gov.vn/api/"
[connectors.subscribers]
base_url = "https://thuebao.example.gov.vn/api/"
[connectors.bhxh]
base_url = "https://bhxh.example.gov.vn/api/"
[connectors.sms]
base_url = "https://sms.example.gov.vn/api/"
[connectors.smtp]
host = "smtp.example.gov.vn"
from = "no-reply@dichvucong.gov.vn"
"#
        );
        std::fs::write(&path, text).unwrap();
        path
    };
    let run = |config: &Path, args: &[&str]| {
        let output = dvcid()
            .args(args)
            .arg("--config")
            .arg(config)
            .env_remove("DVCID_DATABASE_URL")
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let config = write("key-encryption-key-of-the-admin-test-0123");
    let (status, _, stderr) = run(
        &config,
        &[
            "client",
            "add",
            "--id",
            "machine",
            "--name",
            "Máy chủ",
            "--grant",
            "client_credentials",
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    let (status, stdout, stderr) = run(&config, &["keys", "rotate", "--json"]);
    assert_eq!(status, 0, "{stderr}");
    let rotated: Value = serde_json::from_str(&stdout).unwrap();
    let key = &rotated["keys"][0];
    // `[oidc] key_publish_ahead_secs` from the file: two hours between publication and use.
    let created = key["created_at"].as_str().unwrap();
    let activates = key["activates_at"].as_str().unwrap();
    let hour = |text: &str| text[11..13].parse::<u32>().unwrap();
    assert_eq!((hour(created) + 2) % 24, hour(activates), "{key}");

    let (status, _, stderr) = run(&write("short"), &["keys", "list"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("secrets.key_encryption_key"), "{stderr}");
    let (status, _, stderr) = run(
        &write("a-different-key-encryption-key-0123456789"),
        &["keys", "list"],
    );
    assert_eq!(status, 1);
    assert!(stderr.contains("does not match"), "{stderr}");
}

#[test]
fn demo_runs_vneid_beside_the_portal() {
    let folder = tempfile::tempdir().unwrap();
    let demo = demo(&folder.path().join("data"));
    let banner = demo.printed_through("Chờ duyệt / pending:");
    let vneid = banner
        .lines()
        .find_map(|line| {
            line.split("VNeID (định danh điện tử / national eID):")
                .nth(1)
        })
        .unwrap_or_else(|| panic!("no VNeID line: {banner}"))
        .trim()
        .to_owned();
    for expected in [
        "sandbox/police",
        "dvcid-portal",
        "login/vneid/callback",
        "password Vneid@2024, passcode 246810",
    ] {
        assert!(banner.contains(expected), "{expected}: {banner}");
    }
    let (status, discovery) = get_json(&format!("{vneid}.well-known/openid-configuration"));
    assert_eq!(status, 200);
    assert_eq!(
        discovery["issuer"].as_str().unwrap(),
        vneid.trim_end_matches('/')
    );
    let console = reqwest::blocking::get(format!("{vneid}sandbox/police"))
        .unwrap()
        .text()
        .unwrap();
    assert!(console.contains("Phê duyệt"), "{console}");
}

#[test]
fn vneid_names_the_wrong_setting() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("vneid.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\npublic_base_url = \"http://127.0.0.1:1/\"\n\
         database_url = \"sqlite:///tmp/x.sqlite3\"\nsecret = \"short\"\n\
         key_encryption_key = \"0123456789abcdef0123456789abcdef\"\n\
         [sms]\nbase_url = \"http://127.0.0.1:1/sandbox/sms/\"\n",
    )
    .unwrap();
    let output = dvcid()
        .args(["vneid", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("secret"), "{stderr}");
}

/// Appends `count` sign-in events of one account (so one chain) to the demo database in
/// `data`, a minute apart from 2025-12-07 09:00 UTC, and returns their ids.
fn append_sign_ins(data: &Path, count: i64) -> Vec<uuid::Uuid> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = store::sqlite::url_for_path(&data.join("dvcid.sqlite3"));
        let store = store::connect(&url, store::ConnectOptions::default())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for n in 0..count {
            let event = store::NewAuditEvent {
                account_id: Some(store::AccountId(uuid::Uuid::from_u128(1))),
                kind: store::AuditKind::SignedIn,
                context: store::AuditContext {
                    actor: store::Actor::Holder,
                    client_ip: None,
                },
                details: serde_json::json!({ "n": n }),
            };
            let at = time::macros::datetime!(2025-12-07 09:00 UTC) + time::Duration::minutes(n);
            ids.push(store.append_audit(&event, at).await.unwrap().id);
        }
        ids
    })
}

#[test]
fn audit_commands_checkpoint_verify_export_and_name_an_edited_event() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path();
    let ids = append_sign_ins(data, 3);

    let (status, stdout, stderr) = admin(&["audit", "checkpoint"], data);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stdout.starts_with("Checkpoint recorded: 3 events"),
        "{stdout}"
    );
    let (_, stdout, _) = admin(&["audit", "checkpoint"], data);
    assert!(stdout.contains("none recorded"), "{stdout}");
    // The JSON form carries the signed checkpoint, to be kept away from the database.
    let again = admin_json(&["audit", "checkpoint", "--json"], data);
    assert_eq!(again["recorded"], false);
    let checkpoint = &again["checkpoint"];
    assert_eq!(checkpoint["heads"].as_array().unwrap().len(), 16);
    assert_eq!(checkpoint["signature"].as_str().unwrap().len(), 128);

    let (status, stdout, stderr) = admin(&["audit", "verify"], data);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        stdout.trim(),
        "3 events in 16 shards, 1 checkpoints: intact"
    );

    // The public key alone verifies; another key's does not.
    let key = admin_json(&["audit", "public-key", "--json"], data);
    let public_key = key["public_key"].as_str().unwrap();
    let (status, _, stderr) = admin(&["audit", "verify", "--public-key", public_key], data);
    assert_eq!(status, 0, "{stderr}");
    let other = "A".repeat(43);
    let (status, stdout, _) = admin(&["audit", "verify", "--public-key", &other], data);
    assert_eq!(status, 1);
    assert!(stdout.contains("signed by another key"), "{stdout}");
    let (status, _, stderr) = admin(&["audit", "verify", "--public-key", "abc"], data);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("--public-key") && stderr.contains("32 bytes"),
        "{stderr}"
    );

    // Export: since a date, since an instant, into a file.
    let (status, stdout, stderr) = admin(&["audit", "export", "--since", "2025-12-07"], data);
    assert_eq!(status, 0, "{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let exported: Vec<&str> = lines
        .iter()
        .map(|line| line["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = ids.iter().map(ToString::to_string).collect();
    assert_eq!(exported, expected);
    assert!(stderr.contains("3 audit events exported"), "{stderr}");
    let file = data.join("export.jsonl");
    let (status, _, stderr) = admin(
        &[
            "audit",
            "export",
            "--since",
            "2025-12-07T16:01:00+07:00",
            "--until",
            "2025-12-07T09:02:00Z",
            "--output",
            file.to_str().unwrap(),
        ],
        data,
    );
    assert_eq!(status, 0, "{stderr}");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(written.contains(&ids[1].to_string()), "{written}");
    let (status, _, stderr) = admin(&["audit", "export", "--since", "yesterday"], data);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("--since") && stderr.contains("RFC 3339"),
        "{stderr}"
    );

    // Someone edits an event in the file: verify names it and fails.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sqlx::{Connection, Executor};
        let url = store::sqlite::url_for_path(&data.join("dvcid.sqlite3"));
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        conn.execute("DROP TRIGGER audit_events_no_update")
            .await
            .unwrap();
        let edit = format!(
            "UPDATE audit_events SET details = '{{\"n\":7}}' WHERE id = X'{}'",
            ids[1].simple()
        );
        conn.execute(sqlx::AssertSqlSafe(edit)).await.unwrap();
    });
    let (status, stdout, stderr) = admin(&["audit", "verify"], data);
    assert_eq!(status, 1);
    assert!(stdout.contains("BROKEN"), "{stdout}");
    assert!(stdout.contains(&format!("event {}", ids[1])), "{stdout}");
    assert!(stdout.contains("seq 2): edited"), "{stdout}");
    assert!(
        stderr.contains("the audit trail is broken (1 problems)"),
        "{stderr}"
    );
}

/// `dvcid seed` on SQLite: see `seeded_accounts_sign_in`.
#[test]
fn seeded_accounts_sign_in_on_sqlite() {
    let folder = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        folder.path().join("seeded.sqlite3").display()
    );
    seeded_accounts_sign_in(&url);
}

/// `dvcid seed` on PostgreSQL (through COPY): see `seeded_accounts_sign_in`.
#[test]
fn seeded_accounts_sign_in_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(store::testing::with_postgres(
        "seeded_accounts_sign_in_on_postgres",
        |db| async move {
            tokio::task::spawn_blocking(move || seeded_accounts_sign_in(&db.url))
                .await
                .unwrap();
        },
    ));
}

/// 1,000 seeded accounts; seeding the same numbers again is refused whole; more are added
/// after them; then a sampled account signs in with its password and the code texted to its
/// phone.
fn seeded_accounts_sign_in(database_url: &str) {
    let folder = tempfile::tempdir().unwrap();
    let sample = folder.path().join("sample.jsonl");
    let password = "mười triệu tài khoản";
    let seed = |from: &str, accounts: &str| {
        // A cheap hash keeps the test fast; a sign-in verifies with the cost in the PHC string.
        dvcid()
            .args(["seed", "--database", database_url, "--from", from])
            .args([
                "--accounts",
                accounts,
                "--password",
                password,
                "--batch",
                "300",
            ])
            .args(["--argon2-memory-kib", "256", "--argon2-iterations", "1"])
            .arg("--sample-out")
            .arg(&sample)
            .args(["--sample", "4"])
            .output()
            .unwrap()
    };
    let first = seed("0", "1000");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(count_rows(database_url, "accounts"), 1000);
    // A password and a default OTP phone each.
    assert_eq!(count_rows(database_url, "credentials"), 2000);

    let again = seed("900", "200");
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("inserting accounts 900 to 1099"),
        "{stderr}"
    );
    assert!(
        stderr.contains("an account with this personal ID already exists"),
        "{stderr}"
    );
    assert_eq!(count_rows(database_url, "accounts"), 1000);

    let more = seed("1000", "10");
    assert!(
        more.status.success(),
        "{}",
        String::from_utf8_lossy(&more.stderr)
    );
    assert_eq!(count_rows(database_url, "accounts"), 1010);
    let sampled: Vec<Value> = std::fs::read_to_string(&sample)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(sampled.len(), 4);

    let sandbox = sandbox_process();
    let config = write_config(
        folder.path(),
        "otp-key-of-the-seed-test-0123456789",
        &sandbox,
    );
    let (server, _, _) = serve_process(&config, database_url);
    let sandbox_base = sandbox._running.base.split("/sandbox/").next().unwrap();
    let client = reqwest::blocking::Client::new();
    let account = &sampled[3];
    let wrong = serde_json::json!({
        "action": "sign_in", "identifier": account["personal_id"], "password": "not the password",
    });
    let refused = act(
        &client,
        &server.base,
        &start_flow(&client, &server.base, "login"),
        wrong,
    );
    assert_ne!(refused["flow"]["step"], "otp", "{refused}");
    let login = start_flow(&client, &server.base, "login");
    let sign_in = serde_json::json!({
        "action": "sign_in", "identifier": account["personal_id"], "password": password,
    });
    let answer = act(&client, &server.base, &login, sign_in);
    assert_eq!(answer["flow"]["step"], "otp", "{answer}");
    let code = last_otp(&client, sandbox_base, account["phone"].as_str().unwrap());
    let done = act(
        &client,
        &server.base,
        &login,
        serde_json::json!({ "action": "otp", "code": code }),
    );
    assert_eq!(done["flow"]["result"], "signed_in", "{done}");
    let token = done["session"]["token"].as_str().unwrap();
    let page = client
        .get(format!("{}api/account", server.base))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
}

/// Rows in `table` of the database at `url`, read on a connection of its own.
fn count_rows(url: &str, table: &str) -> i64 {
    use sqlx::Connection;
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut conn)
                .await
                .unwrap()
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    })
}
