//! The audit trail's tamper evidence, on SQLite and PostgreSQL: intact chains verify, and each
//! kind of tampering (an edited, deleted, moved or rewritten event, a forged checkpoint, the
//! newest events deleted) is found and its first broken event named.

use std::sync::Arc;

use audit::{AuditKey, Breach, BreachKind, Checkpointed, Pin, make_checkpoint, verify};
use serde_json::json;
use store::audit_chain::{NewAuditCheckpoint, checkpoint_message, event_hash, shard_of};
use store::testing::TestDb;
use store::{AccountId, Actor, AuditContext, AuditEvent, AuditKind, Backend, NewAuditEvent};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-12-07 09:00 UTC);

fn key() -> AuditKey {
    AuditKey::derive(b"0123456789abcdef0123456789abcdef").unwrap()
}

fn sign_in(account: Option<AccountId>, n: usize) -> NewAuditEvent {
    NewAuditEvent {
        account_id: account,
        kind: AuditKind::SignedIn,
        context: AuditContext {
            actor: Actor::Holder,
            client_ip: Some("203.0.113.7".to_owned()),
        },
        details: json!({"method": "password", "n": n}),
    }
}

/// Appends `count` events of one account (so of one shard, at seq 1..=count), a minute apart.
async fn history(db: &TestDb, count: usize) -> (u16, Vec<AuditEvent>) {
    let account = AccountId(Uuid::new_v4());
    let mut events = Vec::new();
    for n in 0..count {
        let at = NOW + Duration::minutes(n as i64);
        events.push(
            db.store
                .append_audit(&sign_in(Some(account), n), at)
                .await
                .unwrap(),
        );
    }
    (shard_of(Some(account), Uuid::nil()), events)
}

/// Raw SQL as someone with write access to the database would run it (SQLite's append-only
/// triggers dropped first: they stop mistakes, not an attacker).
async fn tamper(db: &TestDb, statements: &[String]) {
    if db.backend == Backend::Sqlite {
        for trigger in ["audit_events_no_update", "audit_events_no_delete"] {
            db.execute(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                .await
                .unwrap();
        }
    }
    for sql in statements {
        db.execute(sql).await.unwrap();
    }
}

fn bytes(db: &TestDb, value: &[u8]) -> String {
    let hex = domain::digest::to_hex(value);
    match db.backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    }
}

fn id(db: &TestDb, id: Uuid) -> String {
    match db.backend {
        Backend::Sqlite => bytes(db, id.as_bytes()),
        Backend::Postgres => format!("'{id}'"),
    }
}

async fn only_breach(db: &TestDb) -> Breach {
    let report = verify(db.store.as_ref(), key().public()).await.unwrap();
    assert_eq!(report.breaches.len(), 1, "{report}");
    report.breaches.into_iter().next().unwrap()
}

async fn many_appends_and_a_checkpoint_verify_intact(db: TestDb) {
    for n in 0..40 {
        db.store.append_audit(&sign_in(None, n), NOW).await.unwrap();
    }
    history(&db, 10).await;
    assert_eq!(
        make_checkpoint(db.store.as_ref(), &key(), NOW)
            .await
            .unwrap(),
        Checkpointed::Recorded { events: 50 }
    );
    history(&db, 3).await;
    let report = verify(db.store.as_ref(), key().public()).await.unwrap();
    assert!(report.intact(), "{report}");
    assert_eq!(report.events, 53);
    assert_eq!(report.shards, 16);
    assert_eq!(report.checkpoints, 1);
    assert_eq!(
        report.to_string(),
        "53 events in 16 shards, 1 checkpoints: intact"
    );
}

async fn concurrent_appends_keep_every_chain_whole(db: TestDb) {
    let store = Arc::clone(&db.store);
    let verifying = tokio::spawn({
        let store = Arc::clone(&store);
        async move {
            // Verification runs while appends land: it stops at the heads it read first.
            for _ in 0..5 {
                let report = verify(store.as_ref(), key().public()).await.unwrap();
                assert!(report.intact(), "{report}");
            }
        }
    });
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                // Half the tasks share one account, so they contend for one shard's head.
                let shared = AccountId(Uuid::from_u128(0x5eed));
                for n in 0..25 {
                    let account = (task % 2 == 0).then_some(shared);
                    store.append_audit(&sign_in(account, n), NOW).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    verifying.await.unwrap();
    let report = verify(db.store.as_ref(), key().public()).await.unwrap();
    assert!(report.intact(), "{report}");
    assert_eq!(report.events, 200);
}

async fn an_edited_event_is_named(db: TestDb) {
    let (shard, events) = history(&db, 5).await;
    let edited = &events[2];
    tamper(
        &db,
        &[format!(
            "UPDATE audit_events SET client_ip = '198.51.100.1' WHERE id = {}",
            id(&db, edited.id)
        )],
    )
    .await;
    let breach = only_breach(&db).await;
    assert_eq!(
        breach,
        Breach {
            event: Some(edited.id),
            shard: Some(shard),
            seq: Some(3),
            kind: BreachKind::Edited
        }
    );
    assert!(
        breach.to_string().contains(&edited.id.to_string()),
        "{breach}"
    );
    assert!(breach.to_string().contains("edited"), "{breach}");
}

async fn a_deleted_event_is_named_by_the_gap(db: TestDb) {
    let (shard, events) = history(&db, 5).await;
    tamper(
        &db,
        &[format!(
            "DELETE FROM audit_events WHERE id = {}",
            id(&db, events[1].id)
        )],
    )
    .await;
    assert_eq!(
        only_breach(&db).await,
        Breach {
            event: Some(events[2].id),
            shard: Some(shard),
            seq: Some(3),
            kind: BreachKind::Missing { from: 2, to: 2 },
        }
    );
}

async fn a_swapped_pair_is_named_reordered(db: TestDb) {
    let (shard, events) = history(&db, 5).await;
    let (first, second) = (events[1].id, events[2].id);
    tamper(
        &db,
        &[
            format!(
                "UPDATE audit_events SET seq = -1 WHERE id = {}",
                id(&db, first)
            ),
            format!(
                "UPDATE audit_events SET seq = 2 WHERE id = {}",
                id(&db, second)
            ),
            format!(
                "UPDATE audit_events SET seq = 3 WHERE id = {}",
                id(&db, first)
            ),
        ],
    )
    .await;
    assert_eq!(
        only_breach(&db).await,
        Breach {
            event: Some(second),
            shard: Some(shard),
            seq: Some(2),
            kind: BreachKind::Reordered
        }
    );
}

/// An edit whose hash was recomputed: the next link names it; with the whole rest of the chain
/// and the head rewritten too, only a checkpoint does.
async fn a_rewritten_event_is_caught_by_the_next_link_or_a_checkpoint(db: TestDb) {
    let (shard, events) = history(&db, 4).await;
    make_checkpoint(db.store.as_ref(), &key(), NOW)
        .await
        .unwrap();
    let forged = AuditEvent {
        client_ip: Some("198.51.100.1".to_owned()),
        ..events[3].clone()
    };
    let previous_hash = db.store.audit_chain_page(shard, 2, 3, 1).await.unwrap()[0]
        .link
        .hash;
    let forged_hash = event_hash(&forged, shard, 4, &previous_hash);
    tamper(
        &db,
        &[format!(
            "UPDATE audit_events SET client_ip = '198.51.100.1', hash = {} WHERE id = {}",
            bytes(&db, &forged_hash),
            id(&db, forged.id)
        )],
    )
    .await;
    // The last event: no next link, the head row still has the old hash, and the checkpoint.
    let report = verify(db.store.as_ref(), key().public()).await.unwrap();
    let checkpoint = db
        .store
        .latest_audit_checkpoint()
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        report.breaches,
        vec![Breach {
            event: Some(forged.id),
            shard: Some(shard),
            seq: Some(4),
            kind: BreachKind::CheckpointMismatch { checkpoint },
        }]
    );

    // An earlier event rewritten the same way is named by the link of the event after it.
    let forged = AuditEvent {
        client_ip: None,
        ..events[1].clone()
    };
    let first_hash = db.store.audit_chain_page(shard, 0, 1, 1).await.unwrap()[0]
        .link
        .hash;
    tamper(
        &db,
        &[format!(
            "UPDATE audit_events SET client_ip = NULL, hash = {} WHERE id = {}",
            bytes(&db, &event_hash(&forged, shard, 2, &first_hash)),
            id(&db, forged.id)
        )],
    )
    .await;
    let report = verify(db.store.as_ref(), key().public()).await.unwrap();
    assert_eq!(
        report.breaches[0],
        Breach {
            event: Some(forged.id),
            shard: Some(shard),
            seq: Some(2),
            kind: BreachKind::Rewritten
        }
    );
}

async fn a_forged_checkpoint_signature_is_refused(db: TestDb) {
    history(&db, 2).await;
    let heads = db.store.audit_chain_heads().await.unwrap();
    let key_id = key().public().id().to_owned();
    let forger = AuditKey::derive(b"not the key-encryption key of this portal").unwrap();
    let forged = NewAuditCheckpoint {
        at: NOW,
        signature: forger.sign(&checkpoint_message(NOW, &key_id, &heads)),
        key_id,
        heads,
    };
    assert!(db.store.record_audit_checkpoint(&forged).await.unwrap());
    let checkpoint = db
        .store
        .latest_audit_checkpoint()
        .await
        .unwrap()
        .unwrap()
        .id;
    let breach = only_breach(&db).await;
    assert_eq!(breach.kind, BreachKind::BadSignature { checkpoint });
    assert!(breach.to_string().contains("forged"), "{breach}");

    // Verifying with the forger's public key says the checkpoint names another key.
    let report = verify(db.store.as_ref(), forger.public()).await.unwrap();
    assert!(
        matches!(report.breaches[0].kind, BreachKind::UnknownKey { .. }),
        "{report}"
    );
}

async fn deleting_the_newest_events_is_found_against_the_head_or_a_checkpoint(db: TestDb) {
    let (shard, events) = history(&db, 5).await;
    make_checkpoint(db.store.as_ref(), &key(), NOW)
        .await
        .unwrap();
    let checkpoint = db
        .store
        .latest_audit_checkpoint()
        .await
        .unwrap()
        .unwrap()
        .id;
    let delete_last_two = [
        format!(
            "DELETE FROM audit_events WHERE id = {}",
            id(&db, events[4].id)
        ),
        format!(
            "DELETE FROM audit_events WHERE id = {}",
            id(&db, events[3].id)
        ),
    ];
    tamper(&db, &delete_last_two).await;
    let truncated = |by| Breach {
        event: Some(events[2].id),
        shard: Some(shard),
        seq: Some(3),
        kind: BreachKind::Truncated { expected: 5, by },
    };
    assert_eq!(only_breach(&db).await, truncated(Pin::Head));

    // The head wound back to the last event left: only the checkpoint still knows.
    let third = db.store.audit_chain_page(shard, 2, 3, 1).await.unwrap()[0]
        .link
        .hash;
    tamper(
        &db,
        &[format!(
            "UPDATE audit_chain_heads SET seq = 3, hash = {} WHERE shard = {shard}",
            bytes(&db, &third)
        )],
    )
    .await;
    let breach = only_breach(&db).await;
    assert_eq!(breach, truncated(Pin::Checkpoint(checkpoint)));
    assert!(
        breach.to_string().contains("newest events were deleted"),
        "{breach}"
    );
}

/// The documented limit: events after the latest checkpoint, deleted with the head wound
/// back, leave nothing to compare with.
async fn deleting_unchecked_newest_events_with_the_head_is_not_detectable(db: TestDb) {
    let (shard, events) = history(&db, 3).await;
    let second = db.store.audit_chain_page(shard, 1, 2, 1).await.unwrap()[0]
        .link
        .hash;
    tamper(
        &db,
        &[
            format!(
                "DELETE FROM audit_events WHERE id = {}",
                id(&db, events[2].id)
            ),
            format!(
                "UPDATE audit_chain_heads SET seq = 2, hash = {} WHERE shard = {shard}",
                bytes(&db, &second)
            ),
        ],
    )
    .await;
    assert!(
        verify(db.store.as_ref(), key().public())
            .await
            .unwrap()
            .intact()
    );
}

async fn checkpoints_are_made_once_per_state_even_by_racing_nodes(db: TestDb) {
    history(&db, 2).await;
    let racing: Vec<_> = (0..4)
        .map(|_| {
            let store = Arc::clone(&db.store);
            tokio::spawn(async move { make_checkpoint(store.as_ref(), &key(), NOW).await })
        })
        .collect();
    let mut recorded = 0;
    for node in racing {
        if node.await.unwrap().unwrap() != Checkpointed::Unchanged {
            recorded += 1;
        }
    }
    assert_eq!(recorded, 1);
    assert_eq!(db.store.audit_checkpoints().await.unwrap().len(), 1);
    history(&db, 1).await;
    assert_eq!(
        make_checkpoint(db.store.as_ref(), &key(), NOW + Duration::minutes(10))
            .await
            .unwrap(),
        Checkpointed::Recorded { events: 3 }
    );
}

async fn export_filters_by_time_and_keeps_order(db: TestDb) {
    let (shard, events) = history(&db, 5).await;
    let mut out = Vec::new();
    let since = NOW + Duration::minutes(1);
    let until = NOW + Duration::minutes(4);
    let written = audit::export(db.store.as_ref(), since, until, &mut out)
        .await
        .unwrap();
    assert_eq!(written, 3);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let ids: Vec<String> = lines
        .iter()
        .map(|line| line["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = events[1..4]
        .iter()
        .map(|event| event.id.to_string())
        .collect();
    assert_eq!(ids, expected);
    let first = &lines[0];
    assert_eq!(first["at"], "2026-12-07T09:01:00Z");
    assert_eq!(first["kind"], "signed_in");
    assert_eq!(first["actor"], "holder");
    assert_eq!(first["client_ip"], "203.0.113.7");
    assert_eq!(first["details"], json!({"method": "password", "n": 1}));
    assert_eq!(first["shard"], shard);
    assert_eq!(first["seq"], 2);
    let before = db.store.audit_chain_page(shard, 0, 1, 1).await.unwrap()[0]
        .link
        .hash;
    assert_eq!(first["prev_hash"], domain::digest::to_hex(&before));
    assert_eq!(lines[1]["prev_hash"], first["hash"]);
}

/// Events written before migration 0006 are chained by the upgrade, and verify.
async fn an_upgraded_database_chains_its_old_events(db: TestDb) {
    history(&db, 3).await;
    for n in 0..3 {
        db.store.append_audit(&sign_in(None, n), NOW).await.unwrap();
    }
    // Back to 0005: no chain columns, no heads, no checkpoints.
    let mut undo = vec![
        "DROP TABLE audit_checkpoints".to_owned(),
        "DROP TABLE audit_chain_heads".to_owned(),
        "DROP INDEX audit_events_chain".to_owned(),
        "DROP INDEX audit_events_by_time".to_owned(),
    ];
    undo.extend(
        ["shard", "seq", "prev_hash", "hash"]
            .map(|column| format!("ALTER TABLE audit_events DROP COLUMN {column}")),
    );
    undo.push("DELETE FROM _sqlx_migrations WHERE version = 6".to_owned());
    tamper(&db, &undo).await;
    if db.backend == Backend::Sqlite {
        db.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events \
             BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        )
        .await
        .unwrap();
    }
    let upgraded = store::connect(&db.url, store::ConnectOptions::default())
        .await
        .unwrap();
    let report = verify(upgraded.as_ref(), key().public()).await.unwrap();
    assert!(report.intact(), "{report}");
    assert_eq!(report.events, 6);
    // And new events chain on after them.
    upgraded.append_audit(&sign_in(None, 9), NOW).await.unwrap();
    let report = verify(upgraded.as_ref(), key().public()).await.unwrap();
    assert!(report.intact(), "{report}");
    assert_eq!(report.events, 7);
}

store::store_tests!(
    many_appends_and_a_checkpoint_verify_intact,
    concurrent_appends_keep_every_chain_whole,
    an_edited_event_is_named,
    a_deleted_event_is_named_by_the_gap,
    a_swapped_pair_is_named_reordered,
    a_rewritten_event_is_caught_by_the_next_link_or_a_checkpoint,
    a_forged_checkpoint_signature_is_refused,
    deleting_the_newest_events_is_found_against_the_head_or_a_checkpoint,
    deleting_unchecked_newest_events_with_the_head_is_not_detectable,
    checkpoints_are_made_once_per_state_even_by_racing_nodes,
    export_filters_by_time_and_keeps_order,
    an_upgraded_database_chains_its_old_events,
);
