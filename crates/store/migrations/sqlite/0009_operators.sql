-- Operators are ordinary accounts with roles granted to them (issue 12): who granted each role
-- and when, and — once revoked — who revoked it and when. A revoked grant stays as history; at
-- most one live grant of a role per account.

CREATE TABLE operator_roles (
    id          BLOB PRIMARY KEY,
    account_id  BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT NOT NULL
                CHECK (role IN ('helpdesk', 'post', 'agency_admin', 'auditor', 'system_admin')),
    -- The actor as the audit trail stores it ('operator:<personal id>', 'system').
    granted_by  TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    revoked_by  TEXT,
    revoked_at  BIGINT
);
CREATE UNIQUE INDEX operator_roles_live ON operator_roles (account_id, role) WHERE revoked_at IS NULL;

