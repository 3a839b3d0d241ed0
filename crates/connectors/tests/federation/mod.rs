//! The OpenID Connect client ([`OidcFederation`]) against a hostile provider: what it sends,
//! what it believes, and every lie it must refuse.

mod issuer;

use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use connectors::{
    ConnectorError, EidLevel, FederatedAuthorization, FederatedCallback, FederatedIdentity,
    IdentityProvider, OidcFederation, System, VneidConfig,
};
use domain::{AssuranceLevel, Gender, ManualClock, Secret};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::date;
use url::Url;

use issuer::{Issuer, SigningKey, TokenAnswer, sign_hs256, unsigned};

const CLIENT_ID: &str = "dvcid-portal";
const CLIENT_SECRET: &str = "vneid-client-secret-7f3a";
const NONCE: &str = "nonce-5Jx9c2kQ";
const VERIFIER: &str = "verifier-0123456789abcdefghijklmnopqrstuvwxyz";
const CODE: &str = "code-Zk81";

struct Harness {
    issuer: Issuer,
    clock: Arc<ManualClock>,
    federation: OidcFederation,
}

async fn start() -> Harness {
    start_with(|_| {}).await
}

async fn start_with(change: impl FnOnce(&mut VneidConfig)) -> Harness {
    let issuer = Issuer::start().await;
    let mut config = VneidConfig::new(
        issuer.issuer.clone(),
        CLIENT_ID,
        Secret::new(CLIENT_SECRET.to_owned()),
    );
    change(&mut config);
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let federation = OidcFederation::new(&config)
        .unwrap()
        .with_clock(clock.clone());
    Harness {
        issuer,
        clock,
        federation,
    }
}

fn trip() -> FederatedAuthorization {
    FederatedAuthorization {
        state: "state-Qw7".to_owned(),
        nonce: NONCE.to_owned(),
        code_verifier: VERIFIER.to_owned(),
        redirect_uri: "https://dichvucong.example/dang-nhap/vneid/callback"
            .parse()
            .unwrap(),
        min_acr: Some(AssuranceLevel::LoA3),
    }
}

impl Harness {
    fn now(&self) -> i64 {
        domain::Clock::now(self.clock.as_ref()).unix_timestamp()
    }

    /// The claims of a level-2 citizen's sign-in, as the real provider would send them.
    fn claims(&self) -> Value {
        let now = self.now();
        json!({
            "iss": self.issuer.issuer,
            "sub": "vneid-sub-42",
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "auth_time": now - 30,
            "nonce": NONCE,
            "acr": "LoA3",
            "amr": ["pwd", "otp"],
            "citizenPid": "001090123456",
            "fullName": "Nguyễn Văn An",
            "birthDate": "1990-05-17",
            "gender": "male",
            "accountLevel": 2,
        })
    }

    fn callback(&self) -> FederatedCallback {
        FederatedCallback {
            code: CODE.to_owned(),
            iss: Some(self.issuer.issuer.clone()),
        }
    }

    async fn redeem(&self) -> Result<FederatedIdentity, ConnectorError> {
        self.federation.redeem(&trip(), &self.callback()).await
    }

    /// Redeems a code for which the provider answers `token`.
    async fn redeem_token(&self, token: String) -> Result<FederatedIdentity, ConnectorError> {
        self.issuer.answer(token);
        self.redeem().await
    }

    /// Redeems a code for which the provider answers the usual claims, changed by `change`,
    /// signed with its published key.
    async fn redeem_claims(
        &self,
        change: impl FnOnce(&mut Value),
    ) -> Result<FederatedIdentity, ConnectorError> {
        let mut claims = self.claims();
        change(&mut claims);
        self.redeem_token(self.issuer.key.sign(&claims)).await
    }
}

/// Refused as a broken answer whose reason names `check` and holds no secret.
#[track_caller]
fn assert_refused(result: Result<FederatedIdentity, ConnectorError>, check: &str) {
    match result {
        Err(ConnectorError::InvalidResponse { system, reason }) => {
            assert_eq!(system, System::Vneid);
            assert!(reason.contains(check), "{reason:?} does not name {check:?}");
            for secret in [CLIENT_SECRET, VERIFIER, CODE, "001090123456", "eyJ"] {
                assert!(!reason.contains(secret), "{reason:?} shows {secret:?}");
            }
        }
        other => panic!("expected a refusal naming {check:?}, got {other:?}"),
    }
}

fn query(url: &Url) -> std::collections::HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn a_level_two_sign_in_is_believed_whole() {
    let harness = start().await;
    let url = harness.federation.authorization_url(&trip()).await.unwrap();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/authorize?", harness.issuer.issuer))
    );
    let query = query(&url);
    let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, VERIFIER.as_bytes()));
    for (name, value) in [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        (
            "redirect_uri",
            "https://dichvucong.example/dang-nhap/vneid/callback",
        ),
        ("scope", "openid profile"),
        ("state", "state-Qw7"),
        ("nonce", NONCE),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("acr_values", "LoA3"),
    ] {
        assert_eq!(query.get(name).map(String::as_str), Some(value), "{name}");
    }
    assert!(!url.as_str().contains(CLIENT_SECRET));
    assert!(!url.as_str().contains(VERIFIER));

    let identity = harness.redeem_claims(|_| {}).await.unwrap();
    assert_eq!(identity.issuer, harness.issuer.issuer);
    assert_eq!(identity.subject, "vneid-sub-42");
    assert_eq!(identity.personal_id.as_str(), "001090123456");
    assert_eq!(identity.full_name, "Nguyễn Văn An");
    assert_eq!(identity.birth_date, Some(date!(1990 - 05 - 17)));
    assert_eq!(identity.gender, Some(Gender::Male));
    assert_eq!(identity.level, EidLevel::Two);
    assert_eq!(identity.acr, AssuranceLevel::LoA3);
    assert_eq!(identity.amr, ["pwd", "otp"]);
    assert_eq!(
        identity.auth_time.map(OffsetDateTime::unix_timestamp),
        Some(harness.now() - 30)
    );

    let requests = harness.issuer.token_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let basic = STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(request.authorization, Some(format!("Basic {basic}")));
    let form = &request.form;
    assert_eq!(
        form.get("grant_type").map(String::as_str),
        Some("authorization_code")
    );
    assert_eq!(form.get("code").map(String::as_str), Some(CODE));
    assert_eq!(
        form.get("code_verifier").map(String::as_str),
        Some(VERIFIER)
    );
    assert_eq!(
        form.get("redirect_uri").map(String::as_str),
        Some("https://dichvucong.example/dang-nhap/vneid/callback")
    );
    assert!(!form.contains_key("client_secret"), "{form:?}");
    // One discovery for both steps.
    assert_eq!(harness.issuer.with(|state| state.discovery_hits), 1);
}

#[tokio::test]
async fn a_level_one_sign_in_with_the_optional_claims_left_out() {
    let harness = start().await;
    let identity = harness
        .redeem_claims(|claims| {
            let claims = claims.as_object_mut().unwrap();
            for name in ["birthDate", "gender", "amr", "auth_time", "acr"] {
                claims.remove(name);
            }
            claims.insert("accountLevel".into(), json!(1));
        })
        .await
        .unwrap();
    assert_eq!(identity.level, EidLevel::One);
    assert_eq!(identity.acr, AssuranceLevel::LoA2);
    assert_eq!(identity.birth_date, None);
    assert_eq!(identity.gender, None);
    assert!(identity.amr.is_empty());
    assert_eq!(identity.auth_time, None);
}

#[tokio::test]
async fn without_min_acr_no_acr_values_are_sent() {
    let harness = start().await;
    let trip = FederatedAuthorization {
        min_acr: None,
        ..trip()
    };
    let url = harness.federation.authorization_url(&trip).await.unwrap();
    assert!(!query(&url).contains_key("acr_values"), "{url}");
}

// ---- the authorisation response's iss (RFC 9207) ----

#[tokio::test]
async fn a_callback_without_iss_is_refused_when_the_provider_announces_it() {
    let harness = start().await;
    harness
        .issuer
        .answer(harness.issuer.key.sign(&harness.claims()));
    let callback = FederatedCallback {
        iss: None,
        ..harness.callback()
    };
    let result = harness.federation.redeem(&trip(), &callback).await;
    assert_refused(result, "iss");
    assert!(
        harness.issuer.token_requests().is_empty(),
        "the code was sent"
    );

    // A provider that does not announce the parameter may leave it out.
    let fresh = start().await;
    fresh
        .issuer
        .with(|state| state.iss_parameter_supported = false);
    fresh.issuer.answer(fresh.issuer.key.sign(&fresh.claims()));
    let callback = FederatedCallback {
        iss: None,
        ..fresh.callback()
    };
    fresh.federation.redeem(&trip(), &callback).await.unwrap();
}

#[tokio::test]
async fn a_callback_from_another_issuer_is_refused_before_the_code_is_sent() {
    for announced in [true, false] {
        let harness = start().await;
        harness
            .issuer
            .with(|state| state.iss_parameter_supported = announced);
        harness
            .issuer
            .answer(harness.issuer.key.sign(&harness.claims()));
        for wrong in [
            "https://attacker.example",
            &format!("{}/", harness.issuer.issuer),
        ] {
            let callback = FederatedCallback {
                iss: Some(wrong.to_owned()),
                ..harness.callback()
            };
            let result = harness.federation.redeem(&trip(), &callback).await;
            assert_refused(result, "mix-up");
        }
        assert!(
            harness.issuer.token_requests().is_empty(),
            "the code was sent"
        );
    }
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_refused() {
    let harness = start().await;
    let other = format!("{}/", harness.issuer.issuer);
    harness.issuer.with(|state| state.discovery_issuer = other);
    assert!(matches!(
        harness.federation.authorization_url(&trip()).await,
        Err(ConnectorError::InvalidResponse { ref reason, .. }) if reason.contains("issuer")
    ));
    harness
        .issuer
        .answer(harness.issuer.key.sign(&harness.claims()));
    assert_refused(harness.redeem().await, "discovery document issuer");
    assert!(harness.issuer.token_requests().is_empty());
}

// ---- the ID token ----

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    let harness = start().await;
    let result = harness
        .redeem_claims(|claims| claims["iss"] = json!("https://attacker.example"))
        .await;
    assert_refused(result, "ID token iss");
}

#[tokio::test]
async fn an_id_token_for_another_client_is_refused() {
    let harness = start().await;
    let result = harness
        .redeem_claims(|claims| claims["aud"] = json!("another-client"))
        .await;
    assert_refused(result, "ID token aud");
    // Ours among others is not enough: the others are not trusted.
    let result = harness
        .redeem_claims(|claims| {
            claims["aud"] = json!([CLIENT_ID, "another-client"]);
            claims["azp"] = json!(CLIENT_ID);
        })
        .await;
    assert_refused(result, "ID token aud");
    let result = harness
        .redeem_claims(|claims| claims["azp"] = json!("another-client"))
        .await;
    assert_refused(result, "ID token azp");
}

#[tokio::test]
async fn an_expired_id_token_is_refused_but_a_little_skew_is_not() {
    let harness = start().await;
    let now = harness.now();
    let result = harness
        .redeem_claims(|claims| {
            claims["iat"] = json!(now - 900);
            claims["exp"] = json!(now - 300);
        })
        .await;
    assert_refused(result, "ID token exp");
    harness
        .redeem_claims(|claims| claims["exp"] = json!(now - 20))
        .await
        .unwrap();
    let result = harness
        .redeem_claims(|claims| claims["iat"] = json!(now + 600))
        .await;
    assert_refused(result, "iat");
}

#[tokio::test]
async fn an_id_token_for_another_trip_is_refused() {
    let harness = start().await;
    let result = harness
        .redeem_claims(|claims| claims["nonce"] = json!("someone-elses-nonce"))
        .await;
    assert_refused(result, "ID token nonce");
    let result = harness
        .redeem_claims(|claims| {
            claims.as_object_mut().unwrap().remove("nonce");
        })
        .await;
    assert_refused(result, "ID token nonce");
}

#[tokio::test]
async fn an_unsigned_id_token_is_refused() {
    let harness = start().await;
    let result = harness.redeem_token(unsigned(&harness.claims())).await;
    assert_refused(result, "ID token signature");
    // Even from a provider that (wrongly) announces `none`.
    let fresh = start().await;
    fresh
        .issuer
        .with(|state| state.algs = vec!["ES256", "none"]);
    let result = fresh.redeem_token(unsigned(&fresh.claims())).await;
    assert_refused(result, "ID token signature");
}

#[tokio::test]
async fn an_id_token_signed_by_another_key_is_refused() {
    let harness = start().await;
    let impostor = SigningKey::generate(&harness.issuer.key.kid);
    let result = harness.redeem_token(impostor.sign(&harness.claims())).await;
    assert_refused(result, "ID token signature");
}

#[tokio::test]
async fn an_id_token_mac_d_with_the_client_secret_is_refused() {
    let harness = start().await;
    // Even when the provider announces HS256.
    harness
        .issuer
        .with(|state| state.algs = vec!["ES256", "HS256"]);
    let result = harness
        .redeem_token(sign_hs256(CLIENT_SECRET, &harness.claims()))
        .await;
    assert_refused(result, "ID token signature");
}

#[tokio::test]
async fn a_provider_announcing_no_accepted_algorithm_is_refused() {
    let harness = start().await;
    harness
        .issuer
        .with(|state| state.algs = vec!["HS256", "none"]);
    let result = harness.federation.authorization_url(&trip()).await;
    assert!(
        matches!(&result, Err(ConnectorError::InvalidResponse { reason, .. }) if reason.contains("algorithm")),
        "{result:?}"
    );
}

// ---- VNeID's claims ----

#[tokio::test]
async fn a_missing_or_malformed_personal_id_is_refused() {
    let harness = start().await;
    let result = harness
        .redeem_claims(|claims| {
            claims.as_object_mut().unwrap().remove("citizenPid");
        })
        .await;
    assert_refused(result, "citizenPid");
    for bad in [
        json!("00109012345"),
        json!("001 090 123456"),
        json!(1090123456),
        json!("999090123456"),
    ] {
        let result = harness
            .redeem_claims(|claims| claims["citizenPid"] = bad.clone())
            .await;
        assert_refused(result, "citizenPid");
    }
}

#[tokio::test]
async fn a_missing_name_or_a_malformed_birth_date_is_refused() {
    let harness = start().await;
    let result = harness
        .redeem_claims(|claims| claims["fullName"] = json!("  "))
        .await;
    assert_refused(result, "fullName");
    let result = harness
        .redeem_claims(|claims| claims["birthDate"] = json!("17/05/1990"))
        .await;
    assert_refused(result, "birthDate");
}

#[tokio::test]
async fn an_account_level_other_than_one_or_two_is_refused() {
    let harness = start().await;
    for bad in [json!(3), json!(0), json!("high")] {
        let result = harness
            .redeem_claims(|claims| claims["accountLevel"] = bad.clone())
            .await;
        assert_refused(result, "accountLevel");
    }
    let result = harness
        .redeem_claims(|claims| {
            claims.as_object_mut().unwrap().remove("accountLevel");
        })
        .await;
    assert_refused(result, "accountLevel");
}

#[tokio::test]
async fn an_acr_above_the_account_level_is_refused() {
    let harness = start().await;
    let result = harness
        .redeem_claims(|claims| {
            claims["accountLevel"] = json!(1);
            claims["acr"] = json!("LoA3");
        })
        .await;
    assert_refused(result, "acr");
    let result = harness
        .redeem_claims(|claims| claims["acr"] = json!("urn:vneid:loa:high"))
        .await;
    assert_refused(result, "acr");
    // Less than the level allows is believed as said.
    let identity = harness
        .redeem_claims(|claims| claims["acr"] = json!("LoA2"))
        .await
        .unwrap();
    assert_eq!(
        (identity.level, identity.acr),
        (EidLevel::Two, AssuranceLevel::LoA2)
    );
}

// ---- key rotation ----

#[tokio::test]
async fn a_rotated_key_is_fetched_once_a_minute_at_most() {
    let harness = start().await;
    harness.redeem_claims(|_| {}).await.unwrap();
    assert_eq!(harness.issuer.with(|state| state.jwks_hits), 1);

    let rotated = SigningKey::generate("key-2");
    harness
        .issuer
        .with(|state| state.keys = vec![rotated.clone()]);
    // Within the minute the cached keys stand: the token is refused, the provider not asked.
    harness.clock.advance(time::Duration::seconds(30));
    let result = harness.redeem_token(rotated.sign(&harness.claims())).await;
    assert_refused(result, "kid unknown");
    assert_eq!(harness.issuer.with(|state| state.jwks_hits), 1);

    harness.clock.advance(time::Duration::seconds(45));
    let identity = harness
        .redeem_token(rotated.sign(&harness.claims()))
        .await
        .unwrap();
    assert_eq!(identity.subject, "vneid-sub-42");
    assert_eq!(harness.issuer.with(|state| state.jwks_hits), 2);
    assert_eq!(harness.issuer.with(|state| state.discovery_hits), 2);

    // The retired key is gone from the fresh set; a token naming it is refused, and the
    // provider is not asked again within the minute.
    let result = harness
        .redeem_token(harness.issuer.key.sign(&harness.claims()))
        .await;
    assert_refused(result, "kid unknown");
    assert_eq!(harness.issuer.with(|state| state.jwks_hits), 2);
    // A known kid with another key's signature never causes a refetch.
    harness.clock.advance(time::Duration::seconds(120));
    let impostor = SigningKey::generate(&rotated.kid);
    let result = harness.redeem_token(impostor.sign(&harness.claims())).await;
    assert_refused(result, "ID token signature");
    assert_eq!(harness.issuer.with(|state| state.jwks_hits), 2);
}

// ---- the provider failing ----

#[tokio::test]
async fn a_provider_that_is_down_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let harness = start_with(|config| config.issuer = closed.clone()).await;
    let result = harness.federation.authorization_url(&trip()).await;
    assert!(
        matches!(
            &result,
            Err(ConnectorError::Unavailable {
                system: System::Vneid,
                ..
            })
        ),
        "{result:?}"
    );
    let result = harness
        .federation
        .redeem(
            &trip(),
            &FederatedCallback {
                code: CODE.to_owned(),
                iss: Some(closed),
            },
        )
        .await;
    assert!(
        matches!(&result, Err(ConnectorError::Unavailable { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_token_endpoint_failing_is_unavailable_and_not_retried() {
    let harness = start().await;
    harness.issuer.with(|state| {
        state.token = TokenAnswer::Error(503, json!({"error": "temporarily_unavailable"}));
    });
    let result = harness.redeem().await;
    assert!(
        matches!(
            &result,
            Err(ConnectorError::Unavailable {
                system: System::Vneid,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(
        harness.issuer.token_requests().len(),
        1,
        "a code is spent once"
    );
}

#[tokio::test]
async fn a_refused_code_is_rejected() {
    let harness = start().await;
    harness.issuer.with(|state| {
        state.token = TokenAnswer::Error(
            400,
            json!({"error": "invalid_grant", "error_description": "code already used"}),
        );
    });
    match harness.redeem().await {
        Err(ConnectorError::Rejected { system, reason }) => {
            assert_eq!(system, System::Vneid);
            assert!(reason.contains("invalid_grant"), "{reason}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_response_without_id_token_is_refused() {
    let harness = start().await;
    harness.issuer.with(|state| {
        state.token = TokenAnswer::Error(200, json!({"access_token": "a", "token_type": "Bearer"}));
    });
    assert_refused(harness.redeem().await, "id_token");
}

#[tokio::test]
async fn a_silent_provider_is_unavailable_within_the_timeout() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let harness = start_with(|config| {
        config.issuer = silent.clone();
        config.timeout_ms = 200;
    })
    .await;
    let started = std::time::Instant::now();
    let result = harness.federation.authorization_url(&trip()).await;
    assert!(
        matches!(&result, Err(ConnectorError::Unavailable { reason, .. }) if reason.contains("200 ms")),
        "{result:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let harness = start().await;
    // A provider whose discovery document has "moved" to the real one.
    let target = format!("{}/.well-known/openid-configuration", harness.issuer.issuer);
    let app = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move { axum::response::Redirect::temporary(&target) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let moved = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let federation = OidcFederation::new(&VneidConfig::new(
        moved,
        CLIENT_ID,
        Secret::new(CLIENT_SECRET.to_owned()),
    ))
    .unwrap();
    let result = federation.authorization_url(&trip()).await;
    assert!(
        matches!(&result, Err(ConnectorError::InvalidResponse { reason, .. }) if reason.contains("307")),
        "{result:?}"
    );
    assert_eq!(harness.issuer.with(|state| state.discovery_hits), 0);
}

#[tokio::test]
async fn endpoints_in_clear_off_this_host_are_refused() {
    for (name, url) in [
        ("jwks_uri", "http://192.0.2.7/jwks"),
        ("token_endpoint", "http://192.0.2.7/token"),
        ("authorization_endpoint", "http://192.0.2.7/authorize"),
    ] {
        let harness = start().await;
        harness.issuer.with(|state| {
            state
                .discovery_overrides
                .insert(name.to_owned(), json!(url));
        });
        let result = harness.federation.authorization_url(&trip()).await;
        assert!(
            matches!(&result, Err(ConnectorError::InvalidResponse { .. })),
            "{name}: {result:?}"
        );
    }
}
