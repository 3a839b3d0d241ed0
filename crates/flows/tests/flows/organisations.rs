//! Business and agency accounts with members acting for them (SPEC A1): the legal
//! representative claims the business, invitations bound to one person, roles and the last
//! administrator, acting for an organisation in a session, and agencies made by operators.

use domain::{AccountKind, AccountStatus, Clock, OperatorRole, RegistrationChannel};
use flows::{AgencyEntry, FlowConfig, Invited, Operator, OrganisationService, Problem};
use sandbox::businesses::BusinessRole;
use store::testing::TestDb;
use store::{
    Account, AccountId, Actor, AuditContext, AuditKind, Identity, NewAccount, NewSession, OrgRole,
    Session,
};
use uuid::Uuid;

use super::harness::{World, fast_config};

const ACCEPT: &str = "https://dichvucong.test/account/organisations/accept/";

/// A sandbox person's citizen account, with their phone as the default OTP phone.
async fn citizen(world: &World, index: usize) -> Account {
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
        default_phone: Some(person.phone.clone()),
        password_phc: None,
        audit: holder(),
    };
    let now = world.clock.now();
    world.db.store.create_account(&new, now).await.unwrap()
}

fn holder() -> AuditContext {
    AuditContext {
        actor: Actor::Holder,
        client_ip: None,
    }
}

/// The registry's trading company, with a business account (as its organisation certificate
/// registers it), and its legal representative's citizen account.
async fn company(world: &World) -> (Account, Account) {
    let business = world
        .sandbox
        .businesses()
        .role(BusinessRole::Company)
        .unwrap()
        .clone();
    let new = NewAccount {
        kind: AccountKind::Business,
        identity: Identity {
            personal_id: None,
            legacy_cmnd: None,
            tax_code: Some(business.tax_code.clone()),
            full_name: business.name.clone(),
            birth_date: None,
            gender: None,
        },
        email: None,
        registration_channel: RegistrationChannel::UsbToken,
        default_phone: None,
        password_phc: None,
        audit: holder(),
    };
    let store = &world.db.store;
    let account = store.create_account(&new, world.clock.now()).await.unwrap();
    let index = world
        .sandbox
        .people()
        .all()
        .iter()
        .position(|p| p.personal_id == business.legal_representative.personal_id)
        .unwrap();
    (account, citizen(world, index).await)
}

fn orgs(world: &World) -> OrganisationService<'_> {
    world.engine.organisations()
}

fn refused<T: std::fmt::Debug>(answer: Result<T, Problem>, code: &str) {
    match answer {
        Err(problem) => assert_eq!(problem.code, code),
        Ok(value) => panic!("expected {code}, got {value:?}"),
    }
}

/// The company with its representative as administrator.
async fn administered_company(world: &World) -> (Account, Account) {
    let (business, representative) = company(world).await;
    let tax_code = business.identity.tax_code.clone().unwrap();
    orgs(world)
        .claim_as_representative(&representative, tax_code.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap();
    (business, representative)
}

async fn invite(world: &World, by: &Account, org: &Account, who: &Account, role: &str) -> Invited {
    let personal_id = who.identity.personal_id.as_ref().unwrap().to_string();
    orgs(world)
        .invite(by.id, org.id, &personal_id, role, ACCEPT, &world.client)
        .await
        .unwrap()
        .unwrap()
}

async fn session_of(world: &World, account: &Account) -> Session {
    let now = world.clock.now();
    let id = Uuid::new_v4();
    let new = NewSession {
        id,
        token_hash: flows::sha256(id.as_bytes()),
        account_id: account.id,
        acr: domain::AssuranceLevel::LoA2,
        amr: vec!["pwd".to_owned(), "sms".to_owned()],
        auth_time: now,
        client_ip: None,
        user_agent: None,
        idle_expires_at: now + time::Duration::hours(1),
        absolute_expires_at: now + time::Duration::hours(8),
    };
    world.db.store.create_session(&new, now).await.unwrap()
}

async fn kinds(world: &World, account: AccountId) -> Vec<AuditKind> {
    let trail = world.db.store.audit_of_account(account, 50).await.unwrap();
    trail.iter().map(|event| event.kind).collect()
}

async fn the_legal_representative_claims_the_business_once(db: TestDb) {
    let world = World::with_certificates(db).await;
    let (business, representative) = company(&world).await;
    let tax_code = business.identity.tax_code.clone().unwrap();
    let stranger = citizen(&world, 5).await;

    // Someone the registry does not name cannot claim it.
    let answer = orgs(&world)
        .claim_as_representative(&stranger, tax_code.as_str(), &world.client)
        .await
        .unwrap();
    refused(answer, "organisation.not_representative");
    let answer = orgs(&world)
        .claim_as_representative(&representative, "01234", &world.client)
        .await
        .unwrap();
    refused(answer, "field.invalid");

    orgs(&world)
        .claim_as_representative(&representative, tax_code.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap();
    let mine = orgs(&world).of_member(representative.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id(), business.id);
    assert_eq!(mine[0].role, OrgRole::Administrator);
    assert_eq!(mine[0].code(), tax_code.as_str());
    assert!(
        kinds(&world, business.id)
            .await
            .contains(&AuditKind::MemberAdded)
    );
    assert!(
        kinds(&world, representative.id)
            .await
            .contains(&AuditKind::MemberAdded)
    );
    // Told on their phone.
    let phone = world.db.store.phones(representative.id).await.unwrap()[0]
        .phone
        .clone();
    let sms = &world.sandbox.sms_outbox(Some(&phone))[0].text;
    assert!(
        sms.contains(tax_code.as_str()) && sms.contains("quan tri vien"),
        "{sms}"
    );

    // Once it has an administrator, nobody claims it again.
    let again = orgs(&world)
        .claim_as_representative(&representative, tax_code.as_str(), &world.client)
        .await
        .unwrap();
    refused(again, "organisation.has_administrator");
}

async fn an_invitation_is_accepted_once_by_its_own_person(db: TestDb) {
    let world = World::with_certificates(db).await;
    let (business, admin) = administered_company(&world).await;
    let invitee = citizen(&world, 6).await;
    let stranger = citizen(&world, 7).await;

    let invited = invite(&world, &admin, &business, &invitee, "submitter").await;
    // The invitee's phone gets the link.
    let phone = world.db.store.phones(invitee.id).await.unwrap()[0]
        .phone
        .clone();
    let sms = &world.sandbox.sms_outbox(Some(&phone))[0].text;
    assert!(sms.contains(&format!("{ACCEPT}{}", invited.token)), "{sms}");
    assert!(
        kinds(&world, business.id)
            .await
            .contains(&AuditKind::MemberInvited)
    );

    // Someone else signed in cannot see or accept it; nor can a made-up token.
    let (_, open) = orgs(&world)
        .members(admin.id, business.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.len(), 1);
    refused(
        orgs(&world)
            .invitation(&stranger, &invited.token)
            .await
            .unwrap(),
        "invitation.invalid",
    );
    refused(
        orgs(&world)
            .accept(&stranger, &invited.token, &world.client)
            .await
            .unwrap(),
        "invitation.invalid",
    );
    refused(
        orgs(&world)
            .accept(&invitee, "not-a-token", &world.client)
            .await
            .unwrap(),
        "invitation.invalid",
    );

    let (shown, organisation) = orgs(&world)
        .invitation(&invitee, &invited.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.role, OrgRole::Submitter);
    assert_eq!(organisation.id, business.id);
    let membership = orgs(&world)
        .accept(&invitee, &invited.token, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(membership.role, OrgRole::Submitter);
    assert_eq!(membership.added_by, Some(admin.id));
    // Single use.
    refused(
        orgs(&world)
            .accept(&invitee, &invited.token, &world.client)
            .await
            .unwrap(),
        "invitation.invalid",
    );
    let (members, open) = orgs(&world)
        .members(admin.id, business.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(members.len(), 2);
    assert!(open.is_empty());

    // An invitation expires after its lifetime (seven days).
    let late = invite(&world, &admin, &business, &stranger, "viewer").await;
    world.advance(7 * 24 * 60 * 60 + 1);
    refused(
        orgs(&world)
            .accept(&stranger, &late.token, &world.client)
            .await
            .unwrap(),
        "invitation.invalid",
    );
    // A withdrawn one is refused alike.
    let withdrawn = invite(&world, &admin, &business, &stranger, "viewer").await;
    orgs(&world)
        .withdraw(
            admin.id,
            business.id,
            withdrawn.invitation.id,
            &world.client,
        )
        .await
        .unwrap()
        .unwrap();
    refused(
        orgs(&world)
            .accept(&stranger, &withdrawn.token, &world.client)
            .await
            .unwrap(),
        "invitation.invalid",
    );

    // Refusals of the form.
    let wrong_role = orgs(&world)
        .invite(
            admin.id,
            business.id,
            "001099012345",
            "owner",
            ACCEPT,
            &world.client,
        )
        .await
        .unwrap();
    refused(wrong_role, "organisation.role_unknown");
    let wrong_id = orgs(&world)
        .invite(
            admin.id,
            business.id,
            "12345",
            "viewer",
            ACCEPT,
            &world.client,
        )
        .await
        .unwrap();
    refused(wrong_id, "field.invalid");
}

async fn only_administrators_manage_and_one_always_remains(db: TestDb) {
    let world = World::with_certificates(db).await;
    let (business, admin) = administered_company(&world).await;
    let submitter = citizen(&world, 6).await;
    let viewer = citizen(&world, 7).await;
    let outsider = citizen(&world, 8).await;
    for (who, role) in [(&submitter, "submitter"), (&viewer, "viewer")] {
        let invited = invite(&world, &admin, &business, who, role).await;
        orgs(&world)
            .accept(who, &invited.token, &world.client)
            .await
            .unwrap()
            .unwrap();
    }

    // Submitters and viewers cannot invite, change roles or remove.
    for member in [&submitter, &viewer] {
        let personal_id = outsider.identity.personal_id.as_ref().unwrap().to_string();
        let answer = orgs(&world)
            .invite(
                member.id,
                business.id,
                &personal_id,
                "viewer",
                ACCEPT,
                &world.client,
            )
            .await
            .unwrap();
        refused(answer, "organisation.not_administrator");
        let answer = orgs(&world)
            .change_role(
                member.id,
                business.id,
                member.id,
                "administrator",
                &world.client,
            )
            .await
            .unwrap();
        refused(answer, "organisation.not_administrator");
        let answer = orgs(&world)
            .remove(member.id, business.id, admin.id, &world.client)
            .await
            .unwrap();
        refused(answer, "organisation.not_administrator");
    }
    // Someone outside learns nothing about the organisation.
    refused(
        orgs(&world)
            .members(outsider.id, business.id)
            .await
            .unwrap(),
        "organisation.not_member",
    );
    let personal_id = viewer.identity.personal_id.as_ref().unwrap().to_string();
    let answer = orgs(&world)
        .invite(
            outsider.id,
            business.id,
            &personal_id,
            "viewer",
            ACCEPT,
            &world.client,
        )
        .await
        .unwrap();
    refused(answer, "organisation.not_member");

    // The only administrator can neither step down nor leave.
    refused(
        orgs(&world)
            .change_role(admin.id, business.id, admin.id, "viewer", &world.client)
            .await
            .unwrap(),
        "organisation.last_administrator",
    );
    refused(
        orgs(&world)
            .remove(admin.id, business.id, admin.id, &world.client)
            .await
            .unwrap(),
        "organisation.last_administrator",
    );
    refused(
        orgs(&world)
            .remove(admin.id, business.id, outsider.id, &world.client)
            .await
            .unwrap(),
        "member.not_found",
    );

    // With a second administrator, the first may step down; the member is told.
    orgs(&world)
        .change_role(
            admin.id,
            business.id,
            submitter.id,
            "administrator",
            &world.client,
        )
        .await
        .unwrap()
        .unwrap();
    let phone = world.db.store.phones(submitter.id).await.unwrap()[0]
        .phone
        .clone();
    let sms = &world.sandbox.sms_outbox(Some(&phone))[0].text;
    assert!(sms.contains("quan tri vien"), "{sms}");
    orgs(&world)
        .change_role(admin.id, business.id, admin.id, "viewer", &world.client)
        .await
        .unwrap()
        .unwrap();
    let events = kinds(&world, admin.id).await;
    assert!(events.contains(&AuditKind::MemberRoleChanged));
    // Now the former administrator is refused.
    refused(
        orgs(&world)
            .remove(admin.id, business.id, viewer.id, &world.client)
            .await
            .unwrap(),
        "organisation.not_administrator",
    );
    orgs(&world)
        .remove(submitter.id, business.id, viewer.id, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert!(
        kinds(&world, viewer.id)
            .await
            .contains(&AuditKind::MemberRemoved)
    );
    let phone = world.db.store.phones(viewer.id).await.unwrap()[0]
        .phone
        .clone();
    let sms = &world.sandbox.sms_outbox(Some(&phone))[0].text;
    assert!(sms.contains("khong con thay mat"), "{sms}");
}

async fn a_session_acts_for_a_member_organisation_until_removed(db: TestDb) {
    let world = World::with_certificates(db).await;
    let (business, admin) = administered_company(&world).await;
    let member = citizen(&world, 6).await;
    let loner = citizen(&world, 7).await;
    let invited = invite(&world, &admin, &business, &member, "submitter").await;
    orgs(&world)
        .accept(&member, &invited.token, &world.client)
        .await
        .unwrap()
        .unwrap();

    let session = session_of(&world, &member).await;
    // No memberships: no chooser.
    let alone = session_of(&world, &loner).await;
    assert!(!orgs(&world).needs_choice(&alone, &loner).await.unwrap());
    refused(
        orgs(&world)
            .choose(&alone, Some(business.id))
            .await
            .unwrap(),
        "organisation.not_member",
    );

    assert!(orgs(&world).needs_choice(&session, &member).await.unwrap());
    orgs(&world).choose(&session, None).await.unwrap().unwrap();
    assert!(!orgs(&world).needs_choice(&session, &member).await.unwrap());
    assert!(orgs(&world).acting_for(&session).await.unwrap().is_none());

    orgs(&world)
        .choose(&session, Some(business.id))
        .await
        .unwrap()
        .unwrap();
    let acting = orgs(&world).acting_for(&session).await.unwrap().unwrap();
    assert_eq!(acting.id(), business.id);
    assert_eq!(acting.role, OrgRole::Submitter);
    assert!(
        kinds(&world, member.id)
            .await
            .contains(&AuditKind::ActingForChosen)
    );

    // Removed: the session no longer acts for it, at once.
    orgs(&world)
        .remove(admin.id, business.id, member.id, &world.client)
        .await
        .unwrap()
        .unwrap();
    assert!(orgs(&world).acting_for(&session).await.unwrap().is_none());
    refused(
        orgs(&world)
            .choose(&session, Some(business.id))
            .await
            .unwrap(),
        "organisation.not_member",
    );
}

/// Person `index` as an operator holding `role`, as the console or a command names them.
async fn operator(world: &World, index: usize, role: OperatorRole) -> Operator {
    let account = citizen(world, index).await;
    let system = AuditContext {
        actor: Actor::System,
        client_ip: None,
    };
    let now = world.clock.now();
    let store = &world.db.store;
    assert!(
        store
            .grant_role(account.id, role, &system, now)
            .await
            .unwrap()
    );
    let personal_id = account.identity.personal_id.unwrap();
    world
        .engine
        .operators()
        .named(personal_id.as_str(), &world.client)
        .await
        .unwrap()
        .unwrap()
}

fn with_agencies() -> FlowConfig {
    let mut config = fast_config();
    config.organisations.agencies = vec![AgencyEntry {
        code: "000.00.15.H04".to_owned(),
        name: "Sở Tư pháp tỉnh Bắc Ninh".to_owned(),
    }];
    config
}

async fn operators_create_agencies_from_the_list(db: TestDb) {
    let world = World::with_config(db, with_agencies()).await;
    let admin = citizen(&world, 3).await;
    let admin_id = admin.identity.personal_id.as_ref().unwrap().to_string();
    let helpdesk = operator(&world, 5, OperatorRole::Helpdesk).await;
    let agency_admin = operator(&world, 6, OperatorRole::AgencyAdmin).await;
    let operators = world.engine.operators();
    // Only the role that manages agencies creates them.
    refused(
        operators
            .create_agency(&helpdesk, "000.00.15.H04", &admin_id)
            .await
            .unwrap(),
        "operator.forbidden",
    );
    refused(
        operators
            .create_agency(&agency_admin, "000.00.99.H99", &admin_id)
            .await
            .unwrap(),
        "agency.unknown_code",
    );
    // A personal ID without an account (a registry person who never registered).
    let nobody = world
        .sandbox
        .people()
        .get(9)
        .unwrap()
        .personal_id
        .to_string();
    refused(
        operators
            .create_agency(&agency_admin, "000.00.15.H04", &nobody)
            .await
            .unwrap(),
        "agency.no_such_person",
    );

    let agency = operators
        .create_agency(&agency_admin, "000.00.15.H04", &admin_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(agency.kind, AccountKind::Agency);
    assert_eq!(agency.status, AccountStatus::Active);
    assert_eq!(agency.identity.full_name, "Sở Tư pháp tỉnh Bắc Ninh");
    assert_eq!(agency.registration_channel, RegistrationChannel::Operator);
    let mine = orgs(&world).of_member(admin.id).await.unwrap();
    assert_eq!(mine[0].code(), "000.00.15.H04");
    assert_eq!(mine[0].role, OrgRole::Administrator);
    let trail = world
        .db
        .store
        .audit_of_account(agency.id, 10)
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .all(|event| event.actor == Actor::Operator(agency_admin.name())),
        "{trail:?}"
    );
    refused(
        operators
            .create_agency(&agency_admin, "000.00.15.H04", &admin_id)
            .await
            .unwrap(),
        "agency.exists",
    );
}

store::store_tests!(
    the_legal_representative_claims_the_business_once,
    an_invitation_is_accepted_once_by_its_own_person,
    only_administrators_manage_and_one_always_remains,
    a_session_acts_for_a_member_organisation_until_removed,
    operators_create_agencies_from_the_list,
);
