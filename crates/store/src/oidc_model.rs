//! The records of the OpenID provider: registered relying services (clients), signing keys,
//! authorization codes, grants with their refresh tokens, and the bookkeeping that logout,
//! revocation and `private_key_jwt` replay protection need. Secrets are kept as SHA-256
//! digests; signing keys only sealed (encrypted by the `oidc` crate before they get here).

use domain::AssuranceLevel;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::AccountId;

/// A relying service registered with dvcid (`dvcid client add`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcClient {
    /// The `client_id`: chosen by the operator, `[A-Za-z0-9._-]{3,64}`.
    pub id: String,
    pub name: String,
    /// SHA-256 of the client secret; `None` for public and `private_key_jwt` clients.
    pub secret_hash: Option<[u8; 32]>,
    pub settings: ClientSettings,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What a client is allowed and how it wants its tokens. Stored as one typed JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSettings {
    /// Exact, case-sensitive; a loopback redirect (`http://127.0.0.1/…`, `http://[::1]/…`)
    /// may arrive with any port.
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    pub grant_types: Vec<GrantType>,
    pub auth_method: ClientAuthMethod,
    /// The client's public keys (a JWK Set) for `private_key_jwt`.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// Scopes the client may ask for (`openid`, `profile`, `phone`, `email`, `dvc`, `offline_access`).
    pub scopes: Vec<String>,
    pub id_token_alg: SigningAlg,
    /// Sign-ins below this level are stepped up (or refused) for this client.
    #[serde(default)]
    pub min_acr: Option<AssuranceLevel>,
    #[serde(default)]
    pub claim_mapping: ClaimMapping,
    #[serde(default)]
    pub subject_type: SubjectType,
    /// Ask the person before sharing claims; off for first-party government services.
    #[serde(default)]
    pub consent: bool,
    /// PKCE S256 is required of every public client; a confidential client may be exempted.
    #[serde(default = "pkce_required_by_default")]
    pub require_pkce: bool,
    /// Origins (`https://app.example.vn`, no path) of browser apps that call the token,
    /// userinfo and revocation endpoints from their pages (CORS).
    #[serde(default)]
    pub web_origins: Vec<String>,
}

fn pkce_required_by_default() -> bool {
    true
}

impl ClientSettings {
    /// A confidential first-party government service, the common case: the code flow with
    /// refresh tokens, its secret sent with HTTP Basic, PKCE, RS256 ID tokens, standard claims,
    /// public subjects, no consent page, no logout addresses. Adjust fields from there.
    pub fn first_party(redirect_uri: &str, scopes: &[&str]) -> Self {
        Self {
            redirect_uris: vec![redirect_uri.to_owned()],
            post_logout_redirect_uris: Vec::new(),
            backchannel_logout_uri: None,
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            auth_method: ClientAuthMethod::ClientSecretBasic,
            jwks: None,
            scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            id_token_alg: SigningAlg::RS256,
            min_acr: None,
            claim_mapping: ClaimMapping::Standard,
            subject_type: SubjectType::Public,
            consent: false,
            require_pkce: true,
            web_origins: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

/// How a client proves itself at the token, introspection and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// A public client (an app that cannot keep a secret): PKCE only.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    RS256,
    ES256,
    EdDSA,
}

/// Which claim names userinfo and the ID token use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimMapping {
    /// OpenID Connect standard claims plus the `dvc_*` claims.
    #[default]
    Standard,
    /// The attribute names relying services of the portal use today (SoDinhDanh, HoVaTen,
    /// NgayThangNamSinh as yyyyMMdd, LoaiTaiKhoan …), beside the standard ones.
    Portal,
    /// The national eID provider's (VNeID) claims, in the ID token and userinfo alike: the
    /// standard ones plus `citizenPid`, `fullName`, `birthDate` (yyyy-mm-dd), `gender` and
    /// `accountLevel` (1 or 2).
    Vneid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    /// `sub` is the account's stable identifier, the same for every client.
    #[default]
    Public,
    /// `sub` differs per client (per sector), so that clients cannot correlate people.
    Pairwise,
}

/// A signing key. The private half is sealed (AEAD under the configured key-encryption key);
/// the store never sees it in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// The JWK `kid`.
    pub kid: String,
    pub alg: SigningAlg,
    pub sealed_private_key: Vec<u8>,
    /// The public JWK, as published in the JWKS.
    pub public_jwk: serde_json::Value,
    pub created_at: OffsetDateTime,
    /// Published from `created_at`, signs from `activates_at` (so relying services have
    /// fetched it before they meet a token it signed).
    pub activates_at: OffsetDateTime,
    /// Unpublished from this instant; set when a successor activates, late enough that every
    /// token this key signed has expired.
    pub retires_at: Option<OffsetDateTime>,
}

/// An authorization code, issued at `/authorize`, redeemed once at `/token`. Only its digest
/// is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_hash: [u8; 32],
    pub client_id: String,
    /// The grant that redeeming this code creates; a replayed code revokes it.
    pub grant_id: Uuid,
    pub account_id: AccountId,
    pub session_id: Uuid,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    /// The S256 PKCE challenge, when one was sent.
    pub code_challenge: Option<String>,
    pub acr: AssuranceLevel,
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What redeeming a code found.
// Returned once per token request and matched at once: boxing would cost an allocation and
// an awkward pattern for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRedemption {
    /// The code was live and is now spent.
    Redeemed(AuthorizationCode),
    /// The code had been redeemed before: its grant (and every token of it) is now revoked.
    Replayed { grant_id: Uuid },
    /// Unknown or expired.
    Invalid,
}

/// What a person allowed a client: the tokens of one sign-in at one client. Refresh tokens
/// belong to a grant (their family); revoking the grant revokes every token of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: Uuid,
    pub client_id: String,
    pub account_id: AccountId,
    /// The single sign-on session the grant came from; ending it revokes the grant.
    pub session_id: Uuid,
    pub scope: String,
    pub acr: AssuranceLevel,
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub created_at: OffsetDateTime,
    /// The refresh tokens' absolute lifetime.
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A client's request to exchange a refresh token for the next one of its family.
#[derive(Debug, Clone, Copy)]
pub struct Rotation<'a> {
    /// Digest of the token presented.
    pub presented: &'a [u8; 32],
    /// The client that presented it (authenticated).
    pub client: &'a str,
    /// Digest of the token to store in its place.
    pub next: &'a [u8; 32],
    pub now: OffsetDateTime,
    /// How long after an exchange the old token may be presented again, while what it was
    /// exchanged for is unused, and be exchanged again instead of counting as reuse. A lost
    /// answer (a node or the primary dying after the commit) must not sign the person out;
    /// zero turns this off.
    pub retry_grace: time::Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    pub token_hash: [u8; 32],
    pub grant_id: Uuid,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: [u8; 32],
    pub grant_id: Uuid,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRotation {
    /// The token was live: it is now spent and the new one stored, in one transaction.
    Rotated(Grant),
    /// The token had been exchanged within the retry grace and what it was exchanged for was
    /// never used: the client most likely lost the answer. That unused token is now spent and
    /// the new one stored; the family still has exactly one live token.
    Exchanged(Grant),
    /// The token had been used before: the whole family (its grant) is now revoked.
    Reused { grant_id: Uuid },
    /// The token belongs to another client's grant; nothing was spent or revoked.
    OtherClient,
    /// Unknown, expired, or of a revoked or expired grant, or of an account no longer active.
    Invalid,
}

/// A back-channel logout still to be delivered: the session ended and the client had shared
/// it. Written in the same transaction that ended the session (a transactional outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogout {
    pub id: Uuid,
    pub session_id: Uuid,
    pub account_id: AccountId,
    pub client_id: String,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}
