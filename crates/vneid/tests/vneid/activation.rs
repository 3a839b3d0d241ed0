//! Activation (V2–V3): every refusal has its own message; the OTP, password, passcode and
//! question rules hold over HTTP; the account is created only at the end.

use store::EidLevel;

use crate::harness::{PASSCODE, PASSWORD, activate, request_activation, sign_in, world, world_on};

async fn request(world: &crate::harness::World, id: &str, phone: &str) -> crate::harness::Page {
    world
        .browser()
        .post("/activate", &[("personal_id", id), ("phone", phone)])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_failing_case_has_its_own_message() {
    let world = world().await;
    // No application at all.
    let nobody = world.person(1);
    let page = request(
        &world,
        nobody.personal_id.as_str(),
        &nobody.phone.national(),
    )
    .await;
    page.assert_has("Không tìm thấy hồ sơ đăng ký");
    // Pending, not approved.
    let pending = world.person(2);
    vneid::seed::pending_application(world.app.vneid(), &pending, EidLevel::Two)
        .await
        .unwrap();
    let page = request(
        &world,
        pending.personal_id.as_str(),
        &pending.phone.national(),
    )
    .await;
    page.assert_has("chưa được phê duyệt");
    // Approved, but another phone.
    let approved = world.approved(3, EidLevel::Two).await;
    let other_phone = world.person(4).phone.national();
    let page = request(&world, approved.personal_id.as_str(), &other_phone).await;
    page.assert_has("Số điện thoại không khớp");
    // Already active.
    let active = world.active(5, EidLevel::Two).await;
    let page = request(
        &world,
        active.personal_id.as_str(),
        &active.phone.national(),
    )
    .await;
    page.assert_has("đã được kích hoạt");
    // Locked: five wrong passwords.
    let locked = world.active(6, EidLevel::One).await;
    let browser = world.browser();
    for _ in 0..5 {
        browser
            .post(
                "/login",
                &[
                    ("personal_id", locked.personal_id.as_str()),
                    ("password", "Sai@12345"),
                ],
            )
            .await;
    }
    let page = request(
        &world,
        locked.personal_id.as_str(),
        &locked.phone.national(),
    )
    .await;
    page.assert_has("tạm khóa");
    // Formats: field errors, nothing checked.
    let page = request(&world, "12345", "0123").await;
    page.assert_has("id=\"personal_id-error\"");
    page.assert_has("id=\"phone-error\"");
    assert_eq!(page.status, 200);
    // None of the refusals sent a text.
    assert_eq!(world.sms.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activation_runs_to_an_account_and_sign_in_again() {
    let world = world().await;
    let person = world.approved(1, EidLevel::Two).await;
    let browser = world.browser();
    let done = activate(&world, &browser, &person).await;
    done.assert_has("Kích hoạt thành công");
    let account = world
        .db
        .store
        .account_by_personal_id(&person.personal_id)
        .await
        .unwrap()
        .expect("the account exists");
    assert_eq!(account.identity.full_name, person.full_name);
    // Answers were normalised before hashing.
    let vneid = world.app.vneid();
    assert!(
        vneid
            .check_security_answer(account.id, "q1", "trường kim đồng")
            .await
            .unwrap()
    );
    assert!(
        vneid
            .check_security_answer(account.id, "q3", "PHƯỜNG 5")
            .await
            .unwrap()
    );
    assert!(
        !vneid
            .check_security_answer(account.id, "q1", "trường kim")
            .await
            .unwrap()
    );
    // "Sign in again": a new device asks the passcode, then the level-2 screen.
    let home = sign_in(&world.browser(), &person).await;
    home.assert_has("MÀN HÌNH GIAO DIỆN MỨC 2");
    // A second activation is refused.
    let again = world
        .browser()
        .post(
            "/activate",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("phone", &person.phone.national()),
            ],
        )
        .await;
    again.assert_has("đã được kích hoạt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_and_expired_codes() {
    let world = world().await;
    let person = world.approved(1, EidLevel::One).await;
    let browser = world.browser();
    let page = request_activation(&browser, &person).await;
    page.assert_has("*******");
    let code = world.sms.last_code(&person.phone);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let page = browser.post("/activate/otp", &[("code", wrong)]).await;
    page.assert_has("Mã OTP không đúng. Bạn còn 4 lần thử.");
    // Past its five minutes the right code is refused as expired.
    world.clock.advance(time::Duration::minutes(6));
    let page = browser.post("/activate/otp", &[("code", &code)]).await;
    page.assert_has("Mã OTP đã hết hạn");
    // A new code (after the cooldown) works.
    let page = browser.post("/activate/resend", &[]).await;
    page.assert_has("Đã gửi lại mã OTP mới");
    let fresh = world.sms.last_code(&person.phone);
    let page = browser.post("/activate/otp", &[("code", &fresh)]).await;
    page.assert_has("name=\"password\"");
    // The code was single use: the flow has moved on.
    let page = browser.post("/activate/otp", &[("code", &fresh)]).await;
    page.assert_has("Phiên làm việc đã hết hạn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_codes_use_the_code_up() {
    let world = world().await;
    let person = world.approved(1, EidLevel::One).await;
    let browser = world.browser();
    request_activation(&browser, &person).await;
    let code = world.sms.last_code(&person.phone);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        browser.post("/activate/otp", &[("code", wrong)]).await;
    }
    let page = browser.post("/activate/otp", &[("code", &code)]).await;
    page.assert_has("quá số lần cho phép");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_passcode_and_question_rules() {
    let world = world().await;
    let person = world.approved(1, EidLevel::Two).await;
    let browser = world.browser();
    request_activation(&browser, &person).await;
    let code = world.sms.last_code(&person.phone);
    browser.post("/activate/otp", &[("code", &code)]).await;
    for (password, message) in [
        ("Ab1!", "ít nhất 8 ký tự"),
        ("Abcdefgh1!Abcdefgh1!x", "quá 20 ký tự"),
        ("abcdefg1!", "chữ hoa"),
        ("ABCDEFG1!", "chữ thường"),
        ("Abcdefgh!", "chữ số"),
        ("Abcdefgh1", "ký tự đặc biệt"),
    ] {
        let page = browser
            .post(
                "/activate/password",
                &[("password", password), ("confirmation", password)],
            )
            .await;
        page.assert_has(message);
    }
    let page = browser
        .post(
            "/activate/password",
            &[("password", PASSWORD), ("confirmation", "Khac@2024")],
        )
        .await;
    page.assert_has("không giống nhau");
    browser
        .post(
            "/activate/password",
            &[("password", PASSWORD), ("confirmation", PASSWORD)],
        )
        .await
        .assert_has("name=\"passcode\"");
    let birth = person.birth_date;
    let ddmmyy = format!(
        "{:02}{:02}{:02}",
        birth.day(),
        u8::from(birth.month()),
        birth.year() % 100
    );
    for (passcode, message) in [
        ("123456", "dãy số liên tiếp"),
        ("987654", "dãy số liên tiếp"),
        ("777777", "sáu chữ số giống nhau"),
        (ddmmyy.as_str(), "ngày sinh của bạn"),
        ("12345", "đúng 6 chữ số"),
    ] {
        let page = browser
            .post(
                "/activate/passcode",
                &[("passcode", passcode), ("confirmation", passcode)],
            )
            .await;
        page.assert_has(message);
    }
    browser
        .post(
            "/activate/passcode",
            &[("passcode", PASSCODE), ("confirmation", PASSCODE)],
        )
        .await
        .assert_has("name=\"question1\"");
    let page = browser
        .post(
            "/activate/questions",
            &[
                ("question1", "q2"),
                ("answer1", "An"),
                ("question2", "q2"),
                ("answer2", "Bình"),
            ],
        )
        .await;
    page.assert_has("phải khác nhau");
    let page = browser
        .post(
            "/activate/questions",
            &[
                ("question1", "q2"),
                ("answer1", "   "),
                ("question2", "q5"),
                ("answer2", "Phở"),
            ],
        )
        .await;
    page.assert_has("nhập câu trả lời");
    // Nothing was created by the refused steps.
    assert!(
        world
            .db
            .store
            .account_by_personal_id(&person.personal_id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_earlier_app_password_skips_the_password_step() {
    let world = world().await;
    let person = world.person(1);
    vneid::seed::approved_application(world.app.vneid(), &person, EidLevel::One, Some(PASSWORD))
        .await
        .unwrap();
    let browser = world.browser();
    request_activation(&browser, &person).await;
    let code = world.sms.last_code(&person.phone);
    let page = browser.post("/activate/otp", &[("code", &code)]).await;
    page.assert_has("name=\"passcode\"");
    assert!(!page.has("name=\"password\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_cannot_spend_the_sms_budget() {
    let world = world().await;
    let person = world.approved(1, EidLevel::One).await;
    // Five activation texts a day to one phone; the sixth request is refused unsent.
    for _ in 0..5 {
        let page = world
            .browser()
            .post(
                "/activate",
                &[
                    ("personal_id", person.personal_id.as_str()),
                    ("phone", &person.phone.national()),
                ],
            )
            .await;
        page.assert_has("name=\"code\"");
    }
    let page = world
        .browser()
        .post(
            "/activate",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("phone", &person.phone.national()),
            ],
        )
        .await;
    page.assert_has("quá nhiều tin nhắn");
    assert_eq!(world.sms.texts_to(&person.phone).len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_post_is_refused() {
    let world = world().await;
    let response = reqwest::Client::new()
        .post(world.app.base_url().join("/activate").unwrap())
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("personal_id=1&phone=2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

async fn activation_and_sign_in(db: store::testing::TestDb) {
    let world = world_on(db).await;
    let person = world.approved(1, EidLevel::One).await;
    activate(&world, &world.browser(), &person)
        .await
        .assert_has("Kích hoạt thành công");
    sign_in(&world.browser(), &person)
        .await
        .assert_has("MÀN HÌNH GIAO DIỆN MỨC 1");
    let _ = PASSCODE;
}

store::store_tests!(activation_and_sign_in);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_node_serves_the_next_step() {
    use std::sync::Arc;
    let world = world().await;
    let person = world.approved(1, EidLevel::One).await;
    // A second node on the same database.
    let other = vneid::VneidApp::start_for_tests(vneid::TestParts {
        store: Arc::clone(&world.db.store),
        clock: world.clock.clone(),
        random: Arc::new(domain::random::SeededRandomness::new(8)),
        sms: world.sms.clone(),
    })
    .await
    .unwrap();
    let first = world.browser();
    first
        .post(
            "/activate",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("phone", &person.phone.national()),
            ],
        )
        .await
        .assert_has("name=\"code\"");
    let code = world.sms.last_code(&person.phone);
    let second = first.on(other.base_url().clone());
    second
        .post("/activate/otp", &[("code", &code)])
        .await
        .assert_has("name=\"password\"");
    first
        .get("/activate/step")
        .await
        .assert_has("name=\"password\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_english_too() {
    let world = world().await;
    let browser = world.browser();
    let page = browser.get("/?lang=en").await;
    page.assert_has("Activate your electronic identity account");
    assert!(browser.cookie("vneid_lang").is_some());
    // The choice is remembered.
    let page = browser
        .post("/activate", &[("personal_id", "001"), ("phone", "")])
        .await;
    page.assert_has("The personal ID number must be 12 valid digits.");
    page.assert_has("lang=\"en\"");
    // The intro page and the sign-in page both lead to activation.
    let page = world.browser().get("/").await;
    page.assert_has("Kích hoạt tài khoản định danh điện tử");
    page.assert_has("href=\"/activate\"");
    let page = world.browser().get("/login").await;
    page.assert_has(">Kích hoạt</a>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resends_wait_and_run_out() {
    let world = world().await;
    let person = world.approved(1, EidLevel::One).await;
    let browser = world.browser();
    request_activation(&browser, &person).await;
    browser
        .post("/activate/resend", &[])
        .await
        .assert_has("Vui lòng đợi 60 giây");
    for _ in 0..2 {
        world.clock.advance(time::Duration::seconds(61));
        browser
            .post("/activate/resend", &[])
            .await
            .assert_has("Đã gửi lại mã OTP mới");
    }
    world.clock.advance(time::Duration::seconds(61));
    browser
        .post("/activate/resend", &[])
        .await
        .assert_has("Đã hết số lần gửi lại mã");
    // Three texts in all: the first and two resends; the last code works.
    let texts = world.sms.texts_to(&person.phone);
    assert_eq!(texts.len(), 3);
    let last = world.sms.last_code(&person.phone);
    browser
        .post("/activate/otp", &[("code", &last)])
        .await
        .assert_has("name=\"password\"");
}
