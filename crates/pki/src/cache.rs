//! Good OCSP answers kept until their nextUpdate (capped), keyed by the DER of the CertID, so
//! that a busy portal does not ask the CA on every sign-in. Only "good" is cached: a refusal
//! is always asked again. Safe to be stale within nextUpdate by OCSP's own definition, so an
//! in-process cache per node is enough.

use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;

/// More entries than a node signs in distinct certificates within an OCSP validity period;
/// when full, expired entries are dropped and, if none were, the new answer is not kept.
const CAPACITY: usize = 50_000;

#[derive(Debug, Default)]
pub(crate) struct OcspCache {
    good_until: Mutex<HashMap<Vec<u8>, OffsetDateTime>>,
}

impl OcspCache {
    /// Whether a good answer for `cert_id` is still valid at `at`.
    pub(crate) fn is_good(&self, cert_id: &[u8], at: OffsetDateTime) -> bool {
        let entries = self.lock();
        entries.get(cert_id).is_some_and(|until| at < *until)
    }

    pub(crate) fn keep_good(&self, cert_id: Vec<u8>, until: OffsetDateTime, at: OffsetDateTime) {
        if until <= at {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, kept_until| at < *kept_until);
            if entries.len() >= CAPACITY {
                return;
            }
        }
        entries.insert(cert_id, until);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, OffsetDateTime>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.good_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn good_until_the_time_given_and_not_after() {
        let cache = OcspCache::default();
        let now = datetime!(2026-05-01 10:00 UTC);
        let until = datetime!(2026-05-01 10:05 UTC);
        assert!(!cache.is_good(b"id", now));
        cache.keep_good(b"id".to_vec(), until, now);
        assert!(cache.is_good(b"id", now));
        assert!(cache.is_good(b"id", datetime!(2026-05-01 10:04:59 UTC)));
        assert!(!cache.is_good(b"id", until));
        assert!(!cache.is_good(b"other", now));
    }

    #[test]
    fn an_answer_already_past_is_not_kept() {
        let cache = OcspCache::default();
        let now = datetime!(2026-05-01 10:00 UTC);
        cache.keep_good(b"id".to_vec(), now, now);
        assert!(!cache.is_good(b"id", datetime!(2026-05-01 09:00 UTC)));
    }
}
