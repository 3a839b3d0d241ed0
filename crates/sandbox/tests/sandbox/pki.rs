//! The sandbox certificate authorities against the portal's own checks: the `pki` crate's
//! validator, fetching OCSP and CRLs over HTTP with the `connectors` fetcher from a sandbox on
//! a real port. The time is the sandbox clock's, moved by hand; nothing sleeps.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use connectors::revocation::HttpRevocationFetcher;
use domain::random::SeededRandomness;
use domain::{Clock, ManualClock};
use pki::{
    CertIdentity, CheckedBy, KeyUsageProblem, PolicyProblem, Refusal, RevocationConfig,
    RevocationReason, TrustAnchors, UnavailableReason, UsagePolicy, ValidCertificate, Validator,
};
use sandbox::businesses::BusinessRole;
use sandbox::pki::{CaId, CertificateRole, Holder};
use sandbox::{Mode, Sandbox, SyntheticPeople, System};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use url::Url;

const START: OffsetDateTime = datetime!(2026-05-01 10:00 UTC);

struct Running {
    sandbox: Arc<Sandbox>,
    clock: Arc<ManualClock>,
    base: Url,
    validator: Validator,
}

async fn start() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let sandbox = Sandbox::new(SyntheticPeople::generate(11, 300))
        .with_clock(clock.clone())
        .with_pki(&base)
        .unwrap();
    let sandbox = Arc::new(sandbox);
    let app = sandbox::router(Arc::clone(&sandbox));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let validator = validator(&sandbox);
    Running {
        sandbox,
        clock,
        base,
        validator,
    }
}

/// The portal's configuration in the demo: the sandbox root as the trust anchor and the
/// issuing CAs as configured intermediates.
fn validator(sandbox: &Sandbox) -> Validator {
    let pki = sandbox.pki().unwrap();
    let anchors = TrustAnchors::from_pem(pki.trust_anchors_pem().as_bytes())
        .unwrap()
        .with_intermediates_pem(pki.intermediates_pem().as_bytes())
        .unwrap();
    Validator::new(
        anchors,
        Arc::new(HttpRevocationFetcher::new(StdDuration::from_secs(5)).unwrap()),
        Arc::new(SeededRandomness::new(7)),
        RevocationConfig::default(),
    )
}

impl Running {
    fn der(&self, role: CertificateRole) -> Vec<u8> {
        self.sandbox
            .pki()
            .unwrap()
            .certificate(role)
            .unwrap()
            .der
            .clone()
    }

    async fn check(&self, role: CertificateRole) -> Result<ValidCertificate, Refusal> {
        self.validate(role, &UsagePolicy::any()).await
    }

    async fn validate(
        &self,
        role: CertificateRole,
        usage: &UsagePolicy,
    ) -> Result<ValidCertificate, Refusal> {
        self.validator
            .validate(&self.der(role), &[], usage, self.clock.now())
            .await
    }
}

#[tokio::test]
async fn good_personal_certificates_name_the_citizen_in_every_subject_form() {
    let running = start().await;
    let pki = running.sandbox.pki().unwrap();
    for role in [
        CertificateRole::Citizen,
        CertificateRole::CitizenSecond,
        CertificateRole::CitizenCmnd12,
        CertificateRole::CitizenBareNumber,
    ] {
        let issued = pki.certificate(role).unwrap();
        let Holder::Citizen {
            personal_id,
            full_name,
        } = &issued.holder
        else {
            panic!("{role:?} is personal");
        };
        let valid = running.check(role).await.unwrap();
        assert_eq!(valid.identity, CertIdentity::Citizen(personal_id.clone()));
        assert_eq!(valid.common_name.as_deref(), Some(full_name.as_str()));
        assert_eq!(valid.serial_hex, issued.serial_hex);
        assert_eq!(valid.revocation, CheckedBy::Ocsp);
        // The holder is a person the population database knows.
        assert!(
            running
                .sandbox
                .people()
                .by_personal_id(personal_id)
                .is_some()
        );
    }
    // Two certificates of one person, from the two CAs: a token holding two.
    let first = pki.certificate(CertificateRole::Citizen).unwrap();
    let second = pki.certificate(CertificateRole::CitizenSecond).unwrap();
    assert_eq!(first.holder, second.holder);
    assert_ne!(
        (first.ca, &first.serial_hex),
        (second.ca, &second.serial_hex)
    );

    let legacy = running
        .check(CertificateRole::CitizenLegacyCmnd)
        .await
        .unwrap();
    assert!(
        matches!(&legacy.identity, CertIdentity::LegacyCitizen(cmnd) if cmnd.as_str().len() == 9),
        "{:?}",
        legacy.identity
    );
}

#[tokio::test]
async fn good_organisation_certificates_name_the_business_of_the_registry() {
    let running = start().await;
    let businesses = running.sandbox.businesses();
    for (role, business) in [
        (CertificateRole::Business, BusinessRole::Company),
        (CertificateRole::BusinessBranch, BusinessRole::Branch),
    ] {
        let business = businesses.role(business).unwrap();
        let valid = running.check(role).await.unwrap();
        assert_eq!(
            valid.identity,
            CertIdentity::Organisation {
                tax_code: business.tax_code.clone(),
                name: business.name.clone(),
            }
        );
    }
    let branch = businesses.role(BusinessRole::Branch).unwrap();
    assert_eq!(branch.tax_code.branch(), Some(1));
}

#[tokio::test]
async fn each_bad_certificate_is_refused_for_its_own_reason() {
    let running = start().await;
    let pki = running.sandbox.pki().unwrap();
    let issued = |role| pki.certificate(role).unwrap();

    let expired = issued(CertificateRole::CitizenExpired);
    assert_eq!(
        running.check(CertificateRole::CitizenExpired).await,
        Err(Refusal::Expired {
            on: expired.not_after
        })
    );
    let early = issued(CertificateRole::CitizenNotYetValid);
    assert_eq!(
        running.check(CertificateRole::CitizenNotYetValid).await,
        Err(Refusal::NotYetValid {
            from: early.not_before
        })
    );
    assert!(matches!(
        running.check(CertificateRole::CitizenUntrusted).await,
        Err(Refusal::UntrustedIssuer { .. })
    ));
    assert_eq!(
        running.check(CertificateRole::CitizenWrongKeyUsage).await,
        Err(Refusal::WrongKeyUsage(KeyUsageProblem::NoDigitalSignature))
    );

    for (role, reason) in [
        (
            CertificateRole::CitizenRevoked,
            RevocationReason::KeyCompromise,
        ),
        (
            CertificateRole::BusinessRevoked,
            RevocationReason::CessationOfOperation,
        ),
    ] {
        let revoked_at = issued(role).revocation.unwrap().at;
        assert!(revoked_at < START);
        assert_eq!(
            running.check(role).await,
            Err(Refusal::Revoked {
                on: revoked_at,
                reason: Some(reason)
            }),
            "{role:?}"
        );
    }
    assert!(matches!(
        running.check(CertificateRole::BusinessExpired).await,
        Err(Refusal::Expired { .. })
    ));
}

#[tokio::test]
async fn each_ca_has_its_own_policy() {
    let running = start().await;
    let vnpt_only = UsagePolicy::any().allowing([CaId::Vnpt.policy_oid().parse().unwrap()]);
    assert!(
        running
            .validate(CertificateRole::Citizen, &vnpt_only)
            .await
            .is_ok()
    );
    assert_eq!(
        running
            .validate(CertificateRole::CitizenSecond, &vnpt_only)
            .await,
        Err(Refusal::PolicyNotAllowed(PolicyProblem::NoneAllowed))
    );
}

#[tokio::test]
async fn with_ocsp_down_the_crl_decides_and_with_both_down_nothing_is_accepted() {
    let running = start().await;
    let pki = running.sandbox.pki().unwrap();
    running.sandbox.set_mode(System::Ocsp, Mode::Down);

    let valid = running.check(CertificateRole::Citizen).await.unwrap();
    assert_eq!(valid.revocation, CheckedBy::Crl);
    let revoked = pki.certificate(CertificateRole::CitizenRevoked).unwrap();
    assert_eq!(
        running.check(CertificateRole::CitizenRevoked).await,
        Err(Refusal::Revoked {
            on: revoked.revocation.unwrap().at,
            reason: Some(RevocationReason::KeyCompromise)
        })
    );
    assert!(running.sandbox.requests(System::Ocsp) >= 2);
    assert_eq!(running.sandbox.requests(System::Crl), 2);

    running.sandbox.set_mode(System::Crl, Mode::Down);
    assert_eq!(
        running.check(CertificateRole::CitizenSecond).await,
        Err(Refusal::RevocationUnavailable(
            UnavailableReason::Unreachable
        ))
    );

    // Back up: the same certificate passes, by OCSP again.
    running.sandbox.set_mode(System::Ocsp, Mode::Up);
    running.sandbox.set_mode(System::Crl, Mode::Up);
    let valid = running.check(CertificateRole::CitizenSecond).await.unwrap();
    assert_eq!(valid.revocation, CheckedBy::Ocsp);
}

#[tokio::test]
async fn answers_follow_the_sandbox_clock() {
    let running = start().await;
    // A week later the responder's thisUpdate is a week later too, so answers stay fresh.
    running.clock.advance(Duration::days(7));
    let valid = running.check(CertificateRole::Business).await.unwrap();
    assert_eq!(valid.revocation, CheckedBy::Ocsp);
    running.sandbox.set_mode(System::Ocsp, Mode::Down);
    let valid = running
        .check(CertificateRole::BusinessBranch)
        .await
        .unwrap();
    assert_eq!(valid.revocation, CheckedBy::Crl);

    // Thirty days more and the not-yet-valid certificate has started.
    running.sandbox.set_mode(System::Ocsp, Mode::Up);
    running.clock.advance(Duration::days(30));
    assert!(
        running
            .check(CertificateRole::CitizenNotYetValid)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_ocsp_and_crl_addresses_are_those_in_the_certificates() {
    let running = start().await;
    let pki = running.sandbox.pki().unwrap();
    assert_eq!(
        pki.ocsp_url(CaId::Vnpt).unwrap().as_str(),
        format!("{}sandbox/pki/ocsp/vnpt", running.base)
    );
    let crl = pki.crl_url(CaId::Viettel).unwrap();
    let response = reqwest::get(crl).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pkix-crl");
    let der = running.der(CertificateRole::Citizen);
    let needle = format!("{}sandbox/pki/ocsp/vnpt", running.base);
    assert!(
        der.windows(needle.len()).any(|w| w == needle.as_bytes()),
        "the certificate names its responder"
    );
}

#[tokio::test]
async fn the_responder_speaks_http_post_and_get_and_answers_garbage_in_ocsp() {
    use base64::Engine;
    use der::{Decode, Encode};
    use x509_ocsp::{OcspRequest, OcspResponse, OcspResponseStatus, Request, TbsRequest, Version};

    let running = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}sandbox/pki/ocsp/vnpt", running.base);

    let response = http
        .post(&url)
        .header("content-type", "application/ocsp-request")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/ocsp-response"
    );
    let answer = OcspResponse::from_der(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(answer.response_status, OcspResponseStatus::MalformedRequest);

    // The GET form, with a CertID that names no issuer this responder knows.
    let subject =
        x509_cert::Certificate::from_der(&running.der(CertificateRole::CitizenSecond)).unwrap();
    let id = x509_ocsp::CertId {
        hash_algorithm: x509_cert::spki::AlgorithmIdentifierOwned {
            oid: "1.3.14.3.2.26".parse().unwrap(),
            parameters: None,
        },
        issuer_name_hash: der::asn1::OctetString::new(vec![0; 20]).unwrap(),
        issuer_key_hash: der::asn1::OctetString::new(vec![0; 20]).unwrap(),
        serial_number: subject.tbs_certificate.serial_number.clone(),
    };
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(request.to_der().unwrap());
    let encoded: String = url::form_urlencoded::byte_serialize(encoded.as_bytes()).collect();
    let response = http.get(format!("{url}/{encoded}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let answer = OcspResponse::from_der(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(answer.response_status, OcspResponseStatus::Unauthorized);

    let response = http
        .post(format!("{}sandbox/pki/ocsp/nobody", running.base))
        .body(Vec::new())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_pages_say_which_certificate_is_which_and_offer_keys_for_the_demo() {
    let running = start().await;
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{}sandbox/pki{path}", running.base))
            .send()
    };

    let listing: serde_json::Value = get(".json").await.unwrap().json().await.unwrap();
    let certificates = listing["certificates"].as_array().unwrap();
    assert_eq!(certificates.len(), CertificateRole::ALL.len());
    let revoked = certificates
        .iter()
        .find(|c| c["role"] == "citizen_revoked")
        .unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["reason"], "key_compromise");
    assert_eq!(revoked["holder"]["kind"], "citizen");
    let business = certificates
        .iter()
        .find(|c| c["role"] == "business")
        .unwrap();
    assert_eq!(business["holder"]["kind"], "organisation");
    assert!(business["uid"].as_str().unwrap().starts_with("MST:"));
    assert!(
        listing["warning"]
            .as_str()
            .unwrap()
            .contains("Sandbox only")
    );
    assert_eq!(listing["authorities"].as_array().unwrap().len(), 3);

    let citizen = &certificates[0];
    let pem = http
        .get(citizen["certificate"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let key = http
        .get(citizen["private_key"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
    let anchors = get("/trust-anchors.pem")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(TrustAnchors::from_pem(anchors.as_bytes()).is_ok());
    assert_eq!(get("/keys/nobody.key.pem").await.unwrap().status(), 404);

    let response = get("").await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let person = running.sandbox.people().get(10).unwrap();
    assert!(html.contains(&person.full_name));
    assert!(html.contains("Đã bị thu hồi") && html.contains("Revoked"));
    assert!(html.contains("lộ khóa bí mật") && html.contains("key compromise"));
    assert!(html.contains("chỉ dùng thử") && html.contains("sandbox only"));
    assert!(html.contains("/sandbox/sandbox.css"));
}

#[tokio::test]
async fn a_sandbox_without_pki_says_so() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/sandbox/pki", listener.local_addr().unwrap());
    let app = sandbox::router(Arc::new(Sandbox::new(SyntheticPeople::generate(11, 50))));
    tokio::spawn(async move { axum::serve(listener, app).await });
    for path in ["", ".json", "/crl/vnpt.crl", "/trust-anchors.pem"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[test]
fn the_same_seed_gives_the_same_holders_serials_and_keys_on_any_day() {
    use sandbox::SyntheticBusinesses;
    use sandbox::pki::SandboxPki;

    let make = |seed, now| {
        let people = SyntheticPeople::generate(seed, 300);
        let businesses = SyntheticBusinesses::generate(&people);
        let base = Url::parse("http://127.0.0.1:8080/").unwrap();
        SandboxPki::generate(&people, &businesses, &base, now).unwrap()
    };
    let identity = |pki: &SandboxPki| -> Vec<_> {
        pki.issued()
            .iter()
            .map(|c| {
                (
                    c.role,
                    c.holder.clone(),
                    c.serial_hex.clone(),
                    c.key_pkcs8_pem.clone(),
                )
            })
            .collect()
    };
    let today = make(11, START);
    let next_month = make(11, START + Duration::days(30));
    assert_eq!(identity(&today), identity(&next_month));
    assert_eq!(today.issued().len(), CertificateRole::ALL.len());
    // Dates move with the day the sandbox starts, so each status stays what it says.
    let expired = |pki: &SandboxPki| {
        pki.certificate(CertificateRole::CitizenExpired)
            .unwrap()
            .not_after
    };
    assert_eq!(expired(&next_month) - expired(&today), Duration::days(30));

    let other = make(12, START);
    assert_ne!(identity(&today), identity(&other));
}
