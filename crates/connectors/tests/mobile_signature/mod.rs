//! The mobile signature client (ETSI TS 102 204 over SOAP) against the sandbox MSSP and its
//! phone simulator, and against recorded example messages of both status code tables.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use connectors::{
    ConnectorError, EtsiMobileSignature, MobileRefusal, MobileSignatureConfig,
    MobileSignatureRequest, MobileSignatureService, MobileSignatureStarted, MobileSignatureStatus,
    StatusCodeTable, System,
};
use domain::{ManualClock, PhoneNumber, Secret};
use sandbox::pki::CertificateRole;
use sandbox::{Mode, PhoneMode, Sandbox, SyntheticPeople};
use time::OffsetDateTime;
use url::Url;
use x509_cert::der::Decode;

use super::{Harness, assert_invalid, assert_unavailable, start_with, stub};

const DISPLAY: &str = "Đăng nhập Cổng Dịch vụ công quốc gia — mã xác nhận {code}. Nhập PIN để ký.";

async fn start_mssp() -> (Harness, Arc<dyn MobileSignatureService>) {
    start_mssp_with_clock(Arc::new(domain::SystemClock)).await
}

async fn start_mssp_with_clock(
    clock: Arc<dyn domain::Clock>,
) -> (Harness, Arc<dyn MobileSignatureService>) {
    // The PKI's own URLs (OCSP, CRL) are not used here.
    let base: Url = "http://127.0.0.1:9/".parse().unwrap();
    let sandbox = Sandbox::new(SyntheticPeople::generate(2024, 300))
        .with_clock(clock)
        .with_pki(&base)
        .unwrap();
    let harness = start_with(sandbox).await;
    let service = harness.connectors.mobile_signature.clone().unwrap();
    (harness, service)
}

impl Harness {
    fn sim(&self, role: CertificateRole) -> PhoneNumber {
        self.sandbox
            .sims()
            .into_iter()
            .find(|sim| sim.role == role)
            .unwrap()
            .msisdn
    }

    fn mssp_config(&self) -> MobileSignatureConfig {
        let mut config = self.config.mobile_signature.clone().unwrap();
        config.backoff_ms = 5;
        config
    }
}

fn request(phone: &PhoneNumber, seed: u8) -> MobileSignatureRequest {
    let hash = domain::digest::sha256(&[seed; 7]);
    MobileSignatureRequest {
        phone: phone.clone(),
        hash,
        display_text: DISPLAY.replace("{code}", &domain::digest::verification_code(&hash)),
        transaction_id: format!("tx-{seed:03}"),
    }
}

async fn pending(service: &dyn MobileSignatureService, request: &MobileSignatureRequest) -> String {
    match service.start(request).await.unwrap() {
        MobileSignatureStarted::Pending { transaction } => transaction,
        other => panic!("expected a pending request, got {other:?}"),
    }
}

/// Polls twice: an automatic answer is held back for one status query.
async fn answered(
    service: &dyn MobileSignatureService,
    transaction: &str,
) -> MobileSignatureStatus {
    assert_eq!(
        service.status(transaction).await.unwrap(),
        MobileSignatureStatus::Outstanding
    );
    service.status(transaction).await.unwrap()
}

fn verify(certificate: &[u8], hash: &[u8; 32], signature: &[u8]) {
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
        .expect("the signature verifies over the digest");
}

#[tokio::test]
async fn an_approving_phone_signs_the_digest_with_the_sim_certificate() {
    let (harness, service) = start_mssp().await;
    let phone = harness.sim(CertificateRole::SimCitizen);
    harness
        .sandbox
        .set_phone_mode(&phone, PhoneMode::Approve)
        .unwrap();
    let request = request(&phone, 1);
    let transaction = pending(service.as_ref(), &request).await;

    // What the phone received: the text intact, the code of the hash.
    let received = harness.sandbox.phone_requests(&phone);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].display_text, request.display_text);
    assert_eq!(
        received[0].verification_code,
        domain::digest::verification_code(&request.hash)
    );
    assert_eq!(received[0].ap_transaction, request.transaction_id);

    let MobileSignatureStatus::Signed {
        signature,
        certificate,
        chain,
    } = answered(service.as_ref(), &transaction).await
    else {
        panic!("expected a signature");
    };
    let pki = harness.sandbox.pki().unwrap();
    assert_eq!(
        certificate,
        pki.certificate(CertificateRole::SimCitizen).unwrap().der
    );
    assert_eq!(chain.len(), 1);
    verify(&certificate, &request.hash, &signature);
}

#[tokio::test]
async fn the_organisation_sim_signs_with_the_organisation_certificate() {
    let (harness, service) = start_mssp().await;
    let phone = harness.sim(CertificateRole::SimBusiness);
    assert_ne!(phone, harness.sim(CertificateRole::SimCitizen));
    harness
        .sandbox
        .set_phone_mode(&phone, PhoneMode::Approve)
        .unwrap();
    let request = request(&phone, 2);
    let transaction = pending(service.as_ref(), &request).await;
    let MobileSignatureStatus::Signed { certificate, .. } =
        answered(service.as_ref(), &transaction).await
    else {
        panic!("expected a signature");
    };
    let pki = harness.sandbox.pki().unwrap();
    assert_eq!(
        certificate,
        pki.certificate(CertificateRole::SimBusiness).unwrap().der
    );
}

#[tokio::test]
async fn automatic_refusals_arrive_typed() {
    let (harness, service) = start_mssp().await;
    let phone = harness.sim(CertificateRole::SimCitizen);
    for (seed, mode, refusal) in [
        (3, PhoneMode::Cancel, MobileRefusal::UserCancelled),
        (4, PhoneMode::Expire, MobileRefusal::Expired),
        (5, PhoneMode::WrongPin, MobileRefusal::PinBlocked),
        (6, PhoneMode::Unreachable, MobileRefusal::PhoneUnreachable),
    ] {
        harness.sandbox.set_phone_mode(&phone, mode).unwrap();
        let transaction = pending(service.as_ref(), &request(&phone, seed)).await;
        assert_eq!(
            answered(service.as_ref(), &transaction).await,
            MobileSignatureStatus::Refused(refusal),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_number_is_refused_at_once() {
    let (harness, service) = start_mssp().await;
    let stranger = harness.sandbox.people().get(0).unwrap().phone.clone();
    assert!(
        harness
            .sandbox
            .sims()
            .iter()
            .all(|sim| sim.msisdn != stranger)
    );
    assert_eq!(
        service.start(&request(&stranger, 7)).await.unwrap(),
        MobileSignatureStarted::Refused(MobileRefusal::UnknownUser)
    );
}

#[tokio::test]
async fn a_sandbox_without_pki_knows_no_sim() {
    let harness = start_with(Sandbox::new(SyntheticPeople::generate(2024, 300))).await;
    let service = harness.connectors.mobile_signature.clone().unwrap();
    let phone = harness.sandbox.people().get(0).unwrap().phone.clone();
    assert_eq!(
        service.start(&request(&phone, 8)).await.unwrap(),
        MobileSignatureStarted::Refused(MobileRefusal::UnknownUser)
    );
}

#[tokio::test]
async fn a_manual_request_expires_after_its_time_out() {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let (harness, service) = start_mssp_with_clock(clock.clone()).await;
    let phone = harness.sim(CertificateRole::SimCitizen);
    let transaction = pending(service.as_ref(), &request(&phone, 9)).await;
    assert_eq!(
        service.status(&transaction).await.unwrap(),
        MobileSignatureStatus::Outstanding
    );
    clock.advance(time::Duration::seconds(121));
    assert_eq!(
        service.status(&transaction).await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::Expired)
    );
}

#[tokio::test]
async fn a_down_mssp_is_unavailable_and_a_start_is_never_repeated() {
    let (harness, _) = start_mssp().await;
    let service = EtsiMobileSignature::new(&harness.mssp_config()).unwrap();
    let phone = harness.sim(CertificateRole::SimCitizen);
    harness.sandbox.set_mode(sandbox::System::Mssp, Mode::Down);
    assert_unavailable(
        service.start(&request(&phone, 10)).await,
        System::MobileSignature,
    );
    assert_eq!(harness.sandbox.requests(sandbox::System::Mssp), 1);
    // A status query is safe to repeat: 1 + status_retries attempts.
    assert_unavailable(service.status("mssp000001").await, System::MobileSignature);
    assert_eq!(harness.sandbox.requests(sandbox::System::Mssp), 4);
}

#[tokio::test]
async fn a_wrong_ap_password_is_a_clear_rejection() {
    let (harness, _) = start_mssp().await;
    let mut config = harness.mssp_config();
    config.ap_password = Secret::new("not-the-password".to_owned());
    let service = EtsiMobileSignature::new(&config).unwrap();
    let phone = harness.sim(CertificateRole::SimCitizen);
    match service.start(&request(&phone, 11)).await {
        Err(ConnectorError::Rejected { system, reason }) => {
            assert_eq!(system, System::MobileSignature);
            assert!(reason.contains("credentials"), "{reason}");
            assert!(!reason.contains("not-the-password"), "{reason}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn the_sandbox_configuration_holds_the_sandbox_mssp_credentials() {
    let (harness, _) = start_mssp().await;
    let config = harness.mssp_config();
    assert_eq!(config.ap_id, sandbox::mssp::AP_ID);
    assert_eq!(config.ap_password.expose(), sandbox::mssp::AP_PASSWORD);
    assert_eq!(config.mssp_id, sandbox::mssp::MSSP_ID);
}

#[tokio::test]
async fn a_client_certificate_is_loaded_or_its_key_named() {
    let (harness, _) = start_mssp().await;
    let issued = harness
        .sandbox
        .pki()
        .unwrap()
        .certificate(CertificateRole::Citizen)
        .unwrap()
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let certificate = dir.path().join("client.pem");
    let key = dir.path().join("client.key");
    std::fs::write(&certificate, &issued.pem).unwrap();
    std::fs::write(&key, &issued.key_pkcs8_pem).unwrap();
    let mut config = harness.mssp_config();
    config.client_certificate = Some(certificate.clone());
    config.client_key = Some(key);
    config.ca_certificate = Some(certificate);
    EtsiMobileSignature::new(&config).unwrap();

    config.client_key = Some(dir.path().join("missing.key"));
    let error = EtsiMobileSignature::new(&config).err().unwrap();
    assert_eq!(error.key, "mobile_signature.client_key");
}

// ---- the phone page ----

async fn answer(
    harness: &Harness,
    phone: &PhoneNumber,
    transaction: &str,
    action: &str,
    pin: &str,
) -> String {
    let url = harness
        .base
        .join(&format!("/sandbox/phone/{}/answer", phone.national()))
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .form(&[
            ("transaction", transaction),
            ("action", action),
            ("pin", pin),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_phone_page_shows_the_request_and_signs_with_the_right_pin() {
    let (harness, service) = start_mssp().await;
    let phone = harness.sim(CertificateRole::SimCitizen);
    let calm = harness
        .get_text(&format!("/sandbox/phone/{}", phone.e164()))
        .await;
    assert!(calm.contains("Không có yêu cầu ký nào"), "{calm}");
    assert!(calm.contains("http-equiv=\"refresh\""));

    let request = request(&phone, 12);
    let transaction = pending(service.as_ref(), &request).await;
    let digits = phone.e164().trim_start_matches('+').to_owned();
    let page = harness.get_text(&format!("/sandbox/phone/{digits}")).await;
    assert!(page.contains(&domain::digest::verification_code(&request.hash)));
    assert!(
        page.contains("Đăng nhập Cổng Dịch vụ công quốc gia"),
        "{page}"
    );
    assert!(page.contains(sandbox::mssp::SIM_PIN));

    let after = answer(&harness, &phone, &transaction, "sign", "0000").await;
    assert!(after.contains("Sai mã PIN"), "{after}");
    assert_eq!(
        service.status(&transaction).await.unwrap(),
        MobileSignatureStatus::Outstanding
    );
    let after = answer(
        &harness,
        &phone,
        &transaction,
        "sign",
        sandbox::mssp::SIM_PIN,
    )
    .await;
    assert!(after.contains("Đã ký"), "{after}");
    let MobileSignatureStatus::Signed {
        signature,
        certificate,
        ..
    } = service.status(&transaction).await.unwrap()
    else {
        panic!("expected a signature");
    };
    verify(&certificate, &request.hash, &signature);
}

#[tokio::test]
async fn three_wrong_pins_block_the_sim_until_reset() {
    let (harness, service) = start_mssp().await;
    let phone = harness.sim(CertificateRole::SimCitizen);
    let transaction = pending(service.as_ref(), &request(&phone, 13)).await;
    for _ in 0..3 {
        answer(&harness, &phone, &transaction, "sign", "9999").await;
    }
    assert_eq!(
        service.status(&transaction).await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::PinBlocked)
    );
    assert_eq!(
        service.start(&request(&phone, 14)).await.unwrap(),
        MobileSignatureStarted::Refused(MobileRefusal::PinBlocked)
    );
    harness.sandbox.reset_phone(&phone).unwrap();
    let transaction = pending(service.as_ref(), &request(&phone, 15)).await;
    let page = answer(&harness, &phone, &transaction, "cancel", "").await;
    assert!(page.contains("Đã hủy"), "{page}");
    assert_eq!(
        service.status(&transaction).await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::UserCancelled)
    );
}

#[tokio::test]
async fn the_pki_listing_names_each_sim_and_its_phone_page() {
    let (harness, _) = start_mssp().await;
    let listing = harness.get_json("/sandbox/pki.json").await;
    let phone = harness.sim(CertificateRole::SimCitizen);
    let entry = listing["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["role"] == "sim_citizen")
        .unwrap();
    assert_eq!(entry["key_holder"], "sim");
    assert_eq!(entry["msisdn"], phone.e164());
    assert!(
        entry["phone_page"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/sandbox/phone/{}", phone.national()))
    );
}

// ---- recorded messages ----

async fn recorded(
    table: StatusCodeTable,
    status: u16,
    body: &'static str,
) -> (EtsiMobileSignature, Arc<std::sync::atomic::AtomicUsize>) {
    let (base, count) = stub(move |_| (status, body)).await;
    let mut config = MobileSignatureConfig::new(
        base.join("soap/services/MSS_SignaturePort").unwrap(),
        "http://ap.mobile-id.vn/dvcqg",
        Secret::new("ap-password".to_owned()),
        "http://hmssp.mobile-id.vn",
    );
    config.status_codes = table;
    config.backoff_ms = 5;
    (EtsiMobileSignature::new(&config).unwrap(), count)
}

fn any_request() -> MobileSignatureRequest {
    request(&PhoneNumber::parse("0912345678").unwrap(), 99)
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/mss/", $name))
    };
}

#[tokio::test]
async fn recorded_etsi_messages_read_as_their_codes_say() {
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        200,
        fixture!("etsi_signature_request_ok.xml"),
    )
    .await;
    assert_eq!(
        client.start(&any_request()).await.unwrap(),
        MobileSignatureStarted::Pending {
            transaction: "h4dhx".to_owned()
        }
    );
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        200,
        fixture!("etsi_status_outstanding.xml"),
    )
    .await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Outstanding
    );
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        200,
        fixture!("etsi_status_signed.xml"),
    )
    .await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Signed {
            signature: vec![1, 2, 3, 4, 5, 6, 7, 8, 9],
            certificate: vec![0x30, 3, 2, 1, 1],
            chain: vec![vec![0x30, 3, 2, 1, 2]],
        }
    );
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        500,
        fixture!("etsi_fault_unknown_client.xml"),
    )
    .await;
    assert_eq!(
        client.start(&any_request()).await.unwrap(),
        MobileSignatureStarted::Refused(MobileRefusal::UnknownUser)
    );
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        500,
        fixture!("etsi_fault_user_cancel_soap12.xml"),
    )
    .await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::UserCancelled)
    );
    let (client, count) = recorded(
        StatusCodeTable::Etsi,
        500,
        fixture!("etsi_fault_unauthorized.xml"),
    )
    .await;
    assert!(matches!(
        client.status("h4dhx").await,
        Err(ConnectorError::Rejected { .. })
    ));
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a rejection is not retried"
    );
    // The Vietnamese success code means nothing to an ETSI MSSP.
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        200,
        fixture!("vn_status_signed_408.xml"),
    )
    .await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::Other(408))
    );
}

#[tokio::test]
async fn recorded_mobile_id_vn_messages_read_with_their_dialect() {
    let table = StatusCodeTable::MobileIdVn;
    let (client, _) = recorded(table, 200, fixture!("vn_status_signed_408.xml")).await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Signed {
            signature: vec![1, 2, 3, 4, 5, 6, 7, 8, 9],
            certificate: vec![0x30, 3, 2, 1, 1],
            chain: vec![],
        }
    );
    let (client, _) = recorded(table, 200, fixture!("vn_status_cancel_405.xml")).await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::UserCancelled)
    );
    let (client, _) = recorded(table, 500, fixture!("vn_fault_timeout_406.xml")).await;
    assert_eq!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Refused(MobileRefusal::Expired)
    );
    // ETSI's codes hold for the rest.
    let (client, _) = recorded(table, 200, fixture!("etsi_status_signed.xml")).await;
    assert!(matches!(
        client.status("h4dhx").await.unwrap(),
        MobileSignatureStatus::Signed { .. }
    ));
    let (client, _) = recorded(table, 500, fixture!("etsi_fault_unknown_client.xml")).await;
    assert_eq!(
        client.start(&any_request()).await.unwrap(),
        MobileSignatureStarted::Refused(MobileRefusal::UnknownUser)
    );
}

#[tokio::test]
async fn malformed_answers_are_invalid_responses() {
    for body in [
        fixture!("malformed_signed_without_certificate.xml"),
        fixture!("malformed_status_code.xml"),
        fixture!("malformed_signature_base64.xml"),
        "<html><body>Welcome to nginx</body></html>",
        "not xml at all <<<",
        "",
    ] {
        let (client, count) = recorded(StatusCodeTable::Etsi, 200, body).await;
        assert_invalid(client.status("h4dhx").await);
        assert_eq!(count.load(Ordering::SeqCst), 1, "never retried: {body}");
    }
    let (client, _) = recorded(
        StatusCodeTable::Etsi,
        200,
        fixture!("malformed_missing_transaction.xml"),
    )
    .await;
    assert_invalid(client.start(&any_request()).await);
    // A 500 that is not a SOAP fault is a failing server, not a refusal.
    let (client, count) =
        recorded(StatusCodeTable::Etsi, 500, "<h1>Internal Server Error</h1>").await;
    assert_unavailable(client.status("h4dhx").await, System::MobileSignature);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}
