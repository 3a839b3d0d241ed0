-- dvcid schema, PostgreSQL dialect (kept portable to PostgreSQL-compatible distributed SQL:
-- no server-side functions, no advisory locks). Instants are BIGINT milliseconds since the Unix epoch (UTC), so
-- that they sort and compare the same on SQLite and PostgreSQL; calendar dates are ISO text.

CREATE TABLE accounts (
    id                   UUID PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('citizen', 'business', 'agency')),
    personal_id          TEXT UNIQUE,
    legacy_cmnd          TEXT UNIQUE,
    tax_code             TEXT UNIQUE,
    full_name            TEXT NOT NULL,
    birth_date           DATE,
    gender               TEXT CHECK (gender IN ('male', 'female')),
    email                TEXT,
    status               TEXT NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
    registration_channel TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

-- SPEC A3: the same number may serve several accounts, so the key is (account, phone).
CREATE TABLE account_phones (
    account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, phone)
);
CREATE UNIQUE INDEX account_phones_one_default ON account_phones (account_id) WHERE is_default;
CREATE INDEX account_phones_by_phone ON account_phones (phone);

CREATE TABLE password_credentials (
    account_id  UUID PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    phc         TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE flows (
    id          UUID PRIMARY KEY,
    kind        TEXT NOT NULL,
    state       JSONB NOT NULL,
    account_id  UUID REFERENCES accounts (id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX flows_by_expiry ON flows (expires_at);

CREATE TABLE otp_challenges (
    id            UUID PRIMARY KEY,
    flow_id       UUID NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    purpose       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    code_mac      BYTEA NOT NULL,
    attempts      INTEGER NOT NULL,
    max_attempts  INTEGER NOT NULL,
    sends         INTEGER NOT NULL,
    last_sent_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    consumed_at   BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX otp_challenges_by_flow ON otp_challenges (flow_id, purpose);

CREATE TABLE sessions (
    id                   UUID PRIMARY KEY,
    token_hash           BYTEA NOT NULL UNIQUE,
    account_id           UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    acr                  TEXT NOT NULL,
    amr                  TEXT NOT NULL,
    auth_time            BIGINT NOT NULL,
    client_ip            TEXT,
    user_agent           TEXT,
    created_at           BIGINT NOT NULL,
    last_seen_at         BIGINT NOT NULL,
    idle_expires_at      BIGINT NOT NULL,
    absolute_expires_at  BIGINT NOT NULL,
    revoked_at           BIGINT
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- Fixed-window counters shared by every node (SPEC: throttling lives in the store).
CREATE TABLE throttle_counters (
    key           TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX throttle_counters_by_expiry ON throttle_counters (expires_at);

-- SPEC A5: append-only. No foreign key, so the trail outlives anything it mentions.
CREATE TABLE audit_events (
    id          UUID PRIMARY KEY,
    at          BIGINT NOT NULL,
    account_id  UUID,
    actor       TEXT NOT NULL,
    event       TEXT NOT NULL,
    client_ip   TEXT,
    details     JSONB NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, at);

-- PostgreSQL cannot refuse UPDATE/DELETE without a server-side function; deployments grant the
-- application role only INSERT and SELECT on this table (see README, PostgreSQL).
