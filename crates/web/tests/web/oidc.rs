//! The OpenID provider against the OpenID Foundation's Config OP and Basic OP test plans,
//! driven by the `openidconnect` crate as the relying party (see `oidc_rp`).

use openidconnect::core::{CoreJwsSigningAlgorithm, CoreTokenType};
use openidconnect::{AuthType, Nonce, OAuth2TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};
use store::testing::TestDb;
use store::{ClientAuthMethod, SigningAlg};

use super::oidc_provider::{Op, settings};
use super::oidc_rp::{describe, error_code, header, payload};

// ---------------------------------------------------------------- Config OP

#[tokio::test]
async fn discovery_document_is_what_a_client_library_expects() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let response = reqwest::get(format!("{}/.well-known/openid-configuration", op.base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = response.json().await.unwrap();
    let base = &op.base;
    assert_eq!(
        doc["issuer"],
        json!(base),
        "issuer is the public base URL, no trailing slash"
    );
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks.json"),
        ("end_session_endpoint", "/logout"),
        ("introspection_endpoint", "/introspect"),
        ("revocation_endpoint", "/revoke"),
    ] {
        assert_eq!(doc[field], json!(format!("{base}{path}")), "{field}");
    }
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    assert_eq!(doc["backchannel_logout_supported"], json!(true));
    assert_eq!(doc["backchannel_logout_session_supported"], json!(true));
    assert_eq!(doc["request_parameter_supported"], json!(false));
    let list = |field: &str| -> Vec<String> {
        doc[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field} is not a list"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let algs = list("id_token_signing_alg_values_supported");
    assert!(
        algs.contains(&"RS256".to_owned()),
        "RS256 is mandatory: {algs:?}"
    );
    assert!(algs.contains(&"ES256".to_owned()), "{algs:?}");
    assert!(
        !algs
            .iter()
            .any(|alg| alg == "none" || alg.starts_with("HS")),
        "{algs:?}"
    );
    let grants = list("grant_types_supported");
    assert!(!grants.contains(&"implicit".to_owned()) && !grants.contains(&"password".to_owned()));
    let scopes = list("scopes_supported");
    for scope in ["openid", "profile", "phone", "email"] {
        assert!(scopes.contains(&scope.to_owned()), "{scope} in {scopes:?}");
    }
    let methods = list("token_endpoint_auth_methods_supported");
    for method in [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ] {
        assert!(
            methods.contains(&method.to_owned()),
            "{method} in {methods:?}"
        );
    }
    assert!(list("subject_types_supported").contains(&"public".to_owned()));
    let claims = list("claims_supported");
    for claim in ["sub", "auth_time", "acr", "amr", "sid"] {
        assert!(claims.contains(&claim.to_owned()), "{claim} in {claims:?}");
    }
    assert!(list("acr_values_supported").contains(&"LoA2".to_owned()));

    // The library itself accepted the document (in `Op::start`) and agrees on the issuer.
    assert_eq!(op.metadata.issuer().as_str(), base);
    assert!(
        op.metadata
            .additional_metadata()
            .end_session_endpoint
            .is_some(),
        "the library sees the end_session_endpoint"
    );
}

#[tokio::test]
async fn published_keys_are_public_and_usable_by_the_library() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let jwks: Value = reqwest::get(format!("{}/jwks.json", op.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    let mut kids = std::collections::HashSet::new();
    let mut algs = std::collections::HashSet::new();
    for key in keys {
        let kid = key["kid"]
            .as_str()
            .unwrap_or_else(|| panic!("a key without kid: {key}"));
        assert!(kids.insert(kid.to_owned()), "kid {kid} twice");
        if let Some(usage) = key.get("use") {
            assert_eq!(usage, "sig", "{key}");
        }
        algs.insert(key["alg"].as_str().unwrap().to_owned());
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(
                key.get(private).is_none(),
                "private member {private} published: {key}"
            );
        }
    }
    assert!(algs.contains("RS256") && algs.contains("ES256"), "{algs:?}");
    // The library parsed them into usable keys when it discovered the provider.
    assert!(op.metadata.jwks().keys().len() >= 2, "{jwks}");
}

// ---------------------------------------------------------------- Basic OP

async fn happy_path(db: TestDb) {
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-happy", |_| {}).await;
    let mut browser = op.browser().await;
    let request = rp.authorization(|r| r);
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let answer = op.authorize_signing_in(&mut browser, &rp, &request).await;
    // RFC 9207: the response names the issuer; the state comes back unchanged.
    assert_eq!(answer.get("iss"), Some(&op.base), "{answer:?}");
    assert_eq!(
        answer.get("state"),
        Some(request.state.secret()),
        "{answer:?}"
    );
    assert!(!answer.contains_key("error"), "{answer:?}");
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_or_else(|error| panic!("{}", describe(&error)));
    assert_eq!(tokens.token_type(), &CoreTokenType::Bearer);
    let signed = rp.verified(tokens, &request.nonce);
    assert_eq!(header(&signed.id_token.to_string())["alg"], "RS256");
    assert_eq!(
        signed.claims.nonce().map(Nonce::secret),
        Some(request.nonce.secret())
    );
    let auth_time = signed
        .claims
        .auth_time()
        .expect("auth_time is always sent")
        .timestamp();
    assert!(
        auth_time >= before - 1
            && auth_time <= time::OffsetDateTime::now_utc().unix_timestamp() + 1
    );
    assert_eq!(
        signed.claims.auth_context_ref().map(|acr| acr.as_str()),
        Some("LoA2")
    );
    let amr: Vec<String> = signed
        .claims
        .auth_method_refs()
        .expect("amr")
        .iter()
        .map(|method| method.as_str().to_owned())
        .collect();
    assert!(amr.contains(&"pwd".to_owned()), "{amr:?}");
    assert!(
        amr.iter().any(|method| method == "sms" || method == "otp"),
        "password and SMS OTP: {amr:?}"
    );
    assert!(!signed.sid().is_empty());
    assert!(signed.refresh_token().secret().len() >= 22);

    let info = rp.userinfo(&signed).await;
    assert_eq!(info.subject().as_str(), signed.sub());
    let name = info
        .name()
        .and_then(|name| name.get(None))
        .map(|name| name.as_str().to_owned());
    assert_eq!(name.as_deref(), Some(op.who.full_name.as_str()));
}

#[tokio::test]
async fn basic_happy_path_with_pkce_and_nonce() {
    happy_path(store::testing::sqlite().await).await;
}

#[tokio::test]
async fn basic_happy_path_on_postgres() {
    store::testing::with_postgres("oidc_basic_happy_path_on_postgres", happy_path).await;
}

#[tokio::test]
async fn es256_clients_get_es256_id_tokens() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op
        .client(&db, "rp-es256", |s| s.id_token_alg = SigningAlg::ES256)
        .await;
    assert_eq!(rp.alg, CoreJwsSigningAlgorithm::EcdsaP256Sha256);
    let mut browser = op.browser().await;
    // `verified` allows only ES256 for this client and checks the signature with the JWKS.
    let signed = op.sign_in(&mut browser, &rp).await;
    assert_eq!(header(&signed.id_token.to_string())["alg"], "ES256");
    let rs = op.client(&db, "rp-rs256", |_| {}).await;
    let again = op.sign_in(&mut browser, &rs).await;
    assert_eq!(header(&again.id_token.to_string())["alg"], "RS256");
}

#[tokio::test]
async fn nonce_is_returned_exactly_and_only_when_sent() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-nonce", |_| {}).await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await;
    // A relying service that had kept another nonce refuses the token (a replayed ID token).
    let other = Nonce::new("not-the-nonce-that-was-sent".to_owned());
    let verifier = rp.client.id_token_verifier();
    assert!(signed.id_token.claims(&verifier, &other).is_err());

    // Without a nonce in the request (allowed in the code flow), the ID token has none.
    let request = rp.authorization_for(&[], false, |r| r);
    let answer = op.authorize_signing_in(&mut browser, &rp, &request).await;
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    let id_token = openidconnect::TokenResponse::id_token(&tokens)
        .unwrap()
        .to_string();
    assert!(payload(&id_token).get("nonce").is_none(), "{id_token}");
}

#[tokio::test]
async fn client_secret_post_clients_authenticate_in_the_body() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op
        .client(&db, "rp-post", |s| {
            s.auth_method = ClientAuthMethod::ClientSecretPost
        })
        .await;
    let mut browser = op.browser().await;
    let signed = op.sign_in(&mut browser, &rp).await; // the library posts client_id and secret
    assert_eq!(
        signed.claims.audiences().first().unwrap().as_str(),
        "rp-post"
    );

    // The same request with a wrong secret is refused as invalid_client.
    let request = rp.authorization(|r| r);
    let answer = op.authorize_signing_in(&mut browser, &rp, &request).await;
    let mut wrong = op.rp("rp-post", Some("not-the-secret"), &settings(&rp.redirect));
    wrong.client = wrong.client.set_auth_type(AuthType::RequestBody);
    let refused = wrong
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap_err();
    assert_eq!(error_code(&refused), "invalid_client");
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let db = store::testing::sqlite().await;
    let op = Op::start(&db).await;
    let rp = op.client(&db, "rp-extra", |_| {}).await;
    let mut browser = op.browser().await;
    let request = rp.authorization(|r| {
        r.add_extra_param("extra_parameter", "ignored")
            .add_extra_param("x-portal-tracking", "abc 123")
    });
    let answer = op.authorize_signing_in(&mut browser, &rp, &request).await;
    assert!(answer.contains_key("code"), "{answer:?}");
    let tokens = rp
        .exchange(&answer["code"], request.verifier)
        .await
        .unwrap();
    rp.verified(tokens, &request.nonce);
}
