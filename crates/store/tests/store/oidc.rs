//! The OpenID provider's records, on both backends: clients and consents, signing keys,
//! single-use codes and refresh tokens (also under concurrency), session-ending side effects
//! and the logout outbox, denylists, purging, and migrating 0002 over existing data.

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::{AccountStatus, AssuranceLevel};
use serde_json::json;
use store::testing::TestDb;
use store::{
    AccountId, AuthorizationCode, ClaimMapping, ClientAuthMethod, ClientSettings, CodeRedemption,
    Grant, NewRefreshToken, OidcClient, RefreshRotation, Rotation, Session, SigningAlg, SigningKey,
    StoreError, SubjectType,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{NOW, holder, new_session, registered};

fn client(id: &str) -> OidcClient {
    OidcClient {
        id: id.to_owned(),
        name: format!("Dịch vụ công {id}"),
        secret_hash: Some([0x5e; 32]),
        settings: ClientSettings {
            post_logout_redirect_uris: vec![format!("https://{id}.example.vn/")],
            backchannel_logout_uri: Some(format!("https://{id}.example.vn/logout")),
            min_acr: Some(AssuranceLevel::LoA2),
            claim_mapping: ClaimMapping::Portal,
            subject_type: SubjectType::Pairwise,
            consent: true,
            ..ClientSettings::first_party(
                &format!("https://{id}.example.vn/callback"),
                &["openid", "profile", "offline_access"],
            )
        },
        created_at: NOW,
        updated_at: NOW,
    }
}

/// `client` exchanging refresh token `presented` for `next`, with no retry grace: presenting
/// a token twice is reuse, as before the grace existed.
fn rotation<'a>(
    presented: &'a [u8; 32],
    client: &'a str,
    next: &'a [u8; 32],
    now: OffsetDateTime,
) -> Rotation<'a> {
    Rotation {
        presented,
        client,
        next,
        now,
        retry_grace: Duration::ZERO,
    }
}

async fn with_clients(db: &TestDb, ids: &[&str]) {
    for id in ids {
        db.store.create_client(&client(id)).await.unwrap();
    }
}

async fn signed_in(db: &TestDb, account: AccountId, token: u8) -> Session {
    db.store
        .create_session(&new_session(account, token, Duration::hours(1)), NOW)
        .await
        .unwrap()
}

fn code(client_id: &str, session: &Session, hash: u8, expires_in: Duration) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: [hash; 32],
        client_id: client_id.to_owned(),
        grant_id: Uuid::new_v4(),
        account_id: session.account_id,
        session_id: session.id,
        redirect_uri: format!("https://{client_id}.example.vn/callback"),
        scope: "openid profile".to_owned(),
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()),
        acr: AssuranceLevel::LoA2,
        amr: vec!["pwd".to_owned(), "otp".to_owned()],
        auth_time: NOW,
        created_at: NOW,
        expires_at: NOW + expires_in,
    }
}

fn grant_of(code: &AuthorizationCode, lifetime: Duration) -> Grant {
    Grant {
        id: code.grant_id,
        client_id: code.client_id.clone(),
        account_id: code.account_id,
        session_id: code.session_id,
        scope: code.scope.clone(),
        acr: code.acr,
        amr: code.amr.clone(),
        auth_time: code.auth_time,
        created_at: NOW,
        expires_at: NOW + lifetime,
        revoked_at: None,
    }
}

fn refresh(hash: u8, grant_id: Uuid, expires_in: Duration) -> NewRefreshToken {
    NewRefreshToken {
        token_hash: [hash; 32],
        grant_id,
        expires_at: NOW + expires_in,
    }
}

/// A code from the session, redeemed, and its grant with a first refresh token `[token; 32]`.
async fn granted(db: &TestDb, client_id: &str, session: &Session, hash: u8, token: u8) -> Grant {
    let code = code(client_id, session, hash, Duration::minutes(1));
    db.store.create_code(&code).await.unwrap();
    assert!(matches!(
        db.store.redeem_code(&code.code_hash, NOW).await.unwrap(),
        CodeRedemption::Redeemed(_)
    ));
    let grant = grant_of(&code, Duration::days(30));
    let first = refresh(token, grant.id, Duration::days(30));
    db.store.create_grant(&grant, Some(&first)).await.unwrap();
    grant
}

async fn is_revoked(db: &TestDb, grant: Uuid) -> bool {
    db.store
        .grant(grant)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some()
}

/// The pending logouts due at `at`, as (session, client) pairs.
async fn queued(db: &TestDb, at: OffsetDateTime) -> BTreeSet<(Uuid, String)> {
    db.store
        .due_logouts(at, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.session_id, entry.client_id))
        .collect()
}

async fn clients_register_list_and_refuse_duplicates(db: TestDb) {
    with_clients(&db, &["thue", "bhxh"]).await;
    let again = db.store.create_client(&client("thue")).await;
    assert!(matches!(again, Err(StoreError::ClientExists)), "{again:?}");
    assert_eq!(
        StoreError::ClientExists.to_string(),
        "a client with this client_id already exists"
    );

    let read = db.store.client("thue").await.unwrap().unwrap();
    assert_eq!(read, client("thue"));
    assert!(db.store.client("unknown").await.unwrap().is_none());
    let ids: Vec<String> = db
        .store
        .clients()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["bhxh", "thue"]);

    let later = NOW + Duration::days(1);
    assert!(
        db.store
            .set_client_secret("thue", &[0x77; 32], later)
            .await
            .unwrap()
    );
    let rotated = db.store.client("thue").await.unwrap().unwrap();
    assert_eq!(rotated.secret_hash, Some([0x77; 32]));
    assert_eq!((rotated.created_at, rotated.updated_at), (NOW, later));
    assert!(
        !db.store
            .set_client_secret("unknown", &[1; 32], later)
            .await
            .unwrap()
    );

    // A public client has no secret, and its settings' defaults survive the round trip.
    let mut public = client("app");
    public.secret_hash = None;
    public.settings.auth_method = ClientAuthMethod::None;
    public.settings.jwks = Some(json!({"keys": []}));
    db.store.create_client(&public).await.unwrap();
    assert_eq!(db.store.client("app").await.unwrap().unwrap(), public);
}

async fn deleting_a_client_takes_its_codes_grants_and_consents(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh"]).await;
    let session = signed_in(&db, account, 1).await;
    let doomed = granted(&db, "thue", &session, 1, 1).await;
    let kept = granted(&db, "bhxh", &session, 2, 2).await;
    let pending = code("thue", &session, 3, Duration::minutes(1));
    db.store.create_code(&pending).await.unwrap();
    db.store
        .record_consent(account, "thue", "openid", NOW)
        .await
        .unwrap();
    db.store
        .record_consent(account, "bhxh", "openid", NOW)
        .await
        .unwrap();
    assert!(
        db.store
            .use_assertion_jti("thue", "j1", NOW + Duration::minutes(5))
            .await
            .unwrap()
    );

    assert!(db.store.delete_client("thue").await.unwrap());
    assert!(!db.store.delete_client("thue").await.unwrap());
    assert!(db.store.client("thue").await.unwrap().is_none());
    assert!(db.store.grant(doomed.id).await.unwrap().is_none());
    assert!(db.store.refresh_token(&[1; 32]).await.unwrap().is_none());
    assert_eq!(
        db.store.redeem_code(&pending.code_hash, NOW).await.unwrap(),
        CodeRedemption::Invalid
    );
    assert!(db.store.consent(account, "thue").await.unwrap().is_none());
    assert_eq!(
        db.store.session_clients(session.id).await.unwrap(),
        ["bhxh"]
    );

    // The other client's records stay.
    assert!(db.store.grant(kept.id).await.unwrap().is_some());
    assert!(db.store.refresh_token(&[2; 32]).await.unwrap().is_some());
    assert_eq!(
        db.store.consent(account, "bhxh").await.unwrap().as_deref(),
        Some("openid")
    );
}

async fn consent_is_recorded_and_replaced(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    assert!(db.store.consent(account, "thue").await.unwrap().is_none());
    db.store
        .record_consent(account, "thue", "openid", NOW)
        .await
        .unwrap();
    db.store
        .record_consent(
            account,
            "thue",
            "openid profile phone",
            NOW + Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(
        db.store.consent(account, "thue").await.unwrap().as_deref(),
        Some("openid profile phone")
    );
    let unknown = db
        .store
        .record_consent(account, "unknown", "openid", NOW)
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );
}

fn signing_key(kid: &str, alg: SigningAlg, created_at: OffsetDateTime) -> SigningKey {
    SigningKey {
        kid: kid.to_owned(),
        alg,
        sealed_private_key: kid.bytes().chain([0, 255, 7]).collect(),
        public_jwk: json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": "f83O", "y": "x_FE"}),
        created_at,
        activates_at: created_at + Duration::days(1),
        retires_at: None,
    }
}

async fn signing_keys_are_published_until_retired(db: TestDb) {
    let old = signing_key("k-2026-10", SigningAlg::ES256, NOW - Duration::days(30));
    let new = signing_key("k-2026-11", SigningAlg::RS256, NOW);
    db.store.add_signing_key(&new).await.unwrap();
    db.store.add_signing_key(&old).await.unwrap();
    assert_eq!(
        db.store.signing_keys(NOW).await.unwrap(),
        [old.clone(), new.clone()]
    );

    let retires_at = NOW + Duration::days(2);
    assert!(
        db.store
            .retire_signing_key(&old.kid, retires_at)
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .retire_signing_key("unknown", retires_at)
            .await
            .unwrap()
    );
    let published = db
        .store
        .signing_keys(NOW + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(published.len(), 2);
    assert_eq!(published[0].retires_at, Some(retires_at));
    assert_eq!(db.store.signing_keys(retires_at).await.unwrap(), [new]);
}

async fn a_code_redeems_once_and_a_replay_revokes_its_grant(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let issued = code("thue", &session, 1, Duration::minutes(1));
    db.store.create_code(&issued).await.unwrap();
    assert_eq!(
        db.store.session_clients(session.id).await.unwrap(),
        ["thue"]
    );

    let at = NOW + Duration::seconds(10);
    assert_eq!(
        db.store.redeem_code(&issued.code_hash, at).await.unwrap(),
        CodeRedemption::Redeemed(issued.clone())
    );
    let grant = grant_of(&issued, Duration::days(30));
    db.store
        .create_grant(&grant, Some(&refresh(1, grant.id, Duration::days(30))))
        .await
        .unwrap();
    assert_eq!(db.store.grant(grant.id).await.unwrap(), Some(grant.clone()));

    assert_eq!(
        db.store.redeem_code(&issued.code_hash, at).await.unwrap(),
        CodeRedemption::Replayed { grant_id: grant.id }
    );
    assert!(is_revoked(&db, grant.id).await);
    let rotation = db
        .store
        .rotate_refresh_token(&rotation(&[1; 32], &grant.client_id, &[2; 32], at))
        .await
        .unwrap();
    assert_eq!(rotation, RefreshRotation::Invalid);

    // A replay that lands before the grant is created leaves nothing to create it for.
    let raced = code("thue", &session, 2, Duration::minutes(1));
    db.store.create_code(&raced).await.unwrap();
    assert!(matches!(
        db.store.redeem_code(&raced.code_hash, at).await.unwrap(),
        CodeRedemption::Redeemed(_)
    ));
    assert_eq!(
        db.store.redeem_code(&raced.code_hash, at).await.unwrap(),
        CodeRedemption::Replayed {
            grant_id: raced.grant_id
        }
    );
    let refused = db
        .store
        .create_grant(&grant_of(&raced, Duration::days(30)), None)
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "code" })),
        "{refused:?}"
    );
    assert!(db.store.grant(raced.grant_id).await.unwrap().is_none());
}

async fn expired_and_unknown_codes_are_invalid(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let issued = code("thue", &session, 1, Duration::minutes(1));
    db.store.create_code(&issued).await.unwrap();
    let late = NOW + Duration::minutes(1);
    for _ in 0..2 {
        assert_eq!(
            db.store.redeem_code(&issued.code_hash, late).await.unwrap(),
            CodeRedemption::Invalid
        );
    }
    assert_eq!(
        db.store.redeem_code(&[9; 32], NOW).await.unwrap(),
        CodeRedemption::Invalid
    );
    let unknown_client = code("unknown", &session, 2, Duration::minutes(1));
    let refused = db.store.create_code(&unknown_client).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
}

async fn concurrent_redeems_of_one_code_let_exactly_one_through(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let issued = code("thue", &session, 1, Duration::minutes(1));
    db.store.create_code(&issued).await.unwrap();

    let tries = (0..20).map(|_| {
        let store = Arc::clone(&db.store);
        tokio::spawn(async move { store.redeem_code(&[1; 32], NOW).await.unwrap() })
    });
    let mut redeemed = 0;
    let mut replayed = 0;
    for outcome in futures_util::future::join_all(tries).await {
        match outcome.unwrap() {
            CodeRedemption::Redeemed(code) => {
                assert_eq!(code, issued);
                redeemed += 1;
            }
            CodeRedemption::Replayed { grant_id } => {
                assert_eq!(grant_id, issued.grant_id);
                replayed += 1;
            }
            CodeRedemption::Invalid => panic!("a live code is never invalid"),
        }
    }
    assert_eq!((redeemed, replayed), (1, 19));
    // Replays were seen, so the winner gets no grant either.
    let refused = db
        .store
        .create_grant(&grant_of(&issued, Duration::days(1)), None)
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::NotFound { what: "code" })
    ));
}

async fn codes_and_grants_need_a_live_session(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let issued = code("thue", &session, 1, Duration::minutes(1));
    db.store.create_code(&issued).await.unwrap();
    assert!(matches!(
        db.store.redeem_code(&issued.code_hash, NOW).await.unwrap(),
        CodeRedemption::Redeemed(_)
    ));
    // Logout while the code is being redeemed: the grant is refused.
    assert!(db.store.revoke_session(session.id, NOW).await.unwrap());
    let grant = grant_of(&issued, Duration::days(1));
    let refused = db
        .store
        .create_grant(&grant, Some(&refresh(1, grant.id, Duration::days(1))))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "session" })),
        "{refused:?}"
    );
    assert!(db.store.grant(grant.id).await.unwrap().is_none());
    assert!(db.store.refresh_token(&[1; 32]).await.unwrap().is_none());
    let refused = db
        .store
        .create_code(&code("thue", &session, 2, Duration::minutes(1)))
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::NotFound { what: "session" })
    ));

    // An idle-expired session counts as ended; so does another account's session.
    let idle = signed_in(&db, account, 2).await;
    let mut late = code("thue", &idle, 3, Duration::minutes(1));
    late.created_at = NOW + Duration::hours(1);
    let refused = db.store.create_code(&late).await;
    assert!(matches!(
        refused,
        Err(StoreError::NotFound { what: "session" })
    ));
    let mut stranger = code("thue", &idle, 4, Duration::minutes(1));
    stranger.account_id = AccountId(Uuid::new_v4());
    let refused = db.store.create_code(&stranger).await;
    assert!(matches!(
        refused,
        Err(StoreError::NotFound { what: "session" })
    ));
}

async fn another_clients_token_is_neither_spent_nor_burned(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;
    for _ in 0..2 {
        let stolen = db
            .store
            .rotate_refresh_token(&rotation(&[1; 32], "bhxh", &[2; 32], NOW))
            .await
            .unwrap();
        assert_eq!(stolen, RefreshRotation::OtherClient);
    }
    let (token, family) = db.store.refresh_token(&[1; 32]).await.unwrap().unwrap();
    assert_eq!((token.used_at, family.revoked_at), (None, None));
    assert!(db.store.refresh_token(&[2; 32]).await.unwrap().is_none());
    let own = db
        .store
        .rotate_refresh_token(&rotation(&[1; 32], &grant.client_id, &[3; 32], NOW))
        .await
        .unwrap();
    assert_eq!(own, RefreshRotation::Rotated(grant));
}

async fn a_locked_accounts_tokens_do_not_rotate(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;
    // Whatever changed the status (here, behind the store's back), a locked account's family
    // does not rotate.
    let locked = db
        .execute("UPDATE accounts SET status = 'locked'")
        .await
        .unwrap();
    assert_eq!(locked, 1, "the test's one account");
    let rotation = db
        .store
        .rotate_refresh_token(&rotation(&[1; 32], &grant.client_id, &[2; 32], NOW))
        .await
        .unwrap();
    assert_eq!(rotation, RefreshRotation::Invalid);
}

async fn rotation_spends_once_and_reuse_revokes_the_family(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;

    let at = NOW + Duration::hours(2);
    let rotated = db
        .store
        .rotate_refresh_token(&rotation(&[1; 32], &grant.client_id, &[2; 32], at))
        .await
        .unwrap();
    assert_eq!(rotated, RefreshRotation::Rotated(grant.clone()));
    let (old, _) = db.store.refresh_token(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(old.used_at, Some(at));
    let (new, family) = db.store.refresh_token(&[2; 32]).await.unwrap().unwrap();
    assert_eq!(
        (new.grant_id, new.created_at, new.used_at),
        (grant.id, at, None)
    );
    assert_eq!(family, grant);

    // The old token again: someone kept a copy. The family goes, the newest token with it.
    let reused = db
        .store
        .rotate_refresh_token(&rotation(&[1; 32], &grant.client_id, &[3; 32], at))
        .await
        .unwrap();
    assert_eq!(reused, RefreshRotation::Reused { grant_id: grant.id });
    assert!(is_revoked(&db, grant.id).await);
    let newest = db
        .store
        .rotate_refresh_token(&rotation(&[2; 32], &grant.client_id, &[4; 32], at))
        .await
        .unwrap();
    assert_eq!(newest, RefreshRotation::Invalid);
    assert!(db.store.refresh_token(&[3; 32]).await.unwrap().is_none());
    assert!(db.store.refresh_token(&[4; 32]).await.unwrap().is_none());
    assert!(!db.store.revoke_grant(grant.id, at).await.unwrap());
    let unknown = db
        .store
        .rotate_refresh_token(&rotation(&[9; 32], &grant.client_id, &[5; 32], at))
        .await
        .unwrap();
    assert_eq!(unknown, RefreshRotation::Invalid);
}

const GRACE: Duration = Duration::seconds(30);

/// The rotation of `rotation`, with the retry grace.
fn with_grace(rotation: Rotation<'_>) -> Rotation<'_> {
    Rotation {
        retry_grace: GRACE,
        ..rotation
    }
}

/// When the refresh token `hash` was spent, if it was.
async fn used_at(db: &TestDb, hash: u8) -> Option<OffsetDateTime> {
    let (token, _) = db.store.refresh_token(&[hash; 32]).await.unwrap().unwrap();
    token.used_at
}

/// `client` presents refresh token 1 twenty times at once, asking for tokens 100 to 119.
async fn twenty_at_once(
    db: &TestDb,
    client: &str,
    now: OffsetDateTime,
    retry_grace: Duration,
) -> Vec<RefreshRotation> {
    let tries = (0..20u8).map(|i| {
        let store = Arc::clone(&db.store);
        let client = client.to_owned();
        tokio::spawn(async move {
            store
                .rotate_refresh_token(&Rotation {
                    retry_grace,
                    ..rotation(&[1; 32], &client, &[100 + i; 32], now)
                })
                .await
                .unwrap()
        })
    });
    futures_util::future::join_all(tries)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

async fn a_retry_soon_after_an_exchange_is_exchanged_again_and_the_lost_token_spent(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;
    let client = grant.client_id.as_str();
    let at = NOW + Duration::hours(1);
    let rotated = db
        .store
        .rotate_refresh_token(&with_grace(rotation(&[1; 32], client, &[2; 32], at)))
        .await
        .unwrap();
    assert_eq!(rotated, RefreshRotation::Rotated(grant.clone()));

    // The answer carrying token 2 was lost; the client tries again with token 1, twice.
    for (retry, (lost, next)) in [(2u8, 3u8), (3, 4)].into_iter().enumerate() {
        let later = at + Duration::seconds(10) * (retry as i32 + 1);
        let again = db
            .store
            .rotate_refresh_token(&with_grace(rotation(&[1; 32], client, &[next; 32], later)))
            .await
            .unwrap();
        assert_eq!(
            again,
            RefreshRotation::Exchanged(grant.clone()),
            "retry {retry}"
        );
        assert_eq!(
            used_at(&db, lost).await,
            Some(later),
            "the lost token is spent"
        );
        assert_eq!(used_at(&db, next).await, None, "its replacement is live");
        assert_eq!(
            used_at(&db, 1).await,
            Some(at),
            "the grace runs from the first exchange"
        );
    }
    // Another client holding a copy gets nothing and burns nothing, grace or not.
    let stolen = db
        .store
        .rotate_refresh_token(&with_grace(rotation(&[1; 32], "bhxh", &[5; 32], at)))
        .await
        .unwrap();
    assert_eq!(stolen, RefreshRotation::OtherClient);
    assert_eq!(used_at(&db, 4).await, None);

    // A discarded token presented later is reuse, whoever holds it: the family goes.
    let discarded = db
        .store
        .rotate_refresh_token(&with_grace(rotation(
            &[2; 32],
            client,
            &[6; 32],
            at + GRACE,
        )))
        .await
        .unwrap();
    assert_eq!(discarded, RefreshRotation::Reused { grant_id: grant.id });
    assert!(is_revoked(&db, grant.id).await);
    let live = db
        .store
        .rotate_refresh_token(&with_grace(rotation(
            &[4; 32],
            client,
            &[7; 32],
            at + GRACE,
        )))
        .await
        .unwrap();
    assert_eq!(live, RefreshRotation::Invalid);
}

async fn a_retry_is_reuse_once_the_successor_was_used_or_the_grace_is_over(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let used = granted(&db, "thue", &session, 1, 1).await;
    let late = granted(&db, "thue", &session, 2, 11).await;
    let client = used.client_id.as_str();
    let rotate = |presented: u8, next: u8, now: OffsetDateTime| {
        let store = Arc::clone(&db.store);
        async move {
            store
                .rotate_refresh_token(&with_grace(rotation(
                    &[presented; 32],
                    client,
                    &[next; 32],
                    now,
                )))
                .await
                .unwrap()
        }
    };

    // The successor was used: whoever presents the old token now is not the client retrying.
    assert!(matches!(
        rotate(1, 2, NOW).await,
        RefreshRotation::Rotated(_)
    ));
    assert!(matches!(
        rotate(2, 3, NOW).await,
        RefreshRotation::Rotated(_)
    ));
    let after_use = rotate(1, 4, NOW + Duration::seconds(1)).await;
    assert_eq!(after_use, RefreshRotation::Reused { grant_id: used.id });
    assert!(is_revoked(&db, used.id).await);

    // The grace is counted from the first exchange, and over when it has run.
    assert!(matches!(
        rotate(11, 12, NOW).await,
        RefreshRotation::Rotated(_)
    ));
    let last_moment = rotate(11, 13, NOW + GRACE - Duration::milliseconds(1)).await;
    assert_eq!(last_moment, RefreshRotation::Exchanged(late.clone()));
    let too_late = rotate(11, 14, NOW + GRACE).await;
    assert_eq!(too_late, RefreshRotation::Reused { grant_id: late.id });
    assert!(is_revoked(&db, late.id).await);
}

async fn a_retry_of_a_locked_accounts_token_is_not_exchanged(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;
    let client = grant.client_id.as_str();
    let rotated = db
        .store
        .rotate_refresh_token(&with_grace(rotation(&[1; 32], client, &[2; 32], NOW)))
        .await
        .unwrap();
    assert!(matches!(rotated, RefreshRotation::Rotated(_)));
    let locked = db
        .execute("UPDATE accounts SET status = 'locked'")
        .await
        .unwrap();
    assert_eq!(locked, 1, "the test's one account");
    let retry = db
        .store
        .rotate_refresh_token(&with_grace(rotation(&[1; 32], client, &[3; 32], NOW)))
        .await
        .unwrap();
    assert_eq!(retry, RefreshRotation::Invalid);
    assert_eq!(used_at(&db, 2).await, None, "nothing was spent");
    assert!(db.store.refresh_token(&[3; 32]).await.unwrap().is_none());
}

async fn concurrent_retries_within_the_grace_leave_one_live_token(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;
    let first = db
        .store
        .rotate_refresh_token(&with_grace(rotation(&[1; 32], "thue", &[2; 32], NOW)))
        .await
        .unwrap();
    assert!(matches!(first, RefreshRotation::Rotated(_)));

    let outcomes = twenty_at_once(&db, "thue", NOW + Duration::seconds(5), GRACE).await;
    // The retries queue on the grant: each finds the token the one before it stored unused.
    let exchanged = outcomes
        .iter()
        .filter(|o| **o == RefreshRotation::Exchanged(grant.clone()))
        .count();
    assert_eq!(exchanged, 20, "{outcomes:?}");
    let mut live = Vec::new();
    for hash in std::iter::once(2).chain(100..120) {
        if used_at(&db, hash).await.is_none() {
            live.push(hash);
        }
    }
    assert_eq!(live.len(), 1, "one live token in the family: {live:?}");
    assert!(!is_revoked(&db, grant.id).await);
}

async fn concurrent_rotations_of_one_token_let_exactly_one_through(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let grant = granted(&db, "thue", &session, 1, 1).await;

    let outcomes = twenty_at_once(&db, &grant.client_id, NOW, Duration::ZERO).await;
    let rotated = outcomes
        .iter()
        .filter(|o| matches!(o, RefreshRotation::Rotated(_)))
        .count();
    let reused = outcomes
        .iter()
        .filter(|o| matches!(o, RefreshRotation::Reused { .. }))
        .count();
    assert_eq!((rotated, reused), (1, 19), "{outcomes:?}");
    assert!(is_revoked(&db, grant.id).await);
}

async fn expired_or_revoked_grants_and_tokens_do_not_rotate(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;

    // The grant's absolute lifetime ends before the token's.
    let short = code("thue", &session, 1, Duration::minutes(1));
    db.store.create_code(&short).await.unwrap();
    let grant = grant_of(&short, Duration::hours(1));
    db.store
        .create_grant(&grant, Some(&refresh(1, grant.id, Duration::days(30))))
        .await
        .unwrap();
    let after = NOW + Duration::hours(1);
    assert_eq!(
        db.store
            .rotate_refresh_token(&rotation(&[1; 32], &grant.client_id, &[2; 32], after))
            .await
            .unwrap(),
        RefreshRotation::Invalid
    );
    // Nothing was spent by the refusal.
    let (token, _) = db.store.refresh_token(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(token.used_at, None);

    // The token's own lifetime ends first: invalid, and not mistaken for reuse.
    let other = granted(&db, "thue", &session, 2, 3).await;
    let token_expired = NOW + Duration::days(30);
    assert_eq!(
        db.store
            .rotate_refresh_token(&rotation(
                &[3; 32],
                &other.client_id,
                &[4; 32],
                token_expired
            ))
            .await
            .unwrap(),
        RefreshRotation::Invalid
    );

    // A revoked grant.
    let revoked = granted(&db, "thue", &session, 3, 5).await;
    assert!(db.store.revoke_grant(revoked.id, NOW).await.unwrap());
    assert!(!db.store.revoke_grant(revoked.id, NOW).await.unwrap());
    assert!(!db.store.revoke_grant(Uuid::new_v4(), NOW).await.unwrap());
    assert_eq!(
        db.store
            .rotate_refresh_token(&rotation(&[5; 32], &revoked.client_id, &[6; 32], NOW))
            .await
            .unwrap(),
        RefreshRotation::Invalid
    );
    let (_, family) = db.store.refresh_token(&[5; 32]).await.unwrap().unwrap();
    assert_eq!(family.revoked_at, Some(NOW));
}

async fn ending_a_session_revokes_its_grants_and_queues_logouts(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh", "dvc"]).await;
    let ended = signed_in(&db, account, 1).await;
    let other = signed_in(&db, account, 2).await;
    let with_tokens = granted(&db, "thue", &ended, 1, 1).await;
    // bhxh got a code from the session but no grant yet; dvc only shares the other session.
    db.store
        .create_code(&code("bhxh", &ended, 2, Duration::minutes(1)))
        .await
        .unwrap();
    let elsewhere = granted(&db, "dvc", &other, 3, 3).await;
    assert_eq!(
        db.store.session_clients(ended.id).await.unwrap(),
        ["bhxh", "thue"]
    );

    let at = NOW + Duration::minutes(5);
    assert!(db.store.revoke_session(ended.id, at).await.unwrap());
    assert!(is_revoked(&db, with_tokens.id).await);
    assert!(!is_revoked(&db, elsewhere.id).await);
    let expected: BTreeSet<_> =
        [(ended.id, "bhxh".to_owned()), (ended.id, "thue".to_owned())].into();
    assert_eq!(queued(&db, at).await, expected);
    let due = db.store.due_logouts(at, 10).await.unwrap();
    assert!(due.iter().all(|entry| entry.account_id == account
        && entry.attempts == 0
        && entry.next_attempt_at == at
        && entry.created_at == at));

    // Ending it again changes nothing.
    assert!(!db.store.revoke_session(ended.id, at).await.unwrap());
    assert_eq!(db.store.due_logouts(at, 10).await.unwrap().len(), 2);

    // Ending the others (all but a current one) does the same for them.
    let current = signed_in(&db, account, 4).await;
    db.store
        .create_code(&code("thue", &current, 4, Duration::minutes(1)))
        .await
        .unwrap();
    let ended_count = db
        .store
        .revoke_sessions_of_account(account, Some(current.id), at)
        .await
        .unwrap();
    assert_eq!(ended_count, 1);
    assert!(is_revoked(&db, elsewhere.id).await);
    let queued_now = queued(&db, at).await;
    assert!(queued_now.contains(&(other.id, "dvc".to_owned())));
    assert!(!queued_now.iter().any(|(session, _)| *session == current.id));
    assert_eq!(queued_now.len(), 3);
}

async fn a_password_change_ends_grants_and_queues_logouts(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh"]).await;
    let first = signed_in(&db, account, 1).await;
    let second = signed_in(&db, account, 2).await;
    let a = granted(&db, "thue", &first, 1, 1).await;
    let b = granted(&db, "bhxh", &second, 2, 2).await;

    db.store
        .set_password(account, "$argon2id$v=19$new", &holder(), NOW)
        .await
        .unwrap();
    assert!(is_revoked(&db, a.id).await && is_revoked(&db, b.id).await);
    let expected: BTreeSet<_> = [
        (first.id, "thue".to_owned()),
        (second.id, "bhxh".to_owned()),
    ]
    .into();
    assert_eq!(queued(&db, NOW).await, expected);
    let trail = db.store.audit_of_account(account, 1).await.unwrap();
    assert_eq!(trail[0].details["sessions_ended"], 2);
}

async fn locking_an_account_ends_grants_and_queues_logouts(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh"]).await;
    let session = signed_in(&db, account, 1).await;
    let a = granted(&db, "thue", &session, 1, 1).await;
    let b = granted(&db, "bhxh", &session, 2, 2).await;
    // A session that ended earlier already said goodbye; it is not told again.
    let gone = signed_in(&db, account, 3).await;
    db.store
        .create_code(&code("thue", &gone, 3, Duration::minutes(1)))
        .await
        .unwrap();
    db.store.revoke_session(gone.id, NOW).await.unwrap();
    let entries = db.store.due_logouts(NOW, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    db.store.logout_delivered(entries[0].id).await.unwrap();

    db.store
        .set_status(account, AccountStatus::Locked, &holder(), NOW)
        .await
        .unwrap();
    assert!(is_revoked(&db, a.id).await && is_revoked(&db, b.id).await);
    let expected: BTreeSet<_> = [
        (session.id, "bhxh".to_owned()),
        (session.id, "thue".to_owned()),
    ]
    .into();
    assert_eq!(queued(&db, NOW).await, expected);
    assert_eq!(
        db.store
            .rotate_refresh_token(&rotation(&[1; 32], &a.client_id, &[9; 32], NOW))
            .await
            .unwrap(),
        RefreshRotation::Invalid
    );
}

async fn the_logout_outbox_retries_and_forgets_delivered_entries(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue", "bhxh"]).await;
    let older = signed_in(&db, account, 1).await;
    let newer = signed_in(&db, account, 2).await;
    db.store
        .create_code(&code("thue", &older, 1, Duration::minutes(1)))
        .await
        .unwrap();
    db.store
        .create_code(&code("bhxh", &newer, 2, Duration::minutes(1)))
        .await
        .unwrap();
    db.store.revoke_session(older.id, NOW).await.unwrap();
    let second = NOW + Duration::seconds(1);
    db.store.revoke_session(newer.id, second).await.unwrap();

    assert_eq!(
        db.store
            .due_logouts(NOW - Duration::seconds(1), 10)
            .await
            .unwrap(),
        []
    );
    let due = db.store.due_logouts(second, 10).await.unwrap();
    let order: Vec<&str> = due.iter().map(|e| e.client_id.as_str()).collect();
    assert_eq!(order, ["thue", "bhxh"], "oldest first");
    assert_eq!(db.store.due_logouts(second, 1).await.unwrap().len(), 1);

    let retry_at = NOW + Duration::minutes(1);
    db.store.logout_failed(due[0].id, retry_at).await.unwrap();
    let due_now = db.store.due_logouts(second, 10).await.unwrap();
    assert_eq!(
        due_now.iter().map(|e| e.id).collect::<Vec<_>>(),
        [due[1].id]
    );
    db.store.logout_delivered(due[1].id).await.unwrap();
    let retried = db.store.due_logouts(retry_at, 10).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!((retried[0].id, retried[0].attempts), (due[0].id, 1));
    assert_eq!(retried[0].next_attempt_at, retry_at);
    db.store.logout_failed(due[0].id, retry_at).await.unwrap();
    assert_eq!(
        db.store.due_logouts(retry_at, 10).await.unwrap()[0].attempts,
        2
    );
    db.store.logout_delivered(due[0].id).await.unwrap();
    assert_eq!(db.store.due_logouts(retry_at, 10).await.unwrap(), []);
}

async fn revoked_access_tokens_are_remembered(db: TestDb) {
    assert!(!db.store.access_token_revoked("at-1").await.unwrap());
    db.store
        .revoke_access_token("at-1", NOW + Duration::minutes(10))
        .await
        .unwrap();
    // Revoking twice is harmless.
    db.store
        .revoke_access_token("at-1", NOW + Duration::minutes(10))
        .await
        .unwrap();
    assert!(db.store.access_token_revoked("at-1").await.unwrap());
    assert!(!db.store.access_token_revoked("at-2").await.unwrap());
}

async fn an_assertion_jti_is_accepted_once_per_client(db: TestDb) {
    with_clients(&db, &["thue", "bhxh"]).await;
    let until = NOW + Duration::minutes(5);
    assert!(
        db.store
            .use_assertion_jti("thue", "jti-1", until)
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .use_assertion_jti("thue", "jti-1", until)
            .await
            .unwrap()
    );
    assert!(
        db.store
            .use_assertion_jti("bhxh", "jti-1", until)
            .await
            .unwrap()
    );
    assert!(
        db.store
            .use_assertion_jti("thue", "jti-2", until)
            .await
            .unwrap()
    );

    let tries = (0..20).map(|_| {
        let store = Arc::clone(&db.store);
        tokio::spawn(async move {
            store
                .use_assertion_jti("bhxh", "jti-9", until)
                .await
                .unwrap()
        })
    });
    let accepted = futures_util::future::join_all(tries)
        .await
        .into_iter()
        .filter(|accepted| *accepted.as_ref().unwrap())
        .count();
    assert_eq!(accepted, 1);
}

async fn purge_deletes_only_expired_rows(db: TestDb) {
    let account = registered(&db).await;
    with_clients(&db, &["thue"]).await;
    let session = signed_in(&db, account, 1).await;
    let at = NOW + Duration::hours(1);

    let stale_code = code("thue", &session, 1, Duration::minutes(10));
    let live_code = code("thue", &session, 2, Duration::hours(2));
    db.store.create_code(&stale_code).await.unwrap();
    db.store.create_code(&live_code).await.unwrap();

    // An expired grant with its token; a live grant with an expired and a live token.
    let expired = grant_of(
        &code("thue", &session, 3, Duration::minutes(1)),
        Duration::hours(1),
    );
    db.store
        .create_grant(&expired, Some(&refresh(1, expired.id, Duration::hours(1))))
        .await
        .unwrap();
    let live = grant_of(
        &code("thue", &session, 4, Duration::minutes(1)),
        Duration::days(30),
    );
    db.store
        .create_grant(&live, Some(&refresh(2, live.id, Duration::minutes(30))))
        .await
        .unwrap();
    assert!(matches!(
        db.store
            .rotate_refresh_token(&rotation(&[2; 32], &live.client_id, &[3; 32], NOW))
            .await
            .unwrap(),
        RefreshRotation::Rotated(_)
    ));

    db.store.revoke_access_token("old", at).await.unwrap();
    db.store
        .revoke_access_token("young", at + Duration::minutes(1))
        .await
        .unwrap();
    db.store.use_assertion_jti("thue", "old", at).await.unwrap();
    db.store
        .use_assertion_jti("thue", "young", at + Duration::minutes(1))
        .await
        .unwrap();

    // One code, two tokens, one grant, one revoked access token, one jti.
    assert_eq!(db.store.purge_expired_grants(at).await.unwrap(), 6);
    assert_eq!(db.store.purge_expired_grants(at).await.unwrap(), 0);

    assert_eq!(
        db.store
            .redeem_code(&stale_code.code_hash, NOW)
            .await
            .unwrap(),
        CodeRedemption::Invalid
    );
    assert!(matches!(
        db.store
            .redeem_code(&live_code.code_hash, NOW)
            .await
            .unwrap(),
        CodeRedemption::Redeemed(_)
    ));
    assert!(db.store.grant(expired.id).await.unwrap().is_none());
    assert!(db.store.grant(live.id).await.unwrap().is_some());
    assert!(db.store.refresh_token(&[1; 32]).await.unwrap().is_none());
    assert!(db.store.refresh_token(&[2; 32]).await.unwrap().is_none());
    assert!(db.store.refresh_token(&[3; 32]).await.unwrap().is_some());
    assert!(!db.store.access_token_revoked("old").await.unwrap());
    assert!(db.store.access_token_revoked("young").await.unwrap());
    // The expired jti is forgotten (its assertion would be refused for its `exp` anyway).
    assert!(db.store.use_assertion_jti("thue", "old", at).await.unwrap());
    assert!(
        !db.store
            .use_assertion_jti("thue", "young", at)
            .await
            .unwrap()
    );
}

/// The OpenID tables of 0002, children first.
const OIDC_TABLES: [&str; 10] = [
    "oidc_pending_logouts",
    "oidc_session_clients",
    "oidc_assertion_jtis",
    "oidc_revoked_access_tokens",
    "oidc_refresh_tokens",
    "oidc_grants",
    "oidc_codes",
    "oidc_signing_keys",
    "oidc_consents",
    "oidc_clients",
];

async fn migration_0002_applies_over_existing_data(db: TestDb) {
    // Take the database back to 0001 with data in it, as a deployment upgrading would be.
    db.execute("DROP TABLE oidc_client_web_origins")
        .await
        .unwrap();
    for table in OIDC_TABLES {
        db.execute(&format!("DROP TABLE {table}")).await.unwrap();
    }
    // 0003 (credentials) stays: it does not touch the OpenID tables.
    let forgotten = db
        .execute("DELETE FROM _sqlx_migrations WHERE version IN (2, 4)")
        .await
        .unwrap();
    assert_eq!(forgotten, 2);
    let account = registered(&db).await;
    let session = signed_in(&db, account, 1).await;

    let upgraded = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    assert!(upgraded.account(account).await.unwrap().is_some());
    upgraded.create_client(&client("thue")).await.unwrap();
    upgraded
        .create_code(&code("thue", &session, 1, Duration::minutes(1)))
        .await
        .unwrap();

    // Starting again applies nothing and loses nothing.
    let again = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    assert!(again.client("thue").await.unwrap().is_some());
    assert_eq!(again.session_clients(session.id).await.unwrap(), ["thue"]);
}

fn browser_app(id: &str, origins: &[&str]) -> OidcClient {
    let mut app = client(id);
    app.settings.web_origins = origins.iter().map(|origin| (*origin).to_owned()).collect();
    app
}

async fn web_origins_are_found_by_origin_and_go_with_their_client(db: TestDb) {
    let spa = browser_app("spa", &["https://app.example.vn", "http://127.0.0.1:5173"]);
    db.store.create_client(&spa).await.unwrap();
    db.store
        .create_client(&browser_app("other", &["https://app.example.vn"]))
        .await
        .unwrap();
    assert_eq!(db.store.client("spa").await.unwrap().unwrap(), spa);

    let registered = |origin: &'static str| {
        let store = Arc::clone(&db.store);
        async move { store.web_origin_registered(origin).await.unwrap() }
    };
    assert!(registered("https://app.example.vn").await);
    assert!(registered("http://127.0.0.1:5173").await);
    assert!(!registered("https://evil.example.vn").await);
    // Exactly as registered: no case folding, no prefix match.
    assert!(!registered("https://APP.example.vn").await);
    assert!(!registered("https://app.example.vn.evil.example").await);

    // A refused duplicate registration adds no origin.
    let again = db
        .store
        .create_client(&browser_app("spa", &["https://late.example.vn"]))
        .await;
    assert!(matches!(again, Err(StoreError::ClientExists)), "{again:?}");
    assert!(!registered("https://late.example.vn").await);

    assert!(db.store.delete_client("spa").await.unwrap());
    assert!(!registered("http://127.0.0.1:5173").await);
    assert!(
        registered("https://app.example.vn").await,
        "still the other client's"
    );
    assert!(db.store.delete_client("other").await.unwrap());
    assert!(!registered("https://app.example.vn").await);
}

async fn migration_0004_indexes_the_origins_clients_already_hold(db: TestDb) {
    db.store
        .create_client(&browser_app("spa", &["https://app.example.vn"]))
        .await
        .unwrap();
    db.store.create_client(&client("thue")).await.unwrap();
    // Back to 0002, the settings documents as they are.
    db.execute("DROP TABLE oidc_client_web_origins")
        .await
        .unwrap();
    let forgotten = db
        .execute("DELETE FROM _sqlx_migrations WHERE version = 4")
        .await
        .unwrap();
    assert_eq!(forgotten, 1);

    let upgraded = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    assert!(
        upgraded
            .web_origin_registered("https://app.example.vn")
            .await
            .unwrap()
    );
    assert!(upgraded.client("thue").await.unwrap().is_some());
    let again = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    assert!(
        again
            .web_origin_registered("https://app.example.vn")
            .await
            .unwrap()
    );
}

store::store_tests!(
    web_origins_are_found_by_origin_and_go_with_their_client,
    migration_0004_indexes_the_origins_clients_already_hold,
    another_clients_token_is_neither_spent_nor_burned,
    a_locked_accounts_tokens_do_not_rotate,
    clients_register_list_and_refuse_duplicates,
    deleting_a_client_takes_its_codes_grants_and_consents,
    consent_is_recorded_and_replaced,
    signing_keys_are_published_until_retired,
    a_code_redeems_once_and_a_replay_revokes_its_grant,
    expired_and_unknown_codes_are_invalid,
    concurrent_redeems_of_one_code_let_exactly_one_through,
    codes_and_grants_need_a_live_session,
    rotation_spends_once_and_reuse_revokes_the_family,
    concurrent_rotations_of_one_token_let_exactly_one_through,
    a_retry_soon_after_an_exchange_is_exchanged_again_and_the_lost_token_spent,
    a_retry_is_reuse_once_the_successor_was_used_or_the_grace_is_over,
    a_retry_of_a_locked_accounts_token_is_not_exchanged,
    concurrent_retries_within_the_grace_leave_one_live_token,
    expired_or_revoked_grants_and_tokens_do_not_rotate,
    ending_a_session_revokes_its_grants_and_queues_logouts,
    a_password_change_ends_grants_and_queues_logouts,
    locking_an_account_ends_grants_and_queues_logouts,
    the_logout_outbox_retries_and_forgets_delivered_entries,
    revoked_access_tokens_are_remembered,
    an_assertion_jti_is_accepted_once_per_client,
    purge_deletes_only_expired_rows,
    migration_0002_applies_over_existing_data,
);
