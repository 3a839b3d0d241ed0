//! The police console (V1): create an application, approve it, and the applicant gets exactly
//! the published text with this provider's address.

use store::ApplicationStatus;

use crate::harness::world;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_texts_the_applicant() {
    let world = world().await;
    let person = world.person(1);
    let browser = world.browser();
    let birth = person.birth_date.to_string();
    let page = browser
        .post(
            "/sandbox/police/applications",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("full_name", &person.full_name),
                ("birth_date", &birth),
                ("phone", &person.phone.national()),
                ("level", "2"),
            ],
        )
        .await;
    page.assert_has("Đã tạo hồ sơ");
    page.assert_has(person.personal_id.as_str());
    assert_eq!(world.sms.count(), 0);
    let page = browser
        .post(
            "/sandbox/police/approve",
            &[("personal_id", person.personal_id.as_str())],
        )
        .await;
    page.assert_has("Đã phê duyệt và gửi tin nhắn");
    let texts = world.sms.texts_to(&person.phone);
    let expected = format!(
        "Cuc Canh sat QLHC ve TTXH thong bao: Ho so dang ky tai khoan dinh danh dien tu cua cong \
         dan {} da duoc phe duyet. De nghi truy cap ung dung VNeID hoac dia chi {} de kich hoat \
         tai khoan.",
        vneid::text::strip_diacritics(&person.full_name),
        world.app.issuer()
    );
    assert_eq!(texts, [expected]);
    assert!(texts[0].is_ascii());
    let stored = world
        .db
        .store
        .application(&person.personal_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ApplicationStatus::Approved);
    // Approving twice texts once.
    browser
        .post(
            "/sandbox/police/approve",
            &[("personal_id", person.personal_id.as_str())],
        )
        .await
        .assert_has("Không có hồ sơ chờ phê duyệt");
    assert_eq!(world.sms.count(), 1);
    // Bad input is named, never a 500.
    let page = browser
        .post(
            "/sandbox/police/applications",
            &[
                ("personal_id", "1"),
                ("full_name", ""),
                ("birth_date", "x"),
                ("phone", "1"),
                ("level", "3"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    page.assert_has("Số định danh cá nhân phải gồm 12 chữ số");
    page.assert_has("Mức tài khoản phải là 1 hoặc 2");
}
