-- A mail Relais could not tie to its sender (no reply key of theirs, no authenticated
-- domain) acts on nothing until the person whose address it bears confirms it from the
-- mail Relais sends them. One row per such mail; the answer is written once.
CREATE TABLE mail_confirmations (
    inbound_id   BIGINT PRIMARY KEY REFERENCES inbound_messages (id),
    person_id    BIGINT NOT NULL REFERENCES people (id),
    asked_at     TEXT NOT NULL,
    answered_at  TEXT,
    -- 'confirmed' or 'denied'
    answer       TEXT
);
-- The rate limit counts a person's recent confirmations.
CREATE INDEX mail_confirmations_person_idx ON mail_confirmations (person_id, asked_at);
