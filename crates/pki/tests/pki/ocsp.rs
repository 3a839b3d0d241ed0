//! The OCSP request we send and the cache of good answers.

use std::sync::{Arc, Mutex};

use pki::{CheckedBy, Refusal, RevocationConfig, UsagePolicy};
use time::Duration;
use x509_cert::ext::pkix::CrlReason;

use crate::support::*;

#[tokio::test]
async fn the_request_is_a_whole_ocsp_request_with_sha1_cert_id_and_a_fresh_nonce() {
    let world = Arc::new(World::new());
    let (der, _) = Leaf::default().issue(&world.ca);
    let nonces = Arc::new(Mutex::new(Vec::new()));
    let fetcher = Arc::new(ScriptedFetcher::new());
    {
        let world = Arc::clone(&world);
        let nonces = Arc::clone(&nonces);
        fetcher.answer_ocsp(Box::new(move |request| {
            let [single] = request.tbs_request.request_list.as_slice() else {
                panic!("one certificate per request");
            };
            let id = &single.req_cert;
            let ca = world.ca.cert();
            let sha1 = |bytes: &[u8]| {
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes)
                    .as_ref()
                    .to_vec()
            };
            assert_eq!(id.hash_algorithm.oid.to_string(), "1.3.14.3.2.26");
            assert_eq!(
                id.issuer_name_hash.as_bytes(),
                sha1(&der::Encode::to_der(&ca.tbs_certificate.subject).unwrap())
            );
            assert_eq!(
                id.issuer_key_hash.as_bytes(),
                sha1(
                    ca.tbs_certificate
                        .subject_public_key_info
                        .subject_public_key
                        .raw_bytes()
                )
            );
            assert_eq!(id.serial_number.as_bytes(), &[0x10, 0x01]);
            let nonce = request.nonce().expect("a nonce").0.as_bytes().to_vec();
            nonces.lock().unwrap().push(nonce);
            Ok(Reply::good().answer(&world, request))
        }));
    }
    // Caching off so that both validations ask.
    let config = RevocationConfig {
        max_cache_time: Duration::ZERO,
        ..RevocationConfig::default()
    };
    let validator = validator(&world, fetcher, config);
    for _ in 0..2 {
        validator
            .validate(
                &der,
                std::slice::from_ref(&world.ca.der),
                &UsagePolicy::any(),
                NOW,
            )
            .await
            .unwrap();
    }
    let nonces = nonces.lock().unwrap();
    assert_eq!(nonces.len(), 2);
    assert!(nonces.iter().all(|n| n.len() == 32));
    assert_ne!(nonces[0], nonces[1], "a nonce is never reused");
}

#[tokio::test]
async fn a_good_answer_is_cached_until_next_update_then_asked_again() {
    let world = Arc::new(World::new());
    let (der, _) = Leaf::default().issue(&world.ca);
    let fetcher = replying(&world, Reply::good()); // nextUpdate NOW + 10 min
    let validator = validator(&world, Arc::clone(&fetcher), RevocationConfig::default());
    let usage = UsagePolicy::any();
    let chain = [world.ca.der.clone()];
    let check = |at| validator.validate(&der, &chain, &usage, at);

    assert_eq!(check(NOW).await.unwrap().revocation, CheckedBy::Ocsp);
    assert_eq!(fetcher.ocsp_calls(), 1);
    let cached = check(NOW + Duration::minutes(9)).await.unwrap();
    assert_eq!(cached.revocation, CheckedBy::OcspCache);
    assert_eq!(fetcher.ocsp_calls(), 1);

    // At nextUpdate the cache no longer answers; the responder now says revoked.
    let later = NOW + Duration::minutes(10);
    let revoked_on = NOW + Duration::minutes(5);
    let world_for_reply = Arc::clone(&world);
    fetcher.answer_ocsp(Box::new(move |request| {
        let reply = Reply {
            this_update: later,
            next_update: Some(later + Duration::minutes(10)),
            ..Reply::revoked(revoked_on, Some(CrlReason::Superseded))
        };
        Ok(reply.answer(&world_for_reply, request))
    }));
    let refusal = check(later).await.unwrap_err();
    assert!(matches!(refusal, Refusal::Revoked { on, .. } if on == revoked_on));
    assert_eq!(fetcher.ocsp_calls(), 2);
    // A refusal is not cached: asked again.
    check(later).await.unwrap_err();
    assert_eq!(fetcher.ocsp_calls(), 3);
}

#[tokio::test]
async fn the_cache_keeps_no_longer_than_configured() {
    let world = Arc::new(World::new());
    let (der, _) = Leaf::default().issue(&world.ca);
    let reply = Reply {
        next_update: Some(NOW + Duration::days(7)),
        ..Reply::good()
    };
    let fetcher = replying(&world, reply);
    let validator = validator(&world, Arc::clone(&fetcher), RevocationConfig::default());
    let usage = UsagePolicy::any();
    let chain = [world.ca.der.clone()];

    validator.validate(&der, &chain, &usage, NOW).await.unwrap();
    let within = validator
        .validate(&der, &chain, &usage, NOW + Duration::minutes(59))
        .await
        .unwrap();
    assert_eq!(within.revocation, CheckedBy::OcspCache);
    assert_eq!(fetcher.ocsp_calls(), 1);

    // An hour on, the cache has expired; the old answer is now stale too.
    let refusal = validator
        .validate(&der, &chain, &usage, NOW + Duration::minutes(61))
        .await
        .unwrap_err();
    assert_eq!(refusal.reason_code(), Some("stale"));
    assert_eq!(fetcher.ocsp_calls(), 2);
}
