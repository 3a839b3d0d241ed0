-- Credentials as data: one table for everything an account signs in or proves itself with —
-- its password (the hash), its OTP phones, and the certificates, federated identities,
-- passkeys and known devices of the sign-in methods — so that a new method adds a kind, not a
-- table. The passwords and OTP phones of migration 1 move here.

CREATE TABLE credentials (
    account_id    BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('password', 'otp_phone', 'totp', 'certificate',
                                                'federated', 'passkey', 'device')),
    -- What tells two credentials of a kind apart: '' for the password, the E.164 number of a
    -- phone, a certificate's SHA-256 fingerprint, 'issuer subject' of a federated identity.
    key           TEXT NOT NULL,
    -- The public part as JSON (a certificate's subject, a federated identity's level).
    public_data   TEXT NOT NULL DEFAULT '{}',
    -- Only ever a hash or a sealed value (the password's Argon2id PHC string).
    secret        TEXT,
    is_default    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    PRIMARY KEY (account_id, kind, key)
);
-- SPEC A3: one number may serve several accounts; a certificate, a federated identity or a
-- passkey belongs to one account only.
CREATE UNIQUE INDEX credentials_owned_once ON credentials (kind, key)
    WHERE kind IN ('certificate', 'federated', 'passkey');
CREATE UNIQUE INDEX credentials_one_default ON credentials (account_id, kind) WHERE is_default;
CREATE INDEX credentials_by_key ON credentials (kind, key);

INSERT INTO credentials (account_id, kind, key, secret, is_default, created_at, last_used_at)
    SELECT account_id, 'password', '', phc, FALSE, updated_at, NULL FROM password_credentials;
INSERT INTO credentials (account_id, kind, key, secret, is_default, created_at, last_used_at)
    SELECT account_id, 'otp_phone', phone, NULL, is_default, added_at, NULL FROM account_phones;

DROP TABLE password_credentials;
DROP TABLE account_phones;

-- A lost-phone change (P2) waits out a cool-down before the new number becomes the default:
-- meanwhile the old number can cancel it with the code it was sent, and the account's phones
-- and password cannot be changed. One pending change per account.
CREATE TABLE phone_changes (
    account_id     BLOB PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    phone          TEXT NOT NULL,
    replaces       TEXT,
    -- Keyed MAC of the cancel code sent to the replaced number.
    cancel_mac     BLOB NOT NULL,
    requested_at   BIGINT NOT NULL,
    effective_at   BIGINT NOT NULL
);
CREATE INDEX phone_changes_by_effective ON phone_changes (effective_at);
