//! The operator console over HTTP: the guard lets in only an operator whose session is at LoA3
//! by certificate and recently used (others are sent to sign in, refused with a page, or
//! signed out), and its forms need the session's CSRF token besides the same-origin check.

use domain::digest::{encode_token, sha256};
use domain::{AccountKind, AccountStatus, AssuranceLevel, OperatorRole, RegistrationChannel};
use reqwest::StatusCode;
use store::testing::TestDb;
use store::{AccountId, Actor, AuditContext, AuditKind, Identity, NewAccount, NewSession};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::browser::{Browser, csrf_of, location};
use super::{person, serve};

fn system() -> AuditContext {
    AuditContext {
        actor: Actor::System,
        client_ip: None,
    }
}

/// The served sandbox's person `index`, with an account.
async fn citizen(db: &TestDb, index: usize) -> AccountId {
    let someone = person(index);
    let account = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(someone.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: someone.full_name.clone(),
            birth_date: Some(someone.birth_date),
            gender: Some(someone.gender),
        },
        email: None,
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(someone.phone.clone()),
        password_phc: None,
        audit: system(),
    };
    db.store
        .create_account(&account, OffsetDateTime::now_utc())
        .await
        .unwrap()
        .id
}

/// Puts a session of `account` signed in `ago` with `amr` at `acr` into the browser's cookie.
async fn signed_in(
    browser: &mut Browser,
    db: &TestDb,
    account: AccountId,
    (acr, amr): (AssuranceLevel, &[&str]),
    ago: Duration,
) -> Uuid {
    let mut token = [0u8; 32];
    token[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    token[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    let then = OffsetDateTime::now_utc() - ago;
    let session = NewSession {
        id: Uuid::new_v4(),
        token_hash: sha256(&token),
        account_id: account,
        acr,
        amr: amr.iter().map(|method| (*method).to_owned()).collect(),
        auth_time: then,
        client_ip: None,
        user_agent: None,
        idle_expires_at: OffsetDateTime::now_utc() + Duration::minutes(30),
        absolute_expires_at: OffsetDateTime::now_utc() + Duration::hours(12),
    };
    let id = db.store.create_session(&session, then).await.unwrap().id;
    browser
        .cookies
        .insert("__Host-session".to_owned(), encode_token(&token));
    id
}

const BY_PASSWORD: (AssuranceLevel, &[&str]) = (AssuranceLevel::LoA2, &["pwd", "sms"]);
const BY_SIM: (AssuranceLevel, &[&str]) = (AssuranceLevel::LoA3, &["sc", "pin"]);

async fn grant(db: &TestDb, account: AccountId, role: OperatorRole) {
    let now = OffsetDateTime::now_utc();
    db.store
        .grant_role(account, role, &system(), now)
        .await
        .unwrap();
}

/// Person 5 as a helpdesk operator signed in by SIM, on the record of person 6's account:
/// (the operator, the holder, the forms' CSRF token).
async fn helpdesk_on_a_record(
    browser: &mut Browser,
    db: &TestDb,
) -> (AccountId, AccountId, String) {
    let staff = citizen(db, 5).await;
    let holder = citizen(db, 6).await;
    grant(db, staff, OperatorRole::Helpdesk).await;
    signed_in(browser, db, staff, BY_SIM, Duration::ZERO).await;
    let page = browser
        .get(&format!("/operator/accounts/{holder}"))
        .await
        .text()
        .await
        .unwrap();
    (staff, holder, csrf_of(&page))
}

#[tokio::test]
async fn a_stranger_is_sent_to_sign_in_and_comes_back() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let answer = browser.get("/operator").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&answer).starts_with("/flows/"),
        "{}",
        location(&answer)
    );
}

#[tokio::test]
async fn a_citizen_is_refused_with_a_page_and_the_refusal_audited() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let account = citizen(&db, 5).await;
    signed_in(&mut browser, &db, account, BY_SIM, Duration::ZERO).await;
    let answer = browser.get("/operator").await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let page = answer.text().await.unwrap();
    assert!(page.contains("chỉ dành cho cán bộ vận hành"), "{page}");
    let trail = db.store.audit_of_account(account, 1).await.unwrap();
    assert_eq!(trail[0].kind, AuditKind::SecurityRefusal);
    assert_eq!(trail[0].details["reason"], "operator_console_refused");
}

#[tokio::test]
async fn a_password_session_is_not_enough() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let account = citizen(&db, 5).await;
    grant(&db, account, OperatorRole::Helpdesk).await;
    signed_in(&mut browser, &db, account, BY_PASSWORD, Duration::ZERO).await;
    // This deployment signs in with no certificate method: the operator cannot step up.
    let answer = browser.get("/operator").await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let page = answer.text().await.unwrap();
    assert!(page.contains("đăng nhập bằng chứng thư số"), "{page}");
    // LoA3 without a certificate's proof (VNeID) is no better.
    signed_in(
        &mut browser,
        &db,
        account,
        (AssuranceLevel::LoA3, &["fed"]),
        Duration::ZERO,
    )
    .await;
    assert_eq!(
        browser.get("/operator").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_console_left_idle_signs_out() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let account = citizen(&db, 5).await;
    grant(&db, account, OperatorRole::Auditor).await;
    let session = signed_in(&mut browser, &db, account, BY_SIM, Duration::minutes(14)).await;
    assert_eq!(browser.get("/operator").await.status(), StatusCode::OK);
    let stale = signed_in(&mut browser, &db, account, BY_SIM, Duration::minutes(16)).await;
    let answer = browser.get("/operator").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/operator");
    assert!(
        !browser.cookies.contains_key("__Host-session"),
        "the cookie goes"
    );
    let now = OffsetDateTime::now_utc();
    assert!(
        db.store.session(stale, now).await.unwrap().is_none(),
        "the session ended"
    );
    assert!(db.store.session(session, now).await.unwrap().is_some());
}

#[tokio::test]
async fn actions_need_the_sessions_csrf_token() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let (staff, holder, token) = helpdesk_on_a_record(&mut browser, &db).await;
    let lock = format!("/operator/accounts/{holder}/lock");

    let forged = browser.post(&lock, &[("csrf", "forged")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let missing = browser.post(&lock, &[]).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let active = db.store.account(holder).await.unwrap().unwrap().status;
    assert_eq!(active, AccountStatus::Active, "nothing changed");

    let done = browser.post(&lock, &[("csrf", token.as_str())]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&done),
        format!("/operator/accounts/{holder}?done=locked")
    );
    let locked = db.store.account(holder).await.unwrap().unwrap().status;
    assert_eq!(locked, AccountStatus::Locked);

    // The roles page is a system administrator's: a helpdesk operator gets the 403 page.
    let roles = browser.get("/operator/roles").await;
    assert_eq!(roles.status(), StatusCode::FORBIDDEN);
    let grant = browser
        .post(
            "/operator/roles/grant",
            &[
                ("csrf", token.as_str()),
                ("personal_id", "001090000001"),
                ("role", "system_admin"),
            ],
        )
        .await;
    assert_eq!(grant.status(), StatusCode::FORBIDDEN);
    assert!(
        db.store.roles_of(staff).await.unwrap().len() == 1,
        "no role was granted"
    );
}

#[tokio::test]
async fn a_phone_reset_without_the_document_is_said_next_to_the_field() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let (_, holder, token) = helpdesk_on_a_record(&mut browser, &db).await;
    let new_phone = person(7).phone.national();
    let form = [
        ("csrf", token.as_str()),
        ("phone", new_phone.as_str()),
        ("reason", "mất SIM"),
        ("document", ""),
    ];
    let answer = browser
        .post(&format!("/operator/accounts/{holder}/reset-phone"), &form)
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let page = answer.text().await.unwrap();
    assert!(page.contains("id=\"f-document-error\""), "{page}");
    let phones = db.store.phones(holder).await.unwrap();
    assert_eq!(phones[0].phone, person(6).phone, "the phone is unchanged");
}

#[tokio::test]
async fn agency_accounts_are_made_only_by_their_role() {
    let db = store::testing::sqlite().await;
    let mut browser = Browser::new(serve(&db, false).await).await;
    let helpdesk = citizen(&db, 5).await;
    let agencies = citizen(&db, 6).await;
    let admin = person(7).personal_id.to_string();
    citizen(&db, 7).await;
    grant(&db, helpdesk, OperatorRole::Helpdesk).await;
    grant(&db, agencies, OperatorRole::AgencyAdmin).await;

    signed_in(&mut browser, &db, helpdesk, BY_SIM, Duration::ZERO).await;
    let home = browser.get("/operator").await.text().await.unwrap();
    assert!(!home.contains("/operator/agencies"), "no link for helpdesk");
    let token = csrf_of(&home);
    assert_eq!(
        browser.get("/operator/agencies").await.status(),
        StatusCode::FORBIDDEN
    );
    let form = [
        ("csrf", token.as_str()),
        ("code", "000.00.15.H04"),
        ("personal_id", admin.as_str()),
    ];
    let refused = browser.post("/operator/agencies/create", &form).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    signed_in(&mut browser, &db, agencies, BY_SIM, Duration::ZERO).await;
    let home = browser.get("/operator").await.text().await.unwrap();
    assert!(home.contains("/operator/agencies"), "{home}");
    let token = csrf_of(&home);
    let page = browser.get("/operator/agencies").await;
    assert_eq!(page.status(), StatusCode::OK);
    // This server configures no agency: a code not on the list is refused, said in the
    // page's error summary (the page has no list to choose from).
    let form = [
        ("csrf", token.as_str()),
        ("code", "000.00.15.H04"),
        ("personal_id", admin.as_str()),
    ];
    let answer = browser.post("/operator/agencies/create", &form).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let page = answer.text().await.unwrap();
    assert!(page.contains("không có trong danh sách"), "{page}");
    let trail = db.store.audit_of_account(helpdesk, 10).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|event| event.kind == AuditKind::SecurityRefusal
                && event.details["capability"] == "manage_agencies"),
        "{trail:?}"
    );
}
