//! The audit trail's hash chains (migration 0006): every event appended — by `append_audit`
//! or inside an account change — is the next link of its shard, and checkpoints of the same
//! heads are recorded once.

use serde_json::json;
use store::audit_chain::{ChainHead, GENESIS, NewAuditCheckpoint, SHARDS, event_hash, shard_of};
use store::testing::TestDb;
use store::{AccountId, Actor, AuditContext, AuditKind, NewAuditEvent};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-12-07 09:00 UTC);

fn refusal(account: Option<AccountId>) -> NewAuditEvent {
    NewAuditEvent {
        account_id: account,
        kind: AuditKind::SecurityRefusal,
        context: AuditContext {
            actor: Actor::System,
            client_ip: None,
        },
        details: json!({"reason": "throttled", "nested": {"b": 2, "a": [1.5, "x"]}}),
    }
}

async fn every_append_is_the_next_link_of_its_shard(db: TestDb) {
    let account = super::registered(&db).await;
    for n in 0..3 {
        db.store
            .append_audit(&refusal(Some(account)), NOW + Duration::seconds(n))
            .await
            .unwrap();
    }
    for _ in 0..20 {
        db.store.append_audit(&refusal(None), NOW).await.unwrap();
    }
    let heads = db.store.audit_chain_heads().await.unwrap();
    assert_eq!(heads.len(), usize::from(SHARDS));
    assert_eq!(heads.iter().map(|head| head.seq).sum::<u64>(), 24);
    for head in &heads {
        let chain = db
            .store
            .audit_chain_page(head.shard, 0, head.seq, 100)
            .await
            .unwrap();
        let mut prev = GENESIS;
        for (position, link) in chain.iter().enumerate() {
            assert_eq!(link.link.seq, position as u64 + 1);
            assert_eq!(link.link.prev_hash, prev);
            assert_eq!(
                link.link.hash,
                event_hash(&link.event, head.shard, link.link.seq, &link.link.prev_hash)
            );
            prev = link.link.hash;
        }
        assert_eq!(chain.len() as u64, head.seq);
        assert_eq!(head.hash, prev, "the head is the chain's last link");
    }
    // The account's registration (written by `create_account`) and its three refusals share
    // the account's shard, in order.
    let shard = shard_of(Some(account), uuid::Uuid::nil());
    let own: Vec<_> = db
        .store
        .audit_chain_page(shard, 0, u64::MAX >> 1, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|link| link.event.account_id == Some(account))
        .map(|link| link.event.kind)
        .collect();
    assert_eq!(
        own,
        [
            AuditKind::AccountRegistered,
            AuditKind::SecurityRefusal,
            AuditKind::SecurityRefusal,
            AuditKind::SecurityRefusal
        ]
    );
    assert_eq!(db.store.audit_unchained_count().await.unwrap(), 0);
}

async fn a_checkpoint_of_the_same_heads_is_recorded_once(db: TestDb) {
    db.store.append_audit(&refusal(None), NOW).await.unwrap();
    let heads: Vec<ChainHead> = db.store.audit_chain_heads().await.unwrap();
    let checkpoint = |at: OffsetDateTime| NewAuditCheckpoint {
        at,
        key_id: "ed25519:0011223344556677".to_owned(),
        heads: heads.clone(),
        signature: vec![7; 64],
    };
    assert!(
        db.store
            .record_audit_checkpoint(&checkpoint(NOW))
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .record_audit_checkpoint(&checkpoint(NOW + Duration::seconds(1)))
            .await
            .unwrap()
    );
    let recorded = db.store.audit_checkpoints().await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].heads, heads);
    assert_eq!(recorded[0].at, NOW);
    assert_eq!(recorded[0].signature, vec![7; 64]);
    assert_eq!(
        db.store.latest_audit_checkpoint().await.unwrap().as_ref(),
        recorded.first()
    );
}

store::store_tests!(
    every_append_is_the_next_link_of_its_shard,
    a_checkpoint_of_the_same_heads_is_recorded_once,
);
