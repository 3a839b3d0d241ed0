//! Relying services registered with dvcid (`dvcid client …`): registration with its rules,
//! client secrets (256 bits, shown once, kept as SHA-256), and authenticating clients at the
//! token, introspection and revocation endpoints ([`auth`]).

pub mod auth;
mod error;
mod names;
mod validate;
mod web_origin;

use std::sync::Arc;

use domain::Clock;
use domain::digest::{encode_token, sha256};
use domain::random::Randomness;
use store::{OidcClient, Store, StoreError};

pub use auth::{ClientAuthError, ClientAuthenticator, JWT_BEARER, PresentedClient};
pub use error::ClientError;
pub use names::{auth_method_name, grant_type_name, uses_secret};
pub use validate::{KNOWN_SCOPES, NewClient, check_uri, valid_client_id};
pub use web_origin::web_origin;

/// Registers, lists, shows and removes clients, and rotates their secrets.
pub struct ClientRegistry {
    store: Arc<dyn Store>,
    random: Arc<dyn Randomness>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ClientRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRegistry").finish_non_exhaustive()
    }
}

impl ClientRegistry {
    pub fn new(store: Arc<dyn Store>, random: Arc<dyn Randomness>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            random,
            clock,
        }
    }

    /// Registers the client. The secret (for `client_secret_basic` and `client_secret_post`)
    /// is returned this once; only its digest is kept.
    pub async fn add(&self, new: NewClient) -> Result<(OidcClient, Option<String>), ClientError> {
        let (name, settings) = validate::validated(&new)?;
        let secret = uses_secret(settings.auth_method).then(|| self.new_secret());
        let now = self.clock.now();
        let client = OidcClient {
            id: new.id,
            name,
            secret_hash: secret.as_deref().map(|secret| sha256(secret.as_bytes())),
            settings,
            created_at: now,
            updated_at: now,
        };
        match self.store.create_client(&client).await {
            Ok(()) => {}
            Err(StoreError::ClientExists) => return Err(ClientError::Exists(client.id)),
            Err(error) => return Err(error.into()),
        }
        tracing::info!(client_id = %client.id, "client registered");
        Ok((client, secret))
    }

    /// Every client, by id.
    pub async fn list(&self) -> Result<Vec<OidcClient>, ClientError> {
        Ok(self.store.clients().await?)
    }

    pub async fn show(&self, id: &str) -> Result<OidcClient, ClientError> {
        self.store
            .client(id)
            .await?
            .ok_or_else(|| ClientError::NotFound(id.to_owned()))
    }

    /// Removes the client with everything issued to it.
    pub async fn remove(&self, id: &str) -> Result<(), ClientError> {
        if self.store.delete_client(id).await? {
            tracing::info!(client_id = %id, "client removed");
            Ok(())
        } else {
            Err(ClientError::NotFound(id.to_owned()))
        }
    }

    /// A new secret for the client, returned this once; the old one stops working at once.
    pub async fn rotate_secret(&self, id: &str) -> Result<String, ClientError> {
        let client = self.show(id).await?;
        if !uses_secret(client.settings.auth_method) {
            return Err(ClientError::NoSecret {
                id: id.to_owned(),
                method: auth_method_name(client.settings.auth_method),
            });
        }
        let secret = self.new_secret();
        let hash = sha256(secret.as_bytes());
        if !self
            .store
            .set_client_secret(id, &hash, self.clock.now())
            .await?
        {
            return Err(ClientError::NotFound(id.to_owned()));
        }
        tracing::info!(client_id = %id, "client secret rotated");
        Ok(secret)
    }

    /// 256 bits from the injected randomness, base64url.
    fn new_secret(&self) -> String {
        encode_token(&self.random.token())
    }
}
