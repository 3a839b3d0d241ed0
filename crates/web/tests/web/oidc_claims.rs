//! Claims (Basic OP "userinfo" and "scope" tests): userinfo over GET and POST with the ID
//! token's subject, claims chosen by scope, and the portal's attribute names per client.

use openidconnect::EmptyAdditionalClaims;
use openidconnect::UserInfoClaims;
use openidconnect::core::CoreGenderClaim;
use reqwest::StatusCode;
use serde_json::json;

use super::oidc_provider::{Op, userinfo_raw};

#[tokio::test]
async fn userinfo_answers_get_and_post_with_the_id_tokens_subject() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-userinfo", |_| {}).await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    let token = signed.access_token().secret().clone();
    let by_library = rp.userinfo(&signed).await;
    assert_eq!(by_library.subject().as_str(), signed.sub());
    let (status, _, get) = userinfo_raw(&op.base, false, Some(&token), &[]).await;
    assert_eq!(status, StatusCode::OK, "{get}");
    let (status, _, post) = userinfo_raw(&op.base, true, Some(&token), &[]).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let (status, _, body) = userinfo_raw(&op.base, true, None, &[("access_token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(get, post);
    assert_eq!(get, body);
    assert_eq!(get["sub"], json!(signed.sub()));

    // No token, or a forged one: 401 with a Bearer challenge (RFC 6750 §3).
    let (status, challenge, _) = userinfo_raw(&op.base, false, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.unwrap().starts_with("Bearer"));
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let (status, challenge, _) = userinfo_raw(&op.base, false, Some(&forged), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.unwrap().contains("invalid_token"));
}

#[tokio::test]
async fn scopes_decide_the_claims() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-scopes", |_| {}).await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await; // signed in now; the next requests are SSO
    // openid only: nothing but the subject.
    let bare_client = op.client(&db, "rp-bare", |_| {}).await;
    let request = bare_client.authorization_for(&[], true, |r| r);
    let answer = op
        .authorize_signing_in(&mut browser, &bare_client, &request)
        .await;
    let bare = bare_client
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    let bare = bare_client.verified(bare, &request.nonce);
    let (_, _, info) = userinfo_raw(&op.base, false, Some(bare.access_token().secret()), &[]).await;
    let object = info.as_object().unwrap();
    assert!(object.contains_key("sub"));
    for claim in ["name", "phone_number", "birthdate", "email"] {
        assert!(
            !object.contains_key(claim),
            "{claim} without its scope: {info}"
        );
    }
    assert!(
        !info.to_string().contains(op.who.personal_id.as_str()),
        "the personal ID needs dvc: {info}"
    );

    // profile phone dvc: the person's name, phone and personal ID.
    let request = bare_client.authorization_for(&["profile", "phone", "dvc"], true, |r| r);
    let answer = op
        .authorize_signing_in(&mut browser, &bare_client, &request)
        .await;
    let full = bare_client
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    let full = bare_client.verified(full, &request.nonce);
    let (_, _, info) = userinfo_raw(&op.base, false, Some(full.access_token().secret()), &[]).await;
    assert_eq!(info["name"], json!(op.who.full_name));
    assert_eq!(info["birthdate"], json!(op.who.birth_date.to_string()));
    assert_eq!(info["phone_number"], json!(op.who.phone.e164()));
    assert!(
        info.to_string().contains(op.who.personal_id.as_str()),
        "dvc gives the personal ID: {info}"
    );
    assert_eq!(
        info["sub"], bare.payload["sub"],
        "sub is stable per account"
    );
    // The library reads the same claims.
    let typed: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> =
        bare_client.userinfo(&full).await;
    assert_eq!(
        typed.phone_number().map(|p| p.as_str()),
        Some(op.who.phone.e164())
    );
}

#[tokio::test]
async fn portal_mapping_adds_the_portals_attribute_names() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op
        .client(&db, "rp-portal", |s| {
            s.claim_mapping = store::ClaimMapping::Portal;
        })
        .await;
    let mut browser = op.browser().await;
    op.sign_in(&mut browser, &rp).await;
    let request = rp.authorization_for(&["profile", "dvc"], true, |r| r);
    let answer = op.authorize_signing_in(&mut browser, &rp, &request).await;
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    let signed = rp.verified(tokens, &request.nonce);
    let (_, _, info) =
        userinfo_raw(&op.base, false, Some(signed.access_token().secret()), &[]).await;
    let birth = op.who.birth_date;
    let compact = format!(
        "{:04}{:02}{:02}",
        birth.year(),
        u8::from(birth.month()),
        birth.day()
    );
    assert_eq!(
        info["SoDinhDanh"],
        json!(op.who.personal_id.as_str()),
        "{info}"
    );
    assert_eq!(info["HoVaTen"], json!(op.who.full_name), "{info}");
    assert_eq!(info["NgayThangNamSinh"], json!(compact), "{info}");
    assert!(info.get("LoaiTaiKhoan").is_some(), "{info}");
    // The standard names stay beside them.
    assert_eq!(info["name"], json!(op.who.full_name), "{info}");
}
