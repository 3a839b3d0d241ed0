//! The eID provider's tables (migration 0005): applications approved once, activation all or
//! nothing, and the sign-in lock counted atomically.

use domain::{AccountKind, Gender, PersonalId, PhoneNumber, RegistrationChannel};
use store::testing::TestDb;
use store::{
    Actor, ApplicationStatus, AuditContext, EidActivation, EidLevel, EidSecret, EidSecretKind,
    Identity, NewAccount, NewEidApplication, NewFlow, StoreError,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);

fn application(id: &str) -> NewEidApplication {
    NewEidApplication {
        personal_id: PersonalId::parse(id).unwrap(),
        full_name: "Trần Văn Đức".to_owned(),
        birth_date: date!(1985 - 02 - 03),
        gender: Gender::Male,
        phone: PhoneNumber::parse("0912345678").unwrap(),
        level: EidLevel::Two,
        prior_password_phc: None,
    }
}

fn activation(app: &NewEidApplication, flow_id: Uuid) -> EidActivation {
    let audit = AuditContext {
        actor: Actor::Holder,
        client_ip: None,
    };
    EidActivation {
        account: NewAccount {
            kind: AccountKind::Citizen,
            identity: Identity {
                personal_id: Some(app.personal_id.clone()),
                legacy_cmnd: None,
                tax_code: None,
                full_name: app.full_name.clone(),
                birth_date: Some(app.birth_date),
                gender: Some(app.gender),
            },
            email: None,
            registration_channel: RegistrationChannel::Vneid,
            default_phone: Some(app.phone.clone()),
            password_phc: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
            audit: audit.clone(),
        },
        secrets: vec![
            EidSecret {
                kind: EidSecretKind::Passcode,
                key: String::new(),
                secret: "passcode-hash".to_owned(),
            },
            EidSecret {
                kind: EidSecretKind::SecurityAnswer,
                key: "q1".to_owned(),
                secret: "answer-hash".to_owned(),
            },
        ],
        flow_id,
        audit,
    }
}

pub async fn applications_are_approved_once(db: TestDb) {
    let new = application("001085012345");
    let created = db.store.create_application(&new, NOW).await.unwrap();
    assert_eq!(created.status, ApplicationStatus::Pending);
    assert_eq!(created.birth_date, new.birth_date);
    assert!(matches!(
        db.store.create_application(&new, NOW).await,
        Err(StoreError::Duplicate { .. })
    ));
    let later = NOW + Duration::hours(1);
    let approved = db
        .store
        .approve_application(&new.personal_id, later)
        .await
        .unwrap()
        .expect("approved");
    assert_eq!(approved.status, ApplicationStatus::Approved);
    assert_eq!(approved.approved_at, Some(later));
    assert!(
        db.store
            .approve_application(&new.personal_id, later)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.store.applications(10).await.unwrap(), [approved]);
}

pub async fn activation_writes_everything_or_nothing(db: TestDb) {
    let new = application("001085012345");
    db.store.create_application(&new, NOW).await.unwrap();
    let flow = db
        .store
        .create_flow(
            &NewFlow {
                id: Uuid::new_v4(),
                kind: "vneid_activation".to_owned(),
                state: serde_json::json!({}),
                account_id: None,
                expires_at: NOW + Duration::minutes(15),
            },
            NOW,
        )
        .await
        .unwrap();
    let account = db
        .store
        .activate_eid(&activation(&new, flow.id), NOW)
        .await
        .unwrap();
    assert_eq!(db.store.eid_secrets(account.id).await.unwrap().len(), 2);
    assert!(db.store.flow(flow.id, NOW).await.unwrap().is_none());
    assert!(db.store.password_phc(account.id).await.unwrap().is_some());
    // A second activation of the same ID leaves nothing behind.
    assert!(matches!(
        db.store
            .activate_eid(&activation(&new, Uuid::new_v4()), NOW)
            .await,
        Err(StoreError::Duplicate { .. })
    ));
    assert_eq!(db.store.eid_secrets(account.id).await.unwrap().len(), 2);
}

pub async fn the_fifth_failure_locks(db: TestDb) {
    let new = application("001085012345");
    let account = db
        .store
        .activate_eid(&activation(&new, Uuid::new_v4()), NOW)
        .await
        .unwrap();
    let lock_for = Duration::minutes(30);
    for expected in 1..=4 {
        let state = db
            .store
            .record_eid_failure(account.id, 5, lock_for, NOW)
            .await
            .unwrap();
        assert_eq!((state.failures, state.locked_until), (expected, None));
    }
    let locked = db
        .store
        .record_eid_failure(account.id, 5, lock_for, NOW)
        .await
        .unwrap();
    assert_eq!(locked.failures, 0);
    assert_eq!(locked.locked_until, Some(NOW + lock_for));
    assert_eq!(db.store.eid_lockout(account.id).await.unwrap(), locked);
    db.store.clear_eid_failures(account.id).await.unwrap();
    let cleared = db.store.eid_lockout(account.id).await.unwrap();
    assert_eq!((cleared.failures, cleared.locked_until), (0, None));
    // Concurrent failures each count: ten at once lock twice over, never lose a count.
    let store = db.store.clone();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = store.clone();
        let id = account.id;
        tasks.push(tokio::spawn(async move {
            store
                .record_eid_failure(id, 5, lock_for, NOW)
                .await
                .unwrap()
        }));
    }
    let mut locks = 0;
    for task in tasks {
        if task.await.unwrap().locked_until.is_some() {
            locks += 1;
        }
    }
    assert!(locks >= 6, "each failure after the fifth sees the lock");
    assert_eq!(db.store.eid_lockout(account.id).await.unwrap().failures, 0);
}

store::store_tests!(
    applications_are_approved_once,
    activation_writes_everything_or_nothing,
    the_fifth_failure_locks,
);
