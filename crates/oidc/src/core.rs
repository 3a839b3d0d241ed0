//! What the protocol modules share: the store, keys, clock, randomness and configuration, with
//! the small services built on them (identifiers, secrets, subjects, verifying our own tokens).
//! It knows no endpoint: the endpoint modules and the `Provider` facade build on it.

use std::sync::Arc;

use domain::digest::{MacKey, decode_token, encode_token, sha256};
use domain::random::Randomness;
use domain::{AccountStatus, Clock};
use serde::de::DeserializeOwned;
use store::{Account, AccountId, OidcClient, Store};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::claims;
use crate::clients::ClientAuthenticator;
use crate::config::OidcConfig;
use crate::error::OidcError;
use crate::keys::{KeyError, KeyRing};

/// What the protocol modules share.
pub(crate) struct Core {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub config: OidcConfig,
    pub issuer: String,
    pub keys: Arc<KeyRing>,
    pub pairwise_key: MacKey,
    pub http: reqwest::Client,
    pub clients: ClientAuthenticator,
}

/// A generated secret (code, refresh token) as handed out, and the digest the store keeps.
pub(crate) struct NewSecret {
    pub text: String,
    pub hash: [u8; 32],
}

/// The digest a presented code or refresh token is stored under; `None` when the text cannot
/// be one of ours (not 32 bytes of base64url), which is then refused without a lookup.
pub(crate) fn secret_hash(text: &str) -> Option<[u8; 32]> {
    decode_token(text).map(|raw| sha256(&raw))
}

impl Core {
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A random (version 4) UUID from the injected randomness.
    pub fn uuid(&self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.random.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// 256 random bits, base64url, with the SHA-256 of the bits (as sessions keep theirs).
    pub fn secret(&self) -> NewSecret {
        let raw = self.random.token();
        NewSecret {
            text: encode_token(&raw),
            hash: sha256(&raw),
        }
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    pub fn subject(&self, client: &OidcClient, account: AccountId) -> String {
        claims::subject(&self.pairwise_key, client, account)
    }

    pub fn seconds(secs: i64) -> Duration {
        Duration::seconds(secs.max(1))
    }

    /// The account, if it exists and may use its tokens (not locked or disabled).
    pub async fn active_account(&self, id: AccountId) -> Result<Option<Account>, OidcError> {
        Ok(self
            .store
            .account(id)
            .await?
            .filter(|account| account.status == AccountStatus::Active))
    }

    /// The claims of a token this provider signed, `None` when it is refused (bad signature,
    /// unknown key, wrong `typ`, expired, claims of another shape).
    pub async fn verified<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        validate_exp: bool,
    ) -> Result<Option<T>, OidcError> {
        match self
            .keys
            .verify::<T>(token, Some(typ), validate_exp, self.now())
            .await
        {
            Ok(claims) => Ok(Some(claims)),
            Err(KeyError::Token(_)) => Ok(None),
            Err(fault) => Err(fault.into()),
        }
    }
}
