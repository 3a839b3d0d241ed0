//! The relying party's side of the OpenID provider's conformance tests: the `openidconnect`
//! crate (a client library dvcid did not write) making the requests and checking the answers,
//! over reqwest with redirects never followed, so that every hop can be looked at.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreErrorResponseType,
    CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm, CoreResponseType, CoreTokenResponse,
    CoreUserInfoClaims,
};
use openidconnect::http::{HeaderValue, Response as HttpResponse};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, IntrospectionUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardErrorResponse,
    TokenIntrospectionResponse, TokenResponse,
};
use reqwest::redirect::Policy;
use store::{ClientAuthMethod, ClientSettings, SigningAlg};
use url::Url;

pub(super) type RpClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
pub(super) type AuthRequest<'a> =
    openidconnect::AuthorizationRequest<'a, CoreAuthDisplay, CoreAuthPrompt, CoreResponseType>;
pub(super) type TokenError =
    RequestTokenError<reqwest::Error, StandardErrorResponse<CoreErrorResponseType>>;

/// The relying party's HTTP client for the library: reqwest, redirects not followed.
pub(super) async fn rp_http(request: HttpRequest) -> Result<HttpResponse<Vec<u8>>, reqwest::Error> {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()?;
    let response = client.execute(reqwest::Request::try_from(request)?).await?;
    let mut answer = HttpResponse::builder().status(response.status().as_u16());
    for (name, value) in response.headers() {
        answer = answer.header(
            name.as_str(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let body = response.bytes().await?.to_vec();
    Ok(answer.body(body).unwrap())
}

/// A relying service as the library sees it.
pub(super) struct Rp {
    pub(super) id: String,
    pub(super) redirect: String,
    pub(super) client: RpClient,
    pub(super) alg: CoreJwsSigningAlgorithm,
    secret: Option<String>,
    base: String,
}

/// An authorization request as the library made it, with what the relying service keeps.
pub(super) struct Request {
    pub(super) url: Url,
    pub(super) state: CsrfToken,
    pub(super) nonce: Nonce,
    pub(super) verifier: Option<PkceCodeVerifier>,
}

impl Request {
    /// The same request without the parameters `names` (without `code_challenge`, the
    /// relying service has no verifier either).
    pub(super) fn without(mut self, names: &[&str]) -> Self {
        let kept: Vec<(String, String)> = self
            .url
            .query_pairs()
            .into_owned()
            .filter(|(name, _)| !names.contains(&name.as_str()))
            .collect();
        self.url.query_pairs_mut().clear().extend_pairs(kept);
        if names.contains(&"code_challenge") {
            self.verifier = None;
        }
        self
    }

    /// The same request with `name` set to `value` (replaced, or added).
    pub(super) fn with(self, name: &str, value: &str) -> Self {
        let mut request = self.without(&[name]);
        request.url.query_pairs_mut().append_pair(name, value);
        request
    }
}

/// What a relying service holds after a sign-in.
pub(super) struct SignedIn {
    pub(super) tokens: CoreTokenResponse,
    pub(super) id_token: CoreIdToken,
    pub(super) claims: CoreIdTokenClaims,
    /// The ID token's payload as JSON, for the claims the library does not model (`sid`).
    pub(super) payload: serde_json::Value,
}

impl SignedIn {
    pub(super) fn sub(&self) -> &str {
        self.claims.subject().as_str()
    }

    pub(super) fn sid(&self) -> &str {
        self.payload["sid"].as_str().unwrap()
    }

    pub(super) fn access_token(&self) -> &AccessToken {
        self.tokens.access_token()
    }

    pub(super) fn refresh_token(&self) -> &RefreshToken {
        self.tokens.refresh_token().expect("a refresh token")
    }
}

impl Rp {
    /// The library's client for a registered client, configured from the discovered metadata.
    pub(super) fn new(
        metadata: &ProviderMetadataWithLogout,
        issuer: &str,
        id: &str,
        secret: Option<&str>,
        settings: &ClientSettings,
    ) -> Self {
        let redirect = settings.redirect_uris.first().unwrap().clone();
        let mut client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(id.to_owned()),
            secret.map(|secret| ClientSecret::new(secret.to_owned())),
        )
        .set_redirect_uri(RedirectUrl::new(redirect.clone()).unwrap());
        if settings.auth_method == ClientAuthMethod::ClientSecretPost {
            client = client.set_auth_type(AuthType::RequestBody);
        }
        let alg = match settings.id_token_alg {
            SigningAlg::RS256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            SigningAlg::ES256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            SigningAlg::EdDSA => CoreJwsSigningAlgorithm::EdDsa,
        };
        Self {
            id: id.to_owned(),
            redirect,
            client,
            alg,
            secret: secret.map(str::to_owned),
            base: issuer.to_owned(),
        }
    }

    /// An authorization request for the scopes `openid profile phone`, with PKCE S256, a
    /// state and a nonce; `customise` adds to it.
    pub(super) fn authorization<'a>(
        &'a self,
        customise: impl FnOnce(AuthRequest<'a>) -> AuthRequest<'a>,
    ) -> Request {
        self.authorization_for(&["profile", "phone"], true, customise)
    }

    /// An authorization request for `openid` and `scopes`, with PKCE S256 and a state, and a
    /// nonce when `with_nonce` (the library always adds one; it is taken out again otherwise).
    pub(super) fn authorization_for<'a>(
        &'a self,
        scopes: &[&str],
        with_nonce: bool,
        customise: impl FnOnce(AuthRequest<'a>) -> AuthRequest<'a>,
    ) -> Request {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let request = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(scopes.iter().map(|scope| Scope::new((*scope).to_owned())))
            .set_pkce_challenge(challenge);
        let (mut url, state, nonce) = customise(request).url();
        if !with_nonce {
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .into_owned()
                .filter(|(name, _)| name != "nonce")
                .collect();
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
        Request {
            url,
            state,
            nonce,
            verifier: Some(verifier),
        }
    }

    pub(super) async fn exchange(
        &self,
        code: &str,
        verifier: Option<PkceCodeVerifier>,
    ) -> Result<CoreTokenResponse, TokenError> {
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .unwrap();
        let request = match verifier {
            Some(verifier) => request.set_pkce_verifier(verifier),
            None => request,
        };
        request.request_async(&rp_http).await
    }

    pub(super) async fn refresh(
        &self,
        token: &RefreshToken,
    ) -> Result<CoreTokenResponse, TokenError> {
        self.client
            .exchange_refresh_token(token)
            .unwrap()
            .request_async(&rp_http)
            .await
    }

    /// Checks the ID token of `tokens` as a relying service must (signature with the
    /// published keys, `iss`, `aud`, `exp`, `iat`, `nonce`, `at_hash`).
    pub(super) fn verified(&self, tokens: CoreTokenResponse, nonce: &Nonce) -> SignedIn {
        let id_token = tokens.id_token().expect("an ID token").clone();
        let verifier = self
            .client
            .id_token_verifier()
            .set_allowed_algs([self.alg.clone()]);
        let claims = id_token
            .claims(&verifier, nonce)
            .unwrap_or_else(|error| panic!("ID token refused: {error:?}"))
            .clone();
        if let Some(expected) = claims.access_token_hash() {
            let actual = AccessTokenHash::from_token(
                tokens.access_token(),
                id_token.signing_alg().unwrap(),
                id_token.signing_key(&verifier).unwrap(),
            )
            .unwrap();
            assert_eq!(&actual, expected, "at_hash");
        }
        let payload = payload(&id_token.to_string());
        SignedIn {
            tokens,
            id_token,
            claims,
            payload,
        }
    }

    pub(super) async fn userinfo(&self, signed: &SignedIn) -> CoreUserInfoClaims {
        self.client
            .user_info(
                signed.access_token().clone(),
                Some(signed.claims.subject().clone()),
            )
            .unwrap()
            .request_async(&rp_http)
            .await
            .unwrap_or_else(|error| panic!("userinfo refused: {error:?}"))
    }

    /// RFC 7662 through the library; `true` when the provider says the token is active.
    pub(super) async fn introspect(&self, token: &str) -> bool {
        let client = self.client.clone().set_introspection_url(
            IntrospectionUrl::new(format!("{}/introspect", self.base)).unwrap(),
        );
        let token = AccessToken::new(token.to_owned());
        client
            .introspect(&token)
            .request_async(&rp_http)
            .await
            .unwrap_or_else(|error| panic!("introspection refused: {error:?}"))
            .active()
    }

    /// RFC 7009 with this client's credentials (HTTP Basic). Not through the library: it
    /// refuses a revocation endpoint that is not HTTPS, and the test issuer is plain loopback.
    pub(super) async fn revoke(&self, token: &str, hint: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .post(format!("{}/revoke", self.base))
            .basic_auth(&self.id, self.secret.as_deref())
            .form(&[("token", token), ("token_type_hint", hint)])
            .send()
            .await
            .unwrap()
            .status()
    }
}

/// The OAuth error code of a refused token request (`invalid_grant` …), or the failure.
pub(super) fn error_code(error: &TokenError) -> String {
    match error {
        RequestTokenError::ServerResponse(response) => serde_json::to_value(response.error())
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned(),
        other => panic!("not an OAuth error answer: {other:?}"),
    }
}

pub(super) fn describe(error: &TokenError) -> String {
    match error {
        RequestTokenError::ServerResponse(response) => format!(
            "{} ({})",
            serde_json::to_value(response.error()).unwrap(),
            response.error_description().map_or("", String::as_str)
        ),
        other => format!("{other:?}"),
    }
}

/// The JSON payload of a compact JWS, unverified (the caller has verified it).
pub(super) fn payload(jws: &str) -> serde_json::Value {
    let part = jws.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The JSON header of a compact JWS.
pub(super) fn header(jws: &str) -> serde_json::Value {
    let part = jws.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Checks a JWT the provider signed with its published keys, as a relying or resource server
/// does with a JWT library of its own (`jsonwebtoken`): signature, `iss`, `exp`, `iat`, and
/// `aud` when given. Returns the claims.
pub(super) async fn verified_with_jwks(
    issuer: &str,
    token: &str,
    audience: Option<&str>,
) -> serde_json::Value {
    let jwks: JwkSet = reqwest::get(format!("{issuer}/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let head = jsonwebtoken::decode_header(token).unwrap();
    let kid = head.kid.expect("a kid");
    let key = DecodingKey::from_jwk(jwks.find(&kid).expect("the kid is published")).unwrap();
    let mut validation = Validation::new(head.alg);
    validation.set_issuer(&[issuer]);
    match audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            validation.set_required_spec_claims(&["iss", "aud", "iat", "exp"]);
        }
        None => {
            validation.validate_aud = false;
            validation.set_required_spec_claims(&["iss", "iat", "exp"]);
        }
    }
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .unwrap_or_else(|error| panic!("token refused: {error:?}"))
        .claims
}
