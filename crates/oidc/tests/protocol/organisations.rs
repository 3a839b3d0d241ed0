//! Acting for an organisation (SPEC A1): a member whose session chose a business or agency
//! gives relying services its claims, in the ID token and userinfo, under `dvc` only; removal
//! from the organisation takes them away at the next token, and `acr`/`amr` never change.

use domain::{AccountKind, AssuranceLevel, RegistrationChannel, TaxCode};
use serde_json::{Value, json};
use store::testing::TestDb;
use store::{
    Account, Actor, AuditContext, ClaimMapping, Identity, NewAccount, NewInvitation, OrgRole,
    Session,
};

use crate::harness::*;

fn audit() -> AuditContext {
    AuditContext {
        actor: Actor::Holder,
        client_ip: None,
    }
}

fn organisation(kind: AccountKind, name: &str, tax_code: Option<&str>) -> NewAccount {
    NewAccount {
        kind,
        identity: Identity {
            personal_id: None,
            legacy_cmnd: None,
            tax_code: tax_code.map(|code| TaxCode::parse(code).unwrap()),
            full_name: name.to_owned(),
            birth_date: None,
            gender: None,
        },
        email: None,
        registration_channel: RegistrationChannel::UsbToken,
        default_phone: None,
        password_phc: None,
        audit: audit(),
    }
}

async fn business(env: &Env) -> Account {
    let new = organisation(
        AccountKind::Business,
        "Công ty TNHH Sao Mai",
        Some("0100109106"),
    );
    env.store().create_account(&new, env.now()).await.unwrap()
}

/// `member` joins `organisation` in `role` through an invitation from `by`.
async fn join(env: &Env, organisation: &Account, member: &Account, by: &Account, role: OrgRole) {
    let token = [7u8; 32];
    let invitation = NewInvitation {
        id: uuid::Uuid::new_v4(),
        token_hash: domain::digest::sha256(&token),
        organisation_id: organisation.id,
        personal_id: member.identity.personal_id.clone().unwrap(),
        role,
        invited_by: by.id,
        expires_at: env.now() + time::Duration::days(7),
    };
    let store = env.store();
    store
        .create_invitation(&invitation, &audit(), env.now())
        .await
        .unwrap();
    let joined = store
        .accept_invitation(
            &invitation.token_hash,
            &invitation.personal_id,
            member.id,
            &audit(),
            env.now(),
        )
        .await
        .unwrap();
    assert_eq!(joined.unwrap().role, role);
}

/// The member's ID token claims and userinfo after one code flow from `session`.
async fn claims_of(
    env: &Env,
    client: &TestClient,
    session: &Session,
    account: &Account,
) -> (Value, Value, oidc::TokenResponse) {
    let code = code_for(env, client, session, account).await;
    let tokens = redeem(env, client, &code).await;
    let (_, id_claims) =
        verify_independently(env, tokens.id_token.as_deref().unwrap(), client.id()).await;
    let info = env.provider.userinfo(&tokens.access_token).await.unwrap();
    (id_claims, info, tokens)
}

async fn a_member_acting_for_a_business_shows_it_to_the_service(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |s| {
        s.claim_mapping = ClaimMapping::Portal;
    })
    .await;
    let person = citizen(&env).await;
    let business = business(&env).await;
    let store = env.store();
    assert!(
        store
            .add_first_administrator(business.id, person.id, &audit(), env.now())
            .await
            .unwrap()
    );
    let session = session(&env, &person, AssuranceLevel::LoA2, env.now()).await;

    // Before choosing, and as themself: no organisation.
    let (id_claims, info, _) = claims_of(&env, &client, &session, &person).await;
    assert!(id_claims.get("dvc_org_tax_code").is_none());
    assert!(info.get("dvc_org_name").is_none());

    assert!(
        store
            .choose_acting_for(session.id, Some(business.id), env.now())
            .await
            .unwrap()
    );
    let (id_claims, info, tokens) = claims_of(&env, &client, &session, &person).await;
    for claims in [&id_claims, &info] {
        assert_eq!(claims["dvc_org_tax_code"], "0100109106");
        assert_eq!(claims["dvc_org_name"], "Công ty TNHH Sao Mai");
        assert_eq!(claims["dvc_org_role"], "administrator");
        assert_eq!(claims["MaSoThueToChuc"], "0100109106");
        assert_eq!(claims["TenToChuc"], "Công ty TNHH Sao Mai");
        assert_eq!(claims["VaiTro"], "administrator");
        assert!(claims.get("dvc_org_agency_code").is_none());
    }
    // The person is still the subject, signed in as before.
    assert_eq!(id_claims["sub"], person.id.to_string());
    assert_eq!(id_claims["acr"], "LoA2");
    assert_eq!(id_claims["amr"], json!(["pwd", "otp", "sms", "mfa"]));
    assert_eq!(info["dvc_personal_id"], "001190012345");

    // Without the dvc scope, nothing about the organisation.
    let narrow = register(&env, "tra-cuu", |s| {
        s.scopes = vec!["openid".to_owned(), "profile".to_owned()];
    })
    .await;
    let (id_claims, info, _) = claims_of(&env, &narrow, &session, &person).await;
    assert!(id_claims.get("dvc_org_tax_code").is_none());
    assert!(info.get("dvc_org_tax_code").is_none());

    // A second administrator joins, demotes the person (the token says the role as it is
    // now), then removes them: the live token stops naming the business.
    let other = citizen_with(&env, "079090001234", "0987654321").await;
    join(&env, &business, &other, &person, OrgRole::Administrator).await;
    store
        .change_member_role(business.id, person.id, OrgRole::Viewer, &audit(), env.now())
        .await
        .unwrap();
    let info = env.provider.userinfo(&tokens.access_token).await.unwrap();
    assert_eq!(info["dvc_org_role"], "viewer");
    store
        .remove_member(business.id, person.id, &audit(), env.now())
        .await
        .unwrap();
    let info = env.provider.userinfo(&tokens.access_token).await.unwrap();
    assert!(info.get("dvc_org_tax_code").is_none(), "{info}");
    assert_eq!(info["sub"], person.id.to_string());
    let (id_claims, _, _) = claims_of(&env, &client, &session, &person).await;
    assert!(id_claims.get("dvc_org_tax_code").is_none());
}

async fn an_agency_is_named_by_its_code_and_an_organisation_account_acts_for_itself(db: TestDb) {
    let env = env(db).await;
    let client = register(&env, "hoso-tphcm", |_| {}).await;
    let person = citizen(&env).await;
    let mut new = organisation(AccountKind::Agency, "Sở Tư pháp tỉnh Bắc Ninh", None);
    new.registration_channel = RegistrationChannel::Operator;
    let store = env.store();
    let agency = store
        .create_agency(&new, "000.00.15.H04", person.id, env.now())
        .await
        .unwrap();
    let member = session(&env, &person, AssuranceLevel::LoA2, env.now()).await;
    store
        .choose_acting_for(member.id, Some(agency.id), env.now())
        .await
        .unwrap();
    let (id_claims, info, _) = claims_of(&env, &client, &member, &person).await;
    for claims in [&id_claims, &info] {
        assert_eq!(claims["dvc_org_agency_code"], "000.00.15.H04");
        assert_eq!(claims["dvc_org_name"], "Sở Tư pháp tỉnh Bắc Ninh");
        assert!(claims.get("dvc_org_tax_code").is_none());
        // Standard names only for a client without the portal's.
        assert!(claims.get("MaCoQuan").is_none());
    }

    // A business signed in with its own certificate acts for itself: no chooser, no member.
    let business = business(&env).await;
    let own = session(&env, &business, AssuranceLevel::LoA3, env.now()).await;
    let (id_claims, info, _) = claims_of(&env, &client, &own, &business).await;
    for claims in [&id_claims, &info] {
        assert_eq!(claims["dvc_org_tax_code"], "0100109106");
        assert_eq!(claims["dvc_org_role"], "administrator");
    }
    assert_eq!(id_claims["acr"], "LoA3");
}

store::store_tests!(
    a_member_acting_for_a_business_shows_it_to_the_service,
    an_agency_is_named_by_its_code_and_an_organisation_account_acts_for_itself,
);
