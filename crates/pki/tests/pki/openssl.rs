//! Interoperability with OpenSSL: a CA made by `openssl req`/`openssl ca`, one certificate
//! revoked with `openssl ca -revoke`, the `openssl ocsp` responder (delegated signer) and a CRL
//! from `openssl ca -gencrl`. The responder stamps answers with the real clock, so these
//! tests validate at the real time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use pki::{
    CertIdentity, CheckedBy, FetchError, Refusal, RevocationConfig, RevocationFetcher,
    RevocationReason, TrustAnchors, UsagePolicy, Validator,
};
use time::OffsetDateTime;

const CONFIG: &str = r#"
[ ca ]
default_ca = test_ca

[ test_ca ]
database = index.txt
new_certs_dir = issued
certificate = ca.pem
private_key = ca.key
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 365
default_crl_days = 1
policy = anything
unique_subject = no
email_in_dn = no

[ anything ]
countryName = optional
commonName = optional

[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes

[ dn ]

[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash

[ ee ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:PORT/
crlDistributionPoints = URI:http://127.0.0.1:PORT/ca.crl

[ responder ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,OCSPSigning
"#;

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes a key and a certificate `name`.pem issued by the CA with `extensions`.
fn issue(dir: &Path, name: &str, subject: &str, extensions: &str) {
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-config",
            "openssl.cnf",
            "-utf8",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            subject,
        ],
    );
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-extensions",
            extensions,
            "-preserveDN",
            "-notext",
            "-in",
            &csr,
            "-out",
            &pem,
        ],
    );
}

fn der_of_pem(dir: &Path, name: &str) -> Vec<u8> {
    let pem = std::fs::read(dir.join(name)).unwrap();
    let cert = x509_cert::Certificate::load_pem_chain(&pem)
        .unwrap()
        .remove(0);
    der::Encode::to_der(&cert).unwrap()
}

/// The `openssl ocsp` responder, killed when dropped. Without `-multi` it is one process, so
/// killing it leaves no worker behind; it handles one request at a time, which is enough.
struct Responder(Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_responder(dir: &Path, port: u16) -> Responder {
    let log = std::fs::File::create(dir.join("ocsp.log")).unwrap();
    let child = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            "ca.pem",
            "-rsigner",
            "responder.pem",
            "-rkey",
            "responder.key",
            "-port",
            &port.to_string(),
            "-nmin",
            "5",
            "-timeout",
            "5",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("openssl ocsp starts");
    let responder = Responder(child);
    // Readiness, not timing: wait for the responder to say it listens. (A probe connection
    // would occupy the single-process responder until its timeout.)
    for _ in 0..400 {
        let said = std::fs::read_to_string(dir.join("ocsp.log")).unwrap_or_default();
        if said.contains("waiting for OCSP client connections") {
            return responder;
        }
        std::thread::sleep(StdDuration::from_millis(25));
    }
    panic!("openssl ocsp did not start listening on {port}");
}

/// OCSP over a plain HTTP/1.0 POST; the CRL from the folder `openssl ca -gencrl` wrote to.
struct TinyFetcher {
    port: u16,
    ocsp_down: bool,
    crl: Vec<u8>,
}

#[async_trait]
impl RevocationFetcher for TinyFetcher {
    async fn ocsp(&self, url: &str, request_der: Vec<u8>) -> Result<Vec<u8>, FetchError> {
        assert_eq!(url, format!("http://127.0.0.1:{}/", self.port));
        if self.ocsp_down {
            return Err(FetchError::Connect("connection refused".to_owned()));
        }
        let connect = |e: std::io::Error| FetchError::Connect(e.to_string());
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(connect)?;
        stream
            .set_read_timeout(Some(StdDuration::from_secs(5)))
            .map_err(connect)?;
        let head = format!(
            "POST / HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/ocsp-request\r\n\
             Content-Length: {}\r\n\r\n",
            self.port,
            request_der.len()
        );
        stream.write_all(head.as_bytes()).map_err(connect)?;
        stream.write_all(&request_der).map_err(connect)?;
        read_response(&mut stream).map_err(connect)
    }

    async fn crl(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        assert_eq!(url, format!("http://127.0.0.1:{}/ca.crl", self.port));
        Ok(self.crl.clone())
    }
}

/// The body of an HTTP response, by its Content-Length (the responder may keep the
/// connection open).
fn read_response(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let (head_len, body_len) = loop {
        let read = stream.read(&mut buffer)?;
        assert!(read > 0, "connection closed before the headers ended");
        received.extend_from_slice(&buffer[..read]);
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            assert!(
                head.starts_with("http/1.0 200") || head.starts_with("http/1.1 200"),
                "{head}"
            );
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse::<usize>().unwrap())
                .expect("a Content-Length");
            break (end + 4, length);
        }
    };
    while received.len() < head_len + body_len {
        let read = stream.read(&mut buffer)?;
        assert!(read > 0, "connection closed before the body ended");
        received.extend_from_slice(&buffer[..read]);
    }
    Ok(received[head_len..head_len + body_len].to_vec())
}

/// The revocation time `openssl ca -revoke` wrote in index.txt for the certificate revoked.
fn revocation_time(dir: &Path) -> OffsetDateTime {
    let index = std::fs::read_to_string(dir.join("index.txt")).unwrap();
    let line = index.lines().find(|l| l.starts_with('R')).unwrap();
    let field = line.split('\t').nth(2).unwrap();
    // YYMMDDHHMMSSZ, years 20xx here.
    let stamp = field.split(',').next().unwrap();
    let part = |range: std::ops::Range<usize>| stamp[range].parse::<u8>().unwrap();
    let date = time::Date::from_calendar_date(
        2000 + i32::from(part(0..2)),
        time::Month::try_from(part(2..4)).unwrap(),
        part(4..6),
    )
    .unwrap();
    date.with_hms(part(6..8), part(8..10), part(10..12))
        .unwrap()
        .assume_utc()
}

#[tokio::test]
async fn openssl_ca_ocsp_responder_and_crl() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let port = free_port();
    std::fs::write(
        dir.join("openssl.cnf"),
        CONFIG.replace("PORT", &port.to_string()),
    )
    .unwrap();
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "1000\n").unwrap();
    std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
    std::fs::create_dir(dir.join("issued")).unwrap();

    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-config",
            "openssl.cnf",
            "-extensions",
            "v3_ca",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/C=VN/O=OpenSSL Test CA/CN=OpenSSL Test CA",
        ],
    );
    issue(
        dir,
        "good",
        "/C=VN/CN=Nguyễn Văn An/UID=CCCD:001099012345",
        "ee",
    );
    issue(
        dir,
        "revoked",
        "/C=VN/CN=Trần Thị Bình/UID=CCCD:079199000123",
        "ee",
    );
    issue(dir, "responder", "/C=VN/CN=OpenSSL Test OCSP", "responder");
    openssl(
        dir,
        &[
            "ca",
            "-config",
            "openssl.cnf",
            "-revoke",
            "revoked.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    openssl(
        dir,
        &[
            "ca",
            "-config",
            "openssl.cnf",
            "-gencrl",
            "-out",
            "ca.crl.pem",
        ],
    );
    openssl(
        dir,
        &[
            "crl",
            "-in",
            "ca.crl.pem",
            "-outform",
            "DER",
            "-out",
            "ca.crl",
        ],
    );
    let revoked_on = revocation_time(dir);

    // The anchors folder as configuration has it: the root alone, beside other files.
    std::fs::create_dir(dir.join("anchors")).unwrap();
    std::fs::copy(dir.join("ca.pem"), dir.join("anchors/openssl-test-ca.pem")).unwrap();
    std::fs::write(dir.join("anchors/README"), "roots of trust").unwrap();
    let anchors = TrustAnchors::from_dir(&dir.join("anchors")).unwrap();
    assert_eq!(anchors.len(), 1);
    let good = der_of_pem(dir, "good.pem");
    let revoked = der_of_pem(dir, "revoked.pem");
    let crl = std::fs::read(dir.join("ca.crl")).unwrap();
    let usage = UsagePolicy::any();

    let _responder = start_responder(dir, port);
    let by_ocsp = Validator::new(
        anchors.clone(),
        Arc::new(TinyFetcher {
            port,
            ocsp_down: false,
            crl: crl.clone(),
        }),
        Arc::new(domain::random::OsRandomness),
        RevocationConfig::default(),
    );
    let now = OffsetDateTime::now_utc();
    let valid = by_ocsp.validate(&good, &[], &usage, now).await.unwrap();
    assert_eq!(valid.revocation, CheckedBy::Ocsp);
    assert!(
        matches!(valid.identity, CertIdentity::Citizen(ref id) if id.as_str() == "001099012345")
    );
    assert_eq!(valid.common_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(valid.serial_hex, "1000");
    assert_eq!(
        by_ocsp
            .validate(&revoked, &[], &usage, now)
            .await
            .unwrap_err(),
        Refusal::Revoked {
            on: revoked_on,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );

    let by_crl = Validator::new(
        anchors,
        Arc::new(TinyFetcher {
            port,
            ocsp_down: true,
            crl,
        }),
        Arc::new(domain::random::OsRandomness),
        RevocationConfig::default(),
    );
    let valid = by_crl.validate(&good, &[], &usage, now).await.unwrap();
    assert_eq!(valid.revocation, CheckedBy::Crl);
    assert_eq!(
        by_crl
            .validate(&revoked, &[], &usage, now)
            .await
            .unwrap_err(),
        Refusal::Revoked {
            on: revoked_on,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );
}
