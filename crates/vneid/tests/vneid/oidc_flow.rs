//! The OpenID provider (V5) as the portal meets it: the `openidconnect` crate runs discovery,
//! the authorization request (the pages driven by the test browser), the code exchange with
//! client_secret_basic and PKCE, and verifies the ID token; the eID claims arrive in the ID
//! token and at userinfo; a level-1 person asked for LoA3 goes back with an error.

use base64::Engine as _;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::http::{HeaderValue, Response as HttpResponse};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use store::EidLevel;
use vneid::PortalClient;

use crate::harness::{PASSCODE, PASSWORD, World, world};

const REDIRECT: &str = "http://portal.example/login/vneid/callback";
const SECRET: &str = "portal-secret-for-tests-only";

async fn rp_http(request: HttpRequest) -> Result<HttpResponse<Vec<u8>>, reqwest::Error> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client.execute(reqwest::Request::try_from(request)?).await?;
    let mut answer = HttpResponse::builder().status(response.status().as_u16());
    for (name, value) in response.headers() {
        answer = answer.header(
            name.as_str(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    Ok(answer.body(response.bytes().await?.to_vec()).unwrap())
}

async fn portal(world: &World) -> (PortalClient, CoreProviderMetadata) {
    let client = PortalClient {
        client_id: vneid::PORTAL_CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_uri: REDIRECT.to_owned(),
    };
    client.register(world.db.store.as_ref()).await.unwrap();
    let issuer = IssuerUrl::new(world.app.issuer()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &rp_http)
        .await
        .expect("discovery");
    (client, metadata)
}

fn payload(token: &str) -> serde_json::Value {
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_signs_a_level_2_person_in() {
    let world = world().await;
    let person = world.active(1, EidLevel::Two).await;
    let (registration, metadata) = portal(&world).await;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(registration.client_id.clone()),
        Some(ClientSecret::new(registration.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.to_owned()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();

    // Signed out: the request is parked and the sign-in page shown.
    let browser = world.browser();
    let page = browser.get(url.as_str()).await;
    page.assert_has("Đăng nhập để tiếp tục đến Cổng Dịch vụ công quốc gia");
    let page = browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    page.assert_has("name=\"passcode\"");
    let page = browser
        .post("/login/passcode", &[("passcode", PASSCODE)])
        .await;
    let back = page.away.expect("back at the portal");
    assert!(back.as_str().starts_with(REDIRECT));
    let query: std::collections::HashMap<String, String> =
        back.query_pairs().into_owned().collect();
    assert_eq!(query["state"], *state.secret());
    assert_eq!(query["iss"], world.app.issuer(), "RFC 9207 iss");

    let tokens: CoreTokenResponse = client
        .exchange_code(AuthorizationCode::new(query["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&rp_http)
        .await
        .expect("the code is exchanged");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("a valid ID token");
    assert_eq!(
        claims.auth_context_ref(),
        Some(&AuthenticationContextClass::new("LoA3".to_owned()))
    );
    let raw = payload(&id_token.to_string());
    assert_eq!(raw["citizenPid"], person.personal_id.as_str());
    assert_eq!(raw["accountLevel"], 2);
    assert_eq!(raw["fullName"], person.full_name);
    assert_eq!(raw["birthDate"], person.birth_date.to_string());
    assert_eq!(raw["gender"], person.gender.as_str());
    assert_eq!(raw["amr"], serde_json::json!(["pwd", "pin"]));
    assert!(raw["auth_time"].is_i64());

    let userinfo: serde_json::Value = reqwest::Client::new()
        .get(world.app.base_url().join("/userinfo").unwrap())
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["citizenPid"], person.personal_id.as_str());
    assert_eq!(userinfo["accountLevel"], 2);
    assert_eq!(userinfo["name"], person.full_name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_1_person_asked_for_loa3_goes_back_with_an_error() {
    let world = world().await;
    let person = world.active(1, EidLevel::One).await;
    let (registration, metadata) = portal(&world).await;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(registration.client_id.clone()),
        Some(ClientSecret::new(registration.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.to_owned()).unwrap());
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _state, _nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_auth_context_value(AuthenticationContextClass::new("LoA3".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = world.browser();
    browser
        .get(url.as_str())
        .await
        .assert_has("name=\"password\"");
    browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    let page = browser
        .post("/login/passcode", &[("passcode", PASSCODE)])
        .await;
    // A page says why, then its link goes back with the OAuth error: never a code.
    page.assert_has("Cần tài khoản định danh điện tử mức 2");
    assert!(page.away.is_none());
    let start = page.body.find("id=\"continue\" href=\"").unwrap() + 20;
    let end = start + page.body[start..].find('"').unwrap();
    let link = page.body[start..end]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/");
    let back = url::Url::parse(&link).unwrap();
    assert!(back.as_str().starts_with(REDIRECT));
    let query: std::collections::HashMap<String, String> =
        back.query_pairs().into_owned().collect();
    assert_eq!(query["error"], "unmet_authentication_requirements");
    assert!(!query.contains_key("code"));
    assert_eq!(query["iss"], world.app.issuer());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_or_missing_pkce_is_refused() {
    let world = world().await;
    let (registration, _) = portal(&world).await;
    let mut authorize = world.app.base_url().join("/authorize").unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &registration.client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid")
        .append_pair("state", "s");
    let page = world.browser().get(authorize.as_str()).await;
    let back = page.away.expect("an error redirect");
    assert!(back.query().unwrap().contains("error=invalid_request"));
    // An unregistered redirect URI is a page, never a redirect.
    let mut other = authorize.clone();
    other
        .query_pairs_mut()
        .clear()
        .append_pair("response_type", "code")
        .append_pair("client_id", &registration.client_id)
        .append_pair("redirect_uri", "http://evil.example/cb")
        .append_pair("scope", "openid");
    let page = world.browser().get(other.as_str()).await;
    assert!(page.away.is_none());
    assert_eq!(page.status, 400);
    let response = reqwest::Client::new()
        .post(world.app.base_url().join("/token").unwrap())
        .basic_auth(&registration.client_id, Some("wrong"))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relying_service_page_may_post_the_request() {
    let world = world().await;
    let (registration, _) = portal(&world).await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(world.app.base_url().join("/authorize").unwrap())
        .header("sec-fetch-site", "cross-site")
        .header("origin", "http://portal.example")
        .form(&[
            ("response_type", "code"),
            ("client_id", registration.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login?authz="), "{location}");
}
