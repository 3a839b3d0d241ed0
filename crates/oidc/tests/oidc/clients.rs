//! Clients: registration and its rules, secrets, and authentication with each method.

use std::sync::Arc;

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::random::SeededRandomness;
use domain::{AssuranceLevel, ManualClock};
use oidc::clients::{ClientAuthError, ClientError, JWT_BEARER, NewClient, PresentedClient};
use oidc::{ClientAuthenticator, ClientRegistry, OidcConfig};
use serde_json::{Value, json};
use store::testing::TestDb;
use store::{ClientAuthMethod, ClientSettings, GrantType, OidcClient};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);
const ISSUER: &str = "https://id.dichvucong.gov.vn";
const TOKEN_URL: &str = "https://id.dichvucong.gov.vn/token";
const AUDIENCES: [&str; 2] = [TOKEN_URL, ISSUER];

fn registry(db: &TestDb) -> ClientRegistry {
    ClientRegistry::new(
        Arc::clone(&db.store),
        Arc::new(SeededRandomness::new(7)),
        Arc::new(ManualClock::new(NOW)),
    )
}

fn authenticator(db: &TestDb) -> ClientAuthenticator {
    ClientAuthenticator::new(Arc::clone(&db.store), &OidcConfig::default())
}

fn settings(auth_method: ClientAuthMethod) -> ClientSettings {
    ClientSettings {
        auth_method,
        ..ClientSettings::first_party("https://rp.example.gov.vn/callback", &["openid", "profile"])
    }
}

fn new_client(id: &str, settings: ClientSettings) -> NewClient {
    NewClient {
        id: id.to_owned(),
        name: "Cổng dịch vụ công tỉnh".to_owned(),
        settings,
    }
}

/// A client's key pair: the private half signs assertions (with jsonwebtoken, an independent
/// implementation), the public half is registered.
struct ClientKey {
    alg: jsonwebtoken::Algorithm,
    kid: String,
    private: jsonwebtoken::EncodingKey,
    jwk: Value,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn es256_key(kid: &str) -> ClientKey {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let point = pair.public_key().as_ref();
    ClientKey {
        alg: jsonwebtoken::Algorithm::ES256,
        kid: kid.to_owned(),
        private: jsonwebtoken::EncodingKey::from_ec_der(pair.to_pkcs8v1().unwrap().as_ref()),
        jwk: json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65]),
            "kid": kid, "use": "sig", "alg": "ES256"}),
    }
}

fn ed25519_key(kid: &str) -> ClientKey {
    let pair = Ed25519KeyPair::generate().unwrap();
    ClientKey {
        alg: jsonwebtoken::Algorithm::EdDSA,
        kid: kid.to_owned(),
        private: jsonwebtoken::EncodingKey::from_ed_der(pair.to_pkcs8v1().unwrap().as_ref()),
        jwk: json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref()), "kid": kid}),
    }
}

fn assertion_claims(client_id: &str, now: OffsetDateTime) -> Value {
    json!({
        "iss": client_id, "sub": client_id, "aud": TOKEN_URL,
        "iat": now.unix_timestamp(), "exp": now.unix_timestamp() + 60,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn sign(key: &ClientKey, claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.private).unwrap()
}

fn with_assertion(token: String) -> PresentedClient {
    PresentedClient {
        client_assertion_type: Some(JWT_BEARER.to_owned()),
        client_assertion: Some(token),
        ..PresentedClient::default()
    }
}

fn basic(id: &str, secret: &str) -> PresentedClient {
    PresentedClient {
        basic: Some((id.to_owned(), secret.to_owned())),
        ..PresentedClient::default()
    }
}

fn post(id: &str, secret: &str) -> PresentedClient {
    PresentedClient {
        client_id: Some(id.to_owned()),
        client_secret: Some(secret.to_owned()),
        ..PresentedClient::default()
    }
}

fn public(id: &str) -> PresentedClient {
    PresentedClient {
        client_id: Some(id.to_owned()),
        ..PresentedClient::default()
    }
}

async fn add(db: &TestDb, id: &str, settings: ClientSettings) -> (OidcClient, Option<String>) {
    registry(db).add(new_client(id, settings)).await.unwrap()
}

async fn jwt_client(db: &TestDb, id: &str, keys: &[&ClientKey]) {
    let mut settings = settings(ClientAuthMethod::PrivateKeyJwt);
    settings.jwks =
        Some(json!({ "keys": keys.iter().map(|key| key.jwk.clone()).collect::<Vec<_>>() }));
    add(db, id, settings).await;
}

async fn registration_round_trip(db: TestDb) {
    let registry = registry(&db);
    let (client, secret) = registry
        .add(new_client(
            "portal.hcm",
            settings(ClientAuthMethod::ClientSecretBasic),
        ))
        .await
        .unwrap();
    let secret = secret.unwrap();
    assert_eq!(secret.len(), 43, "256 bits, base64url");
    assert_eq!(
        client.secret_hash,
        Some(domain::digest::sha256(secret.as_bytes()))
    );
    assert_eq!(client.created_at, NOW);
    assert_eq!(registry.show("portal.hcm").await.unwrap(), client);
    assert_eq!(registry.list().await.unwrap(), vec![client.clone()]);

    let again = registry
        .add(new_client(
            "portal.hcm",
            settings(ClientAuthMethod::ClientSecretPost),
        ))
        .await
        .unwrap_err();
    assert!(matches!(again, ClientError::Exists(_)), "{again}");

    let auth = authenticator(&db);
    auth.authenticate(&basic("portal.hcm", &secret), &AUDIENCES, NOW)
        .await
        .unwrap();
    let rotated = registry.rotate_secret("portal.hcm").await.unwrap();
    assert_ne!(rotated, secret);
    let old = auth
        .authenticate(&basic("portal.hcm", &secret), &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(matches!(old, ClientAuthError::InvalidClient), "{old}");
    auth.authenticate(&basic("portal.hcm", &rotated), &AUDIENCES, NOW)
        .await
        .unwrap();

    let mut browser_app = settings(ClientAuthMethod::None);
    browser_app.web_origins = vec![
        "https://App.example.vn/".to_owned(),
        "https://app.example.vn".to_owned(),
        "http://127.0.0.1:5173".to_owned(),
    ];
    let (app, none) = registry
        .add(new_client("mobile-app", browser_app))
        .await
        .unwrap();
    assert_eq!((app.secret_hash, none), (None, None));
    // Kept as browsers write `Origin`, each once.
    assert_eq!(
        app.settings.web_origins,
        ["https://app.example.vn", "http://127.0.0.1:5173"]
    );
    let error = registry.rotate_secret("mobile-app").await.unwrap_err();
    assert!(matches!(error, ClientError::NoSecret { .. }), "{error}");

    registry.remove("portal.hcm").await.unwrap();
    assert!(matches!(
        registry.show("portal.hcm").await,
        Err(ClientError::NotFound(_))
    ));
    assert!(matches!(
        registry.remove("portal.hcm").await,
        Err(ClientError::NotFound(_))
    ));
    assert!(matches!(
        registry.rotate_secret("portal.hcm").await,
        Err(ClientError::NotFound(_))
    ));
    assert_eq!(registry.list().await.unwrap(), vec![app]);
}

async fn each_method_authenticates(db: TestDb) {
    let auth = authenticator(&db);
    let (_, basic_secret) = add(
        &db,
        "rp.basic",
        settings(ClientAuthMethod::ClientSecretBasic),
    )
    .await;
    let (_, post_secret) = add(&db, "rp-post", settings(ClientAuthMethod::ClientSecretPost)).await;
    add(&db, "rp_public", settings(ClientAuthMethod::None)).await;
    let ec = es256_key("ec-1");
    let ed = ed25519_key("ed-1");
    jwt_client(&db, "rp-jwt", &[&ec, &ed]).await;

    // Basic credentials arrive form-urlencoded (RFC 6749 §2.3.1).
    let encoded = basic("rp%2Ebasic", &basic_secret.unwrap());
    let client = auth.authenticate(&encoded, &AUDIENCES, NOW).await.unwrap();
    assert_eq!(client.id, "rp.basic");
    let mut with_id = post("rp-post", post_secret.as_deref().unwrap());
    let client = auth.authenticate(&with_id, &AUDIENCES, NOW).await.unwrap();
    assert_eq!(client.id, "rp-post");
    with_id.client_id = Some("rp-other".to_owned());
    let error = auth
        .authenticate(&with_id, &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::InvalidClient), "{error}");

    let client = auth
        .authenticate(&public("rp_public"), &AUDIENCES, NOW)
        .await
        .unwrap();
    assert_eq!(client.settings.auth_method, ClientAuthMethod::None);

    for key in [&ec, &ed] {
        let token = sign(key, &assertion_claims("rp-jwt", NOW));
        let client = auth
            .authenticate(&with_assertion(token), &AUDIENCES, NOW)
            .await
            .unwrap();
        assert_eq!(client.id, "rp-jwt");
    }
    // aud may be an array, and the issuer is an accepted audience.
    let mut claims = assertion_claims("rp-jwt", NOW);
    claims["aud"] = json!(["https://elsewhere.example", ISSUER]);
    let mut presented = with_assertion(sign(&ec, &claims));
    presented.client_id = Some("rp-jwt".to_owned());
    auth.authenticate(&presented, &AUDIENCES, NOW)
        .await
        .unwrap();
}

async fn the_registered_method_is_the_only_one_accepted(db: TestDb) {
    let auth = authenticator(&db);
    let (_, basic_secret) = add(
        &db,
        "rp-basic",
        settings(ClientAuthMethod::ClientSecretBasic),
    )
    .await;
    let (_, post_secret) = add(&db, "rp-post", settings(ClientAuthMethod::ClientSecretPost)).await;
    add(&db, "rp-public", settings(ClientAuthMethod::None)).await;
    let ec = es256_key("ec-1");
    jwt_client(&db, "rp-jwt", &[&ec]).await;
    let (basic_secret, post_secret) = (basic_secret.unwrap(), post_secret.unwrap());

    let cases = [
        (post("rp-basic", &basic_secret), "client_secret_basic"),
        (public("rp-basic"), "client_secret_basic"),
        (basic("rp-post", &post_secret), "client_secret_post"),
        (basic("rp-public", "anything"), "none"),
        (post("rp-jwt", "anything"), "private_key_jwt"),
        (public("rp-jwt"), "private_key_jwt"),
    ];
    for (presented, registered) in cases {
        let error = auth
            .authenticate(&presented, &AUDIENCES, NOW)
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("this client must authenticate with {registered}"),
            "{presented:?}"
        );
        assert_eq!(error.error_code(), "invalid_client");
    }

    let mut both = basic("rp-basic", &basic_secret);
    both.client_secret = Some(basic_secret.clone());
    both.client_id = Some("rp-basic".to_owned());
    let error = auth.authenticate(&both, &AUDIENCES, NOW).await.unwrap_err();
    assert!(matches!(error, ClientAuthError::MultipleMethods), "{error}");
    let mut basic_and_assertion = with_assertion(sign(&ec, &assertion_claims("rp-jwt", NOW)));
    basic_and_assertion.basic = Some(("rp-basic".to_owned(), basic_secret));
    let error = auth
        .authenticate(&basic_and_assertion, &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::MultipleMethods), "{error}");
    let error = auth
        .authenticate(&PresentedClient::default(), &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::Missing), "{error}");
}

async fn wrong_secret_and_unknown_client_answer_alike(db: TestDb) {
    let auth = authenticator(&db);
    let (_, secret) = add(
        &db,
        "rp-basic",
        settings(ClientAuthMethod::ClientSecretBasic),
    )
    .await;
    let secret = secret.unwrap();
    let wrong = auth
        .authenticate(&basic("rp-basic", &format!("{secret}x")), &AUDIENCES, NOW)
        .await
        .unwrap_err();
    let unknown = auth
        .authenticate(&basic("nobody", &secret), &AUDIENCES, NOW)
        .await
        .unwrap_err();
    let unknown_post = auth
        .authenticate(&post("nobody", &secret), &AUDIENCES, NOW)
        .await
        .unwrap_err();
    for error in [&wrong, &unknown, &unknown_post] {
        assert!(matches!(error, ClientAuthError::InvalidClient), "{error}");
        assert_eq!(error.to_string(), "client authentication failed");
        assert!(!error.description().contains(&secret));
    }
    let unknown_public = auth
        .authenticate(&public("nobody"), &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(matches!(unknown_public, ClientAuthError::InvalidClient));
}

async fn assertions_are_checked_and_spent_once(db: TestDb) {
    let auth = authenticator(&db);
    let registered = es256_key("ec-1");
    jwt_client(&db, "rp-jwt", &[&registered]).await;
    let check = |token: String| {
        let auth = &auth;
        async move {
            auth.authenticate(&with_assertion(token), &AUDIENCES, NOW)
                .await
                .map(|client| client.id)
        }
    };

    let token = sign(&registered, &assertion_claims("rp-jwt", NOW));
    assert_eq!(check(token.clone()).await.unwrap(), "rp-jwt");
    let replay = check(token).await.unwrap_err();
    assert!(matches!(replay, ClientAuthError::Replayed), "{replay}");

    let refused = |claims: &dyn Fn(&mut Value), says: &'static str| {
        let mut value = assertion_claims("rp-jwt", NOW);
        claims(&mut value);
        (sign(&registered, &value), says)
    };
    let cases = [
        refused(&|c| c["aud"] = json!("https://other.example/token"), "aud"),
        refused(&|c| c["aud"] = json!(["https://other.example"]), "aud"),
        refused(
            &|c| {
                c["exp"] = json!(NOW.unix_timestamp());
                c["iat"] = json!(NOW.unix_timestamp() - 60);
            },
            "has expired",
        ),
        refused(
            &|c| c["exp"] = json!(NOW.unix_timestamp() + 301),
            "at most 300 seconds",
        ),
        refused(
            &|c| {
                c.as_object_mut().unwrap().remove("iat");
                c["exp"] = json!(NOW.unix_timestamp() + 3600);
            },
            "at most 300 seconds",
        ),
        refused(
            &|c| {
                c["iat"] = json!(NOW.unix_timestamp() + 120);
                c["exp"] = json!(NOW.unix_timestamp() + 180);
            },
            "issued in the future",
        ),
        refused(
            &|c| c["nbf"] = json!(NOW.unix_timestamp() + 120),
            "not valid yet",
        ),
        refused(
            &|c| drop(c.as_object_mut().unwrap().remove("exp")),
            "has no exp",
        ),
        refused(
            &|c| drop(c.as_object_mut().unwrap().remove("jti")),
            "has no jti",
        ),
        refused(&|c| c["jti"] = json!(""), "has no jti"),
        refused(&|c| c["sub"] = json!("someone-else"), "iss and sub"),
    ];
    for (token, says) in cases {
        let error = check(token).await.unwrap_err();
        assert!(error.to_string().contains(says), "{says}: {error}");
        assert_eq!(error.error_code(), "invalid_client");
    }

    // Signed by a key the client never registered, under its kid or another.
    let stranger = es256_key("ec-1");
    let error = check(sign(&stranger, &assertion_claims("rp-jwt", NOW)))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not signed by a key"), "{error}");
    let other_kid = es256_key("ec-2");
    let error = check(sign(&other_kid, &assertion_claims("rp-jwt", NOW)))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not signed by a key"), "{error}");
    let other_alg = ed25519_key("ec-1");
    let error = check(sign(&other_alg, &assertion_claims("rp-jwt", NOW)))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not signed by a key"), "{error}");

    // alg none and HS256 never reach a key.
    let payload = b64(assertion_claims("rp-jwt", NOW).to_string().as_bytes());
    for alg in ["none", "HS256"] {
        let header = b64(json!({"alg": alg, "kid": "ec-1"}).to_string().as_bytes());
        let error = check(format!("{header}.{payload}.")).await.unwrap_err();
        assert!(
            error.to_string().contains("RS256, ES256 or EdDSA"),
            "{alg}: {error}"
        );
    }
    let error = check("not-a-jwt".to_owned()).await.unwrap_err();
    assert!(error.to_string().contains("not a signed JWT"), "{error}");

    // The client_id beside the assertion must be the assertion's; the type must be jwt-bearer.
    let mut presented = with_assertion(sign(&registered, &assertion_claims("rp-jwt", NOW)));
    presented.client_id = Some("rp-other".to_owned());
    let error = auth
        .authenticate(&presented, &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientAuthError::ClientIdMismatch),
        "{error}"
    );
    let mut presented = with_assertion(sign(&registered, &assertion_claims("rp-jwt", NOW)));
    presented.client_assertion_type =
        Some("urn:ietf:params:oauth:client-assertion-type:saml2-bearer".to_owned());
    let error = auth
        .authenticate(&presented, &AUDIENCES, NOW)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::AssertionType), "{error}");

    // An unknown issuer is the same answer as a wrong secret.
    let error = check(sign(&registered, &assertion_claims("nobody", NOW)))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::InvalidClient), "{error}");
}

async fn registration_rules_name_the_field(db: TestDb) {
    let registry = registry(&db);
    type Change = Box<dyn Fn(&mut NewClient)>;
    fn change(f: impl Fn(&mut NewClient) + 'static) -> Change {
        Box::new(f)
    }
    fn with(f: impl Fn(&mut ClientSettings) + 'static) -> Change {
        Box::new(move |client: &mut NewClient| f(&mut client.settings))
    }
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            change(|c| c.id = "a b".to_owned()),
            "client_id",
            "3 to 64 characters",
        ),
        (
            change(|c| c.id = "ab".to_owned()),
            "client_id",
            "not a valid client_id",
        ),
        (change(|c| c.name = "  ".to_owned()), "name", "needs a name"),
        (
            with(|s| s.redirect_uris = vec!["http://localhost:3000/cb".to_owned()]),
            "redirect_uris",
            "use http://127.0.0.1",
        ),
        (
            with(|s| s.redirect_uris = vec!["http://rp.example.vn/cb".to_owned()]),
            "redirect_uris",
            "must use https",
        ),
        (
            with(|s| s.redirect_uris = vec!["https://rp.example.vn/cb#x".to_owned()]),
            "redirect_uris",
            "fragment",
        ),
        (
            with(|s| s.redirect_uris = vec!["https://u:p@rp.example.vn/cb".to_owned()]),
            "redirect_uris",
            "user credentials",
        ),
        (
            with(|s| s.redirect_uris = vec!["cb".to_owned()]),
            "redirect_uris",
            "not an absolute URL",
        ),
        (
            with(|s| s.redirect_uris.clear()),
            "redirect_uris",
            "at least one",
        ),
        (
            with(|s| s.post_logout_redirect_uris = vec!["http://rp.example.vn/bye".to_owned()]),
            "post_logout_redirect_uris",
            "must use https",
        ),
        (
            with(|s| s.backchannel_logout_uri = Some("http://localhost/logout".to_owned())),
            "backchannel_logout_uri",
            "use http://127.0.0.1",
        ),
        (
            with(|s| {
                s.auth_method = ClientAuthMethod::None;
                s.grant_types.push(GrantType::ClientCredentials);
            }),
            "grant_types",
            "client_credentials needs a confidential client",
        ),
        (
            with(|s| s.grant_types.clear()),
            "grant_types",
            "at least one",
        ),
        (
            with(|s| s.grant_types = vec![GrantType::RefreshToken]),
            "grant_types",
            "authorization_code",
        ),
        (
            with(|s| {
                s.grant_types = vec![GrantType::ClientCredentials];
            }),
            "redirect_uris",
            "only used with the authorization_code grant",
        ),
        (
            with(|s| {
                s.auth_method = ClientAuthMethod::None;
                s.require_pkce = false;
            }),
            "require_pkce",
            "must use PKCE",
        ),
        (
            with(|s| s.auth_method = ClientAuthMethod::PrivateKeyJwt),
            "jwks",
            "needs the client's public keys",
        ),
        (
            with(|s| {
                s.auth_method = ClientAuthMethod::PrivateKeyJwt;
                s.jwks = Some(json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}));
            }),
            "jwks",
            "private member \"k\"",
        ),
        (
            with(|s| {
                s.auth_method = ClientAuthMethod::PrivateKeyJwt;
                s.jwks = Some(json!({"keys": []}));
            }),
            "jwks",
            "no RS256, ES256 or EdDSA signing key",
        ),
        (
            with(|s| s.web_origins = vec!["https://app.example.vn/callback".to_owned()]),
            "web_origins",
            "without a path",
        ),
        (
            with(|s| s.web_origins = vec!["http://app.example.vn".to_owned()]),
            "web_origins",
            "must use https",
        ),
        (
            with(|s| s.web_origins = vec!["*".to_owned()]),
            "web_origins",
            "not an origin",
        ),
        (
            with(|s| {
                s.grant_types = vec![GrantType::ClientCredentials];
                s.redirect_uris.clear();
                s.web_origins = vec!["https://app.example.vn".to_owned()];
            }),
            "web_origins",
            "authorization_code",
        ),
        (
            with(|s| s.jwks = Some(json!({"keys": []}))),
            "jwks",
            "only used with auth method private_key_jwt",
        ),
        (
            with(|s| s.scopes.push("admin".to_owned())),
            "scopes",
            "\"admin\" is not a scope",
        ),
        (with(|s| s.scopes.clear()), "scopes", "at least one scope"),
        (
            with(|s| {
                s.grant_types = vec![GrantType::AuthorizationCode];
                s.scopes.push("offline_access".to_owned());
            }),
            "scopes",
            "refresh_token",
        ),
    ];
    for (apply, field, says) in cases {
        let mut client = new_client("rp-valid", settings(ClientAuthMethod::ClientSecretBasic));
        apply(&mut client);
        let error = registry.add(client).await.unwrap_err();
        match &error {
            ClientError::Invalid {
                field: named,
                message,
            } => {
                assert_eq!(*named, field, "{error}");
                assert!(message.contains(says), "{field}: {error}");
            }
            other => panic!("{field}: expected a validation error, got {other}"),
        }
    }
    assert!(registry.list().await.unwrap().is_empty());

    // What is accepted: loopback http, a confidential client_credentials client, repeats dropped.
    let mut loopback = settings(ClientAuthMethod::None);
    loopback.redirect_uris = vec![
        "http://127.0.0.1/cb".to_owned(),
        "http://[::1]:8400/cb".to_owned(),
        "http://127.0.0.1/cb".to_owned(),
    ];
    loopback.min_acr = Some(AssuranceLevel::LoA2);
    let (client, _) = add(&db, "native-app", loopback).await;
    assert_eq!(client.settings.redirect_uris.len(), 2);
    let mut machine = settings(ClientAuthMethod::PrivateKeyJwt);
    machine.grant_types = vec![GrantType::ClientCredentials];
    machine.redirect_uris.clear();
    machine.jwks = Some(json!({ "keys": [es256_key("k").jwk] }));
    add(&db, "machine", machine).await;
}

store::store_tests!(
    registration_round_trip,
    each_method_authenticates,
    the_registered_method_is_the_only_one_accepted,
    wrong_secret_and_unknown_client_answer_alike,
    assertions_are_checked_and_spent_once,
    registration_rules_name_the_field,
);
