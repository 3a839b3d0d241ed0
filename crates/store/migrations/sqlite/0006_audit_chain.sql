-- The tamper-evident audit trail (SPEC A5): every event is a link of one of 16 hash chains
-- (shards), each link carrying its shard, its sequence number in the shard, the hash of the link
-- before it and its own hash (see src/audit_chain.rs for the encoding). Events written before
-- this migration are chained by the store right after it (`seal_unchained_audit_events`).
ALTER TABLE audit_events ADD COLUMN shard INTEGER;
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_events ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (shard, seq);
-- `dvcid audit export --since` reads in time order.
CREATE INDEX audit_events_by_time ON audit_events (at, id);

-- The rows stay append-only; the one update allowed fills in the chain columns of an event
-- written before the chain existed, once.
DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN OLD.hash IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.account_id IS NOT OLD.account_id
  OR NEW.actor IS NOT OLD.actor OR NEW.event IS NOT OLD.event
  OR NEW.client_ip IS NOT OLD.client_ip OR NEW.details IS NOT OLD.details
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- Each shard's newest link. An append updates its shard's row in the transaction that inserts
-- the event, so appends to different shards never wait for each other.
CREATE TABLE audit_chain_heads (
    shard   INTEGER PRIMARY KEY,
    seq     BIGINT NOT NULL,
    hash    BLOB NOT NULL
);
WITH RECURSIVE shards(shard) AS (SELECT 0 UNION ALL SELECT shard + 1 FROM shards WHERE shard < 15)
INSERT INTO audit_chain_heads (shard, seq, hash) SELECT shard, 0, zeroblob(32) FROM shards;

-- Signed statements of every shard's head at an instant. `heads` is one line per shard,
-- `shard seq hex-hash`; two nodes checkpointing the same heads record it once.
CREATE TABLE audit_checkpoints (
    id          BLOB PRIMARY KEY,
    at          BIGINT NOT NULL,
    key_id      TEXT NOT NULL,
    heads       TEXT NOT NULL UNIQUE,
    signature   BLOB NOT NULL
);
CREATE INDEX audit_checkpoints_by_time ON audit_checkpoints (at);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
