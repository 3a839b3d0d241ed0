-- The OpenID provider's tables, PostgreSQL dialect (same conventions as 0001: instants are
-- BIGINT milliseconds since the Unix epoch). Secrets are SHA-256 digests; signing keys sealed.
-- Sessions are never a foreign key of grants, codes or the outbox: a grant (offline access)
-- may outlive its session's idle expiry, and a purge of old sessions must not take it along.

CREATE TABLE oidc_clients (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_hash  BYTEA,
    settings     JSONB NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE oidc_consents (
    account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
CREATE INDEX oidc_consents_by_client ON oidc_consents (client_id);

CREATE TABLE oidc_signing_keys (
    kid                 TEXT PRIMARY KEY,
    alg                 TEXT NOT NULL,
    sealed_private_key  BYTEA NOT NULL,
    public_jwk          JSONB NOT NULL,
    created_at          BIGINT NOT NULL,
    activates_at        BIGINT NOT NULL,
    retires_at          BIGINT
);

-- grant_id is no foreign key: the grant is created after the code is redeemed.
CREATE TABLE oidc_codes (
    code_hash       BYTEA PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    grant_id        UUID NOT NULL,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id      UUID NOT NULL,
    redirect_uri    TEXT NOT NULL,
    scope           TEXT NOT NULL,
    nonce           TEXT,
    code_challenge  TEXT,
    acr             TEXT NOT NULL,
    amr             TEXT NOT NULL,
    auth_time       BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT,
    replayed_at     BIGINT
);
CREATE INDEX oidc_codes_by_client ON oidc_codes (client_id);
CREATE INDEX oidc_codes_by_account ON oidc_codes (account_id);
CREATE INDEX oidc_codes_by_grant ON oidc_codes (grant_id);
CREATE INDEX oidc_codes_by_expiry ON oidc_codes (expires_at);

CREATE TABLE oidc_grants (
    id          UUID PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    account_id  UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id  UUID NOT NULL,
    scope       TEXT NOT NULL,
    acr         TEXT NOT NULL,
    amr         TEXT NOT NULL,
    auth_time   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX oidc_grants_by_session ON oidc_grants (session_id);
CREATE INDEX oidc_grants_by_account ON oidc_grants (account_id);
CREATE INDEX oidc_grants_by_client ON oidc_grants (client_id);
CREATE INDEX oidc_grants_by_expiry ON oidc_grants (expires_at);

CREATE TABLE oidc_refresh_tokens (
    token_hash  BYTEA PRIMARY KEY,
    grant_id    UUID NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX oidc_refresh_tokens_by_grant ON oidc_refresh_tokens (grant_id);
CREATE INDEX oidc_refresh_tokens_by_expiry ON oidc_refresh_tokens (expires_at);

-- Access tokens are self-contained JWTs; a revoked one is remembered until it expires anyway.
CREATE TABLE oidc_revoked_access_tokens (
    jti         TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX oidc_revoked_access_tokens_by_expiry ON oidc_revoked_access_tokens (expires_at);

-- private_key_jwt assertions seen, so that none is accepted twice (RFC 7523 §3).
CREATE TABLE oidc_assertion_jtis (
    client_id   TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    jti         TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX oidc_assertion_jtis_by_expiry ON oidc_assertion_jtis (expires_at);

-- The clients that got a code from a session: who hears of it when it ends.
CREATE TABLE oidc_session_clients (
    session_id  UUID NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, client_id)
);
CREATE INDEX oidc_session_clients_by_client ON oidc_session_clients (client_id);

-- Transactional outbox of back-channel logouts, written with the session's end.
CREATE TABLE oidc_pending_logouts (
    id               UUID PRIMARY KEY,
    session_id       UUID NOT NULL,
    account_id       UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id        TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (session_id, client_id)
);
CREATE INDEX oidc_pending_logouts_by_due ON oidc_pending_logouts (next_attempt_at);
CREATE INDEX oidc_pending_logouts_by_client ON oidc_pending_logouts (client_id);
CREATE INDEX oidc_pending_logouts_by_account ON oidc_pending_logouts (account_id);
