-- The tamper-evident audit trail (SPEC A5): every event is a link of one of 16 hash chains
-- (shards), each link carrying its shard, its sequence number in the shard, the hash of the link
-- before it and its own hash (see src/audit_chain.rs for the encoding). Events written before
-- this migration are chained by the store right after it (`seal_unchained_audit_events`).
-- The application role needs UPDATE on audit_chain_heads; audit_events stays INSERT and SELECT.
ALTER TABLE audit_events ADD COLUMN shard INTEGER;
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash BYTEA;
ALTER TABLE audit_events ADD COLUMN hash BYTEA;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (shard, seq);
-- `dvcid audit export --since` reads in time order.
CREATE INDEX audit_events_by_time ON audit_events (at, id);

-- Each shard's newest link. An append updates its shard's row in the transaction that inserts
-- the event, so appends to different shards never wait for each other.
CREATE TABLE audit_chain_heads (
    shard   INTEGER PRIMARY KEY,
    seq     BIGINT NOT NULL,
    hash    BYTEA NOT NULL
);
INSERT INTO audit_chain_heads (shard, seq, hash)
SELECT shard, 0, decode(repeat('00', 32), 'hex') FROM generate_series(0, 15) AS shard;

-- Signed statements of every shard's head at an instant. `heads` is one line per shard,
-- `shard seq hex-hash`; two nodes checkpointing the same heads record it once.
CREATE TABLE audit_checkpoints (
    id          UUID PRIMARY KEY,
    at          BIGINT NOT NULL,
    key_id      TEXT NOT NULL,
    heads       TEXT NOT NULL UNIQUE,
    signature   BYTEA NOT NULL
);
CREATE INDEX audit_checkpoints_by_time ON audit_checkpoints (at);
