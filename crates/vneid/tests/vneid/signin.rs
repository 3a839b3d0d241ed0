//! Sign-in (V4): the lock after five wrong passwords (or passcodes) and its end after 30
//! minutes on the injected clock, no enumeration, new devices and known ones, levels.

use domain::AssuranceLevel;
use store::EidLevel;

use crate::harness::{PASSCODE, PASSWORD, sign_in, world};

const WRONG: &str = "Sai@123456";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_id_and_wrong_password_answer_alike() {
    let world = world().await;
    let person = world.active(1, EidLevel::One).await;
    let stranger = world.person(2);
    let browser = world.browser();
    let wrong = browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", WRONG),
            ],
        )
        .await;
    let unknown = browser
        .post(
            "/login",
            &[
                ("personal_id", stranger.personal_id.as_str()),
                ("password", WRONG),
            ],
        )
        .await;
    wrong.assert_has("Số định danh cá nhân hoặc mật khẩu không đúng.");
    let strip = |body: &str, id: &str| body.replace(id, "");
    assert_eq!(
        strip(&wrong.body, person.personal_id.as_str()),
        strip(&unknown.body, stranger.personal_id.as_str())
    );
    // Both lock at the fifth failure: an ID that never locked would be known not to exist.
    for _ in 0..3 {
        for id in [&person.personal_id, &stranger.personal_id] {
            browser
                .post(
                    "/login",
                    &[("personal_id", id.as_str()), ("password", WRONG)],
                )
                .await;
        }
    }
    let known = browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", WRONG),
            ],
        )
        .await;
    let unknown = browser
        .post(
            "/login",
            &[
                ("personal_id", stranger.personal_id.as_str()),
                ("password", WRONG),
            ],
        )
        .await;
    known.assert_has("tạm khóa");
    assert_eq!(
        strip(&known.body, person.personal_id.as_str()),
        strip(&unknown.body, stranger.personal_id.as_str())
    );
    // A malformed ID is a field error, not a check.
    browser
        .post("/login", &[("personal_id", "abc"), ("password", WRONG)])
        .await
        .assert_has("id=\"personal_id-error\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_for_thirty_minutes() {
    let world = world().await;
    let person = world.active(1, EidLevel::Two).await;
    let browser = world.browser();
    let id = person.personal_id.as_str();
    for attempt in 1..=5 {
        let page = browser
            .post("/login", &[("personal_id", id), ("password", WRONG)])
            .await;
        if attempt < 5 {
            page.assert_has("mật khẩu không đúng");
        } else {
            page.assert_has("tạm khóa");
        }
    }
    let account = world
        .db
        .store
        .account_by_personal_id(&person.personal_id)
        .await
        .unwrap()
        .unwrap();
    let trail = world
        .db
        .store
        .audit_of_account(account.id, 20)
        .await
        .unwrap();
    let locks = trail
        .iter()
        .filter(|event| event.kind == store::AuditKind::SecurityRefusal)
        .count();
    assert_eq!(locks, 1, "the lock is one security event");
    // Even the right password is refused while locked.
    let page = browser
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await;
    page.assert_has("tạm khóa");
    world.clock.advance(time::Duration::minutes(29));
    browser
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await
        .assert_has("tạm khóa");
    world.clock.advance(time::Duration::minutes(2));
    let page = sign_in(&browser, &person).await;
    page.assert_has("MÀN HÌNH GIAO DIỆN MỨC 2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passcodes_count_towards_the_lock() {
    let world = world().await;
    let person = world.active(1, EidLevel::One).await;
    let browser = world.browser();
    let id = person.personal_id.as_str();
    // Two wrong passwords, then three wrong passcodes: the fifth failure locks.
    for _ in 0..2 {
        browser
            .post("/login", &[("personal_id", id), ("password", WRONG)])
            .await;
    }
    let page = browser
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await;
    page.assert_has("name=\"passcode\"");
    // The right password forgets nothing about wrong passcodes: they count on.
    for attempt in 1..=3 {
        let page = browser
            .post("/login/passcode", &[("passcode", "246801")])
            .await;
        if attempt < 3 {
            page.assert_has("Passcode không đúng");
        } else {
            page.assert_has("tạm khóa");
        }
    }
    browser
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await
        .assert_has("tạm khóa");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_device_asks_the_passcode_a_known_one_does_not() {
    let world = world().await;
    let person = world.active(1, EidLevel::Two).await;
    let browser = world.browser();
    let id = person.personal_id.as_str();
    let page = browser
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await;
    page.assert_has("name=\"passcode\"");
    let page = browser
        .post("/login/passcode", &[("passcode", PASSCODE)])
        .await;
    page.assert_has("MÀN HÌNH GIAO DIỆN MỨC 2");
    page.assert_has("LoA3");
    assert!(browser.cookie("vneid_device").is_some());
    // Signed out, the same browser signs in with the password alone.
    browser.post("/logout", &[]).await;
    let page = browser
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await;
    assert!(!page.has("name=\"passcode\""));
    page.assert_has("MÀN HÌNH GIAO DIỆN MỨC 2");
    // Another browser is a new device again.
    world
        .browser()
        .post("/login", &[("personal_id", id), ("password", PASSWORD)])
        .await
        .assert_has("name=\"passcode\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_code_instead_of_the_passcode() {
    let world = world().await;
    let person = world.active(1, EidLevel::One).await;
    let browser = world.browser();
    browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    let page = browser.post("/login/otp/send", &[]).await;
    page.assert_has("name=\"code\"");
    let code = world.sms.last_code(&person.phone);
    let page = browser.post("/login/otp", &[("code", &code)]).await;
    page.assert_has("MÀN HÌNH GIAO DIỆN MỨC 1");
    page.assert_has("mức 2, vui lòng đến cơ quan Công an");
    page.assert_has("LoA2");
    let token = browser.cookie("vneid_session").unwrap();
    let (session, _) = world.app.vneid().session(&token).await.unwrap().unwrap();
    assert_eq!(session.acr, AssuranceLevel::LoA2);
    assert_eq!(session.amr, ["pwd", "sms"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_give_the_session_its_acr() {
    let world = world().await;
    let one = world.active(1, EidLevel::One).await;
    let two = world.active(2, EidLevel::Two).await;
    for (person, acr, screen) in [
        (&one, AssuranceLevel::LoA2, "MÀN HÌNH GIAO DIỆN MỨC 1"),
        (&two, AssuranceLevel::LoA3, "MÀN HÌNH GIAO DIỆN MỨC 2"),
    ] {
        let browser = world.browser();
        sign_in(&browser, person).await.assert_has(screen);
        let token = browser.cookie("vneid_session").unwrap();
        let (session, _) = world.app.vneid().session(&token).await.unwrap().unwrap();
        assert_eq!(session.acr, acr);
        assert_eq!(session.amr, ["pwd", "pin"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_spray_passwords() {
    let world = world().await;
    let person = world.active(1, EidLevel::One).await;
    let browser = world.browser();
    // 200 attempts over many IDs from one address, then a refusal before any check.
    for n in 0..200 {
        let stranger = world.person(2 + n % 30);
        browser
            .post(
                "/login",
                &[
                    ("personal_id", stranger.personal_id.as_str()),
                    ("password", WRONG),
                ],
            )
            .await;
    }
    browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await
        .assert_has("quá nhiều yêu cầu");
    world.clock.advance(time::Duration::minutes(16));
    sign_in(&browser, &person)
        .await
        .assert_has("MÀN HÌNH GIAO DIỆN MỨC 1");
}
