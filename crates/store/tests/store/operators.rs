//! Operator roles and the console's look-ups (migration 0009): a role is granted once and
//! revoked once, each audited; a phone finds every account it serves; an OTP phone reset
//! replaces the default, drops a pending lost-phone change and is audited, all at once.

use domain::{OperatorRole, PhoneNumber};
use store::testing::TestDb;
use store::{Actor, AuditContext, AuditKind, NewFlow, PhoneReset, StepWrite};
use time::Duration;
use uuid::Uuid;

use super::{NOW, citizen, phone, registered};

fn admin() -> AuditContext {
    AuditContext {
        actor: Actor::Operator("001190099999".to_owned()),
        client_ip: Some("198.51.100.4".to_owned()),
    }
}

pub async fn roles_are_granted_once_and_revoked_once(db: TestDb) {
    let id = registered(&db).await;
    let store = &db.store;
    assert!(
        store
            .grant_role(id, OperatorRole::Helpdesk, &admin(), NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .grant_role(id, OperatorRole::Helpdesk, &admin(), NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .grant_role(id, OperatorRole::Auditor, &admin(), NOW)
            .await
            .unwrap()
    );
    let roles = store.roles_of(id).await.unwrap();
    assert_eq!(
        roles.iter().map(|grant| grant.role).collect::<Vec<_>>(),
        [OperatorRole::Helpdesk, OperatorRole::Auditor]
    );
    assert_eq!(roles[0].granted_by, admin().actor);
    assert_eq!(roles[0].granted_at, NOW);

    let later = NOW + Duration::hours(1);
    assert!(
        store
            .revoke_role(id, OperatorRole::Helpdesk, &admin(), later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_role(id, OperatorRole::Helpdesk, &admin(), later)
            .await
            .unwrap()
    );
    assert_eq!(store.role_grants().await.unwrap().len(), 1);
    // Revoked grants stay as history; the role can be granted again.
    assert!(
        store
            .grant_role(id, OperatorRole::Helpdesk, &admin(), later)
            .await
            .unwrap()
    );
    let trail = store.audit_of_account(id, 10).await.unwrap();
    let kinds: Vec<AuditKind> = trail.iter().take(4).map(|event| event.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::OperatorRoleGranted,
            AuditKind::OperatorRoleRevoked,
            AuditKind::OperatorRoleGranted,
            AuditKind::OperatorRoleGranted,
        ]
    );
    assert_eq!(trail[1].details["role"], "helpdesk");
    assert_eq!(trail[1].actor, admin().actor);
}

pub async fn a_phone_finds_every_account_it_serves(db: TestDb) {
    let first = registered(&db).await;
    let second = db
        .store
        .create_account(
            &citizen("079190000003", "0912345678"),
            NOW + Duration::seconds(1),
        )
        .await
        .unwrap()
        .id;
    let found = db
        .store
        .accounts_by_phone(&phone("0912345678"))
        .await
        .unwrap();
    let ids: Vec<_> = found.iter().map(|account| account.id).collect();
    assert_eq!(ids, [first, second]);
    assert!(
        db.store
            .accounts_by_phone(&phone("0387654321"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_phone_reset_replaces_the_default_and_drops_a_pending_change(db: TestDb) {
    let id = registered(&db).await;
    let store = &db.store;
    let flow = NewFlow {
        id: Uuid::new_v4(),
        kind: "login".to_owned(),
        state: serde_json::json!({}),
        account_id: Some(id),
        expires_at: NOW + Duration::hours(1),
    };
    let flow = store.create_flow(&flow, NOW).await.unwrap();
    let pending = StepWrite::SchedulePhoneChange {
        account: id,
        phone: phone("0377777777"),
        replaces: Some(phone("0912345678")),
        cancel_mac: [1; 32],
        effective_at: NOW + Duration::hours(24),
        audit: admin(),
    };
    store
        .save_step(&flow, flow.version, &[pending], NOW)
        .await
        .unwrap();

    let new: PhoneNumber = phone("0387654321");
    let audit = admin();
    let reset = PhoneReset {
        account: id,
        phone: &new,
        reason: "mất SIM",
        document: "001190012345",
        audit: &audit,
    };
    let replaced = store.reset_otp_phone(&reset, NOW).await.unwrap();
    assert_eq!(replaced, Some(phone("0912345678")));
    let phones = store.phones(id).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert_eq!(
        (phones[0].phone.clone(), phones[0].is_default),
        (new.clone(), true)
    );
    assert!(store.pending_phone_change(id).await.unwrap().is_none());
    // The change that waited can no longer replace the phone just checked.
    assert!(
        !store
            .settle_phone_change(id, NOW + Duration::days(2))
            .await
            .unwrap()
    );
    let event = &store.audit_of_account(id, 1).await.unwrap()[0];
    assert_eq!(event.kind, AuditKind::OtpPhoneReset);
    assert_eq!(event.details["document"], "001190012345");
    assert_eq!(event.details["replaced"], phone("0912345678").masked());

    let unknown = PhoneReset {
        account: store::AccountId(Uuid::new_v4()),
        ..reset
    };
    assert!(matches!(
        store.reset_otp_phone(&unknown, NOW).await,
        Err(store::StoreError::NotFound { .. })
    ));
}

store::store_tests!(
    roles_are_granted_once_and_revoked_once,
    a_phone_finds_every_account_it_serves,
    a_phone_reset_replaces_the_default_and_drops_a_pending_change,
);
