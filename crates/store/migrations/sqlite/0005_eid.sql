-- The national eID provider (VNeID) keeps its own database with the same schema as the portal,
-- and these tables besides: e-ID applications as the police register and approve them (V1),
-- the passcode and security answers an activation sets (V3), and the wrong-password count
-- that locks an eID account for a while (V4). A portal database simply leaves them empty.

CREATE TABLE eid_applications (
    personal_id     TEXT PRIMARY KEY,
    full_name       TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    gender          TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    phone           TEXT NOT NULL,
    level           INTEGER NOT NULL CHECK (level IN (1, 2)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved')),
    -- The Argon2id hash of the password of an app account the person had before the
    -- application (activation then skips the password step); NULL when there was none.
    prior_password  TEXT,
    created_at      BIGINT NOT NULL,
    approved_at     BIGINT
);
CREATE INDEX eid_applications_by_created ON eid_applications (created_at);

-- Hashes only: the passcode (key '') and one answer per chosen question (key = question id).
CREATE TABLE eid_secrets (
    account_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('passcode', 'security_answer')),
    key         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, key)
);

-- Consecutive wrong passwords or passcodes; reaching the limit sets locked_until.
CREATE TABLE eid_lockouts (
    account_id    BLOB PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    failures      INTEGER NOT NULL,
    locked_until  BIGINT
);
