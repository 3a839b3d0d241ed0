-- The web origins of browser-based clients, by origin: a CORS preflight asks whether any
-- client registered an origin. The client's settings document holds the same list (read with
-- the client on every token request); both are written in one transaction when the client is
-- registered, and the rows go with their client.

CREATE TABLE oidc_client_web_origins (
    client_id  TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    origin     TEXT NOT NULL,
    PRIMARY KEY (client_id, origin)
);
CREATE INDEX oidc_client_web_origins_by_origin ON oidc_client_web_origins (origin);

-- Whatever origins the settings of existing clients already hold.
INSERT INTO oidc_client_web_origins (client_id, origin)
SELECT DISTINCT id, jsonb_array_elements_text(settings -> 'web_origins')
FROM oidc_clients
WHERE jsonb_typeof(settings -> 'web_origins') = 'array';
