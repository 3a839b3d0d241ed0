//! Signing keys: sign and verify per algorithm, the JWKS and an independent verifier, the
//! rotation timeline, sealing, and the tokens `verify` must refuse.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidc::OidcConfig;
use oidc::jwt::{self, JwtError};
use oidc::keys::{KeyError, KeyInfo, KeyRing, KeyStatus, SealingKey};
use serde_json::{Value, json};
use store::SigningAlg;
use store::testing::TestDb;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);
const KEK: &[u8] = b"the-key-encryption-key-of-this-test-0123456789";

fn ring(db: &TestDb) -> KeyRing {
    ring_with(db, KEK)
}

fn ring_with(db: &TestDb, kek: &[u8]) -> KeyRing {
    KeyRing::new(
        Arc::clone(&db.store),
        SealingKey::derive(kek),
        &OidcConfig::default(),
    )
}

fn claims(now: OffsetDateTime) -> Value {
    json!({ "iss": "https://id.example.vn", "sub": "acc-1", "exp": (now + Duration::minutes(5)).unix_timestamp() })
}

fn header(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn kid_of(token: &str) -> String {
    header(token)["kid"].as_str().unwrap().to_owned()
}

fn jwks_kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn token_error(error: KeyError) -> JwtError {
    match error {
        KeyError::Token(error) => error,
        other => panic!("expected a refused token, got {other:?}"),
    }
}

fn assert_send<T: Send>(_: &T) {}

async fn each_algorithm_signs_and_verifies(db: TestDb) {
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    let expected = claims(NOW);
    for alg in jwt::ALGORITHMS {
        let sign = ring.sign(alg, "JWT", &expected, NOW);
        assert_send(&sign);
        let token = sign.await.unwrap();
        let header = header(&token);
        assert_eq!(header["alg"], jwt::alg_name(alg));
        assert_eq!(header["typ"], "JWT");
        let verify = ring.verify::<Value>(&token, Some("JWT"), true, NOW);
        assert_send(&verify);
        assert_eq!(verify.await.unwrap(), claims(NOW));

        let error = ring
            .verify::<Value>(&token, Some("at+jwt"), true, NOW)
            .await
            .unwrap_err();
        assert!(matches!(token_error(error), JwtError::WrongType { .. }));
    }
    let access = ring
        .sign(SigningAlg::ES256, "at+jwt", &claims(NOW), NOW)
        .await
        .unwrap();
    ring.verify::<Value>(&access, Some("application/at+jwt"), true, NOW)
        .await
        .unwrap();
}

async fn ensure_keys_is_idempotent_and_two_nodes_agree(db: TestDb) {
    let first = ring(&db);
    let second = ring(&db);
    let (a, b) = tokio::join!(first.ensure_keys(NOW), second.ensure_keys(NOW));
    a.unwrap();
    b.unwrap();
    first.ensure_keys(NOW).await.unwrap();
    let keys = first.list(NOW).await.unwrap();
    // Racing nodes may each make a key per algorithm; never more, and never none.
    assert!((3..=6).contains(&keys.len()), "{keys:?}");
    // Once each has reloaded (at most every 30 s), both sign with the same key.
    let later = NOW + oidc::keys::RELOAD_EVERY + Duration::seconds(1);
    for alg in jwt::ALGORITHMS {
        let signing: Vec<&KeyInfo> = keys
            .iter()
            .filter(|key| key.alg == alg && key.status == KeyStatus::Signing)
            .collect();
        assert_eq!(signing.len(), 1, "{alg:?}: {keys:?}");
        // Each verifies the other's tokens.
        let by_first = first.sign(alg, "JWT", &claims(NOW), later).await.unwrap();
        let by_second = second.sign(alg, "JWT", &claims(NOW), later).await.unwrap();
        assert_eq!(kid_of(&by_first), signing[0].kid);
        assert_eq!(kid_of(&by_second), signing[0].kid);
        second
            .verify::<Value>(&by_first, None, true, later)
            .await
            .unwrap();
        first
            .verify::<Value>(&by_second, None, true, later)
            .await
            .unwrap();
    }
}

async fn the_jwks_verifies_tokens_with_an_independent_library(db: TestDb) {
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    let jwks = ring.jwks(NOW).await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3, "{jwks}");
    for key in keys {
        assert_eq!(key["use"], "sig");
        assert_eq!(
            key["kid"].as_str().unwrap(),
            oidc::keys::thumbprint(key).unwrap()
        );
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "{key}");
        }
    }
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    for (alg, theirs) in [
        (SigningAlg::ES256, jsonwebtoken::Algorithm::ES256),
        (SigningAlg::RS256, jsonwebtoken::Algorithm::RS256),
        (SigningAlg::EdDSA, jsonwebtoken::Algorithm::EdDSA),
    ] {
        let token = ring.sign(alg, "JWT", &claims(NOW), NOW).await.unwrap();
        let jwk = set.find(&kid_of(&token)).unwrap();
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(theirs);
        // Their clock is the system's; expiry is tested with ours below.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
        assert_eq!(data.claims, claims(NOW));
        assert_eq!(data.header.typ.as_deref(), Some("JWT"));
    }
}

async fn rotation_publishes_first_signs_later_and_retires_late(db: TestDb) {
    let config = OidcConfig::default();
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    let old = kid_of(
        &ring
            .sign(SigningAlg::ES256, "JWT", &claims(NOW), NOW)
            .await
            .unwrap(),
    );
    let old_token = ring
        .sign(SigningAlg::ES256, "JWT", &json!({"sub": "x"}), NOW)
        .await
        .unwrap();

    let rotated_at = NOW + Duration::hours(1);
    let created = ring.rotate(rotated_at).await.unwrap();
    assert_eq!(created.len(), 3);
    let ahead = Duration::seconds(config.key_publish_ahead_secs);
    let new = created
        .iter()
        .find(|key| key.alg == SigningAlg::ES256)
        .unwrap();
    assert_eq!(new.activates_at, rotated_at + ahead);
    assert!(new.retires_at.is_none());

    // Published at once, not yet signing.
    let kids = jwks_kids(&ring.jwks(rotated_at).await.unwrap());
    assert!(kids.contains(&new.kid) && kids.contains(&old), "{kids:?}");
    assert_eq!(kids.len(), 6);
    let status =
        |keys: &[KeyInfo], kid: &str| keys.iter().find(|key| key.kid == kid).map(|key| key.status);
    let listed = ring.list(rotated_at).await.unwrap();
    assert_eq!(status(&listed, &new.kid), Some(KeyStatus::Pending));
    assert_eq!(status(&listed, &old), Some(KeyStatus::Signing));
    let retires_at = listed
        .iter()
        .find(|key| key.kid == old)
        .unwrap()
        .retires_at
        .unwrap();
    let longest = config.id_token_ttl_secs.max(config.access_token_ttl_secs);
    assert_eq!(
        retires_at,
        new.activates_at + Duration::seconds(longest) + oidc::keys::RETIREMENT_MARGIN
    );

    let just_before = new.activates_at - Duration::seconds(1);
    let signed = ring
        .sign(SigningAlg::ES256, "JWT", &claims(just_before), just_before)
        .await
        .unwrap();
    assert_eq!(kid_of(&signed), old);

    // From activation the new key signs; the old one still verifies.
    let at = new.activates_at;
    let signed = ring
        .sign(SigningAlg::ES256, "JWT", &claims(at), at)
        .await
        .unwrap();
    assert_eq!(kid_of(&signed), new.kid);
    ring.verify::<Value>(&old_token, None, false, at)
        .await
        .unwrap();
    let listed = ring.list(at).await.unwrap();
    assert_eq!(status(&listed, &old), Some(KeyStatus::VerifyOnly));
    assert_eq!(status(&listed, &new.kid), Some(KeyStatus::Signing));

    let last = retires_at - Duration::seconds(1);
    assert!(jwks_kids(&ring.jwks(last).await.unwrap()).contains(&old));
    ring.verify::<Value>(&old_token, None, false, last)
        .await
        .unwrap();

    // Gone from the JWKS when every token it signed has expired; its tokens no longer verify.
    let kids = jwks_kids(&ring.jwks(retires_at).await.unwrap());
    assert!(!kids.contains(&old), "{kids:?}");
    assert_eq!(kids.len(), 3);
    let error = ring
        .verify::<Value>(&old_token, None, false, retires_at)
        .await
        .unwrap_err();
    assert_eq!(token_error(error), JwtError::UnknownKey);
    assert_eq!(status(&ring.list(retires_at).await.unwrap(), &old), None);
}

async fn a_second_rotation_before_activation_retires_the_pending_key_too(db: TestDb) {
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    let first = ring.rotate(NOW).await.unwrap();
    let second = ring.rotate(NOW + Duration::minutes(1)).await.unwrap();
    let listed = ring.list(NOW + Duration::minutes(1)).await.unwrap();
    assert_eq!(listed.len(), 9);
    // Every key but the newest of each algorithm is scheduled to leave the JWKS.
    for key in &listed {
        let newest = second.iter().any(|new| new.kid == key.kid);
        assert_eq!(key.retires_at.is_none(), newest, "{key:?}");
    }
    let pending = first
        .iter()
        .find(|key| key.alg == SigningAlg::EdDSA)
        .unwrap();
    let later = second
        .iter()
        .find(|key| key.alg == SigningAlg::EdDSA)
        .unwrap();
    let pending_info = listed.iter().find(|key| key.kid == pending.kid).unwrap();
    assert!(pending_info.retires_at.unwrap() > later.activates_at);
}

async fn a_key_made_elsewhere_is_found_when_a_token_names_it(db: TestDb) {
    let here = ring(&db);
    // Loads an empty store, and keeps that snapshot for up to 30 seconds.
    assert_eq!(here.jwks(NOW).await.unwrap(), json!({"keys": []}));
    let elsewhere = ring(&db);
    let later = NOW + Duration::seconds(2);
    elsewhere.ensure_keys(later).await.unwrap();
    let token = elsewhere
        .sign(SigningAlg::RS256, "JWT", &claims(later), later)
        .await
        .unwrap();
    here.verify::<Value>(&token, None, true, later)
        .await
        .unwrap();
    // And signing finds it too.
    here.sign(SigningAlg::EdDSA, "JWT", &claims(later), later)
        .await
        .unwrap();
}

async fn signing_without_keys_says_so(db: TestDb) {
    let ring = ring(&db);
    let error = ring
        .sign(SigningAlg::ES256, "JWT", &claims(NOW), NOW)
        .await
        .unwrap_err();
    assert!(matches!(error, KeyError::NoActiveKey("ES256")), "{error}");
}

async fn the_wrong_key_encryption_key_is_named(db: TestDb) {
    ring(&db).ensure_keys(NOW).await.unwrap();
    let other = ring_with(&db, b"another-key-encryption-key-9876543210-abcdef");
    let error = other.ensure_keys(NOW).await.unwrap_err();
    assert!(matches!(error, KeyError::WrongSealingKey), "{error}");
    assert_eq!(
        error.to_string(),
        "the key-encryption key does not match the one the signing keys were sealed with"
    );
    assert!(other.jwks(NOW).await.is_err());
    // Nothing is sealed under the wrong key: rotation refuses before making any.
    let error = other.rotate(NOW).await.unwrap_err();
    assert!(matches!(error, KeyError::WrongSealingKey), "{error}");
    assert_eq!(db.store.signing_keys(NOW).await.unwrap().len(), 3);
}

async fn moved_tampered_or_mismatched_sealed_keys_are_refused(db: TestDb) {
    ring(&db).ensure_keys(NOW).await.unwrap();
    let stored = db.store.signing_keys(NOW).await.unwrap();
    let original = stored
        .iter()
        .find(|key| key.alg == SigningAlg::ES256)
        .unwrap();
    let seal = SealingKey::derive(KEK);
    let der = seal
        .open(&original.kid, original.alg, &original.sealed_private_key)
        .unwrap();
    let mut tampered = original.sealed_private_key.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x80;
    let cases = [
        ("moved", original.sealed_private_key.clone(), "damaged"),
        ("tampered", tampered, "damaged"),
        (
            "impostor",
            seal.seal("impostor", SigningAlg::ES256, &der).unwrap(),
            "does not match its kid",
        ),
    ];
    for (kid, sealed, says) in cases {
        let row = store::SigningKey {
            kid: kid.to_owned(),
            sealed_private_key: sealed,
            ..original.clone()
        };
        db.store.add_signing_key(&row).await.unwrap();
        let fresh = ring(&db);
        let error = fresh.ensure_keys(NOW).await.unwrap_err();
        assert!(error.to_string().contains(says), "{kid}: {error}");
        assert!(error.to_string().contains(kid), "{kid}: {error}");
        // Take the row out of the JWKS before the next case.
        db.store
            .retire_signing_key(kid, NOW - Duration::seconds(1))
            .await
            .unwrap();
    }
    ring(&db).ensure_keys(NOW).await.unwrap();
}

async fn unsigned_hmac_confused_and_altered_tokens_are_refused(db: TestDb) {
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    let good = ring
        .sign(SigningAlg::RS256, "JWT", &claims(NOW), NOW)
        .await
        .unwrap();
    let kid = kid_of(&good);
    let b64 = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let payload = good.split('.').nth(1).unwrap();

    let none = format!("{}.{payload}.", b64(&json!({"alg": "none", "kid": kid})));
    let error = ring
        .verify::<Value>(&none, None, true, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        token_error(error),
        JwtError::AlgorithmNotAllowed("none".into())
    );

    // HS256 "signed" with the public key as the secret: the classic confusion attack.
    let jwks = ring.jwks(NOW).await.unwrap();
    let public = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == kid.as_str())
        .unwrap()
        .to_string();
    let input = format!("{}.{payload}", b64(&json!({"alg": "HS256", "kid": kid})));
    let mac = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, public.as_bytes()),
        input.as_bytes(),
    );
    let hs256 = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));
    let error = ring
        .verify::<Value>(&hs256, None, true, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        token_error(error),
        JwtError::AlgorithmNotAllowed("HS256".into())
    );

    // An ES256 header on the RS256 key's kid.
    let (_, signature) = good.rsplit_once('.').unwrap();
    let swapped = format!(
        "{}.{payload}.{signature}",
        b64(&json!({"alg": "ES256", "kid": kid, "typ": "JWT"}))
    );
    let error = ring
        .verify::<Value>(&swapped, None, true, NOW)
        .await
        .unwrap_err();
    assert_eq!(token_error(error), JwtError::AlgorithmMismatch);

    let altered_claims = b64(&json!({"sub": "someone-else", "exp": NOW.unix_timestamp() + 300}));
    let (head, _) = good.split_once('.').unwrap();
    let altered = format!("{head}.{altered_claims}.{signature}");
    let error = ring
        .verify::<Value>(&altered, None, true, NOW)
        .await
        .unwrap_err();
    assert_eq!(token_error(error), JwtError::BadSignature);

    let unknown = format!(
        "{}.{payload}.{signature}",
        b64(&json!({"alg": "RS256", "kid": "nobody", "typ": "JWT"}))
    );
    let error = ring
        .verify::<Value>(&unknown, None, true, NOW)
        .await
        .unwrap_err();
    assert_eq!(token_error(error), JwtError::UnknownKey);
}

async fn expiry_is_checked_against_the_injected_clock(db: TestDb) {
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    let token = ring
        .sign(SigningAlg::EdDSA, "JWT", &claims(NOW), NOW)
        .await
        .unwrap();
    let almost = NOW + Duration::seconds(299);
    ring.verify::<Value>(&token, None, true, almost)
        .await
        .unwrap();
    let expired = NOW + Duration::seconds(300);
    let error = ring
        .verify::<Value>(&token, None, true, expired)
        .await
        .unwrap_err();
    assert_eq!(token_error(error), JwtError::Expired);
    // An ID token hint may be expired: the caller says not to check.
    ring.verify::<Value>(&token, None, false, expired)
        .await
        .unwrap();

    let no_exp = ring
        .sign(SigningAlg::EdDSA, "JWT", &json!({"sub": "x"}), NOW)
        .await
        .unwrap();
    let error = ring
        .verify::<Value>(&no_exp, None, true, NOW)
        .await
        .unwrap_err();
    assert_eq!(token_error(error), JwtError::MissingExpiry);
}

async fn signing_reads_no_store_and_outlives_a_store_outage(db: TestDb) {
    let ring = ring(&db);
    ring.ensure_keys(NOW).await.unwrap();
    // From here on, every read of the signing keys fails.
    db.execute("ALTER TABLE oidc_signing_keys RENAME TO oidc_signing_keys_away")
        .await
        .unwrap();
    let soon = NOW + Duration::seconds(10);
    let token = ring
        .sign(SigningAlg::ES256, "JWT", &claims(soon), soon)
        .await
        .unwrap();
    ring.verify::<Value>(&token, None, true, soon)
        .await
        .unwrap();
    // Past the reload interval the store is tried, fails, and the loaded keys go on serving.
    let later = NOW + Duration::seconds(45);
    let token = ring
        .sign(SigningAlg::RS256, "JWT", &claims(later), later)
        .await
        .unwrap();
    ring.verify::<Value>(&token, None, true, later)
        .await
        .unwrap();
    assert_eq!(jwks_kids(&ring.jwks(later).await.unwrap()).len(), 3);
    // A ring that never loaded has nothing to fall back on.
    let error = self::ring(&db).jwks(later).await.unwrap_err();
    assert!(matches!(error, KeyError::Store(_)), "{error}");
}

store::store_tests!(
    each_algorithm_signs_and_verifies,
    ensure_keys_is_idempotent_and_two_nodes_agree,
    the_jwks_verifies_tokens_with_an_independent_library,
    rotation_publishes_first_signs_later_and_retires_late,
    a_second_rotation_before_activation_retires_the_pending_key_too,
    a_key_made_elsewhere_is_found_when_a_token_names_it,
    signing_without_keys_says_so,
    the_wrong_key_encryption_key_is_named,
    moved_tampered_or_mismatched_sealed_keys_are_refused,
    unsigned_hmac_confused_and_altered_tokens_are_refused,
    expiry_is_checked_against_the_injected_clock,
    signing_reads_no_store_and_outlives_a_store_outage,
);
