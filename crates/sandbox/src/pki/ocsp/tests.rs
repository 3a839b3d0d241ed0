use der::asn1::OctetString;
use time::macros::datetime;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_ocsp::ext::Nonce;
use x509_ocsp::{OcspResponseStatus, Request, TbsRequest};

use super::*;
use crate::businesses::SyntheticBusinesses;
use crate::people::SyntheticPeople;
use crate::pki::CertificateRole;

const NOW: OffsetDateTime = datetime!(2026-05-01 10:00 UTC);

fn pki() -> SandboxPki {
    let people = SyntheticPeople::generate(11, 300);
    let businesses = SyntheticBusinesses::generate(&people);
    let base = url::Url::parse("http://sandbox.test/").unwrap();
    SandboxPki::generate(&people, &businesses, &base, NOW).unwrap()
}

/// The CertID of a role's certificate, hashed with `sha256` or SHA-1.
fn cert_id(pki: &SandboxPki, role: CertificateRole, sha256: bool) -> CertId {
    let issued = pki.certificate(role).unwrap();
    let ca = &pki
        .authorities()
        .get(issued.ca)
        .unwrap()
        .ca
        .cert
        .tbs_certificate;
    let (oid, algorithm) = if sha256 {
        (SHA256_OID, &SHA256)
    } else {
        (SHA1, &SHA1_FOR_LEGACY_USE_ONLY)
    };
    let name = ca.subject.to_der().unwrap();
    let key = ca.subject_public_key_info.subject_public_key.raw_bytes();
    CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        },
        issuer_name_hash: OctetString::new(digest(algorithm, &name).as_ref()).unwrap(),
        issuer_key_hash: OctetString::new(digest(algorithm, key).as_ref()).unwrap(),
        serial_number: x509_cert::serial_number::SerialNumber::new(&issued.serial).unwrap(),
    }
}

fn request(ids: Vec<CertId>, nonce: Option<&[u8]>) -> Vec<u8> {
    let extensions = nonce.map(|bytes| {
        vec![
            Nonce::new(bytes.to_vec())
                .unwrap()
                .to_extension(&Default::default(), &[])
                .unwrap(),
        ]
    });
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: ids
                .into_iter()
                .map(|req_cert| Request {
                    req_cert,
                    single_request_extensions: None,
                })
                .collect(),
            request_extensions: extensions,
        },
        optional_signature: None,
    }
    .to_der()
    .unwrap()
}

fn basic(response: &OcspResponse) -> BasicOcspResponse {
    assert_eq!(response.response_status, OcspResponseStatus::Successful);
    let bytes = response.response_bytes.as_ref().unwrap();
    BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap()
}

#[test]
fn answers_each_certid_with_fresh_times_the_nonce_and_the_delegated_responder() {
    let pki = pki();
    let vnpt = pki.authorities().get(CaId::Vnpt).unwrap();
    let ids = vec![
        cert_id(&pki, CertificateRole::Citizen, false),
        cert_id(&pki, CertificateRole::CitizenRevoked, true),
    ];
    let response = answer(&pki, vnpt, &request(ids.clone(), Some(&[7; 32])), NOW);
    let basic = basic(&response);
    let [good, revoked] = basic.tbs_response_data.responses.as_slice() else {
        panic!("two answers");
    };
    assert_eq!(good.cert_id, ids[0]);
    assert_eq!(good.cert_status, CertStatus::good());
    assert_eq!(good.this_update, ocsp_time(NOW).unwrap());
    assert_eq!(good.next_update, Some(ocsp_time(NOW + VALIDITY).unwrap()));
    let revocation = pki
        .certificate(CertificateRole::CitizenRevoked)
        .unwrap()
        .revocation
        .unwrap();
    assert_eq!(
        revoked.cert_status,
        CertStatus::Revoked(RevokedInfo {
            revocation_time: ocsp_time(revocation.at).unwrap(),
            revocation_reason: Some(x509_cert::ext::pkix::CrlReason::KeyCompromise),
        })
    );
    assert_eq!(basic.nonce().unwrap().0.as_bytes(), &[7; 32]);

    let responder = &basic.certs.as_ref().unwrap()[0];
    assert_eq!(
        basic.tbs_response_data.responder_id,
        ResponderId::ByName(responder.tbs_certificate.subject.clone())
    );
    assert_eq!(
        responder.tbs_certificate.issuer,
        vnpt.ca.cert.tbs_certificate.subject
    );
    let (_, usage) = responder
        .tbs_certificate
        .get::<ExtendedKeyUsage>()
        .unwrap()
        .unwrap();
    assert!(
        usage
            .0
            .contains(&ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9"))
    );
    assert!(
        responder
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .any(|ext| ext.extn_id == ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5"))
    );
}

#[test]
fn an_unknown_serial_is_unknown_and_no_nonce_is_echoed_when_none_was_sent() {
    let pki = pki();
    let vnpt = pki.authorities().get(CaId::Vnpt).unwrap();
    let mut id = cert_id(&pki, CertificateRole::Citizen, false);
    id.serial_number = x509_cert::serial_number::SerialNumber::new(&[0x01, 0x02]).unwrap();
    let basic = basic(&answer(&pki, vnpt, &request(vec![id], None), NOW));
    assert_eq!(
        basic.tbs_response_data.responses[0].cert_status,
        CertStatus::unknown()
    );
    assert!(basic.nonce().is_none());
}

#[test]
fn another_cas_certificate_is_not_this_responders_to_answer() {
    let pki = pki();
    let viettel = pki.authorities().get(CaId::Viettel).unwrap();
    let id = cert_id(&pki, CertificateRole::Citizen, false);
    let response = answer(&pki, viettel, &request(vec![id], None), NOW);
    assert_eq!(response.response_status, OcspResponseStatus::Unauthorized);
}

#[test]
fn malformed_requests_get_malformed_request() {
    let pki = pki();
    let vnpt = pki.authorities().get(CaId::Vnpt).unwrap();
    for bad in [
        b"".to_vec(),
        b"not DER at all".to_vec(),
        vec![0x30, 0x80, 0x00],
        request(Vec::new(), Some(&[1; 16])),
    ] {
        let response = answer(&pki, vnpt, &bad, NOW);
        assert_eq!(
            response.response_status,
            OcspResponseStatus::MalformedRequest,
            "{bad:?}"
        );
        assert!(response.response_bytes.is_none());
    }
}
