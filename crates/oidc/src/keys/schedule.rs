//! When each key signs and is published: the schedule a key row carries, the one key of an
//! algorithm that signs at a given instant, and the list the operator sees.

use store::SigningAlg;
use time::OffsetDateTime;

use crate::jwt;

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
pub(super) struct Schedule {
    pub(super) kid: String,
    pub(super) alg: SigningAlg,
    pub(super) created_at: OffsetDateTime,
    pub(super) activates_at: OffsetDateTime,
    pub(super) retires_at: Option<OffsetDateTime>,
}

impl Schedule {
    pub(super) fn of(key: &store::SigningKey) -> Self {
        Self {
            kid: key.kid.clone(),
            alg: key.alg,
            created_at: key.created_at,
            activates_at: key.activates_at,
            retires_at: key.retires_at,
        }
    }

    /// Still in the JWKS at `now`.
    pub(super) fn published(&self, now: OffsetDateTime) -> bool {
        self.retires_at.is_none_or(|retires_at| retires_at > now)
    }

    fn can_sign(&self, now: OffsetDateTime) -> bool {
        self.activates_at <= now && self.published(now)
    }
}

/// The key of `alg` that signs at `now`: the newest activated one still published. (Two nodes
/// starting at once may each have made one; all nodes pick the same.)
pub(super) fn signing_choice<K>(
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
pub(super) fn describe(keys: &[store::SigningKey], now: OffsetDateTime) -> Vec<KeyInfo> {
    let schedules: Vec<Schedule> = keys.iter().map(Schedule::of).collect();
    let signing: Vec<&str> = jwt::ALGORITHMS
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
