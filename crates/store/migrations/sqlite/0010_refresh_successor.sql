-- The token each refresh token was exchanged for. A client whose answer was lost (a node or the
-- database primary died after the commit) presents the old token again; while its successor is
-- unused and the exchange is recent, that is a retry, not a stolen copy (see rotate_refresh_token).
ALTER TABLE oidc_refresh_tokens ADD COLUMN replaced_by BLOB;
