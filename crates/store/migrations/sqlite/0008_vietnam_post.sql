-- Vietnam Post (Bưu điện Việt Nam, SPEC R4, S5): registrations waiting for their e-mail link,
-- the identity proofing recorded for an account (who proved the person, at which level), and
-- OTP phones that no code has confirmed yet.

-- A registration whose holder chose activation by e-mail: nothing of the account exists until
-- the link is used (R8). Only the SHA-256 of the link's 256-bit token is kept; `used_at` makes
-- it single use.
CREATE TABLE post_activations (
    id            BLOB PRIMARY KEY,
    token_hash    BLOB NOT NULL,
    personal_id   TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT NOT NULL,
    -- The person as the population database confirmed them (JSON of the account's identity).
    identity      TEXT NOT NULL,
    password_phc  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX post_activations_by_expiry ON post_activations (expires_at);

-- How the account's person was proven and to which level. Accounts of other channels have
-- no row: their registration itself is the proof (population and subscriber databases,
-- certificates, VNeID). A Vietnam Post account starts at LoA2 and reaches LoA3 when postal
-- staff check the card in person (`proven_*`).
CREATE TABLE identity_proofing (
    account_id       BLOB PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    source           TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('LoA1', 'LoA2', 'LoA3')),
    recorded_at      BIGINT NOT NULL,
    proven_at        BIGINT,
    proven_by        TEXT,
    document_number  TEXT,
    note             TEXT
);

-- An OTP phone typed at registration but never sent a code that came back (activation by
-- e-mail): it counts as verified only after its first accepted OTP.
CREATE TABLE unconfirmed_phones (
    account_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    PRIMARY KEY (account_id, phone)
);
