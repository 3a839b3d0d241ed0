//! A hostile OpenID provider on 127.0.0.1:0: it serves the discovery document, the key set and
//! a token endpoint answering whatever ID token (or error) the test crafted, and records what
//! the client sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// An EC P-256 signing key and its public JWK.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pkcs8: Vec<u8>,
    x: String,
    y: String,
}

impl SigningKey {
    pub fn generate(kid: &str) -> Self {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        assert_eq!(point.len(), 65);
        Self {
            kid: kid.to_owned(),
            pkcs8: pair.to_pkcs8v1().unwrap().as_ref().to_vec(),
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..]),
        }
    }

    pub fn jwk(&self) -> Value {
        json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
               "kid": self.kid, "x": self.x, "y": self.y})
    }

    /// `claims` signed with ES256, the header naming this key.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_der(&self.pkcs8)).unwrap()
    }
}

/// `claims` MAC'd with HS256 under `secret` (the client secret, as a confused client would
/// accept).
pub fn sign_hs256(secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// `claims` with `alg=none` and no signature.
pub fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    format!("{header}.{payload}.")
}

/// What the token endpoint answers next.
#[derive(Clone)]
pub enum TokenAnswer {
    IdToken(String),
    Error(u16, Value),
}

/// One request to the token endpoint.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub authorization: Option<String>,
    pub form: HashMap<String, String>,
}

pub struct IssuerState {
    /// The `issuer` the discovery document states (the real one unless a test lies).
    pub discovery_issuer: String,
    pub iss_parameter_supported: bool,
    /// Members replacing the discovery document's own (endpoints elsewhere).
    pub discovery_overrides: serde_json::Map<String, Value>,
    pub algs: Vec<&'static str>,
    /// The published keys.
    pub keys: Vec<SigningKey>,
    pub token: TokenAnswer,
    pub discovery_hits: usize,
    pub jwks_hits: usize,
    pub token_requests: Vec<TokenRequest>,
}

#[derive(Clone)]
pub struct Issuer {
    /// The issuer identifier, `http://127.0.0.1:<port>` (no trailing slash).
    pub issuer: String,
    pub key: SigningKey,
    pub state: Arc<Mutex<IssuerState>>,
}

impl Issuer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let key = SigningKey::generate("key-1");
        let state = Arc::new(Mutex::new(IssuerState {
            discovery_issuer: issuer.clone(),
            iss_parameter_supported: true,
            discovery_overrides: serde_json::Map::new(),
            algs: vec!["ES256", "RS256"],
            keys: vec![key.clone()],
            token: TokenAnswer::Error(400, json!({"error": "invalid_grant"})),
            discovery_hits: 0,
            jwks_hits: 0,
            token_requests: Vec::new(),
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state((issuer.clone(), Arc::clone(&state)));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { issuer, key, state }
    }

    pub fn with<T>(&self, change: impl FnOnce(&mut IssuerState) -> T) -> T {
        change(&mut self.state.lock().unwrap())
    }

    /// The token endpoint answers `id_token` next.
    pub fn answer(&self, id_token: String) {
        self.with(|state| state.token = TokenAnswer::IdToken(id_token));
    }

    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.with(|state| state.token_requests.clone())
    }
}

type AppState = (String, Arc<Mutex<IssuerState>>);

async fn discovery(State((issuer, state)): State<AppState>) -> Json<Value> {
    let mut state = state.lock().unwrap();
    state.discovery_hits += 1;
    let mut document = json!({
        "issuer": state.discovery_issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": state.algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": ["LoA2", "LoA3"],
        "authorization_response_iss_parameter_supported": state.iss_parameter_supported,
    });
    for (name, value) in &state.discovery_overrides {
        document[name] = value.clone();
    }
    Json(document)
}

async fn jwks(State((_, state)): State<AppState>) -> Json<Value> {
    let mut state = state.lock().unwrap();
    state.jwks_hits += 1;
    let keys: Vec<Value> = state.keys.iter().map(SigningKey::jwk).collect();
    Json(json!({ "keys": keys }))
}

async fn token(
    State((_, state)): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut state = state.lock().unwrap();
    state.token_requests.push(TokenRequest {
        authorization: headers
            .get("authorization")
            .map(|value| value.to_str().unwrap().to_owned()),
        form,
    });
    match &state.token {
        TokenAnswer::IdToken(id_token) => Json(json!({
            "access_token": "vneid-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }))
        .into_response(),
        TokenAnswer::Error(status, body) => {
            (StatusCode::from_u16(*status).unwrap(), Json(body.clone())).into_response()
        }
    }
}
