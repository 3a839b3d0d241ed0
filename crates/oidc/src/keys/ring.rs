//! The key ring: the published keys, opened and parsed, in an immutable snapshot that signing
//! and verifying read without a store round trip. The snapshot is reloaded at most every
//! [`RELOAD_EVERY`] (safe to be stale: a new key is published `key_publish_ahead_secs` before it
//! signs), and at once — at most once a second — when a token names a key it does not hold.

use std::sync::{Arc, RwLock};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use store::{SigningAlg, SigningKey, Store};
use time::{Duration, OffsetDateTime};

use super::error::KeyError;
use super::generate::PrivateKey;
use super::jwk;
use super::schedule::{KeyInfo, Schedule, describe, signing_choice};
use super::seal::SealingKey;
use crate::config::OidcConfig;
use crate::jwt::{self, JwtError, Unverified, VerifyingKey};

/// How long a loaded snapshot is used before the store is read again.
pub const RELOAD_EVERY: Duration = Duration::seconds(30);
/// A token naming an unknown key triggers a reload, but not more often than this.
const MIN_FORCED_RELOAD: Duration = Duration::seconds(1);
/// After a failed reload the old snapshot is kept and the store tried again this much later.
const RETRY_AFTER_FAILURE: Duration = Duration::seconds(5);
/// Kept in the JWKS beyond the longest token lifetime after a successor starts signing:
/// covers clock skew between nodes and relying services.
pub const RETIREMENT_MARGIN: Duration = Duration::minutes(5);

/// A published key, opened.
struct LiveKey {
    schedule: Schedule,
    material: Arc<Material>,
}

/// What does not change over a key's life, so it is parsed once and shared between snapshots.
struct Material {
    private: PrivateKey,
    public: VerifyingKey,
    jwk: Value,
}

#[derive(Default)]
struct Snapshot {
    /// When the store was last read (or tried); `None` before the first load.
    loaded_at: Option<OffsetDateTime>,
    keys: Vec<LiveKey>,
}

impl Snapshot {
    fn fresh(&self, now: OffsetDateTime) -> bool {
        self.loaded_at
            .is_some_and(|at| (now - at).abs() < RELOAD_EVERY)
    }

    fn reloaded_since(&self, now: OffsetDateTime, within: Duration) -> bool {
        self.loaded_at.is_some_and(|at| (now - at).abs() < within)
    }

    fn signing(&self, alg: SigningAlg, now: OffsetDateTime) -> Option<&LiveKey> {
        signing_choice(&self.keys, alg, now, |key| &key.schedule)
    }

    fn published(&self, kid: &str, now: OffsetDateTime) -> Option<&LiveKey> {
        self.keys
            .iter()
            .find(|key| key.schedule.kid == kid && key.schedule.published(now))
    }
}

/// The provider's signing keys. Cheap to share (`Arc<KeyRing>`); every method takes `now`.
pub struct KeyRing {
    store: Arc<dyn Store>,
    seal: SealingKey,
    rsa_bits: u32,
    publish_ahead: Duration,
    /// How long a key stays published after its successor starts signing.
    keep_after_successor: Duration,
    snapshot: RwLock<Arc<Snapshot>>,
    /// One reload at a time; the others wait and use its result.
    reloading: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("seal", &self.seal)
            .field("rsa_bits", &self.rsa_bits)
            .field("publish_ahead", &self.publish_ahead)
            .field("keep_after_successor", &self.keep_after_successor)
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(store: Arc<dyn Store>, seal: SealingKey, config: &OidcConfig) -> KeyRing {
        let longest = config.id_token_ttl_secs.max(config.access_token_ttl_secs);
        KeyRing {
            store,
            seal,
            rsa_bits: config.rsa_bits,
            publish_ahead: Duration::seconds(config.key_publish_ahead_secs.max(0)),
            keep_after_successor: Duration::seconds(longest.max(0)) + RETIREMENT_MARGIN,
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// At start-up: for each algorithm without a key that can sign now, makes one that signs at
    /// once. Idempotent. Two nodes starting together on an empty store may each make one; both
    /// are published, every node signs with the same (newest) one, and the next rotation
    /// retires both. A wrong key-encryption key fails here, before anything is written.
    pub async fn ensure_keys(&self, now: OffsetDateTime) -> Result<(), KeyError> {
        // Opens every stored key first: with the wrong key-encryption key nothing is added.
        self.load(now).await?;
        let stored = self.store.signing_keys(now).await?;
        let schedules: Vec<Schedule> = stored.iter().map(Schedule::of).collect();
        for alg in jwt::ALGORITHMS {
            if signing_choice(&schedules, alg, now, |s| s).is_some() {
                continue;
            }
            // A successor already scheduled (a rotation made before the first start) will take
            // over; this stop-gap key then leaves the JWKS like any predecessor.
            let successor = schedules
                .iter()
                .filter(|s| s.alg == alg && s.activates_at > now)
                .map(|s| s.activates_at)
                .min();
            let retires_at = successor.map(|at| at + self.keep_after_successor);
            let key = self.create(alg, now, now, retires_at).await?;
            tracing::info!(kid = %key.kid, alg = jwt::alg_name(alg), "signing key created");
        }
        self.load(now).await.map(|_| ())
    }

    /// Makes one new key per algorithm, published now and signing from
    /// `now + key_publish_ahead_secs`; every older key of that algorithm not yet scheduled to
    /// retire is unpublished once every token it may sign until then has expired.
    pub async fn rotate(&self, now: OffsetDateTime) -> Result<Vec<SigningKey>, KeyError> {
        // Opens every stored key first: keys sealed under a wrong key-encryption key would be
        // keys no node could use.
        self.load(now).await?;
        let stored = self.store.signing_keys(now).await?;
        let activates_at = now + self.publish_ahead;
        let retires_at = activates_at + self.keep_after_successor;
        let mut created = Vec::with_capacity(jwt::ALGORITHMS.len());
        for alg in jwt::ALGORITHMS {
            let key = self.create(alg, now, activates_at, None).await?;
            for old in stored
                .iter()
                .filter(|old| old.alg == alg && old.retires_at.is_none())
            {
                self.store.retire_signing_key(&old.kid, retires_at).await?;
            }
            tracing::info!(
                kid = %key.kid,
                alg = jwt::alg_name(alg),
                activates_at = %key.activates_at,
                "signing key rotated"
            );
            created.push(key);
        }
        self.load(now).await?;
        Ok(created)
    }

    /// The JWK Set of every key published at `now`.
    pub async fn jwks(&self, now: OffsetDateTime) -> Result<Value, KeyError> {
        let snapshot = self.snapshot(now).await?;
        let keys: Vec<&Value> = snapshot
            .keys
            .iter()
            .filter(|key| key.schedule.published(now))
            .map(|key| &key.material.jwk)
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// The published keys with their status, read from the store (for operators).
    pub async fn list(&self, now: OffsetDateTime) -> Result<Vec<KeyInfo>, KeyError> {
        Ok(describe(&self.store.signing_keys(now).await?, now))
    }

    /// A compact JWS of `claims` with the key of `alg` that signs at `now`; the header carries
    /// `alg`, `kid` and `typ` (`JWT`, `at+jwt`, `logout+jwt`).
    pub async fn sign<T: Serialize + Sync + ?Sized>(
        &self,
        alg: SigningAlg,
        typ: &str,
        claims: &T,
        now: OffsetDateTime,
    ) -> Result<String, KeyError> {
        let mut snapshot = self.snapshot(now).await?;
        if snapshot.signing(alg, now).is_none() {
            snapshot = self.forced_reload(now).await?;
        }
        let key = snapshot
            .signing(alg, now)
            .ok_or(KeyError::NoActiveKey(jwt::alg_name(alg)))?;
        let input =
            jwt::signing_input(alg, &key.schedule.kid, typ, claims).map_err(KeyError::Claims)?;
        let signature = key.material.private.sign(input.as_bytes())?;
        Ok(jwt::finish(input, &signature))
    }

    /// The claims of a token this provider signed with a key published at `now`. Only RS256,
    /// ES256 and EdDSA; `typ` checked when `expected_typ` is given, `exp` against `now` when
    /// `validate_exp`. Audience and issuer are the caller's to check.
    pub async fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        expected_typ: Option<&str>,
        validate_exp: bool,
        now: OffsetDateTime,
    ) -> Result<T, KeyError> {
        let parsed = Unverified::parse(token)?;
        let kid = parsed.kid().ok_or(JwtError::UnknownKey)?;
        let mut snapshot = self.snapshot(now).await?;
        if snapshot.published(kid, now).is_none() {
            snapshot = self.forced_reload(now).await?;
        }
        let key = snapshot.published(kid, now).ok_or(JwtError::UnknownKey)?;
        let verified = parsed.verify(&key.material.public)?;
        if let Some(expected) = expected_typ {
            verified.check_type(expected)?;
        }
        if validate_exp {
            verified.check_expiry(now)?;
        }
        Ok(verified.claims()?)
    }

    fn current(&self) -> Arc<Snapshot> {
        let guard = self
            .snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(&guard)
    }

    fn replace(&self, snapshot: Arc<Snapshot>) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = snapshot;
    }

    /// The snapshot to use at `now`, reloaded first if it is older than [`RELOAD_EVERY`].
    async fn snapshot(&self, now: OffsetDateTime) -> Result<Arc<Snapshot>, KeyError> {
        let current = self.current();
        if current.fresh(now) {
            return Ok(current);
        }
        self.reload_unless(now, |snapshot| snapshot.fresh(now))
            .await
    }

    async fn forced_reload(&self, now: OffsetDateTime) -> Result<Arc<Snapshot>, KeyError> {
        self.reload_unless(now, |snapshot| {
            snapshot.reloaded_since(now, MIN_FORCED_RELOAD)
        })
        .await
    }

    /// Reloads unless another task did while this one waited (`done`). A failure keeps the old
    /// keys for [`RETRY_AFTER_FAILURE`] if there are any: signing goes on while the store is
    /// briefly away, and the store is not asked on every request meanwhile.
    async fn reload_unless(
        &self,
        now: OffsetDateTime,
        done: impl Fn(&Snapshot) -> bool,
    ) -> Result<Arc<Snapshot>, KeyError> {
        let _one_at_a_time = self.reloading.lock().await;
        let current = self.current();
        if done(&current) {
            return Ok(current);
        }
        match self.load_locked(&current, now).await {
            Ok(loaded) => Ok(loaded),
            Err(error) if current.loaded_at.is_some() => {
                tracing::warn!(%error, "reloading the signing keys failed; using the loaded ones");
                let kept = Arc::new(Snapshot {
                    loaded_at: Some(now - RELOAD_EVERY + RETRY_AFTER_FAILURE),
                    keys: current
                        .keys
                        .iter()
                        .map(|key| LiveKey {
                            schedule: key.schedule.clone(),
                            material: Arc::clone(&key.material),
                        })
                        .collect(),
                });
                self.replace(Arc::clone(&kept));
                Ok(kept)
            }
            Err(error) => Err(error),
        }
    }

    /// Reads the store now, failing on any error (start-up and after writes).
    async fn load(&self, now: OffsetDateTime) -> Result<Arc<Snapshot>, KeyError> {
        let _one_at_a_time = self.reloading.lock().await;
        let current = self.current();
        self.load_locked(&current, now).await
    }

    async fn load_locked(
        &self,
        current: &Snapshot,
        now: OffsetDateTime,
    ) -> Result<Arc<Snapshot>, KeyError> {
        let stored = self.store.signing_keys(now).await?;
        let mut keys = Vec::with_capacity(stored.len());
        for record in &stored {
            // A key's material never changes: reuse what was opened before (RSA parsing is slow).
            let known = current
                .keys
                .iter()
                .find(|key| key.schedule.kid == record.kid && key.schedule.alg == record.alg);
            let material = match known {
                Some(key) => Arc::clone(&key.material),
                None => Arc::new(self.open(record)?),
            };
            keys.push(LiveKey {
                schedule: Schedule::of(record),
                material,
            });
        }
        let snapshot = Arc::new(Snapshot {
            loaded_at: Some(now),
            keys,
        });
        self.replace(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// Opens a stored key and checks that it is the key its `kid` (a thumbprint) names.
    fn open(&self, record: &SigningKey) -> Result<Material, KeyError> {
        let unreadable = |reason: String| KeyError::Unreadable {
            kid: record.kid.clone(),
            reason,
        };
        let der = self
            .seal
            .open(&record.kid, record.alg, &record.sealed_private_key)?;
        let private = PrivateKey::from_pkcs8(record.alg, &der).map_err(unreadable)?;
        let jwk = jwk::published(private.public_members()?, record.alg)
            .map_err(|error| unreadable(error.to_string()))?;
        if jwk.get("kid").and_then(Value::as_str) != Some(record.kid.as_str()) {
            return Err(unreadable(
                "its public key does not match its kid".to_owned(),
            ));
        }
        Ok(Material {
            public: private.verifying_key()?,
            private,
            jwk,
        })
    }

    /// Makes, seals and stores a key.
    async fn create(
        &self,
        alg: SigningAlg,
        now: OffsetDateTime,
        activates_at: OffsetDateTime,
        retires_at: Option<OffsetDateTime>,
    ) -> Result<SigningKey, KeyError> {
        let bits = self.rsa_bits;
        // RSA generation takes up to a second: off the async workers.
        let private = tokio::task::spawn_blocking(move || PrivateKey::generate(alg, bits))
            .await
            .map_err(|_| KeyError::Generate(jwt::alg_name(alg)))??;
        let public_jwk = jwk::published(private.public_members()?, alg)
            .map_err(|_| KeyError::Generate(jwt::alg_name(alg)))?;
        let kid = public_jwk
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(KeyError::Generate(jwt::alg_name(alg)))?
            .to_owned();
        let sealed_private_key = self.seal.seal(&kid, alg, &private.to_pkcs8()?)?;
        let key = SigningKey {
            kid,
            alg,
            sealed_private_key,
            public_jwk,
            created_at: now,
            activates_at,
            retires_at,
        };
        self.store.add_signing_key(&key).await?;
        Ok(key)
    }
}
