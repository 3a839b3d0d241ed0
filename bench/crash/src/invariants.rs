//! What the database must show after every crash, judged from two snapshots (before and
//! after the round) and the acknowledged registrations. Each broken rule is one message.

use crate::database::Snapshot;

/// The violations `now` shows, given the snapshot after the previous crash (`None` at the
/// first) and the personal IDs whose registration was acknowledged.
pub fn violations(before: Option<&Snapshot>, now: &Snapshot, registered: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(integrity) = &now.integrity
        && integrity != "ok"
    {
        found.push(format!("PRAGMA integrity_check: {integrity}"));
    }
    if now.families_with_two_live_tokens > 0 {
        found.push(format!(
            "{} refresh-token families hold two or more live tokens",
            now.families_with_two_live_tokens
        ));
    }
    let missing: Vec<&String> = registered
        .iter()
        .filter(|id| !now.personal_ids.contains(*id))
        .collect();
    if !missing.is_empty() {
        found.push(format!(
            "{} acknowledged registrations are gone: {missing:?}",
            missing.len()
        ));
    }
    if let Some(before) = before {
        found.extend(backwards(before, now));
    }
    found
}

/// Counters that went backwards: audit chain heads and the number of events, and throttle
/// counters that had not expired at the second snapshot.
fn backwards(before: &Snapshot, now: &Snapshot) -> Vec<String> {
    let mut found = Vec::new();
    for (shard, seq) in &before.audit_heads {
        let later = now.audit_heads.get(shard).copied().unwrap_or(-1);
        if later < *seq {
            found.push(format!(
                "audit shard {shard}: head seq went back from {seq} to {later}"
            ));
        }
    }
    if now.audit_events < before.audit_events {
        found.push(format!(
            "audit events went back from {} to {}",
            before.audit_events, now.audit_events
        ));
    }
    for ((key, window), (hits, expires_at)) in &before.counters {
        if restarts_on_success(key) {
            continue;
        }
        match now.counters.get(&(key.clone(), *window)) {
            Some((later, _)) if later < hits => found.push(format!(
                "counter {key} (window {window}): hits went back from {hits} to {later}"
            )),
            Some(_) => {}
            // Expired since (and perhaps purged): no longer owed.
            None if *expires_at <= now.taken_at => {}
            None => found.push(format!(
                "counter {key} (window {window}) with {hits} hits is gone before it expired"
            )),
        }
    }
    found
}

/// Counters a right password deliberately deletes (`Throttle::succeeded` and `recovered` in
/// crates/flows/src/throttle.rs): an account's consecutive failures, and the count of one
/// device's or one address's attempts on it. They may go back; every other counter may not.
fn restarts_on_success(key: &str) -> bool {
    key.starts_with("failures:")
        || key.contains(":account_device:")
        || key.contains(":account_address:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(taken_at: i64) -> Snapshot {
        Snapshot {
            taken_at,
            integrity: Some("ok".to_owned()),
            ..Snapshot::default()
        }
    }

    #[test]
    fn a_clean_database_has_no_violations() {
        let mut before = snapshot(1_000);
        before.audit_heads.insert(0, 5);
        before.audit_events = 5;
        before.counters.insert(("sms:1".to_owned(), 0), (2, 5_000));
        before.personal_ids.insert("001".to_owned());
        let mut now = snapshot(2_000);
        now.audit_heads.insert(0, 7);
        now.audit_events = 7;
        now.counters.insert(("sms:1".to_owned(), 0), (3, 5_000));
        now.personal_ids.insert("001".to_owned());
        assert!(violations(Some(&before), &now, &["001".to_owned()]).is_empty());
    }

    #[test]
    fn names_every_broken_rule() {
        let mut before = snapshot(1_000);
        before.audit_heads.insert(3, 9);
        before.audit_events = 9;
        before.counters.insert(("sms:1".to_owned(), 0), (4, 5_000));
        before
            .counters
            .insert(("login:2".to_owned(), 0), (1, 5_000));
        let mut now = snapshot(2_000);
        now.integrity = Some("row 3 missing from index".to_owned());
        now.families_with_two_live_tokens = 1;
        now.audit_heads.insert(3, 8);
        now.audit_events = 8;
        now.counters.insert(("sms:1".to_owned(), 0), (3, 5_000));
        let found = violations(Some(&before), &now, &["001".to_owned()]);
        let text = found.join("\n");
        assert_eq!(found.len(), 7, "{text}");
        for expected in [
            "integrity_check: row 3",
            "two or more live tokens",
            "acknowledged registrations are gone: [\"001\"]",
            "audit shard 3: head seq went back from 9 to 8",
            "audit events went back from 9 to 8",
            "counter sms:1 (window 0): hits went back from 4 to 3",
            "counter login:2 (window 0) with 1 hits is gone before it expired",
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
    }

    #[test]
    fn counters_a_sign_in_restarts_may_go_back() {
        let mut before = snapshot(1_000);
        for key in [
            "failures:001",
            "sign_in:account_address:001:127.0.0.1",
            "sign_in:account_device:001:d1",
        ] {
            before.counters.insert((key.to_owned(), 0), (3, 5_000));
        }
        assert!(violations(Some(&before), &snapshot(2_000), &[]).is_empty());
    }

    #[test]
    fn an_expired_counter_may_be_purged() {
        let mut before = snapshot(1_000);
        before.counters.insert(("sms:1".to_owned(), 0), (4, 1_500));
        assert!(violations(Some(&before), &snapshot(2_000), &[]).is_empty());
    }
}
