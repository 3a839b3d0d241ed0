//! The OpenID provider's store traits. Single use (codes, refresh tokens, `jti`s) is decided by
//! one conditional write each, so two nodes racing on the same value cannot both win.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::Result;
use crate::model::AccountId;
use crate::oidc_model::{
    AuthorizationCode, CodeRedemption, Grant, NewRefreshToken, OidcClient, PendingLogout,
    RefreshRotation, RefreshToken, Rotation, SigningKey,
};

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Registers a client; a taken `client_id` is `ClientExists`.
    async fn create_client(&self, client: &OidcClient) -> Result<()>;
    async fn client(&self, id: &str) -> Result<Option<OidcClient>>;
    /// Every client, by id.
    async fn clients(&self) -> Result<Vec<OidcClient>>;
    /// Replaces the secret's digest; false when there is no such client.
    async fn set_client_secret(
        &self,
        id: &str,
        secret_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Removes the client with its codes, grants, tokens, consents and pending logouts;
    /// false when there was no such client.
    async fn delete_client(&self, id: &str) -> Result<bool>;
    /// Whether any client registered `origin` (exactly as stored) among its web origins.
    async fn web_origin_registered(&self, origin: &str) -> Result<bool>;
    /// The scopes the account has agreed to share with the client (space-separated), if any.
    async fn consent(&self, account: AccountId, client: &str) -> Result<Option<String>>;
    /// Records (replaces) what the account agreed to share with the client.
    async fn record_consent(
        &self,
        account: AccountId,
        client: &str,
        scope: &str,
        now: OffsetDateTime,
    ) -> Result<()>;
}

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    async fn add_signing_key(&self, key: &SigningKey) -> Result<()>;
    /// Keys not yet retired at `now` (published ones), oldest first.
    async fn signing_keys(&self, now: OffsetDateTime) -> Result<Vec<SigningKey>>;
    /// Sets when a key stops being published; false when there is no such key.
    async fn retire_signing_key(&self, kid: &str, retires_at: OffsetDateTime) -> Result<bool>;
}

#[async_trait]
pub trait GrantStore: Send + Sync {
    /// Stores the code and remembers that its client shares the code's session (for
    /// back-channel logout), in one transaction.
    async fn create_code(&self, code: &AuthorizationCode) -> Result<()>;
    /// Spends the code if it is live. A code spent before revokes its grant (the tokens it
    /// issued), in the same transaction.
    async fn redeem_code(
        &self,
        code_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<CodeRedemption>;
    /// Creates the grant and, if given, its first refresh token, in one transaction.
    /// `NotFound` when the grant's session is no longer live (it ended while the code was
    /// being redeemed).
    async fn create_grant(&self, grant: &Grant, refresh: Option<&NewRefreshToken>) -> Result<()>;
    async fn grant(&self, id: Uuid) -> Result<Option<Grant>>;
    /// Spends `presented` and stores the digest `next` in its family (expiring with the
    /// grant), in one transaction, if `presented` is live and its grant is `client`'s, neither
    /// revoked nor expired, of an active account. A token used before revokes the whole
    /// family — unless it was exchanged within `retry_grace` and its successor is unused, when
    /// it is exchanged again and that successor spent (`Exchanged`). A token of another client
    /// is left as it was (a thief can neither use nor burn it). One conditional write decides,
    /// so concurrent rotations have one winner and a family never has two live tokens.
    async fn rotate_refresh_token(&self, rotation: &Rotation<'_>) -> Result<RefreshRotation>;
    /// The refresh token and its grant, whatever their state (introspection decides).
    async fn refresh_token(&self, token_hash: &[u8; 32]) -> Result<Option<(RefreshToken, Grant)>>;
    /// Revokes the grant and so every token of it; false when it was already revoked or unknown.
    async fn revoke_grant(&self, id: Uuid, now: OffsetDateTime) -> Result<bool>;
    /// Remembers a revoked access token (by `jti`) until it would have expired anyway.
    async fn revoke_access_token(&self, jti: &str, expires_at: OffsetDateTime) -> Result<()>;
    async fn access_token_revoked(&self, jti: &str) -> Result<bool>;
    /// Records a client assertion's `jti`; false when this client used it before (a replay).
    async fn use_assertion_jti(
        &self,
        client: &str,
        jti: &str,
        expires_at: OffsetDateTime,
    ) -> Result<bool>;
    /// Deletes expired codes, refresh tokens, grants, revoked-token and `jti` records.
    async fn purge_expired_grants(&self, now: OffsetDateTime) -> Result<u64>;
}

/// Back-channel logouts waiting for delivery. Ending sessions (`revoke_session`,
/// `revoke_sessions_of_account`, `set_password`, `set_status` to anything but active) revokes
/// the sessions' grants and queues one entry per client that shared each session, in the same
/// transaction.
#[async_trait]
pub trait LogoutOutbox: Send + Sync {
    /// Entries due at `now`, oldest first.
    async fn due_logouts(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<PendingLogout>>;
    async fn logout_delivered(&self, id: Uuid) -> Result<()>;
    /// Counts a failed attempt and schedules the next one.
    async fn logout_failed(&self, id: Uuid, next_attempt_at: OffsetDateTime) -> Result<()>;
    /// The clients that shared a session (got a code from it), by id.
    async fn session_clients(&self, session: Uuid) -> Result<Vec<String>>;
}
