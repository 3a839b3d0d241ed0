//! The real program against a real PKCS#11 token: SoftHSM2 with its own configuration and
//! token folder in a temporary directory. Each test runs `dvcid-agent` as a child process
//! with `SOFTHSM2_CONF` set, so every PKCS#11 context is alone in its process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{TestCertificate, input_values, nonce, two_certificates, verify_token};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "246810";
const SO_PIN: &str = "13579111";
const LABEL: &str = "Demo person";
const PORTAL: &str = "http://127.0.0.1:8080";

struct SoftHsm {
    dir: TempDir,
    certificates: [TestCertificate; 2],
}

impl SoftHsm {
    /// A SoftHSM2 configuration of its own, and both test certificates imported by the agent.
    fn with_two_certificates() -> Self {
        assert!(
            Path::new(MODULE).exists(),
            "SoftHSM2 is needed: apt-get install softhsm2 ({MODULE} missing)"
        );
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        );
        std::fs::write(dir.path().join("softhsm2.conf"), conf).unwrap();
        let hsm = Self {
            dir,
            certificates: two_certificates(),
        };
        for (i, c) in hsm.certificates.iter().enumerate() {
            let key = hsm.write(&format!("key{i}.pem"), &c.key_pem);
            let cert = hsm.write(&format!("cert{i}.pem"), &c.cert_pem);
            let out = hsm.run(&[
                "import",
                "--module",
                MODULE,
                "--token-label",
                LABEL,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
                "--key",
                key.to_str().unwrap(),
                "--cert",
                cert.to_str().unwrap(),
            ]);
            // The first import makes the token, the second adds to it.
            assert_eq!(out.contains("(token initialised)"), i == 0, "{out}");
        }
        hsm
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dvcid-agent"));
        command
            .env("SOFTHSM2_CONF", self.dir.path().join("softhsm2.conf"))
            .env("RUST_LOG", "warn");
        command
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{args:?}: {stdout}{stderr}");
        stdout
    }

    /// Starts `dvcid-agent serve` on a free port; returns the child and its base URL.
    fn serve(&self) -> Server {
        let mut child = self
            .command()
            .args([
                "serve",
                "--module",
                MODULE,
                "--port",
                "0",
                "--allow-origin",
                PORTAL,
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("dvcid-agent listening on ")
            .unwrap()
            .to_owned();
        Server { child, base }
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn list_shows_both_certificates_with_their_algorithms() {
    let hsm = SoftHsm::with_two_certificates();
    let out = hsm.run(&["list", "--module", MODULE]);
    for c in &hsm.certificates {
        assert!(out.contains(c.name), "{out}");
    }
    assert!(out.contains("UID=CCCD:001099012345"), "{out}");
    assert!(out.contains("algorithm:   ES256"), "{out}");
    assert!(out.contains("algorithm:   RS256"), "{out}");
    assert_eq!(out.matches(LABEL).count(), 2, "{out}");
}

#[test]
fn import_refuses_a_key_that_is_not_the_certificates() {
    let hsm = SoftHsm::with_two_certificates();
    let key = hsm.write("mismatch.key", &hsm.certificates[0].key_pem);
    let cert = hsm.write("mismatch.pem", &hsm.certificates[1].cert_pem);
    let out = hsm
        .command()
        .args([
            "import",
            "--module",
            MODULE,
            "--token-label",
            LABEL,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
            "--key",
            key.to_str().unwrap(),
            "--cert",
            cert.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not belong"));
}

/// The portal's page and the person: start, open the confirm page, submit a PIN.
struct Person<'a> {
    http: reqwest::Client,
    server: &'a Server,
}

impl Person<'_> {
    async fn start(&self) -> (String, String, String) {
        let nonce = nonce();
        let response = self
            .http
            .post(format!("{}/web-eid/authenticate", self.server.base))
            .header("origin", PORTAL)
            .json(&json!({ "challengeNonce": nonce, "lang": "en" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.unwrap();
        let id = body["requestId"].as_str().unwrap().to_owned();
        let page = self
            .http
            .get(body["confirmUrl"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = input_values(&page, "csrf").remove(0);
        (id, nonce, csrf)
    }

    async fn fingerprints(&self, id: &str) -> Vec<String> {
        let url = format!("{}/confirm/{id}", self.server.base);
        let page = self
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        input_values(&page, "certificate")
    }

    async fn submit(&self, id: &str, csrf: &str, fingerprint: &str, pin: &str) -> String {
        let form = [
            ("csrf", csrf),
            ("action", "sign"),
            ("certificate", fingerprint),
            ("pin", pin),
        ];
        self.http
            .post(format!("{}/confirm/{id}", self.server.base))
            .header("origin", &self.server.base)
            .form(&form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn result(&self, id: &str) -> Value {
        self.http
            .get(format!("{}/web-eid/result/{id}", self.server.base))
            .header("origin", PORTAL)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn signs_web_eid_tokens_with_the_ec_and_the_rsa_key_and_refuses_a_wrong_pin() {
    let hsm = SoftHsm::with_two_certificates();
    let server = hsm.serve();
    let person = Person {
        http: reqwest::Client::new(),
        server: &server,
    };

    for (algorithm, certificate) in [
        ("ES256", &hsm.certificates[0]),
        ("RS256", &hsm.certificates[1]),
    ] {
        let (id, nonce, csrf) = person.start().await;
        let fingerprints = person.fingerprints(&id).await;
        assert_eq!(fingerprints.len(), 2);
        let info = agent::certificate::CertificateInfo::from_der(&certificate.cert_der).unwrap();
        assert!(fingerprints.contains(&info.fingerprint));

        let page = person.submit(&id, &csrf, &info.fingerprint, "999999").await;
        assert!(page.contains("Wrong PIN"), "{page}");
        assert_eq!(person.result(&id).await, json!({ "status": "pending" }));

        let page = person.submit(&id, &csrf, &info.fingerprint, PIN).await;
        assert!(page.contains("Done. You can close this window."), "{page}");
        let token = person.result(&id).await;
        assert_eq!(token["algorithm"], algorithm);
        assert_eq!(verify_token(&token, PORTAL, &nonce), certificate.cert_der);
    }
}
