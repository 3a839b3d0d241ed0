//! Each refusal, and the acceptances next to them, on rcgen-made chains and hand-built OCSP
//! responses and CRLs, at a fixed time.

use std::sync::Arc;

use pki::{
    CertIdentity, CheckedBy, FetchError, IdentityProblem, KeyUsageProblem, ObjectIdentifier,
    PolicyProblem, Refusal, RevocationConfig, RevocationReason, UnavailableReason, UsagePolicy,
};
use rcgen::{DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose};
use time::Duration;
use time::macros::datetime;
use x509_cert::ext::pkix::CrlReason;
use x509_ocsp::{CertStatus, OcspResponse};

use crate::support::*;

enum Ocsp {
    Reply(Reply),
    Down,
    Bytes(Vec<u8>),
}

enum Crl {
    Down,
    Revoking(Vec<u64>),
    ByOtherCa,
    Outdated,
}

enum Expect {
    Accepted(CheckedBy),
    Refused(Refusal),
    Code(&'static str),
}

struct Case {
    name: &'static str,
    leaf: Leaf,
    by_other_ca: bool,
    usage: UsagePolicy,
    ocsp: Ocsp,
    crl: Crl,
    config: RevocationConfig,
    expect: Expect,
}

impl Case {
    fn new(name: &'static str, expect: Expect) -> Self {
        Self {
            name,
            leaf: Leaf::default(),
            by_other_ca: false,
            usage: usb_usage(),
            ocsp: Ocsp::Reply(Reply::good()),
            crl: Crl::Down,
            config: RevocationConfig::default(),
            expect,
        }
    }
    fn leaf(mut self, leaf: Leaf) -> Self {
        self.leaf = leaf;
        self
    }
    fn ocsp(mut self, ocsp: Ocsp) -> Self {
        self.ocsp = ocsp;
        self
    }
    fn reply(self, change: impl FnOnce(&mut Reply)) -> Self {
        let mut reply = Reply::good();
        change(&mut reply);
        self.ocsp(Ocsp::Reply(reply))
    }
    fn crl(mut self, crl: Crl) -> Self {
        self.crl = crl;
        self
    }
    fn config(mut self, change: impl FnOnce(&mut RevocationConfig)) -> Self {
        change(&mut self.config);
        self
    }
}

/// The USB token method: SIM-PKI certificates refused.
fn usb_usage() -> UsagePolicy {
    UsagePolicy::any().disallowing([ObjectIdentifier::new_unwrap(SIM_POLICY)])
}

fn unavailable(reason: UnavailableReason) -> Expect {
    Expect::Refused(Refusal::RevocationUnavailable(reason))
}

fn cases() -> Vec<Case> {
    use Expect::*;
    use UnavailableReason as Why;
    let revoked_on = datetime!(2026-04-20 08:30 UTC);
    vec![
        Case::new("good personal certificate", Accepted(CheckedBy::Ocsp)),
        Case::new("good organisation certificate", Accepted(CheckedBy::Ocsp))
            .leaf(Leaf::organisation("0314409058-002", "Công ty TNHH Ví Dụ")),
        Case::new(
            "expired",
            Refused(Refusal::Expired {
                on: datetime!(2026-04-01 0:00 UTC),
            }),
        )
        .leaf(Leaf {
            not_before: datetime!(2025-04-01 0:00 UTC),
            not_after: datetime!(2026-04-01 0:00 UTC),
            ..Leaf::default()
        }),
        Case::new(
            "not yet valid",
            Refused(Refusal::NotYetValid {
                from: datetime!(2026-06-01 0:00 UTC),
            }),
        )
        .leaf(Leaf {
            not_before: datetime!(2026-06-01 0:00 UTC),
            ..Leaf::default()
        }),
        Case {
            by_other_ca: true,
            ..Case::new("issued by an untrusted CA", Code("pki.untrusted_issuer"))
        },
        Case::new(
            "no digitalSignature",
            Refused(Refusal::WrongKeyUsage(KeyUsageProblem::NoDigitalSignature)),
        )
        .leaf(Leaf {
            key_usages: vec![KeyUsagePurpose::KeyEncipherment],
            ..Leaf::default()
        }),
        Case::new(
            "no key usage at all",
            Refused(Refusal::WrongKeyUsage(KeyUsageProblem::NoDigitalSignature)),
        )
        .leaf(Leaf {
            key_usages: vec![],
            ..Leaf::default()
        }),
        Case::new("nonRepudiation alone", Accepted(CheckedBy::Ocsp)).leaf(Leaf {
            key_usages: vec![KeyUsagePurpose::ContentCommitment],
            ..Leaf::default()
        }),
        Case::new("no extended key usage", Accepted(CheckedBy::Ocsp)).leaf(Leaf {
            extended: vec![],
            ..Leaf::default()
        }),
        Case::new(
            "extended key usage without clientAuth",
            Refused(Refusal::WrongKeyUsage(KeyUsageProblem::NoClientAuth)),
        )
        .leaf(Leaf {
            extended: vec![ExtendedKeyUsagePurpose::EmailProtection],
            ..Leaf::default()
        }),
        Case::new(
            "SIM-PKI policy on the USB method",
            Refused(Refusal::PolicyNotAllowed(PolicyProblem::Disallowed(
                SIM_POLICY.to_owned(),
            ))),
        )
        .leaf(Leaf {
            policies: vec![TOKEN_POLICY, SIM_POLICY],
            ..Leaf::default()
        }),
        Case {
            usage: UsagePolicy::any().allowing([ObjectIdentifier::new_unwrap(TOKEN_POLICY)]),
            ..Case::new(
                "none of the allowed policies",
                Refused(Refusal::PolicyNotAllowed(PolicyProblem::NoneAllowed)),
            )
            .leaf(Leaf {
                policies: vec![SIM_POLICY],
                ..Leaf::default()
            })
        },
        Case::new(
            "no identity in the subject",
            Refused(Refusal::NoIdentity(IdentityProblem::Missing)),
        )
        .leaf(Leaf {
            subject: vec![(DnType::CommonName, "Nguyen Van A".to_owned())],
            ..Leaf::default()
        }),
        Case::new(
            "revoked by OCSP, with date and reason",
            Refused(Refusal::Revoked {
                on: revoked_on,
                reason: Some(RevocationReason::KeyCompromise),
            }),
        )
        .ocsp(Ocsp::Reply(Reply::revoked(
            revoked_on,
            Some(CrlReason::KeyCompromise),
        ))),
        Case::new("unknown to the responder", unavailable(Why::UnknownStatus))
            .reply(|r| r.status = CertStatus::unknown()),
        Case::new(
            "signed by the delegated responder",
            Accepted(CheckedBy::Ocsp),
        )
        .reply(|r| r.signer = Signer::Delegated),
        Case::new("CA named by key hash", Accepted(CheckedBy::Ocsp))
            .reply(|r| r.signer = Signer::CaByKey),
        Case::new(
            "responder signing for another CA",
            unavailable(Why::UnauthorisedResponder),
        )
        .reply(|r| r.signer = Signer::OtherCa),
        Case::new(
            "another CA's delegated responder",
            unavailable(Why::UnauthorisedResponder),
        )
        .reply(|r| r.signer = Signer::OtherDelegated),
        Case::new(
            "delegated responder without OCSPSigning",
            unavailable(Why::UnauthorisedResponder),
        )
        .reply(|r| r.signer = Signer::DelegatedWithoutEku),
        Case::new("tampered signature", unavailable(Why::BadSignature)).reply(|r| r.tamper = true),
        Case::new(
            "answer about another serial",
            unavailable(Why::CertIdMismatch),
        )
        .reply(|r| r.other_serial = true),
        Case::new("stale thisUpdate", unavailable(Why::Stale))
            .reply(|r| r.this_update = NOW - Duration::minutes(6)),
        Case::new(
            "thisUpdate within the age allowed",
            Accepted(CheckedBy::Ocsp),
        )
        .reply(|r| r.this_update = NOW - Duration::minutes(4)),
        Case::new(
            "thisUpdate beyond the skew",
            unavailable(Why::FromTheFuture),
        )
        .reply(|r| r.this_update = NOW + Duration::minutes(16)),
        Case::new("nextUpdate past", unavailable(Why::Outdated))
            .reply(|r| {
                r.this_update = NOW - Duration::hours(1);
                r.next_update = Some(NOW - Duration::minutes(30));
            })
            .config(|c| c.max_response_age = Duration::hours(2)),
        Case::new(
            "nonce missing when required",
            unavailable(Why::NonceMissing),
        )
        .reply(|r| r.nonce = NonceReply::Omit),
        Case::new("nonce missing when optional", Accepted(CheckedBy::Ocsp))
            .reply(|r| r.nonce = NonceReply::Omit)
            .config(|c| c.require_nonce = false),
        Case::new("nonce mismatch", unavailable(Why::NonceMismatch))
            .reply(|r| r.nonce = NonceReply::Wrong)
            .config(|c| c.require_nonce = false),
        Case::new("responder refuses", unavailable(Why::ResponderError)).ocsp(Ocsp::Bytes(
            der::Encode::to_der(&OcspResponse::unauthorized()).unwrap(),
        )),
        Case::new(
            "garbage from the responder",
            unavailable(Why::MalformedResponse),
        )
        .ocsp(Ocsp::Bytes(b"<html>502</html>".to_vec())),
        Case::new("OCSP down, CRL good", Accepted(CheckedBy::Crl))
            .ocsp(Ocsp::Down)
            .crl(Crl::Revoking(vec![0x2002])),
        Case::new(
            "OCSP down, CRL revokes",
            Refused(Refusal::Revoked {
                on: NOW - Duration::days(1),
                reason: Some(RevocationReason::KeyCompromise),
            }),
        )
        .ocsp(Ocsp::Down)
        .crl(Crl::Revoking(vec![0x2002, 0x1001])),
        Case::new("OCSP says try later, CRL good", Accepted(CheckedBy::Crl))
            .ocsp(Ocsp::Bytes(
                der::Encode::to_der(&OcspResponse::try_later()).unwrap(),
            ))
            .crl(Crl::Revoking(vec![])),
        Case::new("OCSP and CRL down", unavailable(Why::Unreachable)).ocsp(Ocsp::Down),
        Case::new(
            "CRL signed by another CA",
            unavailable(Why::CrlBadSignature),
        )
        .ocsp(Ocsp::Down)
        .crl(Crl::ByOtherCa),
        Case::new("CRL past its nextUpdate", unavailable(Why::CrlNotCurrent))
            .ocsp(Ocsp::Down)
            .crl(Crl::Outdated),
        Case::new("CRL only", Accepted(CheckedBy::Crl))
            .leaf(Leaf {
                ocsp: None,
                ..Leaf::default()
            })
            .crl(Crl::Revoking(vec![])),
        Case::new("no revocation source", unavailable(Why::NoSource)).leaf(Leaf {
            ocsp: None,
            crl: None,
            ..Leaf::default()
        }),
    ]
}

#[tokio::test]
async fn each_refusal_and_acceptance() {
    let world = Arc::new(World::new());
    let mut failures = Vec::new();
    for case in cases() {
        let fetcher = match case.ocsp {
            Ocsp::Reply(reply) => replying(&world, reply),
            Ocsp::Down => Arc::new(ScriptedFetcher::new()),
            Ocsp::Bytes(bytes) => {
                let fetcher = Arc::new(ScriptedFetcher::new());
                fetcher.answer_ocsp(Box::new(move |_| Ok(bytes.clone())));
                fetcher
            }
        };
        let fresh = (NOW - Duration::hours(1), NOW + Duration::days(1));
        fetcher.answer_crl(match &case.crl {
            Crl::Down => Err(FetchError::Connect("refused".to_owned())),
            Crl::Revoking(serials) => Ok(world.crl(serials, fresh.0, fresh.1)),
            Crl::ByOtherCa => Ok(crl_by(&world.other_ca, &[], fresh.0, fresh.1)),
            Crl::Outdated => Ok(world.crl(&[], NOW - Duration::days(2), NOW - Duration::days(1))),
        });
        let issuer = if case.by_other_ca {
            &world.other_ca
        } else {
            &world.ca
        };
        let (der, _key) = case.leaf.issue(issuer);
        let validator = validator(&world, fetcher, case.config);
        let outcome = validator
            .validate(&der, std::slice::from_ref(&issuer.der), &case.usage, NOW)
            .await;
        let ok = match (&case.expect, &outcome) {
            (Expect::Accepted(by), Ok(valid)) => valid.revocation == *by,
            (Expect::Refused(expected), Err(refusal)) => refusal == expected,
            (Expect::Code(code), Err(refusal)) => refusal.code() == *code,
            _ => false,
        };
        if !ok {
            failures.push(format!("{}: got {outcome:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test]
async fn an_accepted_certificate_says_who_and_which_key() {
    let world = Arc::new(World::new());
    let (der, key) = Leaf::default().issue(&world.ca);
    let fetcher = replying(&world, Reply::good());
    let validator = validator(&world, Arc::clone(&fetcher), RevocationConfig::default());
    let valid = validator
        .validate(&der, std::slice::from_ref(&world.ca.der), &usb_usage(), NOW)
        .await
        .unwrap();
    // OCSP answered, so the CRL was not fetched.
    assert_eq!((fetcher.ocsp_calls(), fetcher.crl_calls()), (1, 0));
    assert_eq!(
        valid.identity,
        CertIdentity::Citizen(domain::PersonalId::parse(CCCD).unwrap())
    );
    assert_eq!(valid.common_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(valid.serial_hex, "1001");
    assert!(
        valid.subject.contains("CCCD:001099012345"),
        "{}",
        valid.subject
    );
    assert!(valid.issuer.contains("CN=VN Test CA"), "{}", valid.issuer);
    assert_eq!(valid.not_after, datetime!(2027-01-01 0:00 UTC));
    assert_eq!(valid.der, der);
    let spki = rcgen::PublicKeyData::subject_public_key_info(&key);
    let expected = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &spki);
    assert_eq!(valid.spki_sha256.as_slice(), expected.as_ref());
}

#[tokio::test]
async fn an_organisation_certificate_names_the_business() {
    let world = Arc::new(World::new());
    let (der, _) = Leaf::organisation(MST, "Công ty Cổ phần Ví Dụ").issue(&world.ca);
    let validator = validator(
        &world,
        replying(&world, Reply::good()),
        RevocationConfig::default(),
    );
    let valid = validator
        .validate(&der, std::slice::from_ref(&world.ca.der), &usb_usage(), NOW)
        .await
        .unwrap();
    assert_eq!(
        valid.identity,
        CertIdentity::Organisation {
            tax_code: domain::TaxCode::parse(MST).unwrap(),
            name: "Công ty Cổ phần Ví Dụ".to_owned(),
        }
    );
}

#[tokio::test]
async fn intermediates_come_from_the_holder_or_the_configuration() {
    let world = Arc::new(World::new());
    let (der, _key) = Leaf::default().issue(&world.ca);
    let usage = usb_usage();

    let bare = validator(
        &world,
        replying(&world, Reply::good()),
        RevocationConfig::default(),
    );
    let refused = bare.validate(&der, &[], &usage, NOW).await.unwrap_err();
    assert_eq!(refused.code(), "pki.untrusted_issuer");

    let anchors = world
        .anchors()
        .with_intermediates_pem(world.ca.pem().as_bytes())
        .unwrap();
    let configured = pki::Validator::new(
        anchors,
        replying(&world, Reply::good()),
        Arc::new(domain::random::SeededRandomness::new(1)),
        RevocationConfig::default(),
    );
    configured.validate(&der, &[], &usage, NOW).await.unwrap();
}

#[tokio::test]
async fn unreadable_certificates_are_refused_not_panicked_on() {
    let world = Arc::new(World::new());
    let validator = validator(
        &world,
        replying(&world, Reply::good()),
        RevocationConfig::default(),
    );
    let usage = usb_usage();
    for bytes in [&b""[..], b"\x30\x03\x02\x01", b"not a certificate"] {
        let refusal = validator
            .validate(bytes, &[], &usage, NOW)
            .await
            .unwrap_err();
        assert_eq!(refusal.code(), "pki.malformed");
    }
    let (der, _) = Leaf::default().issue(&world.ca);
    // Junk beside the real intermediate does not stop the path; junk alone builds none.
    let junk = b"junk".to_vec();
    validator
        .validate(&der, &[junk.clone(), world.ca.der.clone()], &usage, NOW)
        .await
        .unwrap();
    let refusal = validator
        .validate(&der, &[junk], &usage, NOW)
        .await
        .unwrap_err();
    assert_eq!(refusal.code(), "pki.untrusted_issuer");
}
