//! The provider's signing keys: made with aws-lc-rs, sealed under the key-encryption key before
//! the store sees them, published as a JWKS, rotated on a schedule (published before they sign,
//! unpublished only once every token they signed has expired), and held decrypted in memory so
//! that signing costs no store read.

mod generate;
pub mod jwk;
mod ring;
mod seal;

use store::{SigningAlg, StoreError};
use time::OffsetDateTime;

use crate::jwt::JwtError;

pub use jwk::{JwkError, PublicJwk, read_jwk, read_jwks, thumbprint};
pub use ring::{KeyRing, RELOAD_EVERY, RETIREMENT_MARGIN};
pub use seal::SealingKey;

/// What went wrong with signing keys. `Token` is a refused token (the caller's answer is
/// "invalid token"); every other variant is a fault of the server or its configuration.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key-encryption key does not match the one the signing keys were sealed with")]
    WrongSealingKey,
    #[error("the sealed private key of signing key {kid} is damaged or belongs to another key row")]
    Damaged { kid: String },
    #[error("the signing key {kid} cannot be used: {reason}")]
    Unreadable { kid: String, reason: String },
    #[error("sealing or opening a signing key failed")]
    Seal,
    #[error("an RSA key of {0} bits cannot be made (oidc.rsa_bits: 2048, 3072 or 4096)")]
    RsaBits(u32),
    #[error("making a new {0} key failed")]
    Generate(&'static str),
    #[error("signing with the {0} key failed")]
    Sign(&'static str),
    #[error("no {0} key is active for signing (keys are made at start-up by ensure_keys)")]
    NoActiveKey(&'static str),
    #[error("the claims cannot be serialised: {0}")]
    Claims(#[source] serde_json::Error),
    #[error("the token is refused: {0}")]
    Token(#[from] JwtError),
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}

/// Where a key is in its life at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Published, signs from `activates_at`.
    Pending,
    /// The key that signs new tokens of its algorithm.
    Signing,
    /// Published so that tokens it signed still verify; no longer signs.
    VerifyOnly,
}

impl KeyStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Signing => "signing",
            Self::VerifyOnly => "verify-only",
        }
    }
}

/// A published key as the operator sees it (`dvcid keys list`); nothing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: SigningAlg,
    pub created_at: OffsetDateTime,
    pub activates_at: OffsetDateTime,
    pub retires_at: Option<OffsetDateTime>,
    pub status: KeyStatus,
}

/// When a key was made, signs and stops being published: what choosing a key needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Schedule {
    kid: String,
    alg: SigningAlg,
    created_at: OffsetDateTime,
    activates_at: OffsetDateTime,
    retires_at: Option<OffsetDateTime>,
}

impl Schedule {
    fn of(key: &store::SigningKey) -> Self {
        Self {
            kid: key.kid.clone(),
            alg: key.alg,
            created_at: key.created_at,
            activates_at: key.activates_at,
            retires_at: key.retires_at,
        }
    }

    /// Still in the JWKS at `now`.
    fn published(&self, now: OffsetDateTime) -> bool {
        self.retires_at.is_none_or(|retires_at| retires_at > now)
    }

    fn can_sign(&self, now: OffsetDateTime) -> bool {
        self.activates_at <= now && self.published(now)
    }
}

/// The key of `alg` that signs at `now`: the newest activated one still published. (Two nodes
/// starting at once may each have made one; all nodes pick the same.)
fn signing_choice<K>(
    keys: &[K],
    alg: SigningAlg,
    now: OffsetDateTime,
    schedule: impl Fn(&K) -> &Schedule,
) -> Option<&K> {
    keys.iter()
        .filter(|key| schedule(key).alg == alg && schedule(key).can_sign(now))
        .max_by(|a, b| {
            let (a, b) = (schedule(a), schedule(b));
            (a.activates_at, a.created_at, &a.kid).cmp(&(b.activates_at, b.created_at, &b.kid))
        })
}

/// What `dvcid keys list` shows: the published keys with their status at `now`.
fn describe(keys: &[store::SigningKey], now: OffsetDateTime) -> Vec<KeyInfo> {
    let schedules: Vec<Schedule> = keys.iter().map(Schedule::of).collect();
    let signing: Vec<&str> = crate::jwt::ALGORITHMS
        .into_iter()
        .filter_map(|alg| signing_choice(&schedules, alg, now, |s| s))
        .map(|s| s.kid.as_str())
        .collect();
    schedules
        .iter()
        .filter(|s| s.published(now))
        .map(|s| KeyInfo {
            kid: s.kid.clone(),
            alg: s.alg,
            created_at: s.created_at,
            activates_at: s.activates_at,
            retires_at: s.retires_at,
            status: if s.activates_at > now {
                KeyStatus::Pending
            } else if signing.contains(&s.kid.as_str()) {
                KeyStatus::Signing
            } else {
                KeyStatus::VerifyOnly
            },
        })
        .collect()
}
