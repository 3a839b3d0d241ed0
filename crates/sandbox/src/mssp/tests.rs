use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ManualClock, PhoneNumber};
use time::macros::datetime;

use super::*;
use crate::people::SyntheticPeople;
use crate::pki::CertificateRole;

fn sandbox() -> Arc<Sandbox> {
    let clock = Arc::new(ManualClock::new(datetime!(2026-05-01 10:00 UTC)));
    let base = url::Url::parse("http://sandbox.test/").unwrap();
    Arc::new(
        Sandbox::new(SyntheticPeople::generate(11, 300))
            .with_clock(clock)
            .with_pki(&base)
            .unwrap(),
    )
}

async fn post(sandbox: &Arc<Sandbox>, body: &str) -> (StatusCode, String) {
    let response = soap::endpoint(State(Arc::clone(sandbox)), body.to_owned()).await;
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn signature_request(msisdn: &str, password: &str, data: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
        <MSS_Signature><m:MSS_SignatureReq xmlns:m="http://uri.etsi.org/TS102204/v1.1.2#"
            MajorVersion="1" MinorVersion="1" MessagingMode="asynchClientServer" TimeOut="60">
          <m:AP_Info AP_ID="{AP_ID}" AP_TransID="t1" AP_PWD="{password}" Instant="2026-05-01T10:00:00Z"/>
          <m:MSSP_Info><m:MSSP_ID><m:URI>{MSSP_ID}</m:URI></m:MSSP_ID></m:MSSP_Info>
          <m:MobileUser><m:MSISDN>{msisdn}</m:MSISDN></m:MobileUser>
          <m:DataToBeSigned MimeType="application/octet-stream" Encoding="base64">{data}</m:DataToBeSigned>
          <m:DataToBeDisplayed MimeType="text/plain" Encoding="UTF-8">Đăng nhập</m:DataToBeDisplayed>
        </m:MSS_SignatureReq></MSS_Signature></s:Body></s:Envelope>"#
    )
}

/// DigestInfo(SHA-256, 32 × 0x2a), base64.
const DATA: &str = "MDEwDQYJYIZIAWUDBAIBBQAEICoqKioqKioqKioqKioqKioqKioqKioqKioqKioqKioq";

#[test]
fn every_sim_certificate_has_a_sim_on_its_own_number() {
    let sandbox = sandbox();
    let sims = sandbox.sims();
    let roles: Vec<_> = sims.iter().map(|sim| sim.role).collect();
    assert_eq!(
        roles,
        [
            CertificateRole::SimCitizen,
            CertificateRole::SimCitizenRevoked,
            CertificateRole::SimOperator,
            CertificateRole::SimBusiness,
        ]
    );
    let numbers: std::collections::HashSet<_> = sims.iter().map(|sim| &sim.msisdn).collect();
    assert_eq!(numbers.len(), sims.len());
    // The organisation SIM is its legal representative's phone, or the fixed number.
    let business = sandbox
        .businesses()
        .role(crate::businesses::BusinessRole::Company)
        .unwrap();
    let representative = sandbox
        .people()
        .by_personal_id(&business.legal_representative.personal_id)
        .unwrap();
    let organisation = sims.last().unwrap();
    assert!(
        organisation.msisdn == representative.phone
            || organisation.msisdn.e164() == BUSINESS_SIM_FALLBACK
    );
    // The fixed number is nobody's phone.
    let fallback = PhoneNumber::parse(BUSINESS_SIM_FALLBACK).unwrap();
    assert!(sandbox.people().all().iter().all(|p| p.phone != fallback));
}

#[test]
fn without_pki_there_are_no_sims() {
    let sandbox = Sandbox::new(SyntheticPeople::generate(11, 300));
    assert!(sandbox.sims().is_empty());
    let phone = sandbox.people().get(0).unwrap().phone.clone();
    assert!(sandbox.set_phone_mode(&phone, PhoneMode::Approve).is_err());
}

#[tokio::test]
async fn malformed_requests_get_soap_faults() {
    let sandbox = sandbox();
    let sim = sandbox.sims()[0].msisdn.clone();
    let digits = sim.e164().trim_start_matches('+').to_owned();
    for (body, code) in [
        ("not xml <<<".to_owned(), "mss:_101"),
        (
            r#"<s:Envelope xmlns:s="x"><s:Body><Other/></s:Body></s:Envelope>"#.to_owned(),
            "mss:_102",
        ),
        (signature_request(&digits, "wrong", DATA), "mss:_104"),
        (signature_request("12", AP_PASSWORD, DATA), "mss:_101"),
        (signature_request(&digits, AP_PASSWORD, "AQID"), "mss:_101"),
        (
            signature_request("84912000000", AP_PASSWORD, DATA),
            "mss:_105",
        ),
    ] {
        let (status, xml) = post(&sandbox, &body).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{xml}");
        assert!(
            xml.contains(&format!("<faultcode>{code}</faultcode>")),
            "{code}: {xml}"
        );
    }
    let (status, xml) = post(&sandbox, &signature_request(&digits, AP_PASSWORD, DATA)).await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert!(xml.contains(r#"<mss:StatusCode Value="100"/>"#), "{xml}");
    let request = &sandbox.phone_requests(&sim)[0];
    assert_eq!(request.display_text, "Đăng nhập");
    assert_eq!(
        request.verification_code,
        domain::digest::verification_code(&[0x2a; 32])
    );
}

#[test]
fn an_automatic_answer_is_held_back_for_one_status_query() {
    let sandbox = sandbox();
    let sim = sandbox.mssp().sims.first().unwrap();
    let phone = sim.card.msisdn.clone();
    sandbox.set_phone_mode(&phone, PhoneMode::Cancel).unwrap();
    let now = sandbox.now();
    let mut ledger = sandbox.mssp().ledger();
    ledger.add(
        ledger::Request {
            mssp_trans_id: "m1".to_owned(),
            ap_trans_id: "a1".to_owned(),
            msisdn: phone,
            display_text: String::new(),
            hash: [1; 32],
            verification_code: String::new(),
            received_at: now,
            expires_at: ledger::expiry(now, 60),
            wants_certificate: true,
            outcome: ledger::Outcome::Pending,
            holds: 0,
        },
        |hash| sim.sign(hash),
    );
    let first = ledger.query("m1", now).unwrap();
    assert_eq!(first.outcome, ledger::Outcome::Pending);
    let second = ledger.query("m1", now).unwrap();
    assert_eq!(second.outcome, ledger::Outcome::Refused(codes::USER_CANCEL));
    assert!(ledger.query("m2", now).is_none());
}
