-- Business and agency accounts with members (SPEC A1): citizen accounts acting for an
-- organisation in a role, invitations to become one, and what a signed-in session acts for.
-- The model is Singapore's Corppass: a person signs in as themself, then acts for an entity.

CREATE TABLE organisation_members (
    organisation_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    member_id        BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('administrator', 'submitter', 'viewer')),
    -- The administrator who invited the member; NULL for a first administrator (the legal
    -- representative, the certificate's registrant, or the one an operator named).
    added_by         BLOB REFERENCES accounts (id) ON DELETE SET NULL,
    added_at         BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, member_id)
);
CREATE INDEX organisation_members_by_member ON organisation_members (member_id);

-- An agency account's identifier code, from the configured list of state agencies (agency
-- accounts are created by operators only).
CREATE TABLE agency_codes (
    account_id  BLOB PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    code        TEXT NOT NULL UNIQUE
);

-- Only the token's SHA-256 is kept; the invitee's personal ID binds it to one person.
CREATE TABLE organisation_invitations (
    id               BLOB PRIMARY KEY,
    token_hash       BLOB NOT NULL UNIQUE,
    organisation_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    personal_id      TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('administrator', 'submitter', 'viewer')),
    invited_by       BLOB REFERENCES accounts (id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    -- Set once, when accepted or withdrawn: a token is good for one use.
    closed_at        BIGINT
);
CREATE INDEX organisation_invitations_by_organisation ON organisation_invitations (organisation_id);
CREATE INDEX organisation_invitations_by_person ON organisation_invitations (personal_id);

-- Whom the session acts for: NULL as the person themself. `acting_chosen` is set once the
-- person has answered the chooser, so that it is asked once per sign-in.
ALTER TABLE sessions ADD COLUMN acting_for BLOB REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN acting_chosen BOOLEAN NOT NULL DEFAULT FALSE;
