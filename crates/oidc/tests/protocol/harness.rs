//! A provider on a fresh store with a manual clock, and helpers to register clients, sign
//! people in and walk the code flow.
#![allow(dead_code)]

use std::sync::Arc;

use domain::digest::{MacKey, encode_token, sha256};
use domain::random::SeededRandomness;
use domain::{
    AccountKind, AssuranceLevel, Clock, Email, Gender, ManualClock, PersonalId, PhoneNumber,
    RegistrationChannel,
};
use oidc::clients::PresentedClient;
use oidc::{
    AuthorizationRequest, Decision, KeyRing, OidcConfig, Provider, ProviderParts, SealingKey,
    TokenError, TokenResponse,
};
use serde_json::Value;
use store::testing::TestDb;
use store::{
    Account, Actor, AuditContext, ClientAuthMethod, ClientSettings, Identity, NewAccount,
    NewSession, OidcClient, Session, Store,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub const NOW: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);
pub const ISSUER: &str = "https://id.dichvucong.example.vn";
pub const REDIRECT: &str = "https://hoso.example.vn/oidc/callback";
pub const SIGNED_OUT: &str = "https://hoso.example.vn/signed-out";
/// RFC 7636 appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const ALL_SCOPES: &str = "openid profile phone email dvc";

pub struct Env {
    pub db: TestDb,
    pub clock: Arc<ManualClock>,
    pub keys: Arc<KeyRing>,
    pub provider: Provider,
}

impl Env {
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.db.store
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(Duration::seconds(seconds));
    }
}

pub async fn env(db: TestDb) -> Env {
    env_with(db, reqwest::Client::builder().no_proxy().build().unwrap()).await
}

pub async fn env_with(db: TestDb, http: reqwest::Client) -> Env {
    let clock = Arc::new(ManualClock::new(NOW));
    let config = OidcConfig::default();
    let keys = Arc::new(KeyRing::new(
        Arc::clone(&db.store),
        SealingKey::derive(b"key-encryption key of the tests"),
        &config,
    ));
    keys.ensure_keys(NOW).await.unwrap();
    let provider = Provider::new(ProviderParts {
        store: Arc::clone(&db.store),
        clock: Arc::clone(&clock) as Arc<dyn Clock>,
        random: Arc::new(SeededRandomness::new(7)),
        config,
        issuer: url::Url::parse(&format!("{ISSUER}/")).unwrap(),
        keys: Arc::clone(&keys),
        pairwise_key: MacKey::new(b"pairwise key of the tests"),
        http,
    });
    Env {
        db,
        clock,
        keys,
        provider,
    }
}

/// The test citizen, registered on first use.
pub async fn citizen(env: &Env) -> Account {
    let id = PersonalId::parse("001190012345").unwrap();
    match env.store().account_by_personal_id(&id).await.unwrap() {
        Some(account) => account,
        None => citizen_with(env, "001190012345", "0912345678").await,
    }
}

pub async fn citizen_with(env: &Env, personal_id: &str, phone: &str) -> Account {
    let new = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(PersonalId::parse(personal_id).unwrap()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: "Nguyễn Thị Minh Khai".to_owned(),
            birth_date: Some(date!(1990 - 05 - 17)),
            gender: Some(Gender::Female),
        },
        email: Some(Email::parse("khai@example.vn").unwrap()),
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(PhoneNumber::parse(phone).unwrap()),
        password_phc: None,
        audit: AuditContext {
            actor: Actor::Holder,
            client_ip: None,
        },
    };
    env.store().create_account(&new, env.now()).await.unwrap()
}

/// A session as the login flow opens it (password + SMS OTP), signed in at `auth_time`.
pub async fn session(
    env: &Env,
    account: &Account,
    acr: AssuranceLevel,
    auth_time: OffsetDateTime,
) -> Session {
    let id = Uuid::new_v4();
    let new = NewSession {
        id,
        token_hash: sha256(id.as_bytes()),
        account_id: account.id,
        acr,
        amr: vec!["pwd".to_owned(), "sms".to_owned()],
        auth_time,
        client_ip: None,
        user_agent: None,
        idle_expires_at: env.now() + Duration::hours(1),
        absolute_expires_at: env.now() + Duration::hours(8),
    };
    env.store().create_session(&new, env.now()).await.unwrap()
}

pub struct TestClient {
    pub client: OidcClient,
    pub secret: String,
}

impl TestClient {
    pub fn id(&self) -> &str {
        &self.client.id
    }

    pub fn basic(&self) -> PresentedClient {
        PresentedClient {
            basic: Some((self.client.id.clone(), self.secret.clone())),
            ..PresentedClient::default()
        }
    }

    pub fn post(&self) -> PresentedClient {
        PresentedClient {
            client_id: Some(self.client.id.clone()),
            client_secret: Some(self.secret.clone()),
            ..PresentedClient::default()
        }
    }

    pub fn public(&self) -> PresentedClient {
        PresentedClient {
            client_id: Some(self.client.id.clone()),
            ..PresentedClient::default()
        }
    }
}

/// A confidential client (`client_secret_basic`) of the code flow with refresh tokens.
pub fn settings() -> ClientSettings {
    ClientSettings {
        post_logout_redirect_uris: vec![SIGNED_OUT.to_owned()],
        ..ClientSettings::first_party(REDIRECT, &oidc::clients::KNOWN_SCOPES)
    }
}

pub async fn register(env: &Env, id: &str, adjust: impl FnOnce(&mut ClientSettings)) -> TestClient {
    let mut settings = settings();
    adjust(&mut settings);
    let secret = encode_token(&sha256(id.as_bytes()));
    let client = OidcClient {
        id: id.to_owned(),
        name: format!("Dịch vụ {id}"),
        secret_hash: (settings.auth_method != ClientAuthMethod::None)
            .then(|| sha256(secret.as_bytes())),
        settings,
        created_at: env.now(),
        updated_at: env.now(),
    };
    env.store().create_client(&client).await.unwrap();
    TestClient { client, secret }
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// A complete authorization request of `client`, with `changes` replacing (or adding) values
/// and `removed` parameters left out.
pub fn auth_params(
    client: &str,
    changes: &[(&str, &str)],
    removed: &[&str],
) -> Vec<(String, String)> {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", REDIRECT),
        ("scope", ALL_SCOPES),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in changes {
        match params.iter_mut().find(|(known, _)| known == name) {
            Some(slot) => slot.1 = value,
            None => params.push((name, value)),
        }
    }
    params.retain(|(name, _)| !removed.contains(name));
    pairs(&params)
}

pub fn query(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

pub async fn request(env: &Env, params: &[(String, String)]) -> AuthorizationRequest {
    env.provider.authorization_request(params).await.unwrap()
}

/// The code of a successful decision.
pub fn issued_code(decision: Decision) -> String {
    match decision {
        Decision::Issue(url) => {
            assert!(url.as_str().starts_with(REDIRECT), "{url}");
            assert_eq!(query(&url, "iss").as_deref(), Some(ISSUER));
            query(&url, "code").unwrap()
        }
        other => panic!("expected a code, got {other:?}"),
    }
}

/// The `error` of an error redirect.
pub fn redirected_error(decision: Decision) -> String {
    match decision {
        Decision::Error(url) => {
            assert!(url.as_str().starts_with(REDIRECT), "{url}");
            assert_eq!(query(&url, "iss").as_deref(), Some(ISSUER));
            assert!(query(&url, "code").is_none());
            query(&url, "error").unwrap()
        }
        other => panic!("expected an error redirect, got {other:?}"),
    }
}

pub async fn code_for(
    env: &Env,
    client: &TestClient,
    session: &Session,
    account: &Account,
) -> String {
    let request = request(env, &auth_params(client.id(), &[], &[])).await;
    let decision = env
        .provider
        .decide(
            &request,
            Some((session, account)),
            domain::AssuranceLevel::LoA2,
            None,
        )
        .await
        .unwrap();
    issued_code(decision)
}

pub fn code_form(code: &str) -> Vec<(String, String)> {
    pairs(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ])
}

pub async fn redeem(env: &Env, client: &TestClient, code: &str) -> TokenResponse {
    env.provider
        .token(&client.basic(), &code_form(code))
        .await
        .unwrap()
}

/// A person signed in (LoA2) and the tokens of one code flow at `client`.
pub async fn signed_in_tokens(env: &Env, client: &TestClient) -> (Account, Session, TokenResponse) {
    let account = citizen(env).await;
    let session = session(env, &account, AssuranceLevel::LoA2, env.now()).await;
    let code = code_for(env, client, &session, &account).await;
    let tokens = redeem(env, client, &code).await;
    (account, session, tokens)
}

pub fn refusal<T: std::fmt::Debug>(result: Result<T, TokenError>) -> (String, u16) {
    match result {
        Err(error @ TokenError::Refused { .. }) => (
            error.body()["error"].as_str().unwrap().to_owned(),
            error.status(),
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Checks a token with the published JWKS through an independent JWT library, and returns
/// its header and claims. Expiry is checked against the test clock by the caller.
pub async fn verify_independently(
    env: &Env,
    token: &str,
    audience: &str,
) -> (jsonwebtoken::Header, Value) {
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};

    let jwks: JwkSet = serde_json::from_value(env.provider.jwks().await.unwrap()).unwrap();
    let header = decode_header(token).unwrap();
    let kid = header.kid.clone().expect("a kid");
    let jwk = jwks.find(&kid).expect("the kid is published");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    assert!(matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA
    ));
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    validation.set_audience(&[audience]);
    validation.set_issuer(&[ISSUER]);
    let data = decode::<Value>(token, &key, &validation).unwrap();
    (data.header, data.claims)
}
