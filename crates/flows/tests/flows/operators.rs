//! Operators (issue 12): the permission table refuses every role outside its rights (and the
//! refusal is audited), each console action changes what it says and audits it with the
//! operator as the actor, the holder is told, and the console is reached only at LoA3 by
//! certificate within its idle timeout.

use domain::{
    AccountKind, AccountStatus, AssuranceLevel, Clock, OperatorRole, PhoneNumber,
    RegistrationChannel,
};
use flows::{Capability, ConsoleAccess, MethodKind, Operator, PhoneResetRequest, SearchBy};
use sandbox::pki::CertificateRole;
use store::testing::TestDb;
use store::{Account, Actor, AuditContext, AuditKind, Identity, NewAccount};

use crate::harness::{START, World};

/// A citizen account of the sandbox's person `index`, with `phone` as its OTP phone.
async fn citizen(world: &World, index: usize, phone: &PhoneNumber) -> Account {
    let person = world.sandbox.people().get(index).unwrap().clone();
    let new = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(person.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: person.full_name.clone(),
            birth_date: Some(person.birth_date),
            gender: Some(person.gender),
        },
        email: None,
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(phone.clone()),
        password_phc: None,
        audit: system(),
    };
    world.db.store.create_account(&new, START).await.unwrap()
}

fn system() -> AuditContext {
    AuditContext {
        actor: Actor::System,
        client_ip: None,
    }
}

fn own_phone(world: &World, index: usize) -> PhoneNumber {
    world.sandbox.people().get(index).unwrap().phone.clone()
}

/// Person `index` as an operator holding `roles`, as a command names them.
async fn operator(world: &World, index: usize, roles: &[OperatorRole]) -> Operator {
    let account = citizen(world, index, &own_phone(world, index)).await;
    for role in roles {
        let store = &world.db.store;
        assert!(
            store
                .grant_role(account.id, *role, &system(), START)
                .await
                .unwrap()
        );
    }
    let personal_id = account.identity.personal_id.unwrap();
    world
        .engine
        .operators()
        .named(personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap()
}

fn request<'a>(
    phone: &'a PhoneNumber,
    reason: &'a str,
    document: &'a str,
) -> PhoneResetRequest<'a> {
    PhoneResetRequest {
        phone: phone.e164(),
        reason,
        document,
    }
}

fn id_of(account: &Account) -> String {
    account.identity.personal_id.as_ref().unwrap().to_string()
}

/// Every capability the service checks, tried by an operator of each single role on a fresh
/// citizen: allowed exactly where the table says, refused (and audited) everywhere else.
async fn each_role_is_refused_outside_its_rights(db: TestDb) {
    let world = World::new(db).await;
    let operators = world.engine.operators();
    for (n, role) in OperatorRole::ALL.into_iter().enumerate() {
        let staff = operator(&world, 10 + n, &[role]).await;
        let target = citizen(&world, 20 + n, &own_phone(&world, 20 + n)).await;
        let phone = own_phone(&world, 20 + n).national();
        let other_phone = own_phone(&world, 30 + n).national();
        let mut outcomes = Vec::new();
        let searched = operators
            .search(&staff, SearchBy::Phone, &phone)
            .await
            .unwrap();
        outcomes.push((Capability::Search, searched.is_ok()));
        let by_id = operators
            .search(&staff, SearchBy::PersonalId, &id_of(&target))
            .await
            .unwrap();
        outcomes.push((Capability::SearchByPersonalId, by_id.is_ok()));
        let viewed = operators.view(&staff, target.id).await.unwrap();
        outcomes.push((Capability::ViewAccount, viewed.is_ok()));
        let ended = operators.end_sessions(&staff, target.id).await.unwrap();
        outcomes.push((Capability::EndSessions, ended.is_ok()));
        let reset = PhoneResetRequest {
            phone: &other_phone,
            reason: "mất SIM",
            document: "001090000001",
        };
        let reset = operators
            .reset_phone(&staff, target.id, &reset)
            .await
            .unwrap();
        outcomes.push((Capability::ResetPhone, reset.is_ok()));
        let locked = operators.set_locked(&staff, target.id, true).await.unwrap();
        outcomes.push((Capability::LockUnlock, locked.is_ok()));
        let granted = operators
            .grant(
                Some(&staff),
                target.id,
                OperatorRole::Auditor,
                &world.client,
            )
            .await
            .unwrap();
        outcomes.push((Capability::GrantRoles, granted.is_ok()));
        let refusals = outcomes.iter().filter(|(_, allowed)| !allowed).count();
        for (capability, allowed) in outcomes {
            assert_eq!(
                allowed,
                flows::allows(&[role], capability),
                "{role} and {capability:?}"
            );
        }
        let trail = world
            .db
            .store
            .audit_of_account(staff.account.id, 50)
            .await
            .unwrap();
        let audited = trail
            .iter()
            .filter(|event| event.kind == AuditKind::SecurityRefusal)
            .filter(|event| event.details["reason"] == "operator_forbidden")
            .filter(|event| event.actor == Actor::Operator(staff.name()))
            .count();
        assert_eq!(audited, refusals, "{role}: every refusal is audited");
    }
}

async fn helpdesk_locks_unlocks_and_ends_sessions(db: TestDb) {
    let world = World::new(db).await;
    let operators = world.engine.operators();
    let staff = operator(&world, 10, &[OperatorRole::Helpdesk]).await;
    let phone = own_phone(&world, 20);
    let holder = citizen(&world, 20, &phone).await;
    let sessions = world.engine.sessions();
    let level = AssuranceLevel::LoA2;
    let methods = ["pwd".to_owned(), "sms".to_owned()];
    sessions
        .open(holder.id, level, &methods, &world.client)
        .await
        .unwrap();
    sessions
        .open(holder.id, level, &methods, &world.client)
        .await
        .unwrap();

    assert_eq!(
        operators.end_sessions(&staff, holder.id).await.unwrap(),
        Ok(2)
    );
    assert!(sessions.live(holder.id).await.unwrap().is_empty());
    assert_eq!(world.sms_count(&phone), 1, "the holder is told");

    operators
        .set_locked(&staff, holder.id, true)
        .await
        .unwrap()
        .unwrap();
    let store = &world.db.store;
    assert_eq!(
        store.account(holder.id).await.unwrap().unwrap().status,
        AccountStatus::Locked
    );
    let again = operators.set_locked(&staff, holder.id, true).await.unwrap();
    assert_eq!(again.unwrap_err().code, "operator.already_locked");
    operators
        .set_locked(&staff, holder.id, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.account(holder.id).await.unwrap().unwrap().status,
        AccountStatus::Active
    );
    assert_eq!(world.sms_count(&phone), 3);

    let file = operators.view(&staff, holder.id).await.unwrap().unwrap();
    let by_staff: Vec<AuditKind> = file
        .history
        .iter()
        .filter(|event| event.actor == Actor::Operator(staff.name()))
        .map(|event| event.kind)
        .collect();
    assert_eq!(
        by_staff,
        [
            AuditKind::AccountViewedByOperator,
            AuditKind::StatusChanged,
            AuditKind::StatusChanged,
            AuditKind::SessionsEndedByOperator,
        ]
    );
    assert_eq!(file.credentials.len(), 1);
    assert_eq!(
        file.credentials[0].label,
        phone.masked(),
        "phones are masked"
    );
}

async fn a_phone_reset_needs_the_document_and_tells_both_phones(db: TestDb) {
    let world = World::new(db).await;
    let operators = world.engine.operators();
    let staff = operator(&world, 10, &[OperatorRole::Helpdesk]).await;
    let old = own_phone(&world, 20);
    let new = own_phone(&world, 21);
    let holder = citizen(&world, 20, &old).await;
    let missing = operators
        .reset_phone(&staff, holder.id, &request(&new, "mất SIM", "  "))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (missing.field, missing.code),
        (Some("document"), "field.required")
    );
    let missing = operators
        .reset_phone(&staff, holder.id, &request(&new, "", "001090000001"))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(missing.field, Some("reason"));
    let bad = PhoneResetRequest {
        phone: "12345",
        reason: "mất SIM",
        document: "001090000001",
    };
    let bad = operators
        .reset_phone(&staff, holder.id, &bad)
        .await
        .unwrap();
    assert_eq!(bad.unwrap_err().field, Some("phone"));
    assert_eq!(world.sms_count(&old), 0, "nothing changed");

    operators
        .reset_phone(&staff, holder.id, &request(&new, "mất SIM", "001090000001"))
        .await
        .unwrap()
        .unwrap();
    let phones = world.db.store.phones(holder.id).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert_eq!(
        (phones[0].phone.clone(), phones[0].is_default),
        (new.clone(), true)
    );
    assert_eq!(world.sms_count(&old), 1);
    assert_eq!(world.sms_count(&new), 1);
    let trail = world.db.store.audit_of_account(holder.id, 5).await.unwrap();
    let reset = &trail[0];
    assert_eq!(reset.kind, AuditKind::OtpPhoneReset);
    assert_eq!(reset.actor, Actor::Operator(staff.name()));
    assert_eq!(reset.details["reason"], "mất SIM");
    assert_eq!(reset.details["document"], "001090000001");
    assert_eq!(reset.details["replaced"], old.masked());
    assert_eq!(reset.details["phone"], new.masked());
}

async fn a_phone_lists_every_account_it_serves(db: TestDb) {
    let world = World::new(db).await;
    let staff = operator(&world, 10, &[OperatorRole::Auditor]).await;
    let shared = own_phone(&world, 20);
    let first = citizen(&world, 20, &shared).await;
    let second = citizen(&world, 21, &shared).await;
    citizen(&world, 22, &own_phone(&world, 22)).await;
    let operators = world.engine.operators();
    let found = operators
        .search(&staff, SearchBy::Phone, &shared.national())
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<_> = found.iter().map(|account| account.id).collect();
    assert_eq!(ids, [first.id, second.id]);
    let nobody = operators
        .search(&staff, SearchBy::Phone, "0399999999")
        .await
        .unwrap();
    assert_eq!(nobody, Ok(Vec::new()));
    let typo = operators
        .search(&staff, SearchBy::TaxCode, "12")
        .await
        .unwrap();
    assert_eq!(typo.unwrap_err().field, Some("tax_code"));
}

async fn roles_are_granted_revoked_told_and_guarded(db: TestDb) {
    let world = World::new(db).await;
    let operators = world.engine.operators();
    let phone = own_phone(&world, 20);
    let person = citizen(&world, 20, &phone).await;
    // Bootstrapping: the command line grants the first system administrator.
    operators
        .grant(None, person.id, OperatorRole::SystemAdmin, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(world.sms_count(&phone), 1);
    let admin = operators
        .named(&id_of(&person), &world.client)
        .await
        .unwrap()
        .unwrap();
    let held = operators
        .grant(
            Some(&admin),
            person.id,
            OperatorRole::SystemAdmin,
            &world.client,
        )
        .await
        .unwrap();
    assert_eq!(held.unwrap_err().code, "operator.role_held");
    let last = operators
        .revoke(
            Some(&admin),
            person.id,
            OperatorRole::SystemAdmin,
            &world.client,
        )
        .await
        .unwrap();
    assert_eq!(last.unwrap_err().code, "operator.last_system_admin");

    // A helpdesk operator cannot lock or re-route an operator's account.
    let staff = operator(&world, 10, &[OperatorRole::Helpdesk]).await;
    let refused = operators.set_locked(&staff, person.id, true).await.unwrap();
    assert_eq!(refused.unwrap_err().code, "operator.forbidden");
    operators
        .grant(
            Some(&admin),
            staff.account.id,
            OperatorRole::Auditor,
            &world.client,
        )
        .await
        .unwrap()
        .unwrap();
    operators
        .revoke(
            Some(&admin),
            staff.account.id,
            OperatorRole::Helpdesk,
            &world.client,
        )
        .await
        .unwrap()
        .unwrap();
    let roles: Vec<OperatorRole> = world
        .db
        .store
        .roles_of(staff.account.id)
        .await
        .unwrap()
        .iter()
        .map(|grant| grant.role)
        .collect();
    assert_eq!(roles, [OperatorRole::Auditor]);
    let trail = world
        .db
        .store
        .audit_of_account(staff.account.id, 5)
        .await
        .unwrap();
    assert_eq!(trail[0].kind, AuditKind::OperatorRoleRevoked);
    assert_eq!(trail[1].kind, AuditKind::OperatorRoleGranted);
    assert_eq!(trail[0].actor, Actor::Operator(admin.name()));
    let listed = operators.grants(Some(&admin)).await.unwrap().unwrap();
    assert_eq!(listed.len(), 2);
    let stranger = id_of(&citizen(&world, 30, &phone).await);
    let nobody = operators.named(&stranger, &world.client);
    assert_eq!(
        nobody.await.unwrap().unwrap_err().code,
        "operator.not_operator"
    );
}

async fn the_console_needs_a_recent_certificate_session(db: TestDb) {
    let world = World::with_certificates(db).await;
    let operators = world.engine.operators();
    let store = &world.db.store;
    let account = world.holder_account(CertificateRole::Citizen).await;
    let account = store.account(account).await.unwrap().unwrap();
    let sessions = world.engine.sessions();
    let by_password = ["pwd".to_owned(), "sms".to_owned()];
    let password = sessions
        .open(
            account.id,
            AssuranceLevel::LoA2,
            &by_password,
            &world.client,
        )
        .await
        .unwrap()
        .session;

    // Not an operator: refused, and the refusal is audited.
    let access = operators
        .console_access(&password, &account, &world.client)
        .await
        .unwrap();
    assert!(matches!(access, ConsoleAccess::NotOperator), "{access:?}");
    let trail = store.audit_of_account(account.id, 1).await.unwrap();
    assert_eq!(trail[0].details["reason"], "operator_console_refused");

    store
        .grant_role(account.id, OperatorRole::Helpdesk, &system(), START)
        .await
        .unwrap();
    let access = operators
        .console_access(&password, &account, &world.client)
        .await
        .unwrap();
    assert!(
        matches!(access, ConsoleAccess::NeedsCertificate),
        "{access:?}"
    );

    world
        .bind_certificate(account.id, CertificateRole::Citizen)
        .await;
    let access = operators
        .console_access(&password, &account, &world.client)
        .await
        .unwrap();
    assert!(
        matches!(
            access,
            ConsoleAccess::StepUp {
                method: MethodKind::UsbToken
            }
        ),
        "{access:?}"
    );

    // VNeID at level 2 is LoA3 too, but not a certificate.
    let federated = ["fed".to_owned()];
    let federated = sessions
        .open(account.id, AssuranceLevel::LoA3, &federated, &world.client)
        .await
        .unwrap()
        .session;
    let access = operators
        .console_access(&federated, &account, &world.client)
        .await
        .unwrap();
    assert!(matches!(access, ConsoleAccess::StepUp { .. }), "{access:?}");

    let by_token = ["hwk".to_owned(), "pin".to_owned()];
    let token = sessions
        .open(account.id, AssuranceLevel::LoA3, &by_token, &world.client)
        .await
        .unwrap()
        .session;
    let access = operators
        .console_access(&token, &account, &world.client)
        .await
        .unwrap();
    let ConsoleAccess::Granted(operator) = access else {
        panic!("{access:?}");
    };
    assert_eq!(operator.roles, [OperatorRole::Helpdesk]);

    // Fifteen minutes unused are allowed; more end the session.
    world.advance(15 * 60);
    let access = operators
        .console_access(&token, &account, &world.client)
        .await
        .unwrap();
    assert!(matches!(access, ConsoleAccess::Granted(_)), "{access:?}");
    world.advance(1);
    let access = operators
        .console_access(&token, &account, &world.client)
        .await
        .unwrap();
    assert!(matches!(access, ConsoleAccess::IdleExpired), "{access:?}");
    assert!(
        store
            .session(token.id, world.clock.now())
            .await
            .unwrap()
            .is_none()
    );
}

store::store_tests!(
    each_role_is_refused_outside_its_rights,
    helpdesk_locks_unlocks_and_ends_sessions,
    a_phone_reset_needs_the_document_and_tells_both_phones,
    a_phone_lists_every_account_it_serves,
    roles_are_granted_revoked_told_and_guarded,
    the_console_needs_a_recent_certificate_session,
);
