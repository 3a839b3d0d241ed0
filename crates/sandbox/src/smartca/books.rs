//! What the sandbox SmartCA remembers, in memory and bounded: authorisation codes and access
//! tokens (by their SHA-256, as a service keeps them), signing transactions, and each user's
//! app mode.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use domain::PersonalId;
use time::OffsetDateTime;

use super::RemoteSigningMode;
use super::transactions::Transaction;

/// Enough for any demo or benchmark; past it the soonest to expire goes first.
const MAX_GRANTS: usize = 10_000;
const MAX_TOKENS: usize = 10_000;
const MAX_TRANSACTIONS: usize = 1_000;

/// What an authorisation code was issued for.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) user: PersonalId,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    /// The PKCE S256 challenge.
    pub(crate) challenge: String,
    pub(crate) expires: OffsetDateTime,
}

/// Whom an access token acts for.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(crate) user: PersonalId,
    pub(crate) expires: OffsetDateTime,
}

#[derive(Default)]
struct Ledger {
    grants: HashMap<[u8; 32], Grant>,
    tokens: HashMap<[u8; 32], Access>,
    /// Oldest first.
    transactions: VecDeque<Transaction>,
    modes: HashMap<PersonalId, RemoteSigningMode>,
}

#[derive(Default)]
pub(crate) struct Books(Mutex<Ledger>);

/// Inserts, first making room: expired entries go, then the one that would expire soonest.
fn insert_bounded<V>(
    map: &mut HashMap<[u8; 32], V>,
    capacity: usize,
    key: [u8; 32],
    value: V,
    now: OffsetDateTime,
    expires: impl Fn(&V) -> OffsetDateTime,
) {
    if map.len() >= capacity {
        map.retain(|_, entry| expires(entry) > now);
    }
    if map.len() >= capacity
        && let Some(soonest) = map
            .iter()
            .min_by_key(|(_, entry)| expires(entry))
            .map(|(key, _)| *key)
    {
        map.remove(&soonest);
    }
    map.insert(key, value);
}

impl Books {
    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn add_grant(&self, code_digest: [u8; 32], grant: Grant, now: OffsetDateTime) {
        let grants = &mut self.ledger().grants;
        insert_bounded(grants, MAX_GRANTS, code_digest, grant, now, |g| g.expires);
    }

    /// The code's grant, spent: a code works once, whatever happens next.
    pub(crate) fn take_grant(&self, code_digest: &[u8; 32]) -> Option<Grant> {
        self.ledger().grants.remove(code_digest)
    }

    pub(crate) fn add_token(&self, token_digest: [u8; 32], access: Access, now: OffsetDateTime) {
        let tokens = &mut self.ledger().tokens;
        insert_bounded(tokens, MAX_TOKENS, token_digest, access, now, |a| a.expires);
    }

    /// The user an unexpired token acts for.
    pub(crate) fn token_user(
        &self,
        token_digest: &[u8; 32],
        now: OffsetDateTime,
    ) -> Option<PersonalId> {
        self.ledger()
            .tokens
            .get(token_digest)
            .filter(|access| access.expires > now)
            .map(|access| access.user.clone())
    }

    pub(crate) fn add_transaction(&self, transaction: Transaction) {
        let mut ledger = self.ledger();
        if ledger.transactions.len() >= MAX_TRANSACTIONS {
            ledger.transactions.pop_front();
        }
        ledger.transactions.push_back(transaction);
    }

    /// Runs `act` on the transaction `id`, if it is still remembered.
    pub(crate) fn with_transaction<T>(
        &self,
        id: &str,
        act: impl FnOnce(&mut Transaction) -> T,
    ) -> Option<T> {
        self.ledger()
            .transactions
            .iter_mut()
            .find(|transaction| transaction.id == id)
            .map(act)
    }

    /// Runs `act` on each of `user`'s transactions, newest first, collecting what it gives.
    pub(crate) fn for_user<T>(
        &self,
        user: &PersonalId,
        mut act: impl FnMut(&mut Transaction) -> Option<T>,
    ) -> Vec<T> {
        self.ledger()
            .transactions
            .iter_mut()
            .rev()
            .filter(|transaction| &transaction.user == user)
            .filter_map(&mut act)
            .collect()
    }

    pub(crate) fn mode(&self, user: &PersonalId) -> RemoteSigningMode {
        self.ledger().modes.get(user).copied().unwrap_or_default()
    }

    pub(crate) fn set_mode(&self, user: &PersonalId, mode: RemoteSigningMode) {
        self.ledger().modes.insert(user.clone(), mode);
    }
}
