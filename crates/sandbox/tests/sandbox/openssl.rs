//! The sandbox certificate authorities as OpenSSL sees them: chains verify with
//! `openssl verify`, the OCSP responder answers `openssl ocsp` (good, revoked with reason), and
//! the CRLs verify with `openssl crl`. OpenSSL checks times against the real clock, so this
//! sandbox runs on it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use sandbox::pki::{CaId, CertificateRole};
use sandbox::{Sandbox, SyntheticPeople};
use url::Url;

fn openssl(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_verifies_the_chains_the_ocsp_answers_and_the_crls() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let sandbox = Arc::new(
        Sandbox::new(SyntheticPeople::generate(11, 300))
            .with_pki(&base)
            .unwrap(),
    );
    let app = sandbox::router(Arc::clone(&sandbox));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let pki = sandbox.pki().unwrap();
    let dir = tempfile::tempdir().unwrap();
    pki.export(dir.path()).unwrap();
    std::fs::write(
        dir.path().join("vnpt-chain.pem"),
        format!(
            "{}{}",
            pki.ca_pem(CaId::Vnpt).unwrap(),
            pki.trust_anchors_pem()
        ),
    )
    .unwrap();
    let ocsp = pki.ocsp_url(CaId::Vnpt).unwrap().to_string();
    let crl = reqwest::get(pki.crl_url(CaId::Vnpt).unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(dir.path().join("vnpt.crl"), &crl).unwrap();
    let path = dir.path().to_owned();

    tokio::task::spawn_blocking(move || {
        let verify = openssl(
            &path,
            &[
                "verify",
                "-CAfile",
                "trust-anchors/root.pem",
                "-untrusted",
                "intermediates/vnpt.pem",
                "certificates/citizen.pem",
            ],
        );
        assert!(verify.contains("certificates/citizen.pem: OK"), "{verify}");

        let ask = |role: &str| {
            openssl(
                &path,
                &[
                    "ocsp",
                    "-issuer",
                    "intermediates/vnpt.pem",
                    "-cert",
                    &format!("certificates/{role}.pem"),
                    "-url",
                    &ocsp,
                    "-CAfile",
                    "vnpt-chain.pem",
                ],
            )
        };
        let good = ask(CertificateRole::Citizen.id());
        assert!(good.contains("Response verify OK"), "{good}");
        assert!(good.contains("citizen.pem: good"), "{good}");
        let revoked = ask(CertificateRole::CitizenRevoked.id());
        assert!(revoked.contains("Response verify OK"), "{revoked}");
        assert!(revoked.contains(": revoked"), "{revoked}");
        assert!(revoked.contains("Reason: keyCompromise"), "{revoked}");

        let listed = openssl(
            &path,
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                "vnpt.crl",
                "-CAfile",
                "vnpt-chain.pem",
                "-noout",
                "-text",
            ],
        );
        assert!(listed.contains("verify OK"), "{listed}");
        assert!(listed.contains("Key Compromise"), "{listed}");
    })
    .await
    .unwrap();
}
