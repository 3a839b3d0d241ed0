//! The SmartCA gateway client against the sandbox SmartCA over HTTP: the sign-in page driven
//! with form posts, the code exchange and its refusals, the credential, and each way a
//! signature request ends (the app approves, refuses, lets it expire; someone else asks).

use std::sync::Arc;

use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use connectors::{
    ConnectorError, ConnectorsConfig, RemoteSession, RemoteSignatureRequest, RemoteSignatureStatus,
    RemoteSigningConfig, RemoteSigningService, SmartCaGateway, System,
};
use der::Decode;
use domain::digest::{encode_token, sha256, verification_code};
use domain::{PersonalId, Secret};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sandbox::pki::{CertificateRole, Holder};
use sandbox::{
    Mode, RemoteSigningMode, SMARTCA_NO_CREDENTIAL, SMARTCA_PASSWORD, Sandbox, SyntheticPeople,
};
use url::Url;

use super::{assert_invalid, assert_unavailable, stub};

const REDIRECT: &str = "https://dvc.example/auth/smartca/callback";
const VERIFIER: &str = "a-fresh-pkce-verifier-of-forty-three-chars-x";

struct Remote {
    sandbox: Arc<Sandbox>,
    base: Url,
    gateway: SmartCaGateway,
    /// A browser that does not follow redirects, so each one can be read.
    browser: reqwest::Client,
}

async fn start() -> Remote {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base: Url = format!("http://{}/", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let sandbox = Sandbox::new(SyntheticPeople::generate(2024, 300))
        .with_pki(&base)
        .unwrap();
    let sandbox = Arc::new(sandbox);
    let app = sandbox::router(Arc::clone(&sandbox));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let unused_smtp = "127.0.0.1:9".parse().unwrap();
    let mut config = ConnectorsConfig::sandbox(&base, unused_smtp)
        .unwrap()
        .remote_signing
        .unwrap();
    config.backoff_ms = 5;
    Remote {
        sandbox,
        base,
        gateway: SmartCaGateway::new(&config).unwrap(),
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

fn challenge(verifier: &str) -> String {
    encode_token(&sha256(verifier.as_bytes()))
}

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn holder(sandbox: &Sandbox, role: CertificateRole) -> PersonalId {
    match &sandbox.pki().unwrap().certificate(role).unwrap().holder {
        Holder::Citizen { personal_id, .. } => personal_id.clone(),
        Holder::Organisation { .. } => panic!("remote certificates belong to people"),
    }
}

impl Remote {
    /// The person opens the authorisation URL, then presses `action` on the sign-in page;
    /// the page's answer (status, and where it redirects).
    async fn sign_in_page(
        &self,
        user_id: &str,
        password: &str,
        action: &str,
    ) -> (StatusCode, Option<Url>, String) {
        let url = self
            .gateway
            .authorization_url("state-42", &challenge(VERIFIER), REDIRECT);
        let page = self.browser.get(url.clone()).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("SmartCA") && html.contains(SMARTCA_PASSWORD),
            "{html}"
        );

        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.extend([
            ("user_id".to_owned(), user_id.to_owned()),
            ("password".to_owned(), password.to_owned()),
            ("action".to_owned(), action.to_owned()),
        ]);
        let answer = self
            .browser
            .post(url.as_str().split('?').next().unwrap())
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let location = answer
            .headers()
            .get(LOCATION)
            .map(|value| value.to_str().unwrap().parse().unwrap());
        (status, location, answer.text().await.unwrap())
    }

    /// A fresh authorisation code for `user`.
    async fn code(&self, user: &PersonalId) -> String {
        let (status, location, _) = self
            .sign_in_page(user.as_str(), SMARTCA_PASSWORD, "sign_in")
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let location = location.unwrap();
        assert!(location.as_str().starts_with(REDIRECT), "{location}");
        assert_eq!(query(&location, "state").as_deref(), Some("state-42"));
        query(&location, "code").unwrap()
    }

    async fn session(&self, user: &PersonalId) -> RemoteSession {
        let code = self.code(user).await;
        self.gateway
            .exchange_code(&code, VERIFIER, REDIRECT)
            .await
            .unwrap()
    }

    async fn ask(&self, session: &RemoteSession, hash: [u8; 32]) -> String {
        let credential = self.gateway.credential(session).await.unwrap();
        let request = RemoteSignatureRequest {
            credential_id: credential.id,
            hash,
            description: format!("Đăng nhập Cổng DVC — mã {}", verification_code(&hash)),
            reference: "dvcid-ref-1".to_owned(),
        };
        self.gateway
            .request_signature(session, &request)
            .await
            .unwrap()
    }

    async fn status(&self, session: &RemoteSession, tran: &str) -> RemoteSignatureStatus {
        self.gateway.signature_status(session, tran).await.unwrap()
    }
}

fn assert_rejected(result: Result<impl std::fmt::Debug, ConnectorError>, needle: &str) {
    match result {
        Err(ConnectorError::Rejected { system, reason }) => {
            assert_eq!(system, System::RemoteSigning);
            assert!(reason.contains(needle), "{reason}");
        }
        other => panic!("expected Rejected ({needle}), got {other:?}"),
    }
}

fn verifies(certificate: &[u8], hash: &[u8; 32], signature: &[u8]) -> bool {
    let certificate = x509_cert::Certificate::from_der(certificate).unwrap();
    let key = certificate
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let digest = Digest::import_less_safe(hash, &SHA256).unwrap();
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key)
        .verify_digest(&digest, signature)
        .is_ok()
}

#[tokio::test]
async fn sign_in_then_an_approved_signature_verifies_with_the_certificates_key() {
    let remote = start().await;
    let user = holder(&remote.sandbox, CertificateRole::RemoteCitizen);

    // A code works once, with its verifier and redirect URI only.
    let code = remote.code(&user).await;
    let wrong_verifier = "another-verifier-that-is-long-enough-43-chars";
    assert_rejected(
        remote
            .gateway
            .exchange_code(&code, wrong_verifier, REDIRECT)
            .await,
        "invalid_grant",
    );
    assert_rejected(
        remote
            .gateway
            .exchange_code(&code, VERIFIER, REDIRECT)
            .await,
        "already used",
    );
    let code = remote.code(&user).await;
    assert_rejected(
        remote
            .gateway
            .exchange_code(&code, VERIFIER, "https://evil.example/cb")
            .await,
        "redirect_uri",
    );
    let session = remote.session(&user).await;
    assert!(!format!("{session:?}").contains(session.access_token.expose()));

    let credential = remote.gateway.credential(&session).await.unwrap();
    let issued = remote
        .sandbox
        .pki()
        .unwrap()
        .certificate(CertificateRole::RemoteCitizen)
        .unwrap();
    assert_eq!(credential.certificate, issued.der);
    assert_eq!(credential.chain.len(), 1, "the issuing CA");

    remote
        .sandbox
        .set_remote_signing_mode(&user, RemoteSigningMode::Approve);
    let hash = sha256(b"origin and nonce");
    let tran = remote.ask(&session, hash).await;
    let shown = remote.sandbox.last_remote_signing_request(&user).unwrap();
    assert_eq!(shown.tran_id, tran);
    assert_eq!(shown.verification_code, verification_code(&hash));
    assert!(shown.description.contains(&shown.verification_code));

    // The automatic answer still says waiting once, so the poll loop runs.
    assert_eq!(
        remote.status(&session, &tran).await,
        RemoteSignatureStatus::Waiting
    );
    let RemoteSignatureStatus::Signed { signature } = remote.status(&session, &tran).await else {
        panic!("not signed");
    };
    assert!(verifies(&credential.certificate, &hash, &signature));
    assert!(!verifies(
        &credential.certificate,
        &sha256(b"other"),
        &signature
    ));
}

#[tokio::test]
async fn the_app_refuses_or_lets_the_request_expire() {
    let remote = start().await;
    let user = holder(&remote.sandbox, CertificateRole::RemoteCitizen);
    let session = remote.session(&user).await;
    for (mode, end) in [
        (RemoteSigningMode::Refuse, RemoteSignatureStatus::Refused),
        (RemoteSigningMode::Expire, RemoteSignatureStatus::Expired),
    ] {
        remote.sandbox.set_remote_signing_mode(&user, mode);
        let tran = remote.ask(&session, sha256(b"x")).await;
        assert_eq!(
            remote.status(&session, &tran).await,
            RemoteSignatureStatus::Waiting
        );
        assert_eq!(remote.status(&session, &tran).await, end);
    }
}

#[tokio::test]
async fn the_app_page_shows_the_code_and_approves() {
    let remote = start().await;
    let user = holder(&remote.sandbox, CertificateRole::RemoteCitizenRevoked);
    let session = remote.session(&user).await;
    let app = remote
        .base
        .join(&format!("sandbox/smartca/app/{}", user.as_str()))
        .unwrap();
    let empty = remote.browser.get(app.clone()).send().await.unwrap();
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("http-equiv=\"refresh\"")
    );

    let hash = sha256(b"manual");
    let tran = remote.ask(&session, hash).await;
    let page = remote
        .browser
        .get(app.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&verification_code(&hash)), "{page}");
    assert!(page.contains("Đăng nhập Cổng DVC"), "{page}");
    assert!(!page.contains("http-equiv=\"refresh\""));
    assert_eq!(
        remote.status(&session, &tran).await,
        RemoteSignatureStatus::Waiting
    );

    let answer = remote
        .browser
        .post(
            app.join(&format!("{}/transactions/{tran}", user.as_str()))
                .unwrap(),
        )
        .form(&[("answer", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let RemoteSignatureStatus::Signed { signature } = remote.status(&session, &tran).await else {
        panic!("not signed");
    };
    let credential = remote.gateway.credential(&session).await.unwrap();
    assert!(verifies(&credential.certificate, &hash, &signature));
}

#[tokio::test]
async fn the_sign_in_page_refuses_a_wrong_password_and_cancels_back() {
    let remote = start().await;
    let user = holder(&remote.sandbox, CertificateRole::RemoteCitizen);
    let (status, location, html) = remote
        .sign_in_page(user.as_str(), "not-the-password", "sign_in")
        .await;
    assert_eq!((status, location), (StatusCode::OK, None));
    assert!(html.contains("Sai tài khoản hoặc mật khẩu"), "{html}");

    let (status, location, _) = remote.sign_in_page(user.as_str(), "", "cancel").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&location, "state").as_deref(), Some("state-42"));
}

#[tokio::test]
async fn a_person_without_a_remote_certificate_has_no_credential() {
    let remote = start().await;
    let person = remote.sandbox.people().demo(SMARTCA_NO_CREDENTIAL).unwrap();
    let session = remote.session(&person.personal_id).await;
    assert_eq!(
        remote.gateway.credential(&session).await,
        Err(ConnectorError::NotFound)
    );
}

#[tokio::test]
async fn nobody_reads_someone_elses_transaction() {
    let remote = start().await;
    let owner = holder(&remote.sandbox, CertificateRole::RemoteCitizen);
    let other = holder(&remote.sandbox, CertificateRole::RemoteCitizenRevoked);
    let owner_session = remote.session(&owner).await;
    let other_session = remote.session(&other).await;
    let tran = remote.ask(&owner_session, sha256(b"mine")).await;
    assert_rejected(
        remote.gateway.signature_status(&other_session, &tran).await,
        "60001",
    );
    // Nor with a made-up token.
    let forged = RemoteSession {
        access_token: Secret::new("forged".to_owned()),
    };
    assert_rejected(
        remote.gateway.signature_status(&forged, &tran).await,
        "invalid_token",
    );
}

#[tokio::test]
async fn a_down_service_is_unavailable_and_a_push_is_never_repeated() {
    let remote = start().await;
    let user = holder(&remote.sandbox, CertificateRole::RemoteCitizen);
    let session = remote.session(&user).await;
    let credential = remote.gateway.credential(&session).await.unwrap();
    remote
        .sandbox
        .set_mode(sandbox::System::SmartCa, Mode::Down);
    let before = remote.sandbox.requests(sandbox::System::SmartCa);
    assert_unavailable(
        remote.gateway.credential(&session).await,
        System::RemoteSigning,
    );
    let after_lookup = remote.sandbox.requests(sandbox::System::SmartCa);
    assert_eq!(after_lookup - before, 3, "a lookup is retried");
    let request = RemoteSignatureRequest {
        credential_id: credential.id,
        hash: sha256(b"x"),
        description: "x".to_owned(),
        reference: "r".to_owned(),
    };
    assert_unavailable(
        remote.gateway.request_signature(&session, &request).await,
        System::RemoteSigning,
    );
    assert_eq!(
        remote.sandbox.requests(sandbox::System::SmartCa) - after_lookup,
        1,
        "a push to the phone is sent once"
    );
    assert_unavailable(
        remote.gateway.exchange_code("c", VERIFIER, REDIRECT).await,
        System::RemoteSigning,
    );
}

#[tokio::test]
async fn malformed_answers_are_invalid_responses() {
    let (base, _) = stub(|path| match path {
        "/auth/token" => (200, r#"{"access_token":"abc","token_type":"mac"}"#),
        "/csc/credentials/list" => (200, r#"{"code":0,"content":{"ids":"none"}}"#),
        "/csc/signature/signhash" => (200, "<html>not json</html>"),
        "/csc/credentials/gettraninfo" => (
            200,
            r#"{"code":0,"content":{"tranId":"another","tranStatus":1}}"#,
        ),
        _ => (404, ""),
    })
    .await;
    let config = RemoteSigningConfig::new(base, "dvcid", Secret::new("s".to_owned()));
    let gateway = SmartCaGateway::new(&config).unwrap();
    let session = RemoteSession {
        access_token: Secret::new("t".to_owned()),
    };
    assert_invalid(gateway.exchange_code("c", VERIFIER, REDIRECT).await);
    assert_invalid(gateway.credential(&session).await);
    let request = RemoteSignatureRequest {
        credential_id: "c".to_owned(),
        hash: [0; 32],
        description: "d".to_owned(),
        reference: "r".to_owned(),
    };
    assert_invalid(gateway.request_signature(&session, &request).await);
    assert_invalid(gateway.signature_status(&session, "t1").await);
}
