//! The store suite, written once and run on SQLite and on PostgreSQL (see `store_tests!`).

use std::sync::Arc;

use domain::{
    AccountKind, AccountStatus, AssuranceLevel, CredentialKind, Email, Gender, PersonalId,
    PhoneNumber, RegistrationChannel, TaxCode,
};
use serde_json::json;
use store::testing::TestDb;
use store::{
    AccountId, Actor, AuditContext, AuditKind, Identity, NewAccount, NewAuditEvent, NewCredential,
    NewFlow, NewOtpChallenge, NewSession, ResendLimit, StepWrite, StoreError, UniqueField,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

#[path = "store/audit_chain.rs"]
mod audit_chain;
#[path = "store/eid.rs"]
mod eid;
#[path = "store/oidc.rs"]
mod oidc;
#[path = "store/operators.rs"]
mod operators;

const NOW: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);

fn phone(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).unwrap()
}

fn holder() -> AuditContext {
    AuditContext {
        actor: Actor::Holder,
        client_ip: Some("203.0.113.7".to_owned()),
    }
}

fn citizen(personal_id: &str, phone_text: &str) -> NewAccount {
    NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(PersonalId::parse(personal_id).unwrap()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: "Nguyễn Thị Minh Khai".to_owned(),
            birth_date: Some(date!(1990 - 05 - 17)),
            gender: Some(Gender::Female),
        },
        email: Some(Email::parse("khai@example.vn").unwrap()),
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(phone(phone_text)),
        password_phc: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        audit: holder(),
    }
}

async fn registered(db: &TestDb) -> AccountId {
    register(db, "001190012345").await
}

/// A second citizen, on the first one's phone.
async fn another_registered(db: &TestDb) -> AccountId {
    register(db, "001090012346").await
}

async fn register(db: &TestDb, personal_id: &str) -> AccountId {
    db.store
        .create_account(&citizen(personal_id, "0912345678"), NOW)
        .await
        .unwrap()
        .id
}

async fn open_flow(db: &TestDb) -> store::FlowRecord {
    db.store
        .create_flow(&new_flow(Duration::minutes(15)), NOW)
        .await
        .unwrap()
}

async fn migrations_are_idempotent_with_data(db: TestDb) {
    let id = registered(&db).await;
    // A second start applies nothing and loses nothing.
    let again = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    assert!(again.account(id).await.unwrap().is_some());
}

async fn registration_writes_account_phone_password_and_audit_at_once(db: TestDb) {
    let created = db
        .store
        .create_account(&citizen("001190012345", "+84 912 345 678"), NOW)
        .await
        .unwrap();
    let read = db.store.account(created.id).await.unwrap().unwrap();
    assert_eq!(read, created);
    assert_eq!(read.identity.full_name, "Nguyễn Thị Minh Khai");
    assert_eq!(read.identity.birth_date, Some(date!(1990 - 05 - 17)));
    assert_eq!(read.status, AccountStatus::Active);
    assert_eq!(read.created_at, NOW);

    let phones = db.store.phones(created.id).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert!(phones[0].is_default);
    assert_eq!(phones[0].phone.e164(), "+84912345678");

    let phc = db.store.password_phc(created.id).await.unwrap().unwrap();
    assert!(phc.starts_with("$argon2id$"));

    let trail = db.store.audit_of_account(created.id, 10).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].kind, AuditKind::AccountRegistered);
    assert_eq!(trail[0].actor, Actor::Holder);
    assert_eq!(trail[0].details["channel"], "mobile_subscriber");

    let by_id = db
        .store
        .account_by_personal_id(&PersonalId::parse("001190012345").unwrap())
        .await
        .unwrap();
    assert_eq!(by_id.map(|account| account.id), Some(created.id));
}

async fn duplicate_keys_are_refused_and_leave_nothing(db: TestDb) {
    registered(&db).await;
    let again = db
        .store
        .create_account(&citizen("001190012345", "0987654321"), NOW)
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Duplicate {
            field: UniqueField::PersonalId
        })
    ));

    let tax_code = TaxCode::parse("0100109106").unwrap();
    let mut business = citizen("079090000001", "0912345678");
    business.kind = AccountKind::Business;
    business.identity.tax_code = Some(tax_code.clone());
    db.store.create_account(&business, NOW).await.unwrap();
    let mut copy = citizen("079090000002", "0912345678");
    copy.identity.tax_code = Some(tax_code);
    let refused = db.store.create_account(&copy, NOW).await;
    assert!(matches!(
        refused,
        Err(StoreError::Duplicate {
            field: UniqueField::TaxCode
        })
    ));
    let half = db
        .store
        .account_by_personal_id(&PersonalId::parse("079090000002").unwrap())
        .await
        .unwrap();
    assert!(
        half.is_none(),
        "a refused registration left an account behind"
    );
}

async fn one_phone_may_serve_several_accounts(db: TestDb) {
    let first = registered(&db).await;
    let second = db
        .store
        .create_account(&citizen("079190000003", "0912345678"), NOW)
        .await
        .unwrap()
        .id;
    for account in [first, second] {
        let phones = db.store.phones(account).await.unwrap();
        assert_eq!(phones[0].phone.national(), "0912345678");
    }
}

async fn phones_move_default_and_keep_the_last(db: TestDb) {
    let id = registered(&db).await;
    let first = phone("0912345678");
    let second = phone("0387654321");
    db.store
        .add_phone(id, &second, false, &holder(), NOW + Duration::minutes(1))
        .await
        .unwrap();
    let phones = db.store.phones(id).await.unwrap();
    assert_eq!(phones.len(), 2);
    assert_eq!(
        (phones[0].phone.clone(), phones[0].is_default),
        (first.clone(), true)
    );
    assert!(!phones[1].is_default);

    db.store
        .set_default_phone(id, &second, &holder(), NOW)
        .await
        .unwrap();
    let phones = db.store.phones(id).await.unwrap();
    assert_eq!(
        (phones[0].phone.clone(), phones[0].is_default),
        (second.clone(), true)
    );
    assert_eq!(phones.iter().filter(|p| p.is_default).count(), 1);

    // Removing the default promotes the other phone.
    db.store
        .remove_phone(id, &second, &holder(), NOW)
        .await
        .unwrap();
    let phones = db.store.phones(id).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert_eq!(
        (phones[0].phone.clone(), phones[0].is_default),
        (first.clone(), true)
    );

    let last = db.store.remove_phone(id, &first, &holder(), NOW).await;
    assert!(matches!(last, Err(StoreError::LastPhone)));
    let unknown = db
        .store
        .set_default_phone(id, &second, &holder(), NOW)
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound { .. })));

    let kinds: Vec<AuditKind> = db
        .store
        .audit_of_account(id, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.kind)
        .collect();
    for kind in [
        AuditKind::PhoneAdded,
        AuditKind::DefaultPhoneChanged,
        AuditKind::PhoneRemoved,
    ] {
        assert!(kinds.contains(&kind), "missing {kind:?} in {kinds:?}");
    }
}

fn new_session(account: AccountId, token: u8, idle: Duration) -> NewSession {
    NewSession {
        id: Uuid::new_v4(),
        token_hash: [token; 32],
        account_id: account,
        acr: AssuranceLevel::LoA2,
        amr: vec!["pwd".to_owned(), "sms".to_owned()],
        auth_time: NOW,
        client_ip: Some("198.51.100.4".to_owned()),
        user_agent: Some("Mozilla/5.0".to_owned()),
        idle_expires_at: NOW + idle,
        absolute_expires_at: NOW + Duration::hours(8),
    }
}

async fn sessions_expire_idle_and_absolute(db: TestDb) {
    let id = registered(&db).await;
    let created = db
        .store
        .create_session(&new_session(id, 1, Duration::minutes(30)), NOW)
        .await
        .unwrap();
    assert_eq!(created.amr, ["pwd", "sms"]);
    assert_eq!(created.acr, AssuranceLevel::LoA2);
    let found = db.store.session_by_token_hash(&[1; 32], NOW).await.unwrap();
    assert_eq!(found.as_ref().map(|s| s.id), Some(created.id));
    assert!(
        db.store
            .session_by_token_hash(&[2; 32], NOW)
            .await
            .unwrap()
            .is_none()
    );

    let later = NOW + Duration::minutes(31);
    assert!(
        db.store
            .session_by_token_hash(&[1; 32], later)
            .await
            .unwrap()
            .is_none()
    );

    // Activity moves the idle expiry, but never past the absolute one.
    let at = NOW + Duration::minutes(20);
    db.store
        .touch_session(created.id, NOW + Duration::hours(20), at)
        .await
        .unwrap();
    let touched = db
        .store
        .session_by_token_hash(&[1; 32], later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(touched.last_seen_at, at);
    assert_eq!(touched.idle_expires_at, NOW + Duration::hours(8));
    let past_absolute = NOW + Duration::hours(8);
    assert!(
        db.store
            .session_by_token_hash(&[1; 32], past_absolute)
            .await
            .unwrap()
            .is_none()
    );
}

async fn sessions_revoke_one_others_and_on_password_change(db: TestDb) {
    let id = registered(&db).await;
    let keep = db
        .store
        .create_session(&new_session(id, 1, Duration::hours(1)), NOW)
        .await
        .unwrap();
    for token in 2..5 {
        db.store
            .create_session(&new_session(id, token, Duration::hours(1)), NOW)
            .await
            .unwrap();
    }
    assert_eq!(db.store.live_sessions(id, NOW).await.unwrap().len(), 4);
    assert!(db.store.revoke_session(keep.id, NOW).await.unwrap());
    assert!(!db.store.revoke_session(keep.id, NOW).await.unwrap());
    let live = db.store.live_sessions(id, NOW).await.unwrap();
    assert_eq!(live.len(), 3);

    let current = live[0].id;
    let ended = db
        .store
        .revoke_sessions_of_account(id, Some(current), NOW)
        .await
        .unwrap();
    assert_eq!(ended, 2);
    let live = db.store.live_sessions(id, NOW).await.unwrap();
    assert_eq!(live.iter().map(|s| s.id).collect::<Vec<_>>(), [current]);

    db.store
        .set_password(id, "$argon2id$v=19$new", &holder(), NOW)
        .await
        .unwrap();
    assert!(db.store.live_sessions(id, NOW).await.unwrap().is_empty());
    assert_eq!(
        db.store.password_phc(id).await.unwrap().as_deref(),
        Some("$argon2id$v=19$new")
    );
    let trail = db.store.audit_of_account(id, 1).await.unwrap();
    assert_eq!(trail[0].kind, AuditKind::PasswordChanged);
    assert_eq!(trail[0].details["sessions_ended"], 1);
}

async fn locking_an_account_ends_its_sessions(db: TestDb) {
    let id = registered(&db).await;
    db.store
        .create_session(&new_session(id, 1, Duration::hours(1)), NOW)
        .await
        .unwrap();
    let operator = AuditContext {
        actor: Actor::Operator("helpdesk-7".to_owned()),
        client_ip: None,
    };
    db.store
        .set_status(id, AccountStatus::Locked, &operator, NOW)
        .await
        .unwrap();
    assert_eq!(
        db.store.account(id).await.unwrap().unwrap().status,
        AccountStatus::Locked
    );
    assert!(db.store.live_sessions(id, NOW).await.unwrap().is_empty());
    let trail = db.store.audit_of_account(id, 1).await.unwrap();
    assert_eq!(trail[0].actor, Actor::Operator("helpdesk-7".to_owned()));
    let missing = db
        .store
        .set_status(
            AccountId(Uuid::new_v4()),
            AccountStatus::Locked,
            &operator,
            NOW,
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

async fn identity_update_records_what_changed(db: TestDb) {
    let id = registered(&db).await;
    let mut identity = db.store.account(id).await.unwrap().unwrap().identity;
    identity.full_name = "Nguyễn Thị Minh Khải".to_owned();
    db.store
        .update_identity(id, &identity, &holder(), NOW + Duration::days(1))
        .await
        .unwrap();
    let account = db.store.account(id).await.unwrap().unwrap();
    assert_eq!(account.identity.full_name, "Nguyễn Thị Minh Khải");
    assert_eq!(account.updated_at, NOW + Duration::days(1));
    let trail = db.store.audit_of_account(id, 1).await.unwrap();
    assert_eq!(trail[0].kind, AuditKind::IdentityUpdated);
    assert_eq!(trail[0].details, json!({ "changed": ["full_name"] }));

    let other = db
        .store
        .create_account(&citizen("079190000003", "0912345678"), NOW)
        .await
        .unwrap();
    let mut taken = other.identity.clone();
    taken.personal_id = account.identity.personal_id.clone();
    let refused = db
        .store
        .update_identity(other.id, &taken, &holder(), NOW)
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Duplicate {
            field: UniqueField::PersonalId
        })
    ));
}

fn new_flow(expires_in: Duration) -> NewFlow {
    NewFlow {
        id: Uuid::new_v4(),
        kind: "login".to_owned(),
        state: json!({ "step": "credentials" }),
        account_id: None,
        expires_at: NOW + expires_in,
    }
}

async fn flows_expire_and_refuse_lost_updates(db: TestDb) {
    let flow = db
        .store
        .create_flow(&new_flow(Duration::minutes(15)), NOW)
        .await
        .unwrap();
    assert_eq!(flow.version, 1);
    let read = db.store.flow(flow.id, NOW).await.unwrap().unwrap();
    assert_eq!(read, flow);

    let mut next = read.clone();
    next.state = json!({ "step": "otp" });
    let saved = db.store.update_flow(&next, 1, NOW).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(saved.state["step"], "otp");

    // A second node that read version 1 cannot overwrite version 2.
    let stale = db.store.update_flow(&next, 1, NOW).await;
    assert!(matches!(stale, Err(StoreError::Conflict)));

    let after = NOW + Duration::minutes(15);
    assert!(db.store.flow(flow.id, after).await.unwrap().is_none());
    let expired = db.store.update_flow(&saved, 2, after).await;
    assert!(matches!(expired, Err(StoreError::NotFound { .. })));
    assert_eq!(db.store.purge_expired_flows(after).await.unwrap(), 1);
    assert_eq!(db.store.purge_expired_flows(after).await.unwrap(), 0);
}

fn new_otp(flow_id: Uuid, max_attempts: i32) -> NewOtpChallenge {
    NewOtpChallenge {
        id: Uuid::new_v4(),
        flow_id,
        purpose: "sign_in".to_owned(),
        phone: phone("0912345678"),
        code_mac: vec![7; 32],
        max_attempts,
        expires_at: NOW + Duration::minutes(5),
    }
}

async fn otp_attempts_are_limited_even_when_concurrent(db: TestDb) {
    let flow = db
        .store
        .create_flow(&new_flow(Duration::minutes(15)), NOW)
        .await
        .unwrap();
    let otp = db
        .store
        .create_otp(&new_otp(flow.id, 5), NOW)
        .await
        .unwrap();
    assert_eq!((otp.attempts, otp.sends), (0, 1));

    let guesses = (0..200).map(|_| {
        let store = Arc::clone(&db.store);
        tokio::spawn(async move { store.take_otp_attempt(otp.id, NOW).await.unwrap() })
    });
    let mut allowed = 0;
    for guess in guesses {
        if guess.await.unwrap().is_some() {
            allowed += 1;
        }
    }
    assert_eq!(
        allowed, 5,
        "200 concurrent guesses must get exactly 5 attempts"
    );
    assert_eq!(db.store.otp(otp.id).await.unwrap().unwrap().attempts, 5);

    // A resend is a new code with a new attempt budget; the flow bounds the resends.
    let later = NOW + Duration::minutes(1);
    let limit = ResendLimit {
        expected_sends: 1,
        sent_before: later,
    };
    let resent = db
        .store
        .reissue_otp(otp.id, &[9; 32], NOW + Duration::minutes(6), limit, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((resent.attempts, resent.sends), (0, 2));
    assert_eq!(resent.code_mac, vec![9; 32]);
    assert!(
        db.store
            .take_otp_attempt(otp.id, later)
            .await
            .unwrap()
            .is_some()
    );
}

async fn credentials_are_data_and_a_step_commits_once(db: TestDb) {
    let id = registered(&db).await;
    let kinds: Vec<CredentialKind> = db
        .store
        .credentials(id)
        .await
        .unwrap()
        .iter()
        .map(|credential| credential.kind)
        .collect();
    assert_eq!(kinds, [CredentialKind::OtpPhone, CredentialKind::Password]);

    let flow = db
        .store
        .create_flow(&new_flow(Duration::minutes(15)), NOW)
        .await
        .unwrap();
    let new_phone = PhoneNumber::parse("0987654321").unwrap();
    let certificate = NewCredential {
        kind: CredentialKind::Certificate,
        key: "sha256:ab12".to_owned(),
        public_data: json!({ "subject": "CN=Nguyễn Thị Minh Khai" }),
        secret: None,
    };
    let writes = [
        StepWrite::ReplaceDefaultPhone {
            account: id,
            phone: new_phone.clone(),
            audit: holder(),
        },
        StepWrite::AddCredential {
            account: id,
            credential: certificate.clone(),
            audit: holder(),
        },
    ];
    let saved = db
        .store
        .save_step(&flow, flow.version, &writes, NOW)
        .await
        .unwrap();
    assert_eq!(saved.version, flow.version + 1);
    let phones = db.store.phones(id).await.unwrap();
    assert_eq!(
        phones.len(),
        1,
        "the lost default went with the new one's arrival"
    );
    assert_eq!(
        (phones[0].phone.clone(), phones[0].is_default),
        (new_phone, true)
    );
    assert_eq!(
        db.store
            .credential_owner(CredentialKind::Certificate, "sha256:ab12")
            .await
            .unwrap(),
        Some(id)
    );

    // A stale version writes nothing: neither the state nor any of the step's rows.
    let other = db
        .store
        .create_account(&citizen("001090012346", "0912345678"), NOW)
        .await
        .unwrap()
        .id;
    let audit = StepWrite::Audit(NewAuditEvent {
        account_id: Some(other),
        kind: AuditKind::SignedIn,
        context: holder(),
        details: json!({}),
    });
    let stale = db.store.save_step(&flow, flow.version, &[audit], NOW).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    assert_eq!(db.store.audit_of_account(other, 10).await.unwrap().len(), 1);

    // A certificate binds one account only; the failing write undoes the whole step.
    let taken = StepWrite::AddCredential {
        account: other,
        credential: certificate,
        audit: holder(),
    };
    let before = db.store.audit_of_account(other, 10).await.unwrap().len();
    let refused = db
        .store
        .save_step(&saved, saved.version, &[taken], NOW)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Duplicate { .. })),
        "{refused:?}"
    );
    let after = db.store.flow(flow.id, NOW).await.unwrap().unwrap();
    assert_eq!(
        after.version, saved.version,
        "the flow's state was rolled back too"
    );
    assert_eq!(
        db.store.audit_of_account(other, 10).await.unwrap().len(),
        before
    );
}

/// Migration 0003 over a database of 0002 with accounts in it: each password and OTP phone
/// (the default one too) becomes a credential, and nothing else changes.
async fn migration_0003_moves_passwords_and_phones_into_credentials(db: TestDb) {
    let id = registered(&db).await;
    let second = PhoneNumber::parse("0987654321").unwrap();
    db.store
        .add_phone(id, &second, false, &holder(), NOW)
        .await
        .unwrap();
    let phc = db.store.password_phc(id).await.unwrap().unwrap();
    // Back to 0002: the two tables of then, filled from the credentials of now.
    let uuid = match db.backend {
        store::Backend::Sqlite => "BLOB",
        store::Backend::Postgres => "UUID",
    };
    let undo = [
        format!(
            "CREATE TABLE account_phones (account_id {uuid} NOT NULL REFERENCES accounts (id) \
             ON DELETE CASCADE, phone TEXT NOT NULL, is_default BOOLEAN NOT NULL, \
             added_at BIGINT NOT NULL, PRIMARY KEY (account_id, phone))"
        ),
        format!(
            "CREATE TABLE password_credentials (account_id {uuid} PRIMARY KEY REFERENCES \
             accounts (id) ON DELETE CASCADE, phc TEXT NOT NULL, updated_at BIGINT NOT NULL)"
        ),
        "INSERT INTO account_phones SELECT account_id, key, is_default, created_at \
         FROM credentials WHERE kind = 'otp_phone'"
            .to_owned(),
        "INSERT INTO password_credentials SELECT account_id, secret, created_at \
         FROM credentials WHERE kind = 'password'"
            .to_owned(),
        "DROP TABLE phone_changes".to_owned(),
        "DROP TABLE credentials".to_owned(),
        "DELETE FROM _sqlx_migrations WHERE version = 3".to_owned(),
    ];
    for sql in &undo {
        db.execute(sql).await.unwrap();
    }
    let upgraded = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    let phones = upgraded.phones(id).await.unwrap();
    let listed: Vec<(String, bool)> = phones
        .iter()
        .map(|phone| (phone.phone.e164().to_owned(), phone.is_default))
        .collect();
    assert_eq!(
        listed,
        [
            ("+84912345678".to_owned(), true),
            ("+84987654321".to_owned(), false)
        ]
    );
    assert_eq!(upgraded.password_phc(id).await.unwrap(), Some(phc));
    let kinds: Vec<CredentialKind> = upgraded
        .credentials(id)
        .await
        .unwrap()
        .iter()
        .map(|credential| credential.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            CredentialKind::OtpPhone,
            CredentialKind::OtpPhone,
            CredentialKind::Password
        ]
    );
}

async fn a_credential_secret_is_read_by_account_kind_and_key(db: TestDb) {
    let id = registered(&db).await;
    let other = another_registered(&db).await;
    let phc = db
        .store
        .credential_secret(id, CredentialKind::Password, "")
        .await
        .unwrap();
    assert_eq!(phc, db.store.password_phc(id).await.unwrap());

    let flow = open_flow(&db).await;
    let app = NewCredential {
        kind: CredentialKind::Totp,
        key: "app".to_owned(),
        public_data: json!({}),
        secret: Some("sealed seed".to_owned()),
    };
    let certificate = NewCredential {
        kind: CredentialKind::Certificate,
        key: "sha256:cd34".to_owned(),
        public_data: json!({}),
        secret: None,
    };
    let writes = [app, certificate].map(|credential| StepWrite::AddCredential {
        account: id,
        credential,
        audit: holder(),
    });
    db.store
        .save_step(&flow, flow.version, &writes, NOW)
        .await
        .unwrap();

    let secret = |account, kind, key: &'static str| {
        let store = Arc::clone(&db.store);
        async move { store.credential_secret(account, kind, key).await.unwrap() }
    };
    assert_eq!(
        secret(id, CredentialKind::Totp, "app").await.as_deref(),
        Some("sealed seed")
    );
    // Another key, another kind, another account, a credential without a secret: nothing.
    assert_eq!(secret(id, CredentialKind::Totp, "other").await, None);
    assert_eq!(secret(id, CredentialKind::Passkey, "app").await, None);
    assert_eq!(secret(other, CredentialKind::Totp, "app").await, None);
    assert_eq!(
        secret(id, CredentialKind::Certificate, "sha256:cd34").await,
        None
    );
}

async fn concurrent_resends_send_once(db: TestDb) {
    let flow = db
        .store
        .create_flow(&new_flow(Duration::minutes(15)), NOW)
        .await
        .unwrap();
    let otp = db
        .store
        .create_otp(&new_otp(flow.id, 5), NOW)
        .await
        .unwrap();
    let later = NOW + Duration::minutes(1);
    let limit = ResendLimit {
        expected_sends: 1,
        sent_before: later,
    };
    let tries = (0..30).map(|i| {
        let store = db.store.clone();
        async move {
            store
                .reissue_otp(otp.id, &[i; 32], NOW + Duration::minutes(6), limit, later)
                .await
                .unwrap()
                .is_some()
        }
    });
    let won = futures_util::future::join_all(tries)
        .await
        .into_iter()
        .filter(|won| *won)
        .count();
    assert_eq!(
        won, 1,
        "30 parallel resends of one code must send exactly once"
    );
    // Too soon after that send, and with a stale count, nothing more goes out.
    assert!(!db.store.claim_otp_send(otp.id, limit, later).await.unwrap());
    let fresh_limit = ResendLimit {
        expected_sends: 2,
        sent_before: later,
    };
    assert!(
        db.store
            .claim_otp_send(otp.id, fresh_limit, later)
            .await
            .unwrap()
    );
}

async fn otp_is_single_use_expires_and_goes_with_its_flow(db: TestDb) {
    let flow = db
        .store
        .create_flow(&new_flow(Duration::minutes(15)), NOW)
        .await
        .unwrap();
    let otp = db
        .store
        .create_otp(&new_otp(flow.id, 5), NOW)
        .await
        .unwrap();
    let taken = db
        .store
        .take_otp_attempt(otp.id, NOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.attempts, 1);
    assert_eq!(taken.code_mac, vec![7; 32]);
    // The code is used up with the step it moves on; a second use undoes its whole step.
    let used = [StepWrite::ConsumeOtp { id: otp.id }];
    let saved = db
        .store
        .save_step(&flow, flow.version, &used, NOW)
        .await
        .unwrap();
    let again = db.store.save_step(&saved, saved.version, &used, NOW).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
    let flow_now = db.store.flow(flow.id, NOW).await.unwrap().unwrap();
    assert_eq!(
        flow_now.version, saved.version,
        "the second step wrote nothing"
    );
    assert!(
        db.store
            .take_otp_attempt(otp.id, NOW)
            .await
            .unwrap()
            .is_none()
    );
    let reissued = db
        .store
        .reissue_otp(
            otp.id,
            &[1; 32],
            NOW + Duration::minutes(5),
            ResendLimit {
                expected_sends: 1,
                sent_before: NOW,
            },
            NOW,
        )
        .await
        .unwrap();
    assert!(reissued.is_none(), "a used code cannot be resent");

    let fresh = db
        .store
        .create_otp(&new_otp(flow.id, 5), NOW)
        .await
        .unwrap();
    let expired = NOW + Duration::minutes(5);
    assert!(
        db.store
            .take_otp_attempt(fresh.id, expired)
            .await
            .unwrap()
            .is_none()
    );

    db.store.delete_flow(flow.id).await.unwrap();
    assert!(db.store.otp(fresh.id).await.unwrap().is_none());
}

async fn throttle_counts_are_atomic_and_windowed(db: TestDb) {
    let window = NOW;
    let expires = NOW + Duration::minutes(15);
    let hits = (0..200).map(|_| {
        let store = Arc::clone(&db.store);
        tokio::spawn(async move {
            store
                .hit("login:ip:203.0.113.7", window, expires)
                .await
                .unwrap()
        })
    });
    let mut counts = Vec::new();
    for hit in hits {
        counts.push(hit.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=200).collect::<Vec<i64>>());
    assert_eq!(
        db.store.hits("login:ip:203.0.113.7", window).await.unwrap(),
        200
    );

    let next_window = NOW + Duration::minutes(15);
    assert_eq!(
        db.store
            .hits("login:ip:203.0.113.7", next_window)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        db.store
            .hit(
                "login:ip:203.0.113.7",
                next_window,
                next_window + Duration::minutes(15)
            )
            .await
            .unwrap(),
        1
    );
    assert_eq!(db.store.purge_expired_throttles(expires).await.unwrap(), 1);
    assert_eq!(
        db.store.hits("login:ip:203.0.113.7", window).await.unwrap(),
        0
    );
}

/// Several keys counted by one call: each once (a key listed twice too), in the order asked,
/// atomically against concurrent calls; a success forgets keys in one statement, or with a
/// flow step.
async fn several_counters_are_counted_and_forgotten_together(db: TestDb) {
    let window = NOW;
    let expires = NOW + Duration::minutes(15);
    let keys = ["own", "account", "address", "own"].map(str::to_owned);
    let calls = (0..50).map(|_| {
        let store = Arc::clone(&db.store);
        let keys = keys.clone();
        tokio::spawn(async move { store.hit_all(&keys, window, expires).await.unwrap() })
    });
    let mut seen = Vec::new();
    for call in calls {
        let counts = call.await.unwrap();
        assert_eq!(counts.len(), 4);
        assert_eq!(counts[0], counts[3], "a key listed twice is one counter");
        assert_eq!(counts[0], counts[1], "every key of a call moves together");
        assert_eq!(counts[1], counts[2]);
        seen.push(counts[0]);
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=50).collect::<Vec<i64>>());
    assert!(
        db.store
            .hit_all(&[], window, expires)
            .await
            .unwrap()
            .is_empty()
    );

    db.store
        .reset_hits(&["own".to_owned(), "account".to_owned(), "unknown".to_owned()])
        .await
        .unwrap();
    let hits = |key: &'static str| {
        let store = Arc::clone(&db.store);
        async move { store.hits(key, window).await.unwrap() }
    };
    assert_eq!((hits("own").await, hits("account").await), (0, 0));
    assert_eq!(hits("address").await, 50);

    let flow = open_flow(&db).await;
    let forget = StepWrite::ForgetHits {
        keys: vec!["address".to_owned()],
    };
    db.store
        .save_step(&flow, flow.version, &[forget], NOW)
        .await
        .unwrap();
    assert_eq!(hits("address").await, 0);
}

/// A sign-in's step records the use of exactly the credentials it names.
async fn a_step_records_the_credentials_it_used(db: TestDb) {
    let id = registered(&db).await;
    let other = another_registered(&db).await;
    let flow = open_flow(&db).await;
    let used = StepWrite::CredentialsUsed {
        account: id,
        used: vec![
            (CredentialKind::Password, String::new()),
            (CredentialKind::OtpPhone, "+84912345678".to_owned()),
        ],
    };
    let later = NOW + Duration::minutes(5);
    db.store
        .save_step(&flow, flow.version, &[used], later)
        .await
        .unwrap();
    let last_used = |account: AccountId| {
        let store = Arc::clone(&db.store);
        async move {
            store
                .credentials(account)
                .await
                .unwrap()
                .into_iter()
                .map(|credential| (credential.kind, credential.last_used_at))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        last_used(id).await,
        [
            (CredentialKind::OtpPhone, Some(later)),
            (CredentialKind::Password, Some(later)),
        ]
    );
    assert_eq!(
        last_used(other).await,
        [
            (CredentialKind::OtpPhone, None),
            (CredentialKind::Password, None),
        ],
        "another account's credentials of the same kind and key are not touched"
    );
}

async fn audit_lists_newest_first_within_the_account(db: TestDb) {
    let id = registered(&db).await;
    let other = db
        .store
        .create_account(&citizen("079190000003", "0912345678"), NOW)
        .await
        .unwrap()
        .id;
    for minute in 1..=3 {
        db.store
            .append_audit(
                &store::NewAuditEvent {
                    account_id: Some(id),
                    kind: AuditKind::SignedIn,
                    context: holder(),
                    details: json!({ "minute": minute }),
                },
                NOW + Duration::minutes(minute),
            )
            .await
            .unwrap();
    }
    let trail = db.store.audit_of_account(id, 3).await.unwrap();
    let minutes: Vec<i64> = trail
        .iter()
        .map(|e| e.details["minute"].as_i64().unwrap())
        .collect();
    assert_eq!(minutes, [3, 2, 1]);
    assert_eq!(trail[0].client_ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(db.store.audit_of_account(other, 10).await.unwrap().len(), 1);
}

async fn a_corrupted_row_is_an_error_not_an_answer(db: TestDb) {
    let id = registered(&db).await;
    db.execute("UPDATE credentials SET key = '+84111' WHERE kind = 'otp_phone'")
        .await
        .unwrap();
    let read = db.store.phones(id).await;
    assert!(
        matches!(
            read,
            Err(StoreError::Corrupt {
                table: "credentials",
                column: "key",
                ..
            })
        ),
        "{read:?}"
    );
}

async fn readiness_ping_answers(db: TestDb) {
    db.store.ping().await.unwrap();
    assert_eq!(
        db.store.backend(),
        match db.backend {
            store::Backend::Sqlite => "sqlite",
            store::Backend::Postgres => "postgres",
        }
    );
}

store::store_tests!(
    migrations_are_idempotent_with_data,
    registration_writes_account_phone_password_and_audit_at_once,
    duplicate_keys_are_refused_and_leave_nothing,
    one_phone_may_serve_several_accounts,
    phones_move_default_and_keep_the_last,
    sessions_expire_idle_and_absolute,
    sessions_revoke_one_others_and_on_password_change,
    locking_an_account_ends_its_sessions,
    identity_update_records_what_changed,
    flows_expire_and_refuse_lost_updates,
    otp_attempts_are_limited_even_when_concurrent,
    otp_is_single_use_expires_and_goes_with_its_flow,
    concurrent_resends_send_once,
    credentials_are_data_and_a_step_commits_once,
    migration_0003_moves_passwords_and_phones_into_credentials,
    a_credential_secret_is_read_by_account_kind_and_key,
    throttle_counts_are_atomic_and_windowed,
    several_counters_are_counted_and_forgotten_together,
    a_step_records_the_credentials_it_used,
    audit_lists_newest_first_within_the_account,
    a_corrupted_row_is_an_error_not_an_answer,
    readiness_ping_answers,
);

mod sqlite_only {
    use store::StoreError;

    #[tokio::test]
    async fn audit_trail_refuses_update_and_delete() {
        let db = store::testing::sqlite().await;
        super::registered(&db).await;
        let update = db.execute("UPDATE audit_events SET actor = 'system'").await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = db.execute("DELETE FROM audit_events").await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
    }

    #[tokio::test]
    async fn a_database_without_wal_is_refused() {
        // An in-memory database cannot use WAL: the read-back must catch it.
        let refused = store::sqlite::connect("sqlite::memory:").await;
        match refused {
            Err(StoreError::Configuration(reason)) => {
                assert!(reason.contains("journal_mode"), "{reason}")
            }
            other => panic!("expected a configuration refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_url_picks_the_backend() {
        use store::Backend;
        assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgres://u@h/d").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/d").unwrap(),
            Backend::Postgres
        );
        assert!(matches!(
            Backend::of_url("mysql://u@h/d"),
            Err(StoreError::Url(_))
        ));
    }
}
