-- Signed links act once: each use is recorded under the link's tag, in the same
-- transaction as the action. A link to open one request's page grants a short session
-- limited to that request; sessions are stored here so every process sees them.

CREATE TABLE link_uses (
    link_id     TEXT PRIMARY KEY,
    action      TEXT NOT NULL,
    request_id  BIGINT NOT NULL REFERENCES requests (id),
    person_id   BIGINT NOT NULL REFERENCES people (id),
    used_at     TEXT NOT NULL
);
CREATE INDEX link_uses_request_idx ON link_uses (request_id);

CREATE TABLE web_sessions (
    id_hash     TEXT PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES people (id),
    request_id  BIGINT REFERENCES requests (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
